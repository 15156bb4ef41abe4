/*
 * udp-flood: offer syslog datagrams to a receiver at a fixed rate, from C so
 * that the sender is never the bottleneck of a receiver benchmark.
 *
 *   cc -O2 -o udp-flood udp-flood.c
 *   ./udp-flood HOST PORT COUNT RATE_PER_S [FILE]
 *
 * Every datagram is a RouterOS firewall line carrying its own number
 * ("len N" at the end is the sequence), so a receiver can count exactly what
 * arrived. With FILE, the datagrams are its lines instead, in order (e.g.
 * `logmaster simulate --stdout`, made beforehand so that simulating costs
 * nothing while the receiver is measured); COUNT is capped at its lines.
 * Pacing: the sender sleeps whenever it is ahead of COUNT/RATE; it
 * sends in bursts of up to 64 with sendmmsg to keep up at high rates.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BURST 64
#define LINE_MAX_BYTES 512

/* FILE read whole; `starts[i]`, `lengths[i]`: its line i without the newline. */
static char *replay;
static long *starts, *lengths, replay_lines;

static int read_replay(const char *path) {
  FILE *file = fopen(path, "rb");
  if (!file) return -1;
  fseek(file, 0, SEEK_END);
  long size = ftell(file);
  fseek(file, 0, SEEK_SET);
  replay = malloc((size_t)size + 1);
  if (!replay || fread(replay, 1, (size_t)size, file) != (size_t)size) return -1;
  fclose(file);
  long capacity = 1024;
  starts = malloc(capacity * sizeof *starts);
  lengths = malloc(capacity * sizeof *lengths);
  for (long at = 0; at < size;) {
    char *newline = memchr(replay + at, '\n', (size_t)(size - at));
    long end = newline ? newline - replay : size;
    if (end > at) {
      if (replay_lines == capacity) {
        capacity *= 2;
        starts = realloc(starts, capacity * sizeof *starts);
        lengths = realloc(lengths, capacity * sizeof *lengths);
      }
      starts[replay_lines] = at;
      lengths[replay_lines++] = end - at;
    }
    at = end + 1;
  }
  return 0;
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc != 5 && argc != 6) {
    fprintf(stderr, "usage: %s HOST PORT COUNT RATE_PER_S [FILE]\n", argv[0]);
    return 2;
  }
  if (argc == 6 && read_replay(argv[5]) != 0) {
    fprintf(stderr, "cannot read %s\n", argv[5]);
    return 2;
  }
  struct addrinfo hints = {0}, *target;
  hints.ai_socktype = SOCK_DGRAM;
  if (getaddrinfo(argv[1], argv[2], &hints, &target) != 0) {
    fprintf(stderr, "cannot resolve %s\n", argv[1]);
    return 2;
  }
  long count = atol(argv[3]);
  if (replay && count > replay_lines) count = replay_lines;
  double rate = atof(argv[4]);
  int sock = socket(target->ai_family, SOCK_DGRAM, 0);
  int sndbuf = 8 << 20;
  setsockopt(sock, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);

  static char lines[BURST][LINE_MAX_BYTES];
  struct mmsghdr messages[BURST];
  struct iovec vectors[BURST];
  memset(messages, 0, sizeof messages);

  double started = now_s();
  long sent = 0, send_errors = 0;
  while (sent < count) {
    double ahead = (double)sent / rate - (now_s() - started);
    if (ahead > 0.0005) usleep((useconds_t)(ahead * 1e6));
    int burst = 0;
    for (; burst < BURST && sent + burst < count; burst++) {
      long n = sent + burst;
      if (replay) {
        vectors[burst].iov_base = replay + starts[n];
        vectors[burst].iov_len = (size_t)lengths[n];
      } else {
        int length = snprintf(lines[burst], LINE_MAX_BYTES,
            "<134>Nov 22 10:30:45 otel-gw firewall,info forward: in:vlan20-guest out:ether1-wan, "
            "connection-state:new src-mac aa:bb:cc:dd:ee:ff, proto TCP (SYN), 10.20.%ld.%ld:52345->"
            "8.8.8.8:443, NAT (10.20.%ld.%ld:52345->85.105.1.2:52345)->8.8.8.8:443, len %ld",
            (n >> 8) & 255, n & 255, (n >> 8) & 255, n & 255, n);
        vectors[burst].iov_base = lines[burst];
        vectors[burst].iov_len = (size_t)length;
      }
      messages[burst].msg_hdr.msg_iov = &vectors[burst];
      messages[burst].msg_hdr.msg_iovlen = 1;
      messages[burst].msg_hdr.msg_name = target->ai_addr;
      messages[burst].msg_hdr.msg_namelen = target->ai_addrlen;
    }
    int done = sendmmsg(sock, messages, burst, 0);
    if (done < 0) {
      send_errors++;
      done = 0;
      usleep(100);
    }
    sent += done;
  }
  double elapsed = now_s() - started;
  printf("sent %ld in %.3f s (%.0f/s), send errors %ld\n", sent, elapsed, sent / elapsed, send_errors);
  freeaddrinfo(target);
  return 0;
}
