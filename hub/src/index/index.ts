/**
 * The index worker: off the acknowledgement path, it turns stored records
 * into searchable events and the 5651 tables. Ingest notifies the queue after
 * a batch is durable; the worker takes notices, steps each agent until
 * nothing is left (hub/src/index/step.ts), publishes the new events to the
 * live tail, then acknowledges. A catch-up scan finds work no notice
 * announced (a hub that died between storing a batch and notifying). At
 * least once in delivery, exactly once in effect: the watermark moves with
 * the rows in one transaction.
 */
import pLimit from "p-limit";
import type { HubEvents } from "../events/index.ts";
import type { TailBus } from "../live/bus.ts";
import { type Db, type RawClient, rawQuery } from "../store/index.ts";
import { EventPartitions } from "./partitions.ts";
import type { IndexQueue } from "./queue.ts";
import type { EventSink } from "./sink.ts";
import { type IndexStepContext, indexAgentSteps } from "./step.ts";

export { EventPartitions, utcDay } from "./partitions.ts";
export { type IndexQueue, InProcessIndexQueue, RedisIndexQueue } from "./queue.ts";
export { type EventRow, eventRow } from "./rows.ts";
export { type EventSink, postgresEventSink } from "./sink.ts";
export { chunkIdOfRow, indexAgentStep } from "./step.ts";

export interface IndexerOptions {
  db: Db;
  raw: RawClient;
  events: HubEvents;
  queue: IndexQueue;
  sink: EventSink;
  tail: TailBus;
  /** Bytes of records.jsonl per transaction. Default 4 MiB. */
  maxBytesPerStep?: number;
  /**
   * Agents this process steps side by side. Default 2: each holds a database
   * connection and a step's rows, and past two the server's backends slow
   * each other on the same partitions (docs/decisions.md "Events: one table
   * partitioned by day, loaded with binary COPY").
   */
  agentsAtOnce?: number;
  /** How often to look for work no notice announced, and to update the backlog gauges. Default 5 s. */
  catchUpIntervalMs?: number;
}

