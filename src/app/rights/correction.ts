import { z } from "zod";
import { eventFor, fanOutToProcessors } from "../processors";
import { correctionCategories } from "../../domain/processors/affected";
import { seal } from "../../domain/crypto";
import { queryAll } from "../util";
import type { InventoryEntry } from "../../domain/inventory/schema";
import type { Actor, RequestDoc } from "../../domain/requests/model";
import { keyedHash, normaliseWhatsAppNumber } from "../../domain/subject";
import type { Doc } from "../../ports/document-store";
import type { AppContext, Executor } from "../context";
import { AuditLog } from "../audit";
import { markApplied } from "./applied-at";
import { issueCode } from "../requests";
import { filedByTeamMember, teamMemberFilingRefused } from "./owner-only";
import { advance, maskEmail, maskPhone, SYSTEM } from "./support";
import { platformRecords } from "../stores";

/**
 * Correction (Privacy Policy §6; DPDP Act 2023 s.12): the principal names fields to correct; staff
 * review it (POST …/approve: `verified → in_progress`, then this runs; …/reject with a reason ends it).
 * The change goes through the data inventory: which category holds each field for the subject, and
 * how its records are found (the tenant's partition, or the keyed hash of a WhatsApp number). The
 * audit trail keeps, per field and category, keyed hashes of the values before and after, never the
 * values themselves.
 *
 * An account's corrections are the owner's alone (src/app/rights/owner-only.ts). A new email address or
 * phone number for the owner is where account deletion is confirmed from and notices go, so it counts
 * only once it proves control: after approval a one-time code goes to the new address, and the
 * correction applies when the owner enters it (POST …/confirmation, src/app/rights/correction-confirmation.ts).
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
  onlyTenant?: string,
): Promise<(Doc & Record<string, unknown>)[]> {
  const coll = platformRecords(app, entry);
  if (request.scope.type === "account") {
    const tenantId = request.scope.tenantId;
    if (onlyTenant !== undefined && onlyTenant !== tenantId) return [];
    if (how === "tenant_record") {
      const read = await coll.read<Doc & Record<string, unknown>>(tenantId, tenantId);
      return read ? [read.doc] : [];
    }
    return queryAll<Doc & Record<string, unknown>>(coll, {
      partitionKey: tenantId,
      where: [{ field: "role", op: "=", value: "owner" }],
      select: [entry.store.tenantField, ...fields],
    });
  }
  if (request.scope.type !== "whatsapp_number" || !entry.store.whatsappHashField) return [];
  return queryAll<Doc & Record<string, unknown>>(coll, {
    ...(onlyTenant !== undefined ? { partitionKey: onlyTenant } : {}),
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
export async function applyCorrections(
  app: AppContext,
  request: RequestDoc,
  corrections: Correction[],
  onlyTenant?: string,
) {
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
    const records = await recordsOf(app, entry, request, place.records, paths, onlyTenant);
    if (records.length === 0) continue;
    const coll = platformRecords(app, entry);
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

/**
 * The corrections applied again to one tenant's records only (a restore re-applies a correction made
 * after its backup set, src/app/restore/reapply/correction.ts): a number's other businesses are not touched.
 */
export const applyCorrectionsInTenant = (
  app: AppContext,
  request: RequestDoc,
  corrections: Correction[],
  tenantId: string,
) => applyCorrections(app, request, corrections, tenantId);

/** A new address for the owner: it must prove control before the correction applies. */
export interface ContactChange {
  field: "email" | "phone";
  channel: "email" | "whatsapp";
  /** As it will be stored (emails lower-cased, numbers in E.164). */
  address: string;
}

/**
 * Progress of the proof, on the request (`details.confirmation`, shown to the requester): which new
 * address has been sent a code (masked), and which are confirmed. No code or hash: those are kept by
 * the subject's verification record (src/app/requests/subject-verification.ts).
 */
export const Confirmation = z.object({
  awaiting: z.enum(["email", "phone"]).optional(),
  sentTo: z.string().optional(),
  sentAt: z.string().optional(),
  confirmed: z.array(z.enum(["email", "phone"])).default([]),
});
export type Confirmation = z.infer<typeof Confirmation>;

export function confirmationOf(doc: RequestDoc): Confirmation {
  const parsed = Confirmation.safeParse(doc.details.confirmation ?? {});
  return parsed.success ? parsed.data : { confirmed: [] };
}

/** Where the owner's contact lives on the account record (the owner's member record follows it). */
const OWNER_CONTACT = { email: "ownerEmail", phone: "ownerPhone" } as const;

/**
 * The owner's new addresses in an account's correction that still have to prove control, email first:
 * an address the account already has as its registered one needs no proof. Of two corrections of one
 * field the last is the one applied (its write comes last), so the last is the one proved.
 */
