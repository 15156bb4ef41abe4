/**
 * A request the hub refuses for a reason the asker can act on (an unknown
 * hotel, a day that has not ended, a duplicate name): the API answers its
 * status with `{"error": message}`, the CLI prints the message. Anything else
 * thrown is an internal error.
 *
 * @example
 * throw new RefusedRequestError(`no hotel with id or name "${name}"`, 404);
 */
export class RefusedRequestError extends Error {
  override readonly name: string = "RefusedRequestError";
  constructor(
    message: string,
    readonly status: 400 | 404 | 409 = 400,
  ) {
    super(message);
  }
}
