/**
 * The live tail's data: the filters live in the URL (`?hotel=…&ip=…`), the
 * stream follows them (../../data/tail.ts: fetch with the bearer, reconnect
 * with backoff), the lines sit in a bounded buffer that keeps counting
 * while paused; the view gets plain props.
 */
import { useSearchParams } from "@solidjs/router";
import {
  createEffect,
  createMemo,
  createResource,
  createSignal,
  type JSX,
  onCleanup,
  untrack,
} from "solid-js";
import { api } from "../../api/client.ts";
import type { HotelOverview } from "../../api/types.ts";
import {
  createTailView,
  followTail,
  RateMeter,
  TailBuffer,
  type TailConnection,
  type TailQuery,
  tailQueryOf,
} from "../../data/tail.ts";
import { Live } from "./Live.tsx";

const TICK_MS = 1000;

export default function LivePage(): JSX.Element {
  const [params, setParams] = useSearchParams();
  const query = createMemo(() => tailQueryOf(params), undefined, {
    equals: (a, b) => JSON.stringify(a) === JSON.stringify(b),
  });
  const [hotels] = createResource(() =>
    api<HotelOverview[]>("/api/hotels").catch(() => [] as HotelOverview[]),
  );

  const view = createTailView(new TailBuffer());
  const meter = new RateMeter();
  const [connection, setConnection] = createSignal<TailConnection>({ status: "connecting" });
  const [nowMs, setNowMs] = createSignal(Date.now());
  const [rate, setRate] = createSignal(0);

  let retryNow = () => {};
  createEffect(() => {
    const filters = query();
    // New filters: the lines shown were of the old ones.
    untrack(() => {
      view.clear();
      meter.clear();
      setRate(0);
    });
    const tail = followTail(filters, {
      onState: setConnection,
      onHits: (hits) => {
        meter.add(hits.length);
        view.push(hits);
      },
    });
    retryNow = tail.retryNow;
    onCleanup(() => tail.stop());
  });
  const timer = setInterval(() => {
    setNowMs(Date.now());
    setRate(meter.perSecond());
  }, TICK_MS);
  onCleanup(() => clearInterval(timer));

  const onFilter = (next: TailQuery) =>
    setParams({
      hotel: next.hotel,
      dataset: next.dataset,
      ip: next.ip,
      text: next.text,
    });
  return (
    <Live
      query={query()}
      hotels={hotels() ?? []}
      connection={connection()}
      nowMs={nowMs()}
      rate={rate()}
      lines={view.lines()}
      maxLines={view.maxLines}
      paused={view.paused()}
      pendingCount={view.pendingCount()}
      onFilter={onFilter}
      onPause={view.pause}
      onResume={view.resume}
      onClear={view.clear}
      onRetry={() => retryNow()}
    />
  );
}
