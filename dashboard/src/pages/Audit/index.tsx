/**
 * The audit log viewer: the URL holds the filters and the row opened (a
 * link shows the same rows); this reads it, has the hub filter the log
 * (../../data/audit.ts: the newest page, older ones on demand), and offers
 * the CSV export of the same filters and the chain check.
 */
import { useSearchParams } from "@solidjs/router";
import { createMemo, createResource, type JSX } from "solid-js";
import { api, queryString } from "../../api/client.ts";
import { downloadFile } from "../../api/download.ts";
import type { AuditVerdict, HotelOverview } from "../../api/types.ts";
import { createAuditPages } from "../../data/audit.ts";
import { zone } from "../../i18n/index.ts";
import { Audit } from "./Audit.tsx";
import { type AuditFilters, auditQuery, filtersFromParams, paramsOfFilters } from "./filters.ts";

/** The CSV export's rows: the API's most. */
const CSV_LIMIT = 10_000;

type AuditParams = {
  actor?: string;
  action?: string;
  hotel?: string;
  from?: string;
  to?: string;
  q?: string;
  row?: string;
};

export default function AuditPage(): JSX.Element {
  const [params, setParams] = useSearchParams<AuditParams>();
  const filters = () => filtersFromParams(params);
  const [hotels] = createResource(() => api<HotelOverview[]>("/api/hotels").catch(() => []));
  // The same filters (a row opened, the same ones applied again) keep the rows loaded.
  const query = createMemo(() => auditQuery(filters(), zone()), undefined, {
    equals: (a, b) => queryString(a) === queryString(b),
  });
  const pages = createAuditPages(query);
  const openRow = () => {
    const id = Number.parseInt(params.row ?? "", 10);
    return Number.isFinite(id) ? id : undefined;
  };
  return (
    <Audit
      filters={filters()}
      hotels={hotels() ?? []}
      rows={pages.rows()}
      complete={pages.complete()}
      loading={pages.loading()}
      error={pages.error()}
      retry={pages.retry}
      loadOlder={pages.loadOlder}
      openRow={openRow()}
      onFilters={(next: AuditFilters) => setParams({ ...paramsOfFilters(next), row: undefined })}
      onOpenRow={(id) => setParams({ row: id === undefined ? undefined : String(id) })}
      exportCsv={() =>
        downloadFile(
          "/api/audit",
          { query: { ...query(), limit: CSV_LIMIT, format: "csv" } },
          `logmaster-audit-${new Date().toISOString().slice(0, 10)}.csv`,
        )
      }
      verify={() => api<AuditVerdict>("/api/audit/verify")}
    />
  );
}
