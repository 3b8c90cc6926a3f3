import { z } from "zod";
import { addRefused, RefusedReference } from "../../domain/storage/record-references";
import type { AppContext } from "../context";
import { queryAll } from "../util";
import type { ErasureOutcome } from "./plan";
import { tenantPartition } from "../../domain/storage/partition-keys";

/**
 * What an affected tenant is told: one `principal-erasure` record per (request, tenant) in the
 * service's `jobs` container, partition `tenant:<tenantId>` (so a tenant's records are one partition
 * read, and an account purge or export can find them there). It names the person only by the keyed
 * hash of their number, says which categories lost how many records and on what basis, and never
 * holds the number, the name or any content.
 */
export const PrincipalErasureRecord = z
  .object({
    id: z.string(),
    pk: z.string(),
    docType: z.literal("principal-erasure"),
    tenantId: z.string(),
    requestId: z.string(),
    subject: z.object({ type: z.literal("whatsapp_number"), numberHash: z.string() }).strict(),
    basis: z.string(),
    categories: z.record(
      z.string(),
      z.object({ action: z.enum(["deleted", "anonymised", "routed"]), count: z.number().int() }).strict(),
    ),
    /**
     * References on this tenant's records of the person into another tenant's storage: refused (not
     * read, not deleted) and cleared from the records the erasure kept. Counts only, no names.
     */
    refusedReferences: z.array(RefusedReference).default([]),
    firstAt: z.string(),
    updatedAt: z.string(),
    /** The last chunk of the erasure job counted here: a chunk replayed after a crash is not counted twice. */
    lastChunk: z.number().int(),
  })
  .strict();
export type PrincipalErasureRecord = z.infer<typeof PrincipalErasureRecord>;

export const principalErasureRecordId = (requestId: string) => `principal-erasure:${requestId}`;

const BASIS =
  "Erasure requested by the data principal for their WhatsApp number (Data Deletion Instructions §1–§3; DPDP Act 2023 s.12)";

const jobs = (app: AppContext) => app.stores.principalErasures;

/** Adds one chunk's counts to the tenant's record; a chunk already counted (`chunk <= lastChunk`) is skipped. */
export async function recordForTenant(
  app: AppContext,
  input: {
    tenantId: string;
    requestId: string;
    numberHash: string;
    chunk: number;
    counts: Record<string, { action: ErasureOutcome; count: number }>;
    refused?: readonly RefusedReference[];
  },
): Promise<void> {
  const id = principalErasureRecordId(input.requestId);
  const pk = tenantPartition(input.tenantId);
  const now = app.ports.clock.now().toISOString();
  const found = await jobs(app).read<PrincipalErasureRecord>(id, pk);
  const current = found ? PrincipalErasureRecord.parse(found.doc) : undefined;
  if (current && current.lastChunk >= input.chunk) return;
  const categories = { ...(current?.categories ?? {}) };
  for (const [category, { action, count }] of Object.entries(input.counts)) {
    categories[category] = { action, count: (categories[category]?.count ?? 0) + count };
  }
  let refusedReferences = current?.refusedReferences ?? [];
  for (const r of input.refused ?? []) {
    refusedReferences = addRefused(refusedReferences, r.category, r.field, r.count);
  }
  const next: PrincipalErasureRecord = {
    id,
    pk,
    docType: "principal-erasure",
    tenantId: input.tenantId,
    requestId: input.requestId,
    subject: { type: "whatsapp_number", numberHash: input.numberHash },
    basis: BASIS,
    categories,
    refusedReferences,
    firstAt: current?.firstAt ?? now,
    updatedAt: now,
    lastChunk: input.chunk,
  };
  // One job run writes a tenant's record at a time (the job's checkpoint is ETag-guarded), so a
  // plain upsert is enough here.
  await jobs(app).upsert(next);
}

/** The records of what was removed for principals in one tenant, newest first. */
export async function principalErasureRecords(app: AppContext, tenantId: string) {
  // Every page: the first page of an ORDER BY may be empty or short in Azure.
  const records = await queryAll<PrincipalErasureRecord>(jobs(app), {
    partitionKey: tenantPartition(tenantId),
    where: [{ field: "docType", op: "=", value: "principal-erasure" }],
    orderBy: { field: "firstAt", direction: "desc" },
    limit: 100,
  });
  return records.map((d) => PrincipalErasureRecord.parse(d));
}
