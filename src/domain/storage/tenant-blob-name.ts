/**
 * Blobs of a tenant are named `<tenantId>/…` in every platform blob container. A reference found in a
 * tenant's record (an audio or transcript link, a file) is followed only when it names a blob of that
 * tenant: a link into another tenant's storage, or one that climbs out of the prefix, is refused and
 * recorded, never read or deleted (issue 14).
 */
export const tenantBlobPrefix = (tenantId: string) => `${tenantId}/`;

/** Why a reference is refused, or undefined when it names a blob of the tenant. */
export function foreignBlobReason(tenantId: string, name: unknown): string | undefined {
  // An empty tenant id would make "/" the prefix, one with "/" a prefix inside another tenant's.
  if (typeof tenantId !== "string" || tenantId.length === 0 || /[/\\]/.test(tenantId))
    return "the record names no tenant";
  if (typeof name !== "string" || name.length === 0) return "not a blob name";
  // The trailing "/" is what keeps tenant `t1` out of `t10/…`.
  if (!name.startsWith(tenantBlobPrefix(tenantId))) return "names a blob outside the tenant";
  // The storage SDK puts the name into a URL path, and URL parsing resolves "." and ".." segments:
  // `t1/../t2/x` is sent as `t2/x`. Backslashes are read as "/" by some clients. Neither is interpreted.
  const segments = name.split(/[/\\]/);
  if (name.includes("\\") || segments.some((s) => s === "." || s === ".."))
    return "names a path that climbs out of the tenant";
  // `t1/` alone, `t1//x`, `t1/x/`: no blob of the tenant is named so; a client may collapse them.
  if (segments.slice(1).some((s) => s.length === 0)) return "not a blob name";
  return undefined;
}

export const isTenantBlob = (tenantId: string, name: unknown): name is string =>
  foreignBlobReason(tenantId, name) === undefined;
