/**
 * What the admin operations accept: one zod schema per request (the CLI's
 * flags and the `/admin` bodies, and the OpenAPI document's request schemas),
 * who acts for the audit log, and the refusal a request can meet.
 */
import { z } from "zod";
import { RefusedRequestError } from "../errors.ts";

/** `POST /admin/tokens` (`logmaster-hub token create`). */
export const tokenRequestSchema = z.object({
  hotel: z.string().min(1, "--hotel must name a hotel (id or name)"),
  ttl_ms: z
    .number()
    .int()
    .positive()
    .max(30 * 86_400_000, "--ttl must be at most 30 days"),
});
export type TokenRequest = z.input<typeof tokenRequestSchema>;

/** `POST /admin/hotels` (`logmaster-hub hotel add`). */
export const hotelRequestSchema = z.object({ name: z.string().min(1), id: z.string().optional() });

/** `PATCH /admin/hotels/:hotel` (`logmaster-hub hotel set`): retention and legal hold. */
export const hotelSettingsSchema = z.object({
  hotel: z.string().min(1, "hotel set needs a hotel (id or name)"),
  retention_days: z.coerce
    .number()
    .int("--retention-days must be a whole number")
    .min(1, "--retention-days must be at least 1")
    .max(36_500, "--retention-days must be at most 36500")
    .optional(),
  legal_hold: z.boolean().optional(),
});
export type HotelSettingsRequest = z.input<typeof hotelSettingsSchema>;

/** `POST /admin/rollups` (`logmaster-hub rollup`): a hotel's ended UTC day. */
export const rollupRequestSchema = z.object({
  hotel: z.string().min(1, "--hotel is required"),
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "--day must be a UTC day like 2026-11-22"),
});
export type RollupRequest = z.input<typeof rollupRequestSchema>;

/** Who acts, for the audit log: the credential used, and the CLI user when known. */
export interface Actor {
  actor: string;
}

/** An admin request the hub refuses (unknown hotel, duplicate name...): answered 4xx. */
export class AdminError extends RefusedRequestError {
  override readonly name = "AdminError";
}
