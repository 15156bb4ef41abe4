import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { z } from "zod";
import type { HubEvents } from "../events/index.ts";
import {
  CertificateRequestError,
  type ChainCa,
  enrollAgent,
  enrollRequestSchema,
  ReenrollError,
  renewAgent,
  renewRequestSchema,
  TokenError,
} from "../identity/index.ts";
import { SealRequestError, sealChunk } from "../seal/index.ts";
import {
  appendBatch,
  type Db,
  findChunk,
  inHotelScope,
  recordAgentReport,
} from "../store/index.ts";
import { type IngestEnv, requireAgent } from "./auth.ts";
import { parseChunkPath } from "./chunk-address.ts";
import { BatchDecodeError, decompressBatch } from "./zstd.ts";

export interface IngestContext {
  db: Db;
  ca: ChainCa;
  chainId: string;
  events: HubEvents;
  dataDir: string;
  agentCertDays: number;
  maxBatchBytes: number;
  maxDecompressedBytes: number;
}

/** Enrollment and seal bodies are small JSON; a manifest is ~1 KiB. */
const MAX_JSON_BODY_BYTES = 64 * 1024;

const byteCount = z
  .string()
  .regex(/^\d{1,15}$/, "must be a decimal byte count")
  .transform(Number);

const batchHeadersSchema = z.object({
  "x-lm-offset": byteCount,
  "x-lm-length": byteCount,
  "content-encoding": z.enum(["zstd", "identity"]).optional(),
  "x-lm-agent-time": z.iso.datetime({ precision: undefined }).optional(),
  "x-lm-agent-stats": z
    .string()
    .max(8192)
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: "must be JSON" });
        return z.NEVER;
      }
    })
    .pipe(z.record(z.string(), z.unknown()))
    .optional(),
});

