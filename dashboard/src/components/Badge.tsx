/** A short state word in a colour that says how bad it is (the word says it too). */
import type { JSX } from "solid-js";

export type Tone = "ok" | "warning" | "critical" | "neutral";

/** A tone as the colour of running text (styles.css), for a verdict written out in words. */
export const TONE_TEXT: Record<Tone, string> = {
  ok: "ok-text",
  warning: "warning-text",
  critical: "critical-text",
  neutral: "muted",
};

export function Badge(props: { tone: Tone; children: JSX.Element; title?: string }): JSX.Element {
  return (
    <span class={`badge badge-${props.tone}`} title={props.title}>
      <span class="badge-dot" aria-hidden="true" />
      {props.children}
    </span>
  );
}
