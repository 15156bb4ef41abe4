#!/usr/bin/env bash
# Throwaway PostgreSQL and Redis for integration tests, on free loopback ports.
#
#   scripts/test-services.sh start   # install if missing, start, print the URLs
#   scripts/test-services.sh env     # print `export DATABASE_URL=... REDIS_URL=...`
#   scripts/test-services.sh stop    # stop both and delete their data
#
# State lives in a temp directory; its path is remembered in
# .tmp/test-services.env so `env` and `stop` find it from any shell.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
state_file="$repo_root/.tmp/test-services.env"
min_pg_major=15

log() { printf '[test-services] %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    log "need root to run: $*"; return 1
  fi
}

apt_updated=0
apt_install() {
  if ! command -v apt-get >/dev/null; then
    log "missing $*, and no apt-get here: install it with your package manager"; return 1
  fi
  if [ "$apt_updated" -eq 0 ]; then
    as_root apt-get update -qq >&2; apt_updated=1
  fi
  log "installing $* from apt"
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >&2
}

pg_bindir() {
  local dir best="" best_major=0 major
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] || continue
    major="$(basename "$(dirname "$dir")")"
    if [ "${major%%.*}" -gt "$best_major" ] 2>/dev/null; then best_major="${major%%.*}"; best="$dir"; fi
  done
  if [ -z "$best" ] && command -v pg_config >/dev/null; then best="$(pg_config --bindir)"; fi
  [ -n "$best" ] && [ -x "$best/initdb" ] && echo "$best"
}

ensure_installed() {
  local bindir
  bindir="$(pg_bindir || true)"
  if [ -z "$bindir" ]; then
    apt_install postgresql
    bindir="$(pg_bindir)"
  fi
  local version
  version="$("$bindir/postgres" --version | sed -E 's/[^0-9]*([0-9]+).*/\1/')"
  if [ "$version" -lt "$min_pg_major" ]; then
    log "PostgreSQL $version found, need >= $min_pg_major"; return 1
  fi
  command -v redis-server >/dev/null || apt_install redis-server
  echo "$bindir"
}

free_port() {
  # Ask the kernel for a free port; bun is on PATH wherever the tests run.
  bun -e 'const s=Bun.listen({hostname:"127.0.0.1",port:0,socket:{data(){}}});console.log(s.port);s.stop(true)'
}

# PostgreSQL refuses to run as root: run it as `postgres` when we are root.
run_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  if [ -f "$state_file" ]; then
    # shellcheck disable=SC1090
    source "$state_file"
    if [ -n "${LOGMASTER_PG_BIN:-}" ] && run_pg "$LOGMASTER_PG_BIN/pg_ctl" status -D "$LOGMASTER_SERVICES_DIR/pg" >/dev/null 2>&1; then
      log "already running"; print_env; return 0
    fi
    stop >/dev/null 2>&1 || true
  fi
  local bindir dir pg_port redis_port
  bindir="$(ensure_installed)"
  dir="$(mktemp -d /tmp/logmaster-services.XXXXXX)"
  chmod 755 "$dir"
  mkdir -p "$dir/pg" "$dir/redis"
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || as_root useradd --system --home "$dir" postgres
    chown postgres "$dir/pg"
  fi
  pg_port="$(free_port)"
  redis_port="$(free_port)"
  run_pg "$bindir/initdb" -D "$dir/pg" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; return 1; }
  # fsync off: a throwaway test database has nothing to keep after a crash.
  run_pg "$bindir/pg_ctl" -D "$dir/pg" -l "$dir/pg/server.log" -w -t 60 start \
    -o "-p $pg_port -k $dir/pg -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >&2
  run_pg "$bindir/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres logmaster_test
  redis-server --port "$redis_port" --bind 127.0.0.1 --daemonize yes --dir "$dir/redis" \
    --pidfile "$dir/redis/redis.pid" --logfile "$dir/redis/redis.log" --save "" --appendonly no >&2
  for _ in $(seq 1 50); do
    redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  mkdir -p "$(dirname "$state_file")"
  cat >"$state_file" <<STATE
LOGMASTER_SERVICES_DIR=$dir
LOGMASTER_PG_BIN=$bindir
DATABASE_URL=postgres://postgres@127.0.0.1:$pg_port/logmaster_test
REDIS_URL=redis://127.0.0.1:$redis_port
STATE
  log "PostgreSQL on 127.0.0.1:$pg_port, Redis on 127.0.0.1:$redis_port (data in $dir)"
  print_env
}

print_env() {
  [ -f "$state_file" ] || { log "not running: run '$0 start'"; return 1; }
  # shellcheck disable=SC1090
  source "$state_file"
  echo "export DATABASE_URL=$DATABASE_URL"
  echo "export REDIS_URL=$REDIS_URL"
}

stop() {
  [ -f "$state_file" ] || { log "not running"; return 0; }
  # shellcheck disable=SC1090
  source "$state_file"
  run_pg "$LOGMASTER_PG_BIN/pg_ctl" -D "$LOGMASTER_SERVICES_DIR/pg" -m immediate -w stop >/dev/null 2>&1 || true
  if [ -f "$LOGMASTER_SERVICES_DIR/redis/redis.pid" ]; then
    kill "$(cat "$LOGMASTER_SERVICES_DIR/redis/redis.pid")" 2>/dev/null || true
  fi
  rm -rf "$LOGMASTER_SERVICES_DIR" "$state_file"
  log "stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) print_env ;;
  *) echo "usage: $0 start|stop|env" >&2; exit 2 ;;
esac
