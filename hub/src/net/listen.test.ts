import { expect, test } from "bun:test";
import { createServer } from "node:http";
import { whenListening } from "./listen.ts";

test("resolves with the bound port, a loopback URL for a wildcard host, and a stop", async () => {
  const server = createServer((_request, response) => response.end("ok"));
  server.listen(0, "0.0.0.0");
  let dropped = 0;
  const listener = await whenListening(server, "0.0.0.0", "http", () => dropped++);
  expect(listener.port).toBeGreaterThan(0);
  expect(listener.url).toBe(`http://127.0.0.1:${listener.port}`);
  expect(await (await fetch(listener.url)).text()).toBe("ok");
  await listener.stop();
  expect(dropped).toBe(1);
  expect(server.listening).toBe(false);
});

test("an IPv6 host is bracketed in the URL", async () => {
  const server = createServer();
  server.listen(0, "::1");
  const listener = await whenListening(server, "::", "https", () => {});
  expect(listener.url).toBe(`https://[::1]:${listener.port}`);
  await listener.stop();
});

test("a listen error (port taken) rejects", async () => {
  const taken = createServer();
  taken.listen(0, "127.0.0.1");
  const { port } = await whenListening(taken, "127.0.0.1", "http", () => {});
  const second = createServer();
  second.listen(port, "127.0.0.1");
  await expect(whenListening(second, "127.0.0.1", "http", () => {})).rejects.toThrow(String(port));
  taken.close();
});
