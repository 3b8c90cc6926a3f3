import type { AppContext } from "../context";
import { firstNonEmptyPage, queryAll, queryFirst } from "../util";
import { forEachLimit } from "../util";
import { type BackupSet, catalogue, findSets } from "./catalogue";

/**
 * The backup catalogue's answer to "does any backup still hold this subject?": one `backup-holding`
 * entry per (backup set, tenant or number hash) in the `backups` container, in the subject's partition
 * (`tenant:<id>` or `wa:<hash>`), `active` until the set rotates out. An erased subject's request
 * completes only when none is left (DESIGN §4).
 */
export interface BackupHolding {
  id: string;
  pk: string;
  docType: "backup-holding";
  setId: string;
  subject: string;
  status: "active" | "rotated";
  expiresAt: string;
  takenAt?: string;
  rotatedAt?: string;
  /** Seconds: a rotated holding (a keyed hash of a number among them) expires from the catalogue. */
  ttl?: number;
}

/** Rotated holdings stay this long (Cosmos TTL), for the certificates that quote the last rotation. */
export const ROTATED_HOLDING_TTL_S = 90 * 86_400;

export const holdingId = (setId: string, subject: string) => `holding:${setId}:${subject}`;

/** The active holding of `subject` by `set`. */
const activeHolding = (set: BackupSet, subject: string): BackupHolding => ({
  id: holdingId(set.id, subject),
  pk: subject,
  docType: "backup-holding",
  setId: set.id,
  subject,
  status: "active",
  takenAt: set.takenAt,
  expiresAt: set.expiresAt,
});

/** Records that `set` holds each of `subjects` (idempotent: the id is per set and subject). */
export async function recordHoldings(app: AppContext, set: BackupSet, subjects: Iterable<string>) {
  await forEachLimit(subjects, 16, async (subject) => {
    await catalogue(app).upsert(activeHolding(set, subject));
  });
}

/**
 * The sets still holding `subject`: its active holdings, and any set being written right now (which
 * may be reading the subject's records before its holding is recorded), so no erasure completes while
 * a copy is being made.
 */
export async function activeBackupsHolding(app: AppContext, subject: string): Promise<BackupHolding[]> {
  // Every page: a holding on the second page (or after an empty first page) still holds the subject.
  const held = await queryAll<BackupHolding>(catalogue(app), {
    partitionKey: subject,
    where: [
      { field: "docType", op: "=", value: "backup-holding" },
      { field: "status", op: "=", value: "active" },
    ],
    limit: 1000,
  });
  for (const set of await findSets(app, [{ field: "status", op: "=", value: "writing" }])) {
    if (held.some((h) => h.setId === set.id)) continue;
    held.push(activeHolding(set, subject));
  }
  return held;
}

/** When the last set that held `subject` rotated out (undefined if none ever did). */
export async function lastRotationOf(app: AppContext, subject: string): Promise<string | undefined> {
  // The first item, following tokens: the first page of an ORDER BY may be empty in Azure.
  const last = await queryFirst<BackupHolding>(catalogue(app), {
    partitionKey: subject,
    where: [
      { field: "docType", op: "=", value: "backup-holding" },
      { field: "status", op: "=", value: "rotated" },
    ],
    orderBy: { field: "rotatedAt", direction: "desc" },
    limit: 1,
  });
  return last?.rotatedAt;
}

/** Marks every active holding of a set rotated, a page at a time (idempotent); returns how many. */
export async function rotateHoldings(app: AppContext, setId: string, at: string): Promise<number> {
  let count = 0;
  for (;;) {
    // Always from the start: rotated holdings drop out of the query. Done when the query matches
    // nothing (past empty pages), not when one page is empty.
    const page = await firstNonEmptyPage<BackupHolding>(catalogue(app), {
      where: [
        { field: "docType", op: "=", value: "backup-holding" },
        { field: "setId", op: "=", value: setId },
        { field: "status", op: "=", value: "active" },
      ],
      limit: 500,
    });
    if (page.items.length === 0) return count;
    await forEachLimit(page.items, 16, async (h) => {
      const rotated: BackupHolding = { ...h, status: "rotated", rotatedAt: at, ttl: ROTATED_HOLDING_TTL_S };
      await catalogue(app).upsert(rotated);
    });
    count += page.items.length;
  }
}
