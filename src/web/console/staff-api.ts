import { call, newIdempotencyKey, type ApiResult } from "../shared/api";
import { currentSession } from "./session";

/** Called when the API answers 401: the token expired or was revoked, so the console signs out. */
let onSignedOut: () => void = () => {};
export function whenSignedOut(handler: () => void): void {
  onSignedOut = handler;
}

/** A call to the API as the signed-in member of staff (their JWT as the bearer token). */
export async function staffCall<T>(
  method: "GET" | "POST",
  path: string,
  body?: unknown,
  options: { idempotent?: boolean } = {},
): Promise<ApiResult<T>> {
  const session = currentSession();
  if (!session) {
    onSignedOut();
    return { ok: false, problem: { status: 401 } };
  }
  const result = await call<T>(method, path, {
    bearer: session.token,
    ...(body !== undefined ? { body } : {}),
    ...(options.idempotent ? { idempotencyKey: newIdempotencyKey() } : {}),
  });
  if (!result.ok && result.problem.status === 401) onSignedOut();
  return result;
}

/** A path segment from an id: ids only ever travel in paths, never personal data. */
export const seg = (id: string) => encodeURIComponent(id);
