/**
 * A button that saves a file of the hub: busy while the hub prepares it,
 * and the reason in words when it refuses (next to the button, announced).
 * As a form's submit button, Enter in the form's fields starts it too.
 */
import { createSignal, type JSX, Show } from "solid-js";
import { errorMessage } from "../api/client.ts";
import "./DownloadButton.css";

export function DownloadButton(props: {
  /** Fetches and saves the file; rejects with the hub's error. */
  download: () => Promise<void>;
  children: JSX.Element;
  /** What the button saves, when its text alone does not say (screen readers). */
  label?: string;
  primary?: boolean;
  /** The button's text while the hub prepares the file. */
  busyText: string;
  /** A line under the button while the hub prepares the file (what it is doing). */
  busyNote?: string;
  /** The form's submit button (its form must not submit itself: `preventDefault`). */
  submit?: boolean;
  /** The refusal in words; `errorMessage` by default. */
  describeError?: (error: unknown) => string;
}): JSX.Element {
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>();
  const start = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await props.download();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <span class="download">
      <button
        type={props.submit ? "submit" : "button"}
        class={props.primary ? "button button-primary" : "button"}
        aria-label={props.label}
        aria-busy={busy()}
        disabled={busy()}
        onClick={() => void start()}
      >
        <span aria-hidden="true">⤓ </span>
        {busy() ? props.busyText : props.children}
      </button>
      <Show when={busy() && props.busyNote}>
        <span class="download-note" role="status">
          <span class="download-spinner" aria-hidden="true" />
          {props.busyNote}
        </span>
      </Show>
      <Show when={error()}>
        <span class="download-error" role="alert">
          {(props.describeError ?? errorMessage)(error())}
        </span>
      </Show>
    </span>
  );
}
