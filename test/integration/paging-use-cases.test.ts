import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { activeBackupsHolding, lastRotationOf, rotateHoldings } from "../../src/app/backups/holdings";
import { queryAll, queryFirst } from "../../src/app/util/paging";
import {
  principalErasureRecordId,
  principalErasureRecords,
} from "../../src/app/whatsapp-erasure/tenant-record";
import { tenantPartition } from "../../src/domain/storage/partition-keys";
import { type DocumentCollection, InvalidContinuationTokenError } from "../../src/ports/document-store";
import { cosmosLikeStore, type PagingStats } from "../support/cosmos-like-paging";
import { startTestHost, type TestHost } from "../support/host";
import { patchPort } from "../support/ports";

/**
 * Use cases against Cosmos' paging as Azure does it (DESIGN §9): the running host's document store is
 * swapped for test/support/cosmos-like-paging.ts, which answers every query with an empty first page and
 * then one item per page, empty pages between. Each use case here used to read the first page only (or
 * stop on an empty page) and so found nothing; each must now find what sits after the empty page.
 */

let host: TestHost;
let undo: () => void;
const stats: PagingStats = { queries: 0, emptyPagesWithToken: 0 };
const run = randomBytes(4).toString("hex");

const catalogue = (): DocumentCollection => host.runtime.app.ports.documents.collection("service", "backups");
const jobs = (): DocumentCollection => host.runtime.app.ports.documents.collection("service", "jobs");

beforeAll(async () => {
  host = await startTestHost();
  undo = patchPort(host, "documents", cosmosLikeStore(host.runtime.app.ports.documents, { stats }));
});

afterAll(async () => {
  undo?.();
  await host?.stop();
});

describe("the cosmos-like paging wrapper", () => {
  it("answers an empty first page with a token, then one item per page, and ends only without a token", async () => {
    const pk = `paging:${run}:wrapper`;
    for (const n of [3, 1, 2]) await jobs().create({ id: `w-${n}`, pk, docType: "paging-probe", n });
    const first = await jobs().query({
      partitionKey: pk,
      orderBy: { field: "n", direction: "desc" },
      limit: 100,
    });
    expect(first.items).toEqual([]);
    expect(first.continuationToken).toBeDefined();
    const sizes: number[] = [];
    const seen: number[] = [];
    let token = first.continuationToken;
    while (token) {
      const page = await jobs().query<{ id: string; n: number }>({
        partitionKey: pk,
        orderBy: { field: "n", direction: "desc" },
        limit: 100,
        continuationToken: token,
      });
      sizes.push(page.items.length);
      seen.push(...page.items.map((d) => d.n));
      token = page.continuationToken;
    }
    expect(seen).toEqual([3, 2, 1]);
    expect(sizes).toEqual([1, 0, 1, 0, 1, 0, 0]);
    expect(await queryAll(jobs(), { partitionKey: pk })).toHaveLength(3);
    expect(
      (
        await queryFirst<{ id: string; n: number }>(jobs(), {
          partitionKey: pk,
          orderBy: { field: "n", direction: "asc" },
        })
      )?.n,
    ).toBe(1);
  });

  it("refuses a token it did not give out, or one from another query", async () => {
    const pk = `paging:${run}:wrapper`;
    await expect(jobs().query({ partitionKey: pk, continuationToken: "nope" })).rejects.toBeInstanceOf(
      InvalidContinuationTokenError,
    );
    const other = await jobs().query({ partitionKey: `${pk}:other` });
    await expect(
      jobs().query({ partitionKey: pk, continuationToken: other.continuationToken! }),
    ).rejects.toBeInstanceOf(InvalidContinuationTokenError);
  });
});

