import { z } from "zod";
import { queryAll } from "../util/paging";
import type { InventoryEntry } from "../../domain/inventory/schema";
import type { RequestDoc } from "../../domain/requests/model";
import { keyedHash, normaliseWhatsAppNumber } from "../../domain/subject";
import type { Doc } from "../../ports/document-store";
import type { AppContext, Executor } from "../context";
import { advance } from "./support";

/**
 * Correction (Privacy Policy §6; DPDP Act 2023 s.12): the principal names fields to correct; staff
 * review it (POST …/approve: `verified → in_progress`, then this runs; …/reject with a reason ends it).
 * The change goes through the data inventory: which category holds each field for the subject, and
 * how its records are found (the tenant's partition, or the keyed hash of a WhatsApp number). The
 * audit trail keeps, per field and category, keyed hashes of the values before and after, never the
 * values themselves.
 */

export const Correction = z.object({
  field: z.enum(["name", "email", "phone", "organisation", "role"]),
  value: z.string(),
});
export type Correction = z.infer<typeof Correction>;
type Field = Correction["field"];

/**
 * Where each correctable field lives, by inventory category. An account's data principal is its holder:
 * the account record and the owner's team-member record. A WhatsApp number's is the contact of the
 * businesses' conversations, known there by name only (the number itself is the identity: changing it
 * is erasing one number's data, not correcting it). The `role` of a person is their designation, never
 * their access role (`members.role`): a rights request must not grant access.
 */
const WHERE: {
  scope: "account" | "whatsapp_number";
  category: string;
  records: "tenant_record" | "owner_member" | "contact";
  fields: Partial<Record<Field, string>>;
}[] = [
  {
    scope: "account",
    category: "account",
    records: "tenant_record",
    fields: {
      name: "ownerName",
      email: "ownerEmail",
      phone: "ownerPhone",
      organisation: "organisation",
      role: "ownerDesignation",
    },
  },
  {
    scope: "account",
    category: "team_members",
    records: "owner_member",
    fields: { name: "name", email: "email", role: "designation" },
  },
  {
    scope: "whatsapp_number",
    category: "conversations",
    records: "contact",
    fields: { name: "contactName" },
  },
];

type CosmosEntry = InventoryEntry & { store: { kind: "cosmos" } };

/** The records of one category that hold the subject's fields: id and partition, and the current values. */
async function recordsOf(
  app: AppContext,
  entry: CosmosEntry,
  request: RequestDoc,
  how: (typeof WHERE)[number]["records"],
  fields: string[],
): Promise<(Doc & Record<string, unknown>)[]> {
  const coll = app.ports.documents.collection("platform", entry.store.container);
  if (request.scope.type === "account") {
    const tenantId = request.scope.tenantId;
    if (how === "tenant_record") {
      const read = await coll.read<Doc & Record<string, unknown>>(tenantId, tenantId);
      return read ? [read.doc] : [];
    }
    const page = await coll.query<Doc & Record<string, unknown>>({
      partitionKey: tenantId,
      where: [{ field: "role", op: "=", value: "owner" }],
      select: [entry.store.tenantField, ...fields],
      limit: 10,
    });
    return page.items;
  }
  if (request.scope.type !== "whatsapp_number" || !entry.store.whatsappHashField) return [];
  return queryAll<Doc & Record<string, unknown>>(coll, {
    where: [{ field: entry.store.whatsappHashField, op: "=", value: request.scope.numberHash }],
    select: [entry.store.tenantField, ...fields],
  });
}

/** The value as stored: emails lower-cased, phone numbers in E.164. */
function normalised(field: Field, value: string): string {
  const v = value.trim();
  if (field === "email") return v.toLowerCase();
  if (field === "phone") return normaliseWhatsAppNumber(v) ?? v;
  return v;
}

export interface AppliedChange {
  field: Field;
  category: string;
  records: number;
  /** Keyed hashes of the distinct values found before the change. */
  beforeHashes: string[];
  afterHash: string;
}

/** Applies the corrections through the inventory; returns what changed (hashes) and what is not held. */
export async function applyCorrections(app: AppContext, request: RequestDoc, corrections: Correction[]) {
  const scope = request.scope.type;
  const hash = (field: Field, value: unknown) =>
    keyedHash(
      app.keys.hash,
      `correction:${field}:${typeof value === "string" ? value : JSON.stringify(value ?? null)}`,
    );
  const changes: AppliedChange[] = [];
  const held = new Set<Field>();
  for (const place of WHERE.filter((w) => w.scope === scope)) {
    const wanted = corrections.filter((c) => place.fields[c.field] !== undefined);
    if (wanted.length === 0) continue;
    const entry = app.inventory.find(
      (e): e is CosmosEntry => e.category === place.category && e.store.kind === "cosmos",
    );
    if (!entry) continue;
    const paths = wanted.map((c) => place.fields[c.field]!);
    const records = await recordsOf(app, entry, request, place.records, paths);
    if (records.length === 0) continue;
    const coll = app.ports.documents.collection("platform", entry.store.container);
    for (const record of records) {
      const pk = record[entry.store.tenantField];
      if (typeof pk !== "string") continue;
      await coll.patch(
        record.id,
        pk,
        wanted.map((c) => ({
          op: "set" as const,
          path: place.fields[c.field]!,
          value: normalised(c.field, c.value),
        })),
      );
    }
    for (const c of wanted) {
      held.add(c.field);
      const path = place.fields[c.field]!;
      changes.push({
        field: c.field,
        category: place.category,
        records: records.length,
        beforeHashes: [...new Set(records.map((r) => hash(c.field, r[path])))],
        afterHash: hash(c.field, normalised(c.field, c.value)),
      });
    }
  }
  const notHeld = [...new Set(corrections.map((c) => c.field))].filter((f) => !held.has(f));
  return { changes, notHeld };
}

const LABEL: Record<Field, string> = {
  name: "name",
  email: "email address",
  phone: "phone number",
  organisation: "organisation",
  role: "role",
};

function closingReason(changed: Field[], notHeld: Field[], scope: string): string {
  const list = (fs: Field[]) => fs.map((f) => LABEL[f]).join(", ");
  const parts: string[] = [];
  if (changed.length) parts.push(`Corrected: ${list(changed)}.`);
  if (notHeld.length)
    parts.push(
      scope === "whatsapp_number" && notHeld.includes("phone")
        ? `Not changed: ${list(notHeld)}. We hold no such detail for this number, and the number itself identifies you: to stop its use, ask for its deletion.`
        : `Not changed: ${list(notHeld)}. We hold no such detail for you.`,
    );
  return parts.join(" ");
}

/**
 * A correction runs once staff approved it (`in_progress`); verified, it waits for that review. The
 * change is idempotent (setting the same values again), so a retry simply runs it again.
 */
export const correctionExecutor: Executor = async (app, request, step) => {
  if (request.status !== "in_progress") return;
  const corrections = z.array(Correction).min(1).parse(request.details.corrections);
  step("apply");
  const { changes, notHeld } = await applyCorrections(app, request, corrections);
  step("complete");
  const changed = [...new Set(changes.map((c) => c.field))];
  await advance(app, request, "complete", {
    reason: closingReason(changed, notHeld, request.scope.type),
    data: { changes, notHeld },
  });
};
