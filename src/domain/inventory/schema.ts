import { z } from "zod";
import { type PeriodName, periodNames, type PeriodTable } from "../policy/periods";

/**
 * The data inventory (DESIGN §3): every place that holds personal data, how a subject's records are
 * found there, and what each kind of request does to them. Purge, WhatsApp-number erasure, export and
 * the retention sweeps execute this data; none of them names a container of its own.
 */
const isoDuration = z
  .string()
  .regex(
    /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/,
    "an ISO 8601 duration, e.g. P30D",
  );

export const Retention = z
  .object({
    duration: isoDuration,
    /** Why it is kept: the policy section or the rule, quoted on the deletion certificate. */
    basis: z.string().min(5),
    /**
     * The period of src/domain/policy/periods.ts this retention is: its duration and basis then follow
     * the periods in use (configured overrides included, see `withPeriods`).
     */
    period: z.enum(periodNames as [PeriodName, ...PeriodName[]]).optional(),
  })
  .strict();
export type Retention = z.infer<typeof Retention>;

const fieldName = z.string().regex(/^[A-Za-z][A-Za-z0-9_.]*$/, "a field path");

/** What an account-deletion step does to the records of one inventory entry. */
export const PurgeAction = z.discriminatedUnion("type", [
  z.object({ type: z.literal("delete") }).strict(),
  z
    .object({
      type: z.literal("anonymise"),
      fields: z.array(fieldName).min(1),
      thenRetain: Retention,
    })
    .strict(),
  z.object({ type: z.literal("retain"), retention: Retention }).strict(),
  /** Deleted, with the amount given up recorded on the certificate ("credits forfeited", Account Deletion §3). */
  z.object({ type: z.literal("forfeit"), amountField: fieldName }).strict(),
]);

/** Immediate effects of deactivation: set a status field, remembering the previous value for reactivation. */
export const DeactivationAction = z
  .object({
    type: z.enum(["disable", "revoke", "stop", "remove_access"]),
    field: fieldName,
    value: z.string(),
    /** API keys stay revoked on reactivation (Account Deletion §6); everything else comes back. */
    restoreOnReactivation: z.boolean(),
  })
  .strict();

export const WhatsAppErasureAction = z.discriminatedUnion("type", [
  z.object({ type: z.literal("delete") }).strict(),
  z
    .object({ type: z.literal("anonymise"), fields: z.array(fieldName).min(1), reason: z.string().min(5) })
    .strict(),
  /** The number identifies an account holder: report it and route to the account flow, never half-delete. */
  z.object({ type: z.literal("route_to_account_flow") }).strict(),
]);

/**
 * What the daily retention sweep does to records older than the entry's `retention` (Privacy Policy §5:
 * usage logs at most 90 days, then deleted or anonymised). `ageField` holds the record's ISO 8601 time.
 */
export const RetentionSweep = z
  .object({
    ageField: fieldName,
    action: z.discriminatedUnion("type", [
      z.object({ type: z.literal("delete") }).strict(),
      z.object({ type: z.literal("anonymise"), fields: z.array(fieldName).min(1) }).strict(),
    ]),
  })
  .strict();
export type RetentionSweep = z.infer<typeof RetentionSweep>;

const CosmosLocation = z
  .object({
    kind: z.literal("cosmos"),
    container: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{1,62}$/),
    /** The partition key path holds the tenant id: one partition per tenant (tenant isolation). */
    tenantField: fieldName,
    /** Keyed hash of a contact's E.164 number, where the entry holds one. */
    whatsappHashField: fieldName.optional(),
  })
  .strict();

const BlobLocation = z
  .object({
    kind: z.literal("blob"),
    container: z.string().regex(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/),
    /** Blob names start with `<tenantId>/`; a WhatsApp subject's blobs are named on a Cosmos record. */
    linkedFrom: z.object({ category: z.string(), field: fieldName }).strict().optional(),
  })
  .strict();

