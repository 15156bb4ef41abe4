import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
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
import { answerErrorsAsJson, describeIssues, refuse } from "../net/answers.ts";
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
  /** How long a renewed agent's previous certificate still authenticates. */
  certificateOverlapMs: number;
  maxRequestsInFlightPerAgent: number;
  /** Told after a batch is durable: the index worker's notice (off the acknowledgement path). */
  onBatchStored?: (agentId: string) => void;
}

/** Enrollment and seal bodies are small JSON; a manifest is ~1 KiB. */
const MAX_JSON_BODY_BYTES = 64 * 1024;

const byteCount = z
  .string()
  .regex(/^\d{1,15}$/, "must be a decimal byte count")
  .transform(Number);

/** The agent's clock and counters, sent with every batch and seal (docs/agent-hub-protocol.md). */
const agentReportHeadersSchema = z.object({
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

const batchHeadersSchema = agentReportHeadersSchema.extend({
  "x-lm-offset": byteCount,
  "x-lm-length": byteCount,
  "content-encoding": z.enum(["zstd", "identity"]).optional(),
});

const sealBodySchema = z.strictObject({
  manifest_b64: z.base64().max(64 * 1024),
  signature_b64: z.base64().max(4096),
});

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
    certificateOverlapMs: context.certificateOverlapMs,
  };
  const where = { events: context.events, listener: "ingest" as const };
  answerErrorsAsJson(app, where);
  const capBody = (maxSize: number) =>
    bodyLimit({ maxSize, onError: (c) => refuse(c, where, 413, "too_large") });
  const tooLarge = capBody(MAX_JSON_BODY_BYTES);
  // Routes put agentOnly before any body limit or read: a caller without a
  // valid certificate is answered before a byte of its body is taken.
  const agentOnly = requireAgent(context);
  const invalid = (c: Context<IngestEnv>, message: string) =>
    refuse(c, where, 400, "invalid_request", message);
  /** Keep what the agent reported (agents.last_*), with the skew as measured now. */
  const recordReport = (
    agent: { hotelId: string; agentId: string },
    report: z.infer<typeof agentReportHeadersSchema>,
  ) => {
    const agentTime = report["x-lm-agent-time"] ? new Date(report["x-lm-agent-time"]) : undefined;
    return recordAgentReport(context.db, agent, {
      agentTime,
      clockSkewMs: agentTime ? Date.now() - agentTime.getTime() : undefined,
      stats: report["x-lm-agent-stats"],
    });
  };

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
      return invalid(c, describeIssues(parsed.error));
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
        return refuse(c, where, 401, error.code);
      }
      if (error instanceof CertificateRequestError) {
        context.events.emit({ name: "EnrollmentRefused", reason: "invalid_request" });
        return invalid(c, error.message);
      }
      if (error instanceof ReenrollError) {
        context.events.emit({ name: "EnrollmentRefused", reason: "reenroll_refused" });
        return refuse(c, where, 403, "reenroll_refused", error.message);
      }
      throw error;
    }
  });

  app.post("/v1/renew", agentOnly, tooLarge, async (c) => {
    const parsed = renewRequestSchema.safeParse(await readJson(c));
    if (!parsed.success) return invalid(c, describeIssues(parsed.error));
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
      if (error instanceof CertificateRequestError) return invalid(c, error.message);
      throw error;
    }
  });

  const badChunk = "chunk must be YYYY-MM-DDTHH (UTC hour, part 0) or YYYY-MM-DDTHH.N (part N > 0)";

  app.get("/v1/chunks/:chunk", agentOnly, async (c) => {
    const chunkPath = parseChunkPath(c.req.param("chunk"));
    if (!chunkPath) return invalid(c, badChunk);
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

  app.post("/v1/chunks/:chunk/records", agentOnly, capBody(context.maxBatchBytes), async (c) => {
    const { identity } = c.get("agent");
    const ref = {
      hotelId: identity.hotelId,
      agentId: identity.agentId,
      chunk: c.req.param("chunk"),
    };
    const reject = (reason: "invalid_batch" | "too_large", detail: string) => {
      context.events.emit({ name: "BatchRejected", ...ref, reason, detail });
      return refuse(c, where, reason === "too_large" ? 413 : 400, reason, detail, ref.agentId);
    };
    const chunkPath = parseChunkPath(ref.chunk);
    if (!chunkPath) return reject("invalid_batch", badChunk);
    const headers = batchHeadersSchema.safeParse(c.req.header());
    if (!headers.success) return reject("invalid_batch", describeIssues(headers.error));
    const batch = headers.data;
    if (batch["x-lm-length"] > context.maxDecompressedBytes) {
      return reject("too_large", `x-lm-length ${batch["x-lm-length"]} is over the cap`);
    }
    let body: Uint8Array;
    try {
      body = new Uint8Array(await c.req.arrayBuffer());
    } catch (error) {
      // The client reset the stream or the connection dropped mid-body.
      if (error instanceof HTTPException) throw error; // the body limit's 413
      return reject("invalid_batch", `the body was cut off: ${String(error)}`);
    }
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
    await recordReport(identity, batch);
    switch (outcome.status) {
      case "accepted":
        context.onBatchStored?.(identity.agentId);
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
  });

  app.put("/v1/chunks/:chunk/seal", agentOnly, tooLarge, async (c) => {
    const chunkPath = parseChunkPath(c.req.param("chunk"));
    if (!chunkPath) return invalid(c, badChunk);
    const parsed = sealBodySchema.safeParse(await readJson(c));
    if (!parsed.success) return invalid(c, describeIssues(parsed.error));
    // The seal is an idle agent's hourly report; a malformed report does not hold up its seal.
    const report = agentReportHeadersSchema.safeParse(c.req.header());
    if (report.success) await recordReport(c.get("agent").identity, report.data);
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
        return refuse(c, where, 400, "invalid_manifest", error.message);
      }
      throw error;
    }
  });

  return app;
}
