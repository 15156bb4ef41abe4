/**
 * Events over the range as bars of hand-drawn SVG (no chart library: see
 * docs/decisions.md), with a drag across the bars to zoom the range to the
 * part dragged over. The counts are also in the label for screen readers.
 */
import { createSignal, For, type JSX, Show } from "solid-js";
import type { HistogramResponse } from "../../api/types.ts";
import { formatDateTime, formatNumber, formatTime, t } from "../../i18n/index.ts";

const WIDTH = 1000;
const HEIGHT = 100;
/** Less than this share of the width is a click, not a drag. */
const MIN_DRAG = 0.01;

export interface HistogramProps {
  histogram: HistogramResponse | undefined;
  fromMs: number;
  toMs: number;
  loading: boolean;
  /** The range dragged over. */
  onZoom(fromMs: number, toMs: number): void;
}

export function Histogram(props: HistogramProps): JSX.Element {
  const [drag, setDrag] = createSignal<{ a: number; b: number } | undefined>();
  let svg: SVGSVGElement | undefined;
  const span = () => Math.max(1, props.toMs - props.fromMs);
  const max = () => Math.max(1, ...(props.histogram?.buckets.map((b) => b.count) ?? [1]));
  const fraction = (event: PointerEvent) => {
    const box = svg?.getBoundingClientRect();
    if (!box || box.width === 0) return 0;
    return Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
  };
  const onDown = (event: PointerEvent) => {
    if (event.button !== 0) return;
    const at = fraction(event);
    setDrag({ a: at, b: at });
    svg?.setPointerCapture?.(event.pointerId);
  };
  const onMove = (event: PointerEvent) => {
    const current = drag();
    if (current) setDrag({ a: current.a, b: fraction(event) });
  };
  const onUp = () => {
    const current = drag();
    setDrag(undefined);
    if (!current) return;
    const lo = Math.min(current.a, current.b);
    const hi = Math.max(current.a, current.b);
    if (hi - lo < MIN_DRAG) return;
    props.onZoom(Math.round(props.fromMs + lo * span()), Math.round(props.fromMs + hi * span()));
  };
  const ticks = () => [0, 0.25, 0.5, 0.75, 1].map((share) => props.fromMs + share * span());
  const longRange = () => span() > 86_400_000;
  const label = () =>
    t("search.histogram.label", {
      total: props.histogram?.total ?? 0,
      from: formatDateTime(props.fromMs),
      to: formatDateTime(props.toMs),
    });
  return (
    <figure class="search-histogram" aria-busy={props.loading}>
      <figcaption class="histogram-caption">
        <span>
          <Show when={props.histogram} fallback={t("state.loading")}>
            {(shown) => <>{t("search.histogram.total", { total: formatNumber(shown().total) })}</>}
          </Show>
        </span>
        <span class="muted small">{t("search.histogram.hint")}</span>
      </figcaption>
      <svg
        ref={svg}
        role="img"
        aria-label={label()}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        preserveAspectRatio="none"
        class="histogram-svg"
        onPointerDown={onDown}
        onPointerMove={onMove}
        onPointerUp={onUp}
        onPointerCancel={() => setDrag(undefined)}
      >
        <For each={props.histogram?.buckets ?? []}>
          {(bucket) => {
            const x = () => ((Date.parse(bucket.start) - props.fromMs) / span()) * WIDTH;
            const w = () => Math.max(1, ((props.histogram?.interval_ms ?? 0) / span()) * WIDTH - 1);
            const h = () => (bucket.count / max()) * (HEIGHT - 4);
            return (
              <rect
                class="histogram-bar"
                x={Math.max(0, x())}
                y={HEIGHT - h()}
                width={w()}
                height={h()}
              >
                <title>{`${formatDateTime(bucket.start)}: ${formatNumber(bucket.count)}`}</title>
              </rect>
            );
          }}
        </For>
        <Show when={drag()}>
          {(current) => (
            <rect
              class="histogram-selection"
              x={Math.min(current().a, current().b) * WIDTH}
              y={0}
              width={Math.abs(current().b - current().a) * WIDTH}
              height={HEIGHT}
            />
          )}
        </Show>
      </svg>
      <div class="histogram-axis muted small" aria-hidden="true">
        <For each={ticks()}>
          {(tick) => (
            <span>
              {longRange() ? formatDateTime(tick, { withZone: false }) : formatTime(tick)}
            </span>
          )}
        </For>
      </div>
    </figure>
  );
}