export async function contactChangesToConfirm(
  app: AppContext,
  request: RequestDoc,
  corrections: Correction[],
): Promise<ContactChange[]> {
  if (request.scope.type !== "account") return [];
  const { confirmed } = confirmationOf(request);
  const wanted = (["email", "phone"] as const)
    .filter((field) => !confirmed.includes(field))
    .flatMap((field) => {
      const last = corrections.findLast((c) => c.field === field);
      return last ? [{ field, address: normalised(field, last.value) }] : [];
    });
  if (wanted.length === 0) return [];
  const entry = app.inventory.find(
    (e): e is CosmosEntry => e.category === "account" && e.store.kind === "cosmos",
  );
  const tenantId = request.scope.tenantId;
  const account = entry
    ? (await platformRecords(app, entry).read<Doc & Record<string, unknown>>(tenantId, tenantId))?.doc
    : undefined;
  return wanted
    .filter(({ field, address }) => {
      const current = account?.[OWNER_CONTACT[field]];
      return !(typeof current === "string" && normalised(field, current) === address);
    })
    .map(({ field, address }) => ({ field, channel: field === "email" ? "email" : "whatsapp", address }));
}

/** How the subject's verification record knows the new address: a keyed hash, as a request's contact. */
export const contactHashOf = (app: AppContext, change: ContactChange) =>
  keyedHash(app.keys.hash, `${change.channel}:${change.address}`);

/**
 * Sends a one-time code to the new address, through the same code and notice path as a request's
 * verification (the subject's one live code and message budget), and records that it waits for it.
 * False when the subject's message budget is spent: nothing was sent.
 */
export async function sendConfirmationCode(
  app: AppContext,
  request: RequestDoc,
  change: ContactChange,
  actor: Actor,
): Promise<boolean> {
  const toNewAddress: RequestDoc = {
    ...request,
    contact: {
      channel: change.channel,
      sealed: seal(app.keys.seal, change.address),
      hash: contactHashOf(app, change),
    },
  };
  const sent = await issueCode(app, toNewAddress);
  const now = app.ports.clock.now().toISOString();
  await app.stores.requests.update(request.id, (doc) => {
    const { sentAt: previous, ...rest } = confirmationOf(doc);
    // Nothing sent (budget spent): the code sent before to this address, if any, is still the one.
    const sentAt = sent ? now : rest.awaiting === change.field ? previous : undefined;
    doc.details = {
      ...doc.details,
      confirmation: {
        ...rest,
        awaiting: change.field,
        sentTo: change.field === "email" ? maskEmail(change.address) : maskPhone(change.address),
        ...(sentAt ? { sentAt } : {}),
      } satisfies Confirmation,
    };
    return doc;
  });
  await new AuditLog(app).append(request.id, {
    actor,
    action: "confirmation_sent",
    data: { field: change.field, sent },
  });
  return sent;
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
 * A correction runs once staff approved it (`in_progress`); verified, it waits for that review. A new
 * owner email or phone number first gets its code, one address at a time (the subject has one live
 * code); the run stops there and the owner's confirmation runs it again. The change is idempotent
 * (setting the same values again), so a retry simply runs it again.
 */
export const correctionExecutor: Executor = async (app, request, step) => {
  if (request.status !== "in_progress") return;
  // Approved before the rule held at approval: it must still not change the owner's data.
  if (filedByTeamMember(request)) throw teamMemberFilingRefused(request);
  const corrections = z.array(Correction).min(1).parse(request.details.corrections);
  const [next] = await contactChangesToConfirm(app, request, corrections);
  if (next) {
    // The code is out already: the owner enters it, or asks for another (POST …/confirmation/resend).
    if (confirmationOf(request).awaiting === next.field) return;
    step("confirm_contact");
    await sendConfirmationCode(app, request, next, SYSTEM);
    return;
  }
  step("apply");
  // Recorded before the records change, so a restore running between the change and the completion
  // re-applies it (a correction still waiting for the owner's code never gets here: nothing applied).
  const applied = await markApplied(app, request.id);
  if (!applied) return;
  const { changes, notHeld } = await applyCorrections(app, applied, corrections);
  const changed = [...new Set(changes.map((c) => c.field))];
  if (changed.length) {
    step("processors");
    // Partners holding the corrected details are told to correct them too; idempotent.
    const event = eventFor(applied, "correction", correctionCategories(applied.scope.type));
    if (event) await fanOutToProcessors(app, applied, event);
  }
  step("complete");
  await advance(app, applied, "complete", {
    reason: closingReason(changed, notHeld, request.scope.type),
    data: { changes, notHeld },
  });
};
