/**
 * The 5651 lookups' data: the question lives in the URL (`?q=ip&ip=…&at=…`,
 * so a link or a reload asks it again), the answer is a resource keyed on
 * it, the chunks' sizes follow the answer; the view gets plain props.
 */
import { useSearchParams } from "@solidjs/router";
import { createMemo, createResource, type JSX } from "solid-js";
import { api } from "../../api/client.ts";
import type { HotelOverview } from "../../api/types.ts";
import { me } from "../../auth/session.ts";
import { disclosePack, mayDisclose } from "../../data/disclose.ts";
import {
  chunkFacts,
  downloadBundle,
  type LookupKind,
  type LookupQuestion,
  lookupKindOf,
  lookupQuestionOf,
  paramsOfQuestion,
  runLookup,
} from "../../data/lookups.ts";
import { bundlesOf, evidenceRows } from "./answer.ts";
import { Lookups } from "./Lookups.tsx";

/** Every question's URL parameters, cleared: a new tab or question starts from none. */
const NO_QUESTION = {
  ip: undefined,
  at: undefined,
  mac: undefined,
  from: undefined,
  to: undefined,
  address: undefined,
};

export default function LookupsPage(): JSX.Element {
  const [params, setParams] = useSearchParams();
  const kind = createMemo(() => lookupKindOf(params));
  const question = createMemo(() => lookupQuestionOf(params), undefined, {
    equals: (a, b) => JSON.stringify(a) === JSON.stringify(b),
  });
  const [hotels] = createResource(() =>
    api<HotelOverview[]>("/api/hotels").catch(() => [] as HotelOverview[]),
  );
  const [answer, { refetch }] = createResource(question, runLookup);
  const [facts] = createResource(
    () => (answer.state === "ready" ? answer() : undefined),
    (ready) => chunkFacts(bundlesOf(evidenceRows(ready))),
  );
  const onTab = (next: LookupKind) => {
    if (next === kind()) return;
    setParams({ q: next, ...NO_QUESTION }, { replace: true });
  };
  const onAsk = (next: LookupQuestion) => {
    if (JSON.stringify(next) === JSON.stringify(question())) return void refetch();
    setParams({ ...NO_QUESTION, hotel: undefined, ...paramsOfQuestion(next) });
  };
  const person = () => me();
  return (
    <Lookups
      kind={kind()}
      question={question()}
      hotels={hotels() ?? []}
      answer={answer.error ? undefined : answer.latest}
      loading={answer.loading}
      error={answer.error}
      chunkFacts={facts.error ? undefined : facts()}
      askedBy={(() => {
        const who = person();
        return who ? (who.kind === "user" ? who.username : who.actor) : "";
      })()}
      nowMs={Date.now()}
      onTab={onTab}
      onAsk={onAsk}
      retry={() => void refetch()}
      download={downloadBundle}
      disclose={(() => {
        const role = person()?.role;
        return role && mayDisclose(role) ? disclosePack : undefined;
      })()}
    />
  );
}
