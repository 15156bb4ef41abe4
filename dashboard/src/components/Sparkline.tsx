/**
 * A small inline SVG of counts over time (no chart library for this): the
 * line and a light area under it, scaled to its own maximum.
 */
import type { JSX } from "solid-js";

export interface SparklineProps {
  values: readonly number[];
  /** What it shows, for screen readers (the SVG is an image). */
  label: string;
  width?: number;
  height?: number;
}

/** The polyline's points for `values` in a width x height box (y grows downwards). */
export function sparklinePoints(values: readonly number[], width: number, height: number): string {
  if (values.length === 0) return "";
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  const pad = 1.5;
  return values
    .map((value, i) => {
      const x = values.length > 1 ? i * step : width / 2;
      const y = pad + (height - 2 * pad) * (1 - value / max);
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(" ");
}

export function Sparkline(props: SparklineProps): JSX.Element {
  const width = () => props.width ?? 160;
  const height = () => props.height ?? 32;
  const points = () => sparklinePoints(props.values, width(), height());
  return (
    <svg
      class="sparkline"
      role="img"
      aria-label={props.label}
      viewBox={`0 0 ${width()} ${height()}`}
      width={width()}
      height={height()}
      preserveAspectRatio="none"
    >
      <polygon class="sparkline-area" points={`0,${height()} ${points()} ${width()},${height()}`} />
      <polyline class="sparkline-line" points={points()} />
    </svg>
  );
}
