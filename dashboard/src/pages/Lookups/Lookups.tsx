/** The 5651 lookups' view: the question as tabs, then the answer (./Answer.tsx). */
import { type JSX, Match, Show, Switch } from "solid-js";
import type { ChunkView, DiscloseRequest, HotelOverview } from "../../api/types.ts";
import { ErrorState, Loading } from "../../components/States.tsx";
import type { DisclosedPack } from "../../data/disclose.ts";
import type { BundleRef, LookupAnswer, LookupKind, LookupQuestion } from "../../data/lookups.ts";
import { t } from "../../i18n/index.ts";
import { Answer } from "./Answer.tsx";
import { LookupForm, LookupTabs } from "./LookupForm.tsx";
import "./lookups.css";

export interface LookupsProps {
  kind: LookupKind;
  question: LookupQuestion | undefined;
  hotels: readonly HotelOverview[];
  answer: LookupAnswer | undefined;
  loading: boolean;
  error: unknown;
  chunkFacts: ReadonlyMap<string, ChunkView> | undefined;
  askedBy: string;
  nowMs: number;
  onTab(kind: LookupKind): void;
  onAsk(question: LookupQuestion): void;
  retry(): void;
  download(ref: BundleRef): Promise<void>;
  /** Make and save a disclosure pack of an answer's lines; absent when the role may not. */
  disclose?: ((request: DiscloseRequest) => Promise<DisclosedPack>) | undefined;
}

export function Lookups(props: LookupsProps): JSX.Element {
  const hotelNames = () => new Map(props.hotels.map((hotel) => [hotel.id, hotel.name]));
  return (
    <section class="page lookups-page" aria-labelledby="page-title" aria-busy={props.loading}>
      <header class="page-header no-print">
        <div>
          <h1 id="page-title">{t("lookup.title")}</h1>
          <p class="summary">{t("lookup.intro")}</p>
        </div>
      </header>
      <div class="no-print">
        <LookupTabs kind={props.kind} onTab={props.onTab} />
        {/* A new tab or a new question from the URL: a fresh form. */}
        <Show when={`${props.kind}|${JSON.stringify(props.question ?? {})}`} keyed>
          <LookupForm
            kind={props.kind}
            question={props.question}
            hotels={props.hotels}
            busy={props.loading}
            nowMs={props.nowMs}
            onTab={props.onTab}
            onAsk={props.onAsk}
          />
        </Show>
      </div>
      <Switch>
        <Match when={props.error}>
          <ErrorState error={props.error} retry={props.retry} />
        </Match>
        <Match when={props.loading}>
          <Loading label={t("lookup.working")} />
        </Match>
        <Match
          when={
            props.answer &&
            props.question?.kind === props.answer.kind && {
              answer: props.answer,
              question: props.question,
            }
          }
        >
          {(asked) => (
            <Answer
              answer={asked().answer}
              question={asked().question}
              hotelNames={hotelNames()}
              chunkFacts={props.chunkFacts}
              download={props.download}
              disclose={props.disclose}
              askedBy={props.askedBy}
              nowMs={props.nowMs}
            />
          )}
        </Match>
        <Match when={!props.question}>
          <p class="muted lookup-empty">{t("lookup.empty")}</p>
        </Match>
      </Switch>
    </section>
  );
}
