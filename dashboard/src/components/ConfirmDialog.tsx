/**
 * "Are you sure?" before an action that cannot be undone (revoke an agent,
 * disable an account): a modal alert dialog that takes the focus, keeps Tab
 * inside, closes on Escape and gives the focus back where it was.
 */
import { createSignal, type JSX, onCleanup, onMount, Show } from "solid-js";
import { errorMessage } from "../api/client.ts";
import { t } from "../i18n/index.ts";
import "./admin.css";

export interface ConfirmDialogProps {
  title: string;
  children: JSX.Element;
  /** The button that does it: says what it does ("Revoke lara-agent001"). */
  confirmLabel: string;
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
}

export function ConfirmDialog(props: ConfirmDialogProps): JSX.Element {
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>();
  let dialog: HTMLDivElement | undefined;
  let cancel: HTMLButtonElement | undefined;
  const opener = globalThis.document?.activeElement as HTMLElement | null;
  onMount(() => cancel?.focus());
  onCleanup(() => opener?.focus?.());

  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await props.onConfirm();
      props.onClose();
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };
  const keydown = (event: KeyboardEvent) => {
    if (event.key === "Escape" && !busy()) {
      event.preventDefault();
      props.onClose();
      return;
    }
    if (event.key !== "Tab" || !dialog) return;
    const buttons = [...dialog.querySelectorAll<HTMLButtonElement>("button:not(:disabled)")];
    const first = buttons[0];
    const last = buttons[buttons.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last?.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first?.focus();
    }
  };
  return (
    <div class="dialog-backdrop">
      <div
        ref={dialog}
        class="dialog"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="confirm-title"
        aria-describedby="confirm-body"
        onKeyDown={keydown}
      >
        <h2 id="confirm-title">{props.title}</h2>
        <div id="confirm-body">{props.children}</div>
        <Show when={error()}>
          <p class="form-error" role="alert">
            {errorMessage(error())}
          </p>
        </Show>
        <div class="dialog-actions">
          <button ref={cancel} type="button" class="button" onClick={() => props.onClose()}>
            {t("confirm.cancel")}
          </button>
          <button
            type="button"
            class="button button-danger"
            disabled={busy()}
            aria-busy={busy()}
            onClick={() => void confirm()}
          >
            {busy() ? t("confirm.working") : props.confirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}
