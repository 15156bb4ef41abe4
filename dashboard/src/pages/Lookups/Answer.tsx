/**
 * The answer to a lookup, in the order a prosecutor's letter needs it: the
 * answer in plain words (or why there is none), the evidence lines, the
 * disclosure pack of those lines for the court, and the bundles of their
 * whole hours. It prints on its own (lookups.css, @media print).
 */
import { createSignal, For, type JSX, Show } from "solid-js";
import { errorMessage } from "../../api/client.ts";
import type { ChunkView, DiscloseRequest } from "../../api/types.ts";
import { DisclosurePack } from "../../components/DisclosurePack.tsx";
import { type DisclosedPack, lookupDisclosure } from "../../data/disclose.ts";
import {
  type BundleRef,
  bundleKey,
  type LookupAnswer,
  type LookupQuestion,
} from "../../data/lookups.ts";
import { formatDateTime, formatNumber, t } from "../../i18n/index.ts";
import {
  answered,
  answerTime,
  bundlesOf,
  evidenceRows,
  PROOF_LABELS,
  reasonText,
  reasonTitle,
  sentencesOf,
} from "./answer.ts";

export interface AnswerProps {
  answer: LookupAnswer;
  /** The question as asked (its times as typed, with their zone): a pack records it so. */
  question: LookupQuestion;
  /** Hotel names by id. */
  hotelNames: ReadonlyMap<string, string>;
  /** Chunks' record counts and sizes, when known. */
  chunkFacts: ReadonlyMap<string, ChunkView> | undefined;
  download(ref: BundleRef): Promise<void>;
  /** Make and save a disclosure pack; absent when the role may not. */
  disclose?: ((request: DiscloseRequest) => Promise<DisclosedPack>) | undefined;
  /** Who asked, for the printed page. */
  askedBy: string;
  nowMs: number;
}

/** `12,3 KB` in the language's digits. */
export function sizeText(bytes: number): string {
  if (bytes < 1024) return `${formatNumber(bytes)} B`;
  if (bytes < 1024 * 1024) return `${formatNumber(bytes / 1024)} KB`;
  return `${formatNumber(bytes / 1024 / 1024)} MB`;
}

function questionText(answer: LookupAnswer): string {
  switch (answer.kind) {
    case "ip":
      return t("lookup.question.ip", {
        ip: answer.answer.query.ip,
        at: answerTime(answer.answer.query.at.utc),
      });
    case "mac":
      return t("lookup.question.mac", {
        mac: answer.answer.query.mac,
        from: answerTime(answer.answer.query.from.utc),
        to: answerTime(answer.answer.query.to.utc),
      });
    case "nat":
      return t("lookup.question.nat", {
        address: `${answer.answer.query.ip}:${answer.answer.query.port}`,
        at: answerTime(answer.answer.query.at.utc),
      });
  }
}

function BundleItem(props: {
  bundle: BundleRef;
  facts: ChunkView | undefined;
  hotelName: string;
  download: AnswerProps["download"];
}): JSX.Element {
  const [state, setState] = createSignal<
    | { status: "idle" }
    | { status: "busy" }
    | { status: "done" }
    | { status: "failed"; error: unknown }
  >({ status: "idle" });
  const start = async () => {
    setState({ status: "busy" });
    try {
      await props.download(props.bundle);
      setState({ status: "done" });
    } catch (error) {
      setState({ status: "failed", error });
    }
  };
  const current = state;
  return (
    <li class="bundle">
      <div class="bundle-what">
        <span class="mono bundle-chunk">{props.bundle.chunk}</span>
        <span class="muted small">
          {props.hotelName} · <span class="mono">{props.bundle.agent}</span>
        </span>
        <Show when={props.facts}>
          {(facts) => (
            <span class="muted small">
              {facts().status === "open" || facts().record_count === null
                ? `${sizeText(facts().length)} · ${t("lookup.bundleOpen")}`
                : t("lookup.bundleRecords", {
                    count: facts().record_count ?? 0,
                    size: sizeText(facts().length),
                  })}
            </span>
          )}
        </Show>
      </div>
      <div class="bundle-action">
        <button
          type="button"
          class="button"
          disabled={current().status === "busy"}
          aria-label={t("lookup.downloadLabel", { chunk: props.bundle.chunk })}
          onClick={() => void start()}
        >
          {current().status === "busy" ? t("lookup.downloading") : t("lookup.download")}
        </button>
        <span class="small" role="status">
          {(() => {
            const now = current();
            if (now.status === "done") return t("lookup.downloaded");
            if (now.status === "failed") return errorMessage(now.error);
            return "";
          })()}
        </span>
      </div>
    </li>
  );
}

