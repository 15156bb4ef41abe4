/**
 * "Disclosure pack (court)": a button that opens a small form for the case
 * reference (and the hotel, when the question spans several), then has the
 * hub make the pack of the question (only its lines, each with its proof)
 * and saves it; the pack's summary after, with a warning when an hour went
 * in whole (format 1), or the refusal in plain words. Inline under an answer
 * or as a panel under its button in a toolbar.
 */
import { createSignal, For, type JSX, Show } from "solid-js";
import { errorMessage } from "../api/client.ts";
import type { DiscloseQuery, DiscloseRequest, HotelOverview } from "../api/types.ts";
import { DISCLOSE_MAX_LINES, type DisclosedPack, disclosureRefusalOf } from "../data/disclose.ts";
import { t } from "../i18n/index.ts";
import { DownloadButton } from "./DownloadButton.tsx";
import { HotelSelect } from "./HotelSelect.tsx";
import "./DisclosurePack.css";

export interface DisclosurePackProps {
  /** Prefix of the element ids (one pack action per page). */
  id: string;
  question: DiscloseQuery;
  /** The hotels the pack may be of (a pack is of one): one is taken, several are a choice. */
  hotels: readonly Pick<HotelOverview, "id" | "name">[];
  /** What goes into the pack, in a sentence. */
  contents: string;
  /** Why no pack can be made of this question: the button says so (a click shows it in a toolbar), no form. */
  unavailable?: string | undefined;
  /** `inline`: the form opens in the flow (an answer); `panel`: under the button (a toolbar). */
  placement: "inline" | "panel";
  disclose(request: DiscloseRequest): Promise<DisclosedPack>;
}

/** A refusal of the hub in plain words: what it means and what to do. */
export function disclosureRefusalText(error: unknown): string {
  const refusal = disclosureRefusalOf(error);
  switch (refusal) {
    case "unsealed":
    case "failed_verification":
    case "nothing_found":
      return t(`disclose.refused.${refusal}`);
    case "too_many_lines":
      return t("disclose.refused.too_many_lines", { max: DISCLOSE_MAX_LINES });
    case "conflict":
      return t("disclose.refused.conflict", { detail: (error as Error).message });
    case "other":
      return errorMessage(error);
  }
}

function PackSummary(props: { pack: DisclosedPack }): JSX.Element {
  const whole = () => props.pack.summary?.chunks.filter((chunk) => chunk.disclosed === "whole");
  const verifyParts = () => t("disclose.verify").split("{verify}");
  return (
    <div class="disclose-result">
      <p class="disclose-saved">
        <span class="ok-text">
          <span aria-hidden="true">✓ </span>
          {t("disclose.saved")}
        </span>{" "}
        <span class="mono">{props.pack.fileName}</span>
      </p>
      <Show when={props.pack.summary}>
        {(summary) => (
          <>
            <p class="small">
              {t("disclose.facts", {
                lines: summary().lines,
                chunks: summary().chunks.length,
                audit: String(summary().audit_id),
              })}
            </p>
            <ul class="disclose-chunks small">
              <For each={summary().chunks}>
                {(chunk) => (
                  <li classList={{ "warning-text": chunk.disclosed === "whole" }}>
                    <span class="mono">{chunk.dir}</span>
                    {": "}
                    {chunk.disclosed === "whole"
                      ? t("disclose.chunkWhole", { records: chunk.records })
                      : t("disclose.chunkLines", { lines: chunk.lines })}
                  </li>
                )}
              </For>
            </ul>
          </>
        )}
      </Show>
      <Show when={whole()?.length}>
        {(count) => (
          <div class="notice disclose-whole">
            <strong>
              <span aria-hidden="true">⚠ </span>
              {t("disclose.wholeTitle")}
            </strong>
            <p>
              {t("disclose.wholeWarning", {
                count: count(),
                records: (whole() ?? []).reduce((sum, chunk) => sum + chunk.records, 0),
              })}
            </p>
          </div>
        )}
      </Show>
      <p class="muted small">
        {verifyParts()[0]}
        <code>python3 verify_disclosure.py</code>
        {verifyParts()[1]}
      </p>
    </div>
  );
}

/**
 * @example
 * <DisclosurePack id="lookup-disclose" question={{ kind: "ip", ip, at }} hotels={[hotel]}
 *   contents={t("disclose.contents.lookup", { count: 3 })} placement="inline" disclose={disclosePack} />
 */
