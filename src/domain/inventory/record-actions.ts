import { addDuration } from "../duration";
import { tenantReferences } from "../storage/record-references";
import type { Anonymisation } from "./anonymisation";
import { getPath } from "./record-path";
import type { Inventory, InventoryEntry, Retention } from "./schema";

/**
 * The one record-action engine (issue 18): what each action of the inventory does to the records of an
 * entry, as data. The account purge, the WhatsApp-number erasure, a restore re-applying that erasure and
 * the retention sweep all ask here and carry out the answer (reads, patches, deletes, counts and
 * checkpoints are theirs), so they delete, anonymise, retain and forfeit a record the same way: a
 * restore re-applies an erasure exactly as the erasure does because it is the same code.
 */
export type InventoryAction =
  /** Day 30 of an account deletion (`onAccountPurge`, Account Deletion §3–§4). */
  | "account_purge"
  /** The erasure of a WhatsApp number (`onWhatsAppErasure`, Data Deletion §1–§3); a restore re-applies it. */
  | "whatsapp_erasure"
  /** Records past the entry's `retention` (`sweep`, Privacy Policy §5). */
  | "retention_sweep"
  /** Records an account purge anonymised and retained, once their `retainUntil` has passed. */
  | "retained_until";

export const INVENTORY_ACTIONS: readonly InventoryAction[] = [
  "account_purge",
  "whatsapp_erasure",
  "retention_sweep",
  "retained_until",
];

/** Blobs named on a record of a Cosmos entry (`linkedFrom`, e.g. a conversation's `audioBlobs`). */
export interface LinkedBlobs {
  category: string;
  label: string;
  container: string;
  /** The field of the record that lists the blob names. */
  field: string;
}

/** What one action does to the records of one entry. */
export type EntryDecision =
  /** The action leaves the entry's records alone. */
  | { type: "none" }
  /** Deleted; `blobs`: blobs named on each record that go with it (before it, while the names are known). */
  | { type: "delete"; blobs: LinkedBlobs[] }
  | { type: "anonymise"; anonymisation: Anonymisation; blobs: LinkedBlobs[]; retention?: Retention }
  /** Kept as they are, for this long and on this basis. */
  | { type: "retain"; retention: Retention }
  /** Deleted, with the amount each held given up (`amountField`) recorded first. */
  | { type: "forfeit"; amountField: string }
  /** The records identify an account holder: reported and left to the account flow, never half-deleted. */
  | { type: "route_to_account_flow" };

/** What a record that was anonymised says about it, per action (the listings of unfinished records use it). */
export const ANONYMISED_MARK = {
  account_purge: "anonymisedAt",
  whatsapp_erasure: "anonymisedAt",
  retention_sweep: "sweptAt",
} as const;

export const WHATSAPP_ERASURE_MARK = "whatsapp_number_erasure";

/**
 * The blob entries linked from `entry` whose own step of `action` deletes them: those blobs go with the
 * records that name them, and an anonymised record's lists of them are emptied.
 */
export function linkedBlobs(
  inventory: Inventory,
  entry: InventoryEntry,
  action: InventoryAction,
): LinkedBlobs[] {
  const out: LinkedBlobs[] = [];
  for (const e of inventory) {
    if (e.store.kind !== "blob" || e.store.linkedFrom?.category !== entry.category) continue;
    const step =
      action === "account_purge"
        ? e.onAccountPurge.type
        : action === "whatsapp_erasure"
          ? e.onWhatsAppErasure?.type
          : undefined;
    if (step !== "delete") continue;
    out.push({
      category: e.category,
      label: e.label,
      container: e.store.container,
      field: e.store.linkedFrom.field,
    });
  }
  return out;
}

/** The field of the entry that holds the keyed hash of a contact's number, where it has one. */
export const hashField = (entry: InventoryEntry): string | undefined =>
  entry.store.kind === "cosmos" ? entry.store.whatsappHashField : undefined;

/** The keyed hash of a contact's number a record holds, if any. */
export function recordHash(entry: InventoryEntry, doc: unknown): string | undefined {
  const field = hashField(entry);
  const value = field === undefined ? undefined : getPath(doc, field);
  return typeof value === "string" && value ? value : undefined;
}

/** The tenant a record belongs to, by the entry's `tenantField` (Cosmos entries only). */
export function recordTenant(entry: InventoryEntry, doc: unknown): string | undefined {
  const value = entry.store.kind === "cosmos" ? getPath(doc, entry.store.tenantField) : undefined;
  return typeof value === "string" ? value : undefined;
}