export interface RunningIndexer {
  /** Tell the queue an agent has new bytes (ingest calls it after the batch is durable). */
  notify(agentId: string): void;
  /** Bytes stored but not yet indexed, all hubs together. */
  backlogBytes(): Promise<number>;
  /** Index everything waiting now, in this process (tests and the benchmark). */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

/** What is stored and not yet indexed, per agent. */
async function agentsWithBacklog(raw: RawClient): Promise<{ agentId: string; bytes: number }[]> {
  const rows = await rawQuery<{ agent_id: string; bytes: string | number }>(
    raw,
    "select agent_id, sum(length - indexed_length) as bytes from chunks where indexed_length < length group by agent_id",
  );
  return rows.map((row) => ({ agentId: row.agent_id, bytes: Number(row.bytes) }));
}

/**
 * Start the worker loop of one hub process.
 *
 * @example
 * const indexer = startIndexer({ db, raw, events, queue: new InProcessIndexQueue(), sink: postgresEventSink, tail });
 * indexer.notify(agentId); // after appendBatch accepted
 */
export function startIndexer(options: IndexerOptions): RunningIndexer {
  const { events, queue, tail } = options;
  const partitions = new EventPartitions(options.raw);
  const context: IndexStepContext = {
    db: options.db,
    raw: options.raw,
    sink: options.sink,
    partitions,
    events,
    maxBytesPerStep: options.maxBytesPerStep ?? 4 * 1024 * 1024,
  };
  let stopping = false;
  let caughtUpAt = Date.now();
  const busy = new Map<string, Promise<void>>();
  /** The agents being stepped; the others wait their turn here. */
  const stepping = pLimit(options.agentsAtOnce ?? 2);

  /** Step one agent until nothing is left; one at a time per agent in this process. */
  function indexAgent(agentId: string): Promise<void> {
    const running = busy.get(agentId);
    const next = (running ?? Promise.resolve()).then(() =>
      stepping(async () => {
        if (stopping) return;
        await indexAgentSteps(
          context,
          agentId,
          async (step, ms) => {
            if (!step.hotelId || step.bytes === 0) return;
            events.emit({
              name: "EventsIndexed",
              hotelId: step.hotelId,
              agentId,
              events: step.rows.length,
              bytes: step.bytes,
              ms: Math.round(ms),
            });
            await tail
              .publish(step.hotelId, step.rows)
              .catch((error: unknown) =>
                events.emit({ name: "IndexerFailed", stage: "tail", error: String(error) }),
              );
          },
          () => stopping,
        );
      }),
    );
    const settled = next.catch((error: unknown) => {
      events.emit({ name: "IndexerFailed", stage: "step", agentId, error: String(error) });
    });
    busy.set(agentId, settled);
    void settled.finally(() => {
      if (busy.get(agentId) === settled) busy.delete(agentId);
    });
    return settled;
  }

  let partitionsMadeAt = Date.now();
  async function catchUp(): Promise<void> {
    if (Date.now() - partitionsMadeAt > 3_600_000) {
      partitionsMadeAt = Date.now();
      await partitions.ensureAhead();
    }
    const waiting = await agentsWithBacklog(options.raw);
    const bytes = waiting.reduce((sum, agent) => sum + agent.bytes, 0);
    events.indexBacklogBytes.set(bytes);
    if (bytes === 0) caughtUpAt = Date.now();
    events.indexLagSeconds.set(bytes === 0 ? 0 : (Date.now() - caughtUpAt) / 1000);
    events.indexQueueDepth.set(await queue.depth());
    await Promise.all(waiting.map((agent) => indexAgent(agent.agentId)));
  }

  const loop = (async () => {
    await partitions
      .ensureAhead()
      .catch((error: unknown) =>
        events.emit({ name: "IndexerFailed", stage: "partitions", error: String(error) }),
      );
    while (!stopping) {
      try {
        const taken = await queue.take(100, 1000);
        if (stopping) break;
        await Promise.all(taken.agentIds.map(indexAgent));
        await taken.ack();
      } catch (error) {
        if (stopping) break;
        events.emit({ name: "IndexerFailed", stage: "queue", error: String(error) });
        await Bun.sleep(1000);
      }
    }
  })();

  let scanning: Promise<void> = Promise.resolve();
  const scan = () => {
    scanning = catchUp().catch((error: unknown) => {
      events.emit({ name: "IndexerFailed", stage: "catch_up", error: String(error) });
    });
  };
  const scanTimer = setInterval(() => {
    if (!stopping) scan();
  }, options.catchUpIntervalMs ?? 5000);
  // The first scan at once: a hub starting after a crash has work waiting.
  scan();

  return {
    notify(agentId) {
      queue.notify(agentId).catch((error: unknown) => {
        // The catch-up scan will find the bytes; the notice only made it sooner.
        events.emit({ name: "IndexerFailed", stage: "notify", agentId, error: String(error) });
      });
    },
    backlogBytes: async () =>
      (await agentsWithBacklog(options.raw)).reduce((sum, agent) => sum + agent.bytes, 0),
    async drain() {
      let before = Number.POSITIVE_INFINITY;
      for (;;) {
        const waiting = await agentsWithBacklog(options.raw);
        const bytes = waiting.reduce((sum, agent) => sum + agent.bytes, 0);
        if (bytes === 0) return;
        // A step that fails every time would loop here for ever: stop when nothing moves.
        if (bytes >= before)
          throw new Error(
            `the index is stuck with ${bytes} bytes waiting (see IndexerFailed events)`,
          );
        before = bytes;
        await Promise.all(waiting.map((agent) => indexAgent(agent.agentId)));
        await Promise.all(busy.values());
      }
    },
    async stop() {
      stopping = true;
      clearInterval(scanTimer);
      await queue.close();
      await loop;
      await scanning;
      await Promise.all(busy.values());
    },
  };
}