export function DisclosurePack(props: DisclosurePackProps): JSX.Element {
  const [open, setOpen] = createSignal(false);
  const [caseReference, setCaseReference] = createSignal("");
  const [caseProblem, setCaseProblem] = createSignal<string>();
  const [chosenHotel, setChosenHotel] = createSignal<string>();
  const [pack, setPack] = createSignal<DisclosedPack>();
  let toggle: HTMLButtonElement | undefined;
  let caseInput: HTMLInputElement | undefined;
  const ids = {
    form: `${props.id}-form`,
    help: `${props.id}-help`,
    reason: `${props.id}-reason`,
    case: `${props.id}-case`,
    caseHelp: `${props.id}-case-help`,
    caseProblem: `${props.id}-case-problem`,
    hotel: `${props.id}-hotel`,
  };
  const hotel = () => {
    const chosen = chosenHotel();
    return props.hotels.find((candidate) => candidate.id === chosen)?.id ?? props.hotels[0]?.id;
  };
  const shown = () => open() && !props.unavailable;
  const close = () => {
    setOpen(false);
    toggle?.focus();
  };
  const make = async () => {
    const reference = caseReference().trim();
    const of = hotel();
    if (!reference) {
      setCaseProblem(t("disclose.caseMissing"));
      caseInput?.focus();
      return;
    }
    if (!of) return;
    setCaseProblem(undefined);
    setPack(undefined);
    setPack(await props.disclose({ hotel: of, case: reference, query: props.question }));
  };
  const described = () =>
    [props.placement === "inline" ? ids.help : "", props.unavailable ? ids.reason : ""]
      .filter(Boolean)
      .join(" ") || undefined;
  return (
    <div class={`disclose disclose-${props.placement}`}>
      <div class="disclose-start">
        <button
          type="button"
          class="button"
          ref={toggle}
          aria-expanded={open()}
          aria-controls={props.unavailable ? ids.reason : ids.form}
          aria-disabled={props.unavailable ? "true" : undefined}
          aria-describedby={described()}
          onClick={() => {
            setOpen(!open());
            if (shown()) queueMicrotask(() => caseInput?.focus());
          }}
        >
          <span aria-hidden="true">⚖ </span>
          {t("disclose.button")}
        </button>
        <Show when={props.placement === "inline"}>
          <p class="muted small" id={ids.help}>
            {t("disclose.help")}
          </p>
        </Show>
        {/* In a toolbar the reason waits behind its button (a click shows it); screen readers hear it with the button. */}
        <Show when={props.unavailable}>
          {(reason) => (
            <p
              class={
                props.placement === "panel" && !open() ? "visually-hidden" : "small disclose-reason"
              }
              id={ids.reason}
            >
              {reason()}
            </p>
          )}
        </Show>
      </div>
      <Show when={shown()}>
        <form
          id={ids.form}
          class="disclose-form"
          aria-label={t("disclose.button")}
          noValidate
          onSubmit={(event) => event.preventDefault()}
          onKeyDown={(event) => {
            if (event.key === "Escape") close();
          }}
        >
          <Show when={props.placement === "panel"}>
            <p class="muted small">{t("disclose.help")}</p>
          </Show>
          <div class="disclose-fields">
            <div class="field">
              <label for={ids.case}>{t("disclose.case")}</label>
              <input
                id={ids.case}
                ref={caseInput}
                name="case"
                required
                maxLength={200}
                autocomplete="off"
                placeholder="2026/123 Soruşturma"
                aria-invalid={caseProblem() ? "true" : undefined}
                aria-describedby={
                  caseProblem() ? `${ids.caseProblem} ${ids.caseHelp}` : ids.caseHelp
                }
                value={caseReference()}
                onInput={(event) => {
                  setCaseReference(event.currentTarget.value);
                  if (event.currentTarget.value.trim()) setCaseProblem(undefined);
                }}
              />
              <Show when={caseProblem()}>
                <span class="field-problem small" id={ids.caseProblem}>
                  {caseProblem()}
                </span>
              </Show>
              <span class="muted small" id={ids.caseHelp}>
                {t("disclose.caseHelp")}
              </span>
            </div>
            <HotelSelect
              id={ids.hotel}
              name="hotel"
              label={t("disclose.hotel")}
              hotels={props.hotels}
              value={hotel() ?? ""}
              onChange={setChosenHotel}
            />
          </div>
          <p class="small">{props.contents}</p>
          <div class="disclose-actions">
            <DownloadButton
              submit
              primary
              download={make}
              busyText={t("disclose.busy")}
              busyNote={t("disclose.busyNote")}
              describeError={disclosureRefusalText}
            >
              {t("disclose.submit")}
            </DownloadButton>
            <button type="button" class="button-link" onClick={close}>
              {pack() ? t("disclose.close") : t("disclose.cancel")}
            </button>
          </div>
          <div role="status">
            <Show when={pack()}>{(saved) => <PackSummary pack={saved()} />}</Show>
          </div>
        </form>
      </Show>
    </div>
  );
}