export function Answer(props: AnswerProps): JSX.Element {
  const rows = () => evidenceRows(props.answer);
  const bundles = () => bundlesOf(rows());
  const sentences = () => sentencesOf(props.answer);
  const hotels = () => props.answer.answer.query.hotels;
  const hotelName = (id: string) => props.hotelNames.get(id) ?? id;
  const nearby = () => (props.answer.kind === "nat" ? props.answer.answer.nearby : []);
  const verifyParts = () => t("lookup.bundlesIntro").split("{verify}");
  // A pack is of one hotel: the one asked about, else those of the lines (a choice when several).
  const packHotels = () => {
    const ids = props.question.hotel
      ? [props.question.hotel]
      : [...new Set(rows().map((row) => row.hotel))];
    return ids.map((id) => ({ id, name: hotelName(id) }));
  };
  return (
    <section class="lookup-answer" aria-labelledby="lookup-answer-title" id="lookup-answer">
      <header class="lookup-answer-header">
        <div>
          <h2 id="lookup-answer-title">{t("lookup.answer")}</h2>
          <p class="lookup-question">{questionText(props.answer)}</p>
          <p class="muted small">
            {t("lookup.hotels", { hotels: hotels().map(hotelName).join(", ") })}
          </p>
        </div>
        <button type="button" class="button no-print" onClick={() => window.print()}>
          {t("lookup.print")}
        </button>
      </header>

      <Show
        when={answered(props.answer)}
        fallback={
          <div class="lookup-nomatch" role="status">
            <h3>{t("lookup.noMatch")}</h3>
            <ul>
              <For each={props.answer.answer.no_match}>
                {(why) => (
                  <li>
                    <strong>{reasonTitle(why.reason)}</strong>
                    <p>{reasonText(why.reason, props.answer.kind)}</p>
                    <details>
                      <summary>{t("lookup.reasonDetail")}</summary>
                      <p class="mono small">{why.message}</p>
                    </details>
                  </li>
                )}
              </For>
            </ul>
          </div>
        }
      >
        <div class="lookup-sentences" role="status">
          <For each={sentences()}>
            {(sentence, index) => (
              <p class={index() === 0 ? "lookup-lead" : undefined}>{sentence}</p>
            )}
          </For>
        </div>
      </Show>

      <Show when={nearby().length > 0}>
        <details class="lookup-nearby">
          <summary>{t("lookup.nearby", { count: nearby().length })}</summary>
          <ul>
            <For each={nearby()}>
              {(hit) => (
                <li>
                  <span class="small">{answerTime(hit.received_at)}</span>{" "}
                  <span class="mono small raw">{hit.raw}</span>
                </li>
              )}
            </For>
          </ul>
        </details>
      </Show>

      <Show when={rows().length > 0}>
        <section class="lookup-evidence" aria-labelledby="lookup-evidence-title">
          <h3 id="lookup-evidence-title">{t("lookup.evidence")}</h3>
          <p class="muted small">{t("lookup.evidenceIntro")}</p>
          <div class="table-wrap">
            <table class="evidence-table">
              <thead>
                <tr>
                  <th scope="col">{t("lookup.col.time")}</th>
                  <th scope="col">{t("lookup.col.proves")}</th>
                  <th scope="col">{t("lookup.col.line")}</th>
                  <th scope="col">{t("lookup.col.chunk")}</th>
                  <th scope="col" class="numeric">
                    {t("lookup.col.seq")}
                  </th>
                </tr>
              </thead>
              <tbody>
                <For each={rows()}>
                  {(row) => (
                    <tr>
                      <td data-label={t("lookup.col.time")} class="nowrap">
                        {answerTime(row.received_at)}
                      </td>
                      <td data-label={t("lookup.col.proves")}>{t(PROOF_LABELS[row.proves])}</td>
                      <td data-label={t("lookup.col.line")} class="mono raw">
                        {row.raw}
                      </td>
                      <td data-label={t("lookup.col.chunk")} class="mono nowrap">
                        {row.chunk}
                      </td>
                      <td data-label={t("lookup.col.seq")} class="numeric mono">
                        {row.seq}
                      </td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </div>
        </section>

        <Show when={props.disclose}>
          {(disclose) => (
            <div class="lookup-disclose no-print">
              <DisclosurePack
                id="lookup-disclose"
                question={lookupDisclosure(props.question)}
                hotels={packHotels()}
                contents={t("disclose.contents.lookup", { count: rows().length })}
                placement="inline"
                disclose={disclose()}
              />
            </div>
          )}
        </Show>

        <section class="lookup-bundles" aria-labelledby="lookup-bundles-title">
          <h3 id="lookup-bundles-title">{t("lookup.bundles")}</h3>
          <p class="muted small">
            {verifyParts()[0]}
            <code>logmaster verify</code>
            {verifyParts()[1]}
          </p>
          <ul class="bundle-list">
            <For each={bundles()}>
              {(bundle) => (
                <BundleItem
                  bundle={bundle}
                  facts={props.chunkFacts?.get(bundleKey(bundle))}
                  hotelName={hotelName(bundle.hotel)}
                  download={props.download}
                />
              )}
            </For>
          </ul>
        </section>
      </Show>

      <p class="print-only small">
        {t("lookup.printedBy", {
          time: formatDateTime(props.nowMs, { seconds: true }),
          user: props.askedBy,
        })}
      </p>
    </section>
  );
}