describe("backups: holdings of a subject (src/app/backups/holdings.ts)", () => {
  const subject = `tenant:paging-${run}`;
  const holding = (setId: string, status: "active" | "rotated", rotatedAt?: string) => ({
    id: `holding:${setId}:${subject}`,
    pk: subject,
    docType: "backup-holding",
    setId,
    subject,
    status,
    expiresAt: "2099-01-01T00:00:00.000Z",
    ...(rotatedAt ? { rotatedAt } : {}),
  });

  beforeAll(async () => {
    await catalogue().upsert(holding(`set-a-${run}`, "active"));
    await catalogue().upsert(holding(`set-b-${run}`, "active"));
    await catalogue().upsert(holding(`set-c-${run}`, "rotated", "2025-01-01T00:00:00.000Z"));
    await catalogue().upsert(holding(`set-d-${run}`, "rotated", "2025-03-01T00:00:00.000Z"));
  });

  it("the first page alone holds nothing: reading one page (the old code) finds no holding", async () => {
    const page = await catalogue().query({
      partitionKey: subject,
      where: [
        { field: "docType", op: "=", value: "backup-holding" },
        { field: "status", op: "=", value: "active" },
      ],
      limit: 1000,
    });
    expect(page.items).toEqual([]);
    expect(page.continuationToken).toBeDefined();
  });

  it("activeBackupsHolding finds every active holding after the empty first page", async () => {
    const before = stats.emptyPagesWithToken;
    const held = (await activeBackupsHolding(host.runtime.app, subject)).filter((h) => h.subject === subject);
    expect(held.map((h) => h.setId).sort()).toEqual([`set-a-${run}`, `set-b-${run}`]);
    expect(stats.emptyPagesWithToken).toBeGreaterThan(before);
  });

  it("lastRotationOf finds the newest rotation after the empty first page", async () => {
    expect(await lastRotationOf(host.runtime.app, subject)).toBe("2025-03-01T00:00:00.000Z");
    expect(await lastRotationOf(host.runtime.app, `tenant:paging-${run}-nobody`)).toBeUndefined();
  });

  it("rotateHoldings rotates a set's holdings though every query starts with an empty page", async () => {
    expect(await rotateHoldings(host.runtime.app, `set-a-${run}`, "2025-06-01T00:00:00.000Z")).toBe(1);
    const held = (await activeBackupsHolding(host.runtime.app, subject)).filter((h) => h.subject === subject);
    expect(held.map((h) => h.setId)).toEqual([`set-b-${run}`]);
    expect(await lastRotationOf(host.runtime.app, subject)).toBe("2025-06-01T00:00:00.000Z");
    // Nothing left to rotate: ends (past its empty pages) without spinning.
    expect(await rotateHoldings(host.runtime.app, `set-a-${run}`, "2025-06-02T00:00:00.000Z")).toBe(0);
  });
});

describe("WhatsApp erasure: what a tenant is told (src/app/whatsapp-erasure/tenant-record.ts)", () => {
  const tenantId = `paging-${run}`;
  const record = (requestId: string, firstAt: string) => ({
    id: principalErasureRecordId(requestId),
    pk: tenantPartition(tenantId),
    docType: "principal-erasure",
    tenantId,
    requestId,
    subject: { type: "whatsapp_number", numberHash: `hash-${requestId}` },
    basis: "test",
    categories: { conversations: { action: "deleted", count: 2 } },
    firstAt,
    updatedAt: firstAt,
    lastChunk: 0,
  });

  beforeAll(async () => {
    await jobs().upsert(record(`r1-${run}`, "2025-01-01T00:00:00.000Z"));
    await jobs().upsert(record(`r2-${run}`, "2025-02-01T00:00:00.000Z"));
    await jobs().upsert(record(`r3-${run}`, "2025-03-01T00:00:00.000Z"));
  });

  it("principalErasureRecords lists every record, newest first, past the empty first page", async () => {
    const records = await principalErasureRecords(host.runtime.app, tenantId);
    expect(records.map((r) => r.requestId)).toEqual([`r3-${run}`, `r2-${run}`, `r1-${run}`]);
  });
});