export const InventoryEntry = z
  .object({
    category: z.string().regex(/^[a-z][a-z0-9_]*$/),
    /** The category as the policies name it, for people. */
    label: z.string().min(3),
    policyRef: z.string().min(3),
    purpose: z.string().min(3),
    legalBasis: z.string().min(3),
    store: z.discriminatedUnion("kind", [CosmosLocation, BlobLocation]),
    onDeactivation: DeactivationAction.optional(),
    onAccountPurge: PurgeAction,
    onWhatsAppErasure: WhatsAppErasureAction.optional(),
    export: z.object({ include: z.boolean(), omitFields: z.array(fieldName).default([]) }).strict(),
    /** How long records are kept while the account lives, where the policies set a limit. */
    retention: Retention.optional(),
    /** The retention sweep of this entry: what happens to records once `retention` has passed. */
    sweep: RetentionSweep.optional(),
  })
  .strict();

export const Inventory = z
  .array(InventoryEntry)
  .min(1)
  .superRefine((entries, ctx) => {
    const seen = new Set<string>();
    for (const [i, e] of entries.entries()) {
      if (seen.has(e.category)) {
        ctx.addIssue({ code: "custom", path: [i, "category"], message: `duplicate category ${e.category}` });
      }
      seen.add(e.category);
    }
    for (const [i, e] of entries.entries()) {
      if (e.store.kind === "blob" && e.store.linkedFrom && !seen.has(e.store.linkedFrom.category)) {
        ctx.addIssue({
          code: "custom",
          path: [i, "store", "linkedFrom", "category"],
          message: `links to unknown category ${e.store.linkedFrom.category}`,
        });
      }
      if (e.onWhatsAppErasure && e.store.kind === "cosmos" && !e.store.whatsappHashField) {
        ctx.addIssue({
          code: "custom",
          path: [i, "onWhatsAppErasure"],
          message: "a WhatsApp erasure action needs store.whatsappHashField to find the records",
        });
      }
      if (e.sweep && (e.store.kind !== "cosmos" || !e.retention)) {
        ctx.addIssue({
          code: "custom",
          path: [i, "sweep"],
          message: "a retention sweep needs a Cosmos store and a retention period",
        });
      }
      if (e.onWhatsAppErasure && e.store.kind === "blob" && !e.store.linkedFrom) {
        ctx.addIssue({
          code: "custom",
          path: [i, "onWhatsAppErasure"],
          message: "a WhatsApp erasure action on blobs needs store.linkedFrom to find them",
        });
      }
    }
  });

export type InventoryEntry = z.infer<typeof InventoryEntry>;
export type Inventory = z.infer<typeof Inventory>;
export type PurgeAction = z.infer<typeof PurgeAction>;

export function parseInventory(raw: unknown): Inventory {
  const result = Inventory.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  - inventory[${i.path.join(".")}]: ${i.message}`);
    throw new Error(`The data inventory is invalid:\n${lines.join("\n")}`);
  }
  return result.data;
}

export const cosmosEntries = (inv: Inventory) =>
  inv.filter(
    (e): e is InventoryEntry & { store: z.infer<typeof CosmosLocation> } => e.store.kind === "cosmos",
  );
export const blobEntries = (inv: Inventory) =>
  inv.filter((e): e is InventoryEntry & { store: z.infer<typeof BlobLocation> } => e.store.kind === "blob");

/** "cosmos:platform/messages", "blob:audio": how the inventory endpoint names a store. */
export function storeName(entry: InventoryEntry): string {
  return entry.store.kind === "cosmos"
    ? `cosmos:platform/${entry.store.container}`
    : `blob:${entry.store.container}`;
}

/** A retention that is one of the policy periods: its duration and basis, as the periods module has them. */
export function retentionOf(name: PeriodName, table: PeriodTable): Retention {
  return { duration: table[name].duration, basis: table[name].basis, period: name };
}

/**
 * The inventory with every retention that names a period set from `table` (the periods in use), so an
 * overridden period is what the sweeps run on and what the deletion certificate quotes.
 */
export function withPeriods(inventory: Inventory, table: PeriodTable): Inventory {
  const apply = (r: Retention): Retention => (r.period ? retentionOf(r.period, table) : r);
  return inventory.map((e) => ({
    ...e,
    ...(e.retention ? { retention: apply(e.retention) } : {}),
    onAccountPurge:
      e.onAccountPurge.type === "anonymise"
        ? { ...e.onAccountPurge, thenRetain: apply(e.onAccountPurge.thenRetain) }
        : e.onAccountPurge.type === "retain"
          ? { ...e.onAccountPurge, retention: apply(e.onAccountPurge.retention) }
          : e.onAccountPurge,
  }));
}
