/**
 * The live tail's data: the hub's Server-Sent Events (`/api/tail`) read with
 * fetch, since the API wants the bearer header and EventSource cannot send
 * one; a reconnect with backoff; and a bounded buffer that holds the lines
 * shown (the last `maxLines`) and, while paused, counts what arrives.
 */
import { createSignal } from "solid-js";
import { ApiError, authorizedFetch } from "../api/client.ts";
import type { EventHit } from "../api/types.ts";

/** One event of a text/event-stream. */
export interface SseEvent {
  event: string;
  data: string;
}

/**
 * An incremental text/event-stream parser: feed it text as it arrives, it
 * returns the events completed so far (comments and `id`/`retry` ignored).
 *
 * @example
 * new SseParser().push("event: ready\ndata: {}\n\n"); // [{ event: "ready", data: "{}" }]
 */
export class SseParser {
  #rest = "";
  #event = "";
  #data: string[] = [];

  push(text: string): SseEvent[] {
    const events: SseEvent[] = [];
    const lines = (this.#rest + text).split(/\r\n|\r|\n/);
    this.#rest = lines.pop() ?? "";
    for (const line of lines) {
      if (line === "") {
        if (this.#data.length > 0)
          events.push({ event: this.#event || "message", data: this.#data.join("\n") });
        this.#event = "";
        this.#data = [];
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") this.#event = value;
      else if (field === "data") this.#data.push(value);
    }
    return events;
  }
}

/** A line of the tail, with a key that stays the same however the buffer moves. */
export interface TailLine {
  key: string;
  hit: EventHit;
}

export const DEFAULT_MAX_LINES = 5_000;

/**
 * The lines shown, at most `maxLines` (the oldest go first, so memory stays
 * flat however long the page is open); while paused, what arrives waits in
 * `pending` (bounded the same way) and is counted in `pendingCount`.
 */
export class TailBuffer {
  shown: readonly TailLine[] = [];
  pending: readonly TailLine[] = [];
  /** Lines received while paused (more than `pending` holds when over `maxLines`). */
  pendingCount = 0;
  paused = false;

  constructor(readonly maxLines = DEFAULT_MAX_LINES) {}

  static last<T>(items: readonly T[], max: number): readonly T[] {
    return items.length > max ? items.slice(items.length - max) : items;
  }

  push(hits: readonly EventHit[]): void {
    const lines = hits.map((hit) => ({ key: `${hit.agent}#${hit.seq}`, hit }));
    if (this.paused) {
      this.pending = TailBuffer.last([...this.pending, ...lines], this.maxLines);
      this.pendingCount += lines.length;
    } else {
      this.shown = TailBuffer.last([...this.shown, ...lines], this.maxLines);
    }
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.shown = TailBuffer.last([...this.shown, ...this.pending], this.maxLines);
    this.pending = [];
    this.pendingCount = 0;
  }

  clear(): void {
    this.shown = [];
    this.pending = [];
    this.pendingCount = 0;
  }
}

/** What the live tail page draws from a {@link TailBuffer}, and the buffer's changes. */
export interface TailView {
  lines(): readonly TailLine[];
  paused(): boolean;
  pendingCount(): number;
  readonly maxLines: number;
  push(hits: readonly EventHit[]): void;
  pause(): void;
  resume(): void;
  clear(): void;
}

/**
 * A {@link TailBuffer} as Solid signals: every change goes through here, so
 * what the page shows is the buffer's state after it (the page and its tests
 * share this one wiring).
 *
 * @example
 * const view = createTailView(new TailBuffer());
 * view.push(hits); // view.lines() now ends with them, unless paused
 */
export function createTailView(buffer: TailBuffer): TailView {
  const snapshot = () => ({
    lines: buffer.shown,
    paused: buffer.paused,
    pendingCount: buffer.pendingCount,
  });
  const [state, setState] = createSignal(snapshot());
  const change =
    <A extends unknown[]>(act: (...args: A) => void) =>
    (...args: A) => {
      act(...args);
      setState(snapshot());
    };
  return {
    lines: () => state().lines,
    paused: () => state().paused,
    pendingCount: () => state().pendingCount,
    maxLines: buffer.maxLines,
    push: change((hits: readonly EventHit[]) => buffer.push(hits)),
    pause: change(() => buffer.pause()),
    resume: change(() => buffer.resume()),
    clear: change(() => buffer.clear()),
  };
}

/** Lines per second over the last `windowMs` (received, paused or not). */
export class RateMeter {
  #samples: { atMs: number; count: number }[] = [];

  constructor(readonly windowMs = 10_000) {}

  add(count: number, atMs = Date.now()): void {
    this.#samples.push({ atMs, count });
  }

  clear(): void {
    this.#samples = [];
  }

  perSecond(nowMs = Date.now()): number {
    const since = nowMs - this.windowMs;
    this.#samples = this.#samples.filter((sample) => sample.atMs > since);
    const total = this.#samples.reduce((sum, sample) => sum + sample.count, 0);
    return total / (this.windowMs / 1000);
  }
}

/** The filters of the tail, as the URL holds them (the API's names: tailFilterSchema). */
export interface TailQuery {
  hotel?: string;
  dataset?: string;
  ip?: string;
  text?: string;
}

export const TAIL_DATASETS = [
  "dhcp",
  "firewall",
  "hotspot",
  "wireless",
  "account",
  "ppp",
  "other",
] as const;

type Params = Partial<Record<string, string | string[]>>;
const one = (value: string | string[] | undefined) =>
  (Array.isArray(value) ? value[0] : value)?.trim() || undefined;

export function tailQueryOf(params: Params): TailQuery {
  const query: TailQuery = {};
  for (const key of ["hotel", "dataset", "ip", "text"] as const) {
    const value = one(params[key]);
    if (value) query[key] = value;
  }
  return query;
}

export type TailConnection =
  | { status: "connecting" }
  | { status: "live"; hotels: string[] }
  | { status: "retrying"; retryAtMs: number; error: unknown }
  | { status: "failed"; error: unknown };

export interface TailHandlers {
  onState(state: TailConnection): void;
  onHits(hits: EventHit[]): void;
}

const MAX_BACKOFF_MS = 30_000;

/** The wait before retry `attempt` (0, 1, …): 1 s, 2 s, 4 s … up to 30 s. */
export const backoffMs = (attempt: number) => Math.min(MAX_BACKOFF_MS, 1000 * 2 ** attempt);

/** A refusal that will not change by asking again (a bad filter, a hotel not ours). */
const final = (error: unknown) =>
  error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 429;

/**
 * Follow `/api/tail` with these filters until `stop()`: reconnects with
 * backoff when the stream ends or fails, stops for good on a refusal.
 *
 * @example
 * const tail = followTail({ hotel: "antalya-lara" }, { onState, onHits });
 * tail.stop();
 */
export function followTail(query: TailQuery, handlers: TailHandlers) {
  let stopped = false;
  let attempt = 0;
  let controller: AbortController | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Each connection's number: a superseded one (retryNow) neither reports nor retries.
  let generation = 0;

  const open = async () => {
    clearTimeout(timer);
    const mine = ++generation;
    controller = new AbortController();
    handlers.onState({ status: "connecting" });
    try {
      const response = await authorizedFetch("/api/tail", {
        query: {
          hotels: query.hotel,
          datasets: query.dataset,
          ip: query.ip,
          text: query.text,
        },
        accept: "text/event-stream",
        signal: controller.signal,
      });
      if (!response.body) throw new ApiError(0, "network", "no event stream");
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      const parser = new SseParser();
      for (;;) {
        const { value, done } = await reader.read();
        if (done || mine !== generation) break;
        for (const event of parser.push(value)) {
          if (event.event === "ready") {
            attempt = 0;
            const ready = JSON.parse(event.data) as { hotels?: string[] };
            handlers.onState({ status: "live", hotels: ready.hotels ?? [] });
          } else if (event.event === "events") {
            handlers.onHits(JSON.parse(event.data) as EventHit[]);
          }
        }
      }
      throw new ApiError(0, "network", "the hub closed the stream");
    } catch (error) {
      if (stopped || mine !== generation) return;
      if (final(error)) {
        handlers.onState({ status: "failed", error });
        return;
      }
      const waitMs = backoffMs(attempt);
      attempt += 1;
      handlers.onState({ status: "retrying", retryAtMs: Date.now() + waitMs, error });
      timer = setTimeout(() => void open(), waitMs);
    }
  };
  void open();

  return {
    stop(): void {
      stopped = true;
      clearTimeout(timer);
      controller?.abort();
    },
    /** Retry at once instead of waiting out the backoff. */
    retryNow(): void {
      if (stopped) return;
      controller?.abort();
      void open();
    },
  };
}
