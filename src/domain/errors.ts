/**
 * Failures the use cases report. The HTTP layer maps each kind to a status; nothing here knows HTTP.
 */
export type FieldError = { field: string; message: string };

export class DomainError extends Error {
  constructor(
    readonly kind:
      | "invalid"
      | "unauthenticated"
      | "forbidden"
      | "not_found"
      | "conflict"
      /** Well-formed, but not something this resource can take (RFC 9110 §15.5.21): an Idempotency-Key reused with another body. */
      | "unprocessable"
      | "rate_limited"
      | "gone",
    message: string,
    readonly fieldErrors: FieldError[] = [],
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "DomainError";
  }
}

export const invalid = (message: string, fieldErrors: FieldError[] = []) =>
  new DomainError("invalid", message, fieldErrors);
export const forbidden = (message = "Your role does not allow this action.") =>
  new DomainError("forbidden", message);
export const notFound = (message = "Not found.") => new DomainError("not_found", message);
export const conflict = (message: string, extra: Record<string, unknown> = {}) =>
  new DomainError("conflict", message, [], extra);
