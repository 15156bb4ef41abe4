/**
 * The audit log viewer: the URL holds the filters, the page and the row
 * opened (a link shows the same rows); this reads it, asks the hub for the
 * newest rows with the filters, and offers the CSV export and the chain check.
 */
import { useSearchParams } from "@solidjs/router";
import { createResource, type JSX } from "solid-js";
import { api } from "../../api/client.ts";
import { downloadFile } from "../../api/download.ts";
import type { AuditVerdict, AuditView, HotelOverview } from "../../api/types.ts";
import { zone } from "../../i18n/index.ts";
import { Audit } from "./Audit.tsx";
import {
  type AuditFilters,
  auditQuery,
  FETCH_LIMIT,
  filtersFromParams,
  matches,
} from "./filters.ts";

/** The CSV export's rows: the API's most. */
const CSV_LIMIT = 10_000;

type AuditParams = {
  actor?: string;
  action?: string;
  hotel?: string;
  from?: string;
  to?: string;
  page?: string;
  row?: string;
};

export default function AuditPage(): JSX.Element {
  const [params, setParams] = useSearchParams<AuditParams>();
  const filters = () => filtersFromParams(params);
  const [hotels] = createResource(() => api<HotelOverview[]>("/api/hotels").catch(() => []));
  const [rows, control] = createResource(
    () => ({ filters: filters(), zone: zone() }),
    async (asked) => {
      const answer = await api<AuditView[]>("/api/audit", {
        query: auditQuery(asked.filters, asked.zone),
      });
      return {
        rows: answer.filter((row) => matches(row, asked.filters, asked.zone)),
        truncated: answer.length >= FETCH_LIMIT,
      };
    },
  );
  const page = () => Math.max(1, Number.parseInt(params.page ?? "1", 10) || 1);
  const openRow = () => {
    const id = Number.parseInt(params.row ?? "", 10);
    return Number.isFinite(id) ? id : undefined;
  };
  const setFilters = (next: AuditFilters) =>
    setParams({
      actor: next.actor,
      action: next.action,
      hotel: next.hotel,
      from: next.from,
      to: next.to,
      page: undefined,
      row: undefined,
    });
  return (
    <Audit
      filters={filters()}
      hotels={hotels() ?? []}
      rows={rows.loading || rows.error ? undefined : rows.latest?.rows}
      truncated={rows.error ? false : (rows.latest?.truncated ?? false)}
      error={rows.error}
      retry={() => void control.refetch()}
      page={page()}
      openRow={openRow()}
      onFilters={setFilters}
      onPage={(next) => setParams({ page: next > 1 ? String(next) : undefined, row: undefined })}
      onOpenRow={(id) => setParams({ row: id === undefined ? undefined : String(id) })}
      exportCsv={() =>
        downloadFile(
          "/api/audit",
          { query: { ...auditQuery(filters(), zone(), CSV_LIMIT), format: "csv" } },
          `logmaster-audit-${new Date().toISOString().slice(0, 10)}.csv`,
        )
      }
      verify={() => api<AuditVerdict>("/api/audit/verify")}
    />
  );
}