const sealBodySchema = z.strictObject({
  manifest_b64: z.base64().max(64 * 1024),
  signature_b64: z.base64().max(4096),
});

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`)
    .join("; ");
}

/**
 * The ingest routes of docs/agent-hub-protocol.md. Every route but enrollment
 * sits behind `requireAgent`; hotel and agent come from `c.get("agent")` only.
 *
 * @example
 * const app = ingestRoutes(context);
 * serve({ fetch: app.fetch, createServer: http2.createSecureServer, serverOptions });
 */
export function ingestRoutes(context: IngestContext): Hono<IngestEnv> {
  const app = new Hono<IngestEnv>();
  const issuer = {
    db: context.db,
    ca: context.ca,
    chainId: context.chainId,
    agentValidityDays: context.agentCertDays,
  };
  const tooLarge = bodyLimit({
    maxSize: MAX_JSON_BODY_BYTES,
    onError: (c) => c.json({ error: "too_large" }, 413),
  });
  const agentOnly = requireAgent(context);

  app.onError((error, c) => {
    context.events.emit({ name: "RequestFailed", path: c.req.path, error: error.message });
    return c.json({ error: "internal_error" }, 500);
  });
  app.notFound((c) => c.json({ error: "not_found" }, 404));

  async function readJson(c: { req: { json(): Promise<unknown> } }): Promise<unknown> {
    try {
      return await c.req.json();
    } catch {
      return undefined;
    }
  }

  app.post("/v1/enroll", tooLarge, async (c) => {
    const parsed = enrollRequestSchema.safeParse(await readJson(c));
    if (!parsed.success) {
      context.events.emit({ name: "EnrollmentRefused", reason: "invalid_request" });
      return c.json({ error: "invalid_request", reason: describeIssues(parsed.error) }, 400);
    }
    try {
      const answer = await enrollAgent(issuer, parsed.data);
      context.events.emit({
        name: "AgentEnrolled",
        hotelId: answer.hotel_id,
        agentId: answer.agent_id,
      });
      return c.json(answer, 201);
    } catch (error) {
      if (error instanceof TokenError) {
        context.events.emit({ name: "EnrollmentRefused", reason: error.code });
        return c.json({ error: error.code }, 401);
      }
      if (error instanceof CertificateRequestError) {
        context.events.emit({ name: "EnrollmentRefused", reason: "invalid_request" });
        return c.json({ error: "invalid_request", reason: error.message }, 400);
      }
      if (error instanceof ReenrollError) {
        context.events.emit({ name: "EnrollmentRefused", reason: "reenroll_refused" });
        return c.json({ error: "reenroll_refused", reason: error.message }, 403);
      }
      throw error;
    }
  });

  app.post("/v1/renew", tooLarge, agentOnly, async (c) => {
    const parsed = renewRequestSchema.safeParse(await readJson(c));
    if (!parsed.success) {
      return c.json({ error: "invalid_request", reason: describeIssues(parsed.error) }, 400);
    }
    const { identity } = c.get("agent");
    try {
      const answer = await renewAgent(issuer, identity, parsed.data.csr_pem);
      context.events.emit({
        name: "AgentRenewed",
        hotelId: identity.hotelId,
        agentId: identity.agentId,
      });
      return c.json(answer, 200);
    } catch (error) {
      if (error instanceof CertificateRequestError) {
        return c.json({ error: "invalid_request", reason: error.message }, 400);
      }
      throw error;
    }
  });

  const badChunk = {
    error: "invalid_request",
    reason: "chunk must be YYYY-MM-DDTHH (UTC hour, part 0) or YYYY-MM-DDTHH.N (part N > 0)",
  };

  app.get("/v1/chunks/:chunk", agentOnly, async (c) => {
    const chunkPath = parseChunkPath(c.req.param("chunk"));
    if (!chunkPath) return c.json(badChunk, 400);
    const { identity } = c.get("agent");
    const chunk = await inHotelScope(context.db, identity.hotelId, (tx) =>
      findChunk(tx, { ...identity, hourStart: chunkPath.hourDate, part: chunkPath.part }),
    );
    if (!chunk) return c.json({ length: 0, status: "open" });
    return c.json({
      length: chunk.length,
      status: chunk.status,
      ...(chunk.reason ? { reason: chunk.reason } : {}),
    });
  });

  app.post(
    "/v1/chunks/:chunk/records",
    bodyLimit({
      maxSize: context.maxBatchBytes,
      onError: (c) => c.json({ error: "too_large" }, 413),
    }),
    agentOnly,
    async (c) => {
      const { identity } = c.get("agent");
      const ref = {
        hotelId: identity.hotelId,
        agentId: identity.agentId,
        chunk: c.req.param("chunk"),
      };
      const reject = (reason: "invalid_batch" | "too_large", detail: string) => {
        context.events.emit({ name: "BatchRejected", ...ref, reason, detail });
        return reason === "too_large"
          ? c.json({ error: "too_large" }, 413)
          : c.json({ error: "invalid_batch", reason: detail }, 400);
      };
      const chunkPath = parseChunkPath(ref.chunk);
      if (!chunkPath) return reject("invalid_batch", badChunk.reason);
      const headers = batchHeadersSchema.safeParse(c.req.header());
      if (!headers.success) return reject("invalid_batch", describeIssues(headers.error));
      const batch = headers.data;
      if (batch["x-lm-length"] > context.maxDecompressedBytes) {
        return reject("too_large", `x-lm-length ${batch["x-lm-length"]} is over the cap`);
      }
      const body = new Uint8Array(await c.req.arrayBuffer());
      let records: Uint8Array;
      try {
        records =
          batch["content-encoding"] === "zstd"
            ? decompressBatch(body, batch["x-lm-length"], context.maxDecompressedBytes)
            : body;
      } catch (error) {
        if (!(error instanceof BatchDecodeError)) throw error;
        return reject(error.tooLarge ? "too_large" : "invalid_batch", error.message);
      }
      if (records.byteLength !== batch["x-lm-length"]) {
        return reject(
          "invalid_batch",
          `body is ${records.byteLength} bytes but x-lm-length is ${batch["x-lm-length"]}`,
        );
      }
      const outcome = await appendBatch(
        context.db,
        { ...identity, hourStart: chunkPath.hourDate, part: chunkPath.part },
        batch["x-lm-offset"],
        records,
      );
      const agentTime = batch["x-lm-agent-time"] ? new Date(batch["x-lm-agent-time"]) : undefined;
      await recordAgentReport(context.db, identity, {
        agentTime,
        clockSkewMs: agentTime ? Date.now() - agentTime.getTime() : undefined,
        stats: batch["x-lm-agent-stats"],
      });
      switch (outcome.status) {
        case "accepted":
          context.events.emit({
            name: "BatchAccepted",
            ...ref,
            bytes: outcome.storedBytes,
            length: outcome.length,
          });
          return c.json({ status: "accepted", length: outcome.length }, 200);
        case "duplicate":
          context.events.emit({ name: "BatchDuplicate", ...ref, length: outcome.length });
          return c.json({ status: "duplicate", length: outcome.length }, 200);
        case "gap":
          context.events.emit({
            name: "BatchRejected",
            ...ref,
            reason: "gap",
            length: outcome.length,
          });
          return c.json(
            { status: "gap", length: outcome.length, wanted_offset: outcome.length },
            409,
          );
        case "conflict":
          context.events.emit({
            name: "BatchRejected",
            ...ref,
            reason: "conflict",
            length: outcome.length,
            detail: `bytes differ from the held copy at offset ${outcome.atOffset}`,
          });
          return c.json({ status: "conflict", length: outcome.length }, 409);
        case "sealed":
          context.events.emit({
            name: "BatchRejected",
            ...ref,
            reason: "sealed",
            length: outcome.length,
          });
          return c.json({ status: "sealed", length: outcome.length }, 409);
      }
    },
  );

  app.put("/v1/chunks/:chunk/seal", tooLarge, agentOnly, async (c) => {
    const chunkPath = parseChunkPath(c.req.param("chunk"));
    if (!chunkPath) return c.json(badChunk, 400);
    const parsed = sealBodySchema.safeParse(await readJson(c));
    if (!parsed.success) {
      return c.json({ error: "invalid_request", reason: describeIssues(parsed.error) }, 400);
    }
    try {
      const outcome = await sealChunk(
        context,
        c.get("agent"),
        chunkPath,
        new Uint8Array(Buffer.from(parsed.data.manifest_b64, "base64")),
        new Uint8Array(Buffer.from(parsed.data.signature_b64, "base64")),
      );
      switch (outcome.kind) {
        case "sealed":
          return c.json(
            outcome.status === "verified"
              ? { status: "verified" }
              : { status: "failed", reason: outcome.reason },
            200,
          );
        case "incomplete":
          return c.json({ status: "incomplete", length: outcome.length }, 409);
        case "already_sealed":
          return c.json({ status: "sealed", length: outcome.length }, 409);
      }
    } catch (error) {
      if (error instanceof SealRequestError) {
        return c.json({ error: "invalid_manifest", reason: error.message }, 400);
      }
      throw error;
    }
  });

  return app;
}
