/**
 * A Server-Sent Events client for the live-tail tests: connects, waits for
 * the hub's `ready` event, then keeps every event it hears until closed.
 */

export interface SseEvent {
  event: string;
  data: string;
}

export interface SseClient {
  /** Every event heard so far, `ready` included, in order. */
  readonly events: SseEvent[];
  /** The parsed `data` of every event named `name`. */
  dataOf<T>(name: string): T[];
  close(): Promise<void>;
}

/** One `event:`/`data:` block of the stream. */
function parseBlock(block: string): SseEvent | undefined {
  let event = "message";
  const data: string[] = [];
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) continue; // a comment (keep-alive)
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }
  return data.length > 0 ? { event, data: data.join("\n") } : undefined;
}

/**
 * Connect to an SSE endpoint; resolves once the `ready` event came (the
 * subscription is in place), throws with the answer when it is not a stream.
 *
 * @example
 * const tail = await openSse(`${hub.httpUrl}/api/tail`, { authorization: `Bearer ${credential}` });
 * const batches = tail.dataOf<EventHit[]>("events");
 * await tail.close();
 */
export async function openSse(
  url: string,
  headers: Record<string, string>,
  readyTimeoutMs = 10_000,
): Promise<SseClient> {
  const abort = new AbortController();
  const response = await fetch(url, { headers, signal: abort.signal });
  if (response.status !== 200 || !response.body) {
    throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  }
  const events: SseEvent[] = [];
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  const reader = response.body.getReader();
  const reading = (async () => {
    const decoder = new TextDecoder();
    let buffered = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffered += decoder.decode(value, { stream: true }).replaceAll("\r\n", "\n");
      let end = buffered.indexOf("\n\n");
      while (end !== -1) {
        const event = parseBlock(buffered.slice(0, end));
        buffered = buffered.slice(end + 2);
        if (event) {
          events.push(event);
          if (event.event === "ready") markReady();
        }
        end = buffered.indexOf("\n\n");
      }
    }
  })().catch(() => {}); // an abort ends the read
  let timer: Timer | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no ready event from ${url} within ${readyTimeoutMs} ms`)),
      readyTimeoutMs,
    );
  });
  try {
    await Promise.race([ready, timeout]);
  } catch (error) {
    abort.abort();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return {
    events,
    dataOf: <T>(name: string) =>
      events.filter((event) => event.event === name).map((event) => JSON.parse(event.data) as T),
    async close() {
      abort.abort();
      await reading;
    },
  };
}
