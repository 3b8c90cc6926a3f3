import { PreconditionFailedError } from "../../ports/document-store";
import type { AppContext } from "../context";
import { AuditLog } from "../audit";
import { forEachLimit } from "../util";
import { BACKUP_CONTAINER, catalogue, readSet } from "./catalogue";
import { type CompletionReport, completeWaitingErasures } from "./complete";
import { rotateHoldings } from "./holdings";
import { BACKUP_AUDIT } from "./take";

export type RotationOutcome = "rotated" | "already_rotated" | "early" | "not_found";

/** Deletes every blob of a set (its tenants' blobs and the manifest), a page at a time; returns how many. */
async function deleteSetBlobs(app: AppContext, setId: string): Promise<number> {
  let deleted = 0;
  for (;;) {
    const names: string[] = [];
    for await (const blob of app.ports.blobs.list(BACKUP_CONTAINER, `${setId}/`)) {
      names.push(blob.name);
      if (names.length >= 200) break;
    }
    if (names.length === 0) return deleted;
    await forEachLimit(names, 16, async (name) => {
      if (await app.ports.blobs.delete(BACKUP_CONTAINER, name)) deleted++;
    });
  }
}

/**
 * Rotates a set out at its expiry (the `backup-rotation` message, and reconciliation for a message
 * that was lost): deletes every blob of the set, marks its holdings and the set `rotated`, then
 * completes the erasure requests that were waiting on it. Idempotent: it re-reads the set and does
 * nothing once the set is rotated, so a duplicate message is a no-op; an interrupted rotation is
 * finished by the next delivery (every step before the set's own status change is repeatable).
 */
export async function rotateSet(
  app: AppContext,
  setId: string,
  by: "timer" | "reconciliation",
): Promise<{ outcome: RotationOutcome; completion?: CompletionReport }> {
  const found = await readSet(app, setId);
  if (!found) return { outcome: "not_found" };
  if (found.doc.status === "rotated") return { outcome: "already_rotated" };
  const now = app.ports.clock.now();
  // Delivered early (a stray copy, clock skew): the set's own message (or reconciliation) comes later.
  if (Date.parse(found.doc.expiresAt) > now.getTime()) return { outcome: "early" };
  const blobsDeleted = await deleteSetBlobs(app, setId);
  const holdings = await rotateHoldings(app, setId, now.toISOString());
  let current = found;
  for (let attempt = 1; ; attempt++) {
    const { rotationTicket: _ticket, ...rest } = current.doc;
    try {
      await catalogue(app).replace(
        {
          ...rest,
          status: "rotated" as const,
          rotatedAt: now.toISOString(),
          rotatedBy: by,
          blobsDeleted: (current.doc.blobsDeleted ?? 0) + blobsDeleted,
        },
        current.etag,
      );
      break;
    } catch (e) {
      if (!(e instanceof PreconditionFailedError) || attempt >= 5) throw e;
      const again = await readSet(app, setId);
      if (!again) return { outcome: "not_found" };
      if (again.doc.status === "rotated") return { outcome: "already_rotated" };
      current = again;
    }
  }
  await new AuditLog(app).append(BACKUP_AUDIT, {
    actor: { kind: "system" },
    action: "backup_rotated",
    data: { setId, blobsDeleted, holdings, by },
  });
  const completion = await completeWaitingErasures(app, { setId });
  return { outcome: "rotated", completion };
}
