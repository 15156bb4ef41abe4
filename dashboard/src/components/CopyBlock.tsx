/**
 * A secret or a command shown in a code block with a Copy button; "copied"
 * is announced to screen readers too. When the browser refuses the
 * clipboard, the text is selected for copying by hand.
 */
import { createSignal, type JSX } from "solid-js";
import { t } from "../i18n/index.ts";
import "./admin.css";

export function CopyBlock(props: { label: string; text: string }): JSX.Element {
  const [announcement, setAnnouncement] = createSignal("");
  let code: HTMLElement | undefined;
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.text);
      setAnnouncement(t("copy.copied", { what: props.label }));
    } catch {
      // No clipboard (permission, plain http): select the text to copy by hand.
      const selection = globalThis.getSelection?.();
      if (code && selection) {
        selection.selectAllChildren(code);
      }
      setAnnouncement(t("copy.failed"));
    }
  };
  return (
    <div class="copy-block">
      <div class="copy-block-head">
        <span class="copy-block-label">{props.label}</span>
        <button
          type="button"
          class="button"
          aria-label={t("copy.button", { what: props.label })}
          onClick={() => void copy()}
        >
          {t("copy.short")}
        </button>
      </div>
      <pre class="copy-block-code" tabindex="0">
        <code ref={code}>{props.text}</code>
      </pre>
      <p class="copy-block-status small" role="status" aria-live="polite">
        {announcement()}
      </p>
    </div>
  );
}
