/**
 * Taking turns on the hub's one JavaScript thread: the index worker parses
 * (and encodes) the next step while the last one is written, and the write
 * only moves when the thread gets back to the event loop (a COPY piece to
 * send, a statement's answer to read, the next statement to start). Long
 * loops give the thread back every {@link RECORDS_PER_TURN} records.
 */

/** One turn of the event loop: sockets flush, timers run, awaited answers resume. */
export const yieldToIo = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Records handled between turns: about 0.7 ms of parsing, so a write waiting
 * on the thread loses at most that (measured: at 200 records, a step's
 * statements waited about 3 ms each for their turn).
 */
export const RECORDS_PER_TURN = 50;