/**
 * The blob names one record of `tenantId` links to, per linked entry: the tenant's own, which may be
 * followed, and a count of the rest (another tenant's storage, a name that climbs out), which are refused.
 */
export const recordBlobs = (tenantId: string, blobs: readonly LinkedBlobs[], doc: unknown) =>
  blobs.map((link) => ({ link, ...tenantReferences(tenantId, getPath(doc, link.field)) }));

/**
 * An anonymisation of `entry`'s records: the fields named, the keyed hash of a contact's number (a
 * pseudonymous identifier of the person: an anonymised record never keeps it), the lists of the blobs
 * the same action deletes emptied, and the mark `mark` set last.
 */
function anonymisation(
  entry: InventoryEntry,
  fields: readonly string[],
  blobs: readonly LinkedBlobs[],
  mark: Record<string, string>,
): Anonymisation {
  const hash = hashField(entry);
  return {
    remove: [...new Set([...fields, ...(hash ? [hash] : [])])],
    empty: blobs.map((b) => b.field),
    mark,
  };
}

function onAccountPurge(entry: InventoryEntry, blobs: LinkedBlobs[], now: Date): EntryDecision {
  const step = entry.onAccountPurge;
  if (step.type === "retain") return { type: "retain", retention: step.retention };
  // A tenant's blobs are found by its own name prefix and deleted, whatever else the entry says.
  if (entry.store.kind === "blob" || step.type === "delete") return { type: "delete", blobs };
  if (step.type === "forfeit") return { type: "forfeit", amountField: step.amountField };
  const mark = {
    [ANONYMISED_MARK.account_purge]: now.toISOString(),
    retainUntil: addDuration(now, step.thenRetain.duration).toISOString(),
    retentionBasis: step.thenRetain.basis,
  };
  return {
    type: "anonymise",
    anonymisation: anonymisation(entry, step.fields, blobs, mark),
    blobs,
    retention: step.thenRetain,
  };
}

function onWhatsAppErasure(entry: InventoryEntry, blobs: LinkedBlobs[], now: Date): EntryDecision {
  const step = entry.onWhatsAppErasure;
  if (!step) return { type: "none" };
  if (step.type === "route_to_account_flow") return { type: "route_to_account_flow" };
  if (step.type === "delete") return { type: "delete", blobs };
  const mark = {
    [ANONYMISED_MARK.whatsapp_erasure]: now.toISOString(),
    anonymisedFor: WHATSAPP_ERASURE_MARK,
  };
  return { type: "anonymise", anonymisation: anonymisation(entry, step.fields, blobs, mark), blobs };
}

function onRetentionSweep(entry: InventoryEntry, blobs: LinkedBlobs[], now: Date): EntryDecision {
  const step = entry.sweep;
  if (!step || !entry.retention) return { type: "none" };
  if (step.action.type === "delete") return { type: "delete", blobs };
  const mark = { [ANONYMISED_MARK.retention_sweep]: now.toISOString() };
  return {
    type: "anonymise",
    anonymisation: anonymisation(entry, step.action.fields, blobs, mark),
    blobs,
    retention: entry.retention,
  };
}

/** What `action` does to the records of `entry`, at `now` (the time an anonymised record is marked with). */
export function decide(
  inventory: Inventory,
  entry: InventoryEntry,
  action: InventoryAction,
  now: Date,
): EntryDecision {
  const blobs = entry.store.kind === "cosmos" ? linkedBlobs(inventory, entry, action) : [];
  switch (action) {
    case "account_purge":
      return onAccountPurge(entry, blobs, now);
    case "whatsapp_erasure":
      return onWhatsAppErasure(entry, blobs, now);
    case "retention_sweep":
      return onRetentionSweep(entry, blobs, now);
    case "retained_until":
      return entry.onAccountPurge.type === "anonymise" ? { type: "delete", blobs } : { type: "none" };
  }
}

/** What a decision does to one record: the amount a forfeit gives up is the record's. */
export type RecordDecision =
  Exclude<EntryDecision, { type: "forfeit" }> | { type: "forfeit"; amount: number };

export function decideRecord(decision: EntryDecision, doc: unknown): RecordDecision {
  if (decision.type !== "forfeit") return decision;
  const value = getPath(doc, decision.amountField);
  return { type: "forfeit", amount: typeof value === "number" && Number.isFinite(value) ? value : 0 };
}
