/**
 * How both hub listeners answer what they do not serve: every refusal and
 * failure is JSON `{ code, message }` (hub/src/errors.ts), and every one is
 * an event (`RequestRefused` by listener and code, `RequestFailed`), so
 * `/metrics` counts what the log says.
 */
import type { Context, Env, ErrorHandler, Hono, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import { codeOfStatus, type ErrorCode, errorBody, RefusedRequestError } from "../errors.ts";
import type { HubEvents, Listener } from "../events/index.ts";
import { CursorError } from "../query/postgres.ts";
import { ScopeError } from "../query/scope.ts";

/** A refusal status the hub uses. */
export type RefusalStatus = 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429;

/**
 * Answer a refusal and count it.
 *
 * @example
 * return refuse(c, { events, listener: "ingest" }, 401, "client_certificate_required");
 */
export function refuse(
  c: Context,
  where: { events: HubEvents; listener: Listener },
  status: RefusalStatus,
  code: ErrorCode,
  message?: string,
  agentId?: string,
): Response {
  where.events.emit({
    name: "RequestRefused",
    listener: where.listener,
    status,
    code,
    path: c.req.path,
    ...(message ? { detail: message } : {}),
    ...(agentId ? { agentId } : {}),
  });
  return c.json(errorBody(code, message), status);
}

/** "field.path: message; …" for a zod error. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`)
    .join("; ");
}

/**
 * The error handler and not-found handler of a hub listener: refusals thrown
 * below (RefusedRequestError, a zod error from parsing input, Hono's
 * HTTPException) answer their 4xx with a code; anything else is a counted 500.
 *
 * @example
 * answerErrorsAsJson(app, { events, listener: "http" });
 */
export function answerErrorsAsJson<E extends Env>(
  app: Hono<E>,
  where: { events: HubEvents; listener: Listener },
): void {
  const onError: ErrorHandler<E> = (error, c) => {
    if (error instanceof RefusedRequestError) {
      return refuse(c, where, error.status, error.code, error.message);
    }
    // Another hotel's data answers as if it did not exist: its existence is not revealed.
    if (error instanceof ScopeError) return refuse(c, where, 404, "not_found", error.message);
    if (error instanceof CursorError)
      return refuse(c, where, 400, "invalid_request", error.message);
    if (error instanceof z.ZodError) {
      // The API answers invalid input 422 with the fields' paths; the agents' protocol keeps 400.
      return refuse(
        c,
        where,
        where.listener === "http" ? 422 : 400,
        "invalid_request",
        describeIssues(error),
      );
    }
    if (error instanceof HTTPException && error.status >= 400 && error.status < 500) {
      const status = error.status as RefusalStatus;
      return refuse(c, where, status, codeOfStatus(status), error.message);
    }
    where.events.emit({
      name: "RequestFailed",
      listener: where.listener,
      path: c.req.path,
      error: error instanceof Error ? error.message : String(error),
    });
    return c.json(errorBody("internal_error"), 500 as ContentfulStatusCode);
  };
  const notFound: NotFoundHandler<E> = (c) =>
    c.json(errorBody("not_found", `no route ${c.req.method} ${c.req.path}`), 404);
  app.onError(onError);
  app.notFound(notFound);
}
