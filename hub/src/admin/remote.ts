/**
 * The admin operations through a running hub's `--http` listener (its
 * `/admin` API, and `/api/` for exports and reports), authenticated by the
 * admin credential from its data dir. PGlite has a single writer, so the CLI
 * must not open the database while a hub runs.
 */
import { type ExportSummary, extractTarGz } from "../export/index.ts";
import { remoteAuditAdmin } from "./audit.ts";
import type { HubAdmin } from "./index.ts";
import { hubSender } from "./pinned-fetch.ts";
import { AdminError } from "./requests.ts";
import { remoteUserAdmin } from "./users.ts";

/**
 * Admin operations through a running hub: the hub writes the audit rows,
 * naming the CLI user (`actor`) beside the credential and the address the
 * call came from.
 *
 * @example
 * const admin = remoteAdmin("http://127.0.0.1:8080", await readAdminCredential(dataDir));
 * await admin.listAgents();
 */
export function remoteAdmin(
  httpUrl: string,
  credential: string,
  /** SHA-256 of the certificate an HTTPS listener presents (hub.json's `http_cert_sha256`). */
  httpCertSha256?: string,
): HubAdmin {
  const send = hubSender({ httpUrl, credential, httpCertSha256 }, (message, status) => {
    return new AdminError(message, status === 404 || status === 409 ? status : 400);
  });
  async function call<T>(method: string, path: string, body?: unknown, actor?: string): Promise<T> {
    return (await (await send(method, `/admin${path}`, body, actor)).json()) as T;
  }
  const query = (values: Record<string, unknown>) =>
    new URLSearchParams(
      Object.entries(values).flatMap(([k, v]): [string, string][] =>
        v === undefined ? [] : [[k, String(v)]],
      ),
    ).toString();
  return {
    addHotel: (input) => call("POST", "/hotels", input),
    listHotels: () => call("GET", "/hotels"),
    // The hub takes the address and scope from the request itself, never from the body.
    createToken: ({ actor, hotel, ttl_ms }) => call("POST", "/tokens", { hotel, ttl_ms }, actor),
    listAgents: () => call("GET", "/agents"),
    listChunks: ({ limit }) => call("GET", `/chunks?limit=${limit}`),
    revokeAgent: ({ actor, agent }) =>
      call("POST", `/agents/${encodeURIComponent(agent)}/revoke`, undefined, actor),
    setHotel: ({ actor, ...input }) =>
      call("PATCH", `/hotels/${encodeURIComponent(input.hotel)}`, input, actor),
    async exportBundle({ actor, ...request }, outDir) {
      const response = await send(
        "GET",
        `/api/export?${query({ ...request, format: "tar.gz" })}`,
        undefined,
        actor,
      );
      await extractTarGz(new Uint8Array(await response.arrayBuffer()), outDir);
      return JSON.parse(response.headers.get("x-logmaster-export") ?? "{}") as ExportSummary;
    },
    rollup: ({ actor, ...input }) => call("POST", "/rollups", input, actor),
    async complianceReport({ actor, ...input }) {
      const response = await send(
        "GET",
        `/api/reports/compliance?${query(input)}`,
        undefined,
        actor,
      );
      return {
        contentType: response.headers.get("content-type") ?? "application/octet-stream",
        body: new Uint8Array(await response.arrayBuffer()),
      };
    },
    purge: ({ actor, ...input }) => call("POST", "/purge", input, actor),
    ...remoteUserAdmin(call),
    ...remoteAuditAdmin(call),
  };
}
