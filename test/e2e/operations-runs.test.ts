import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RecordingLogs } from "../../src/adapters/logging/recording";
import type { RunDoc } from "../../src/app/operations/run-record";
import { testData } from "../support/generators";
import { startTestHost, type TestHost } from "../support/host";
import { patchPort, wrapCollection } from "../support/ports";

/**
 * Issue 18 item 5: a reconcile run keeps each item that failed (ids, step, error class, when) and its counts,
 * staff read them at GET /api/v1/operations/runs, and nothing personal reaches a log or a run record.
 */

let host: TestHost;
let support: string;
let officer: string;

/** Seeded, never the wall clock: the same numbers every run. */
const data = testData("operations-runs");
const mobile = () => data.mobile();

async function seed(contacts: string[]) {
  const res = await host.call("POST", "/_dev/seed", {
    body: { conversations: 1, messagesPerConversation: 2, contacts },
  });
  expect(res.status).toBe(201);
  return res.body as { tenantId: string; ownerToken: string };
}

/** The owner asks; the purge message cannot be scheduled, so the hourly reconciliation is what purges. */
async function deletionLeftToReconciliation(t: { tenantId: string; ownerToken: string }): Promise<string> {
  const undo = patchPort(host, "scheduler", {
    ...host.runtime.app.ports.scheduler,
    schedule: async () => {
      throw new Error("Service Bus unavailable");
    },
  });
  try {
    const res = await host.call("POST", "/v1/requests", {
      token: t.ownerToken,
      body: { kind: "erasure", scope: { type: "account", tenantId: t.tenantId } },
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  } finally {
    undo();
  }
}

const advance = (duration: string) => host.call("POST", "/_dev/clock", { body: { advance: duration } });
const status = async (id: string) =>
  (await host.call("GET", `/v1/requests/${id}`, { token: officer })).body.status as string;

/** Every run the staff route lists for this filter, following continuation tokens to the end. */
async function allRuns(query: string, limit = 2): Promise<RunDoc[]> {
  const runs: RunDoc[] = [];
  let token: string | undefined;
  do {
    const res = await host.call(
      "GET",
      `/v1/operations/runs?${query}&limit=${limit}${token ? `&continuationToken=${encodeURIComponent(token)}` : ""}`,
      { token: support },
    );
    expect(res.status).toBe(200);
    runs.push(...(res.body.items as RunDoc[]));
    token = res.body.continuationToken as string | undefined;
  } while (token);
  return runs;
}

beforeAll(async () => {
  host = await startTestHost();
  support = await host.token("support");
  officer = await host.token("privacy_officer");
});
afterAll(async () => {
  await host?.stop();
});

describe("a reconcile run keeps what failed", () => {
  let failing: { tenantId: string; requestId: string };
  let succeeding: { requestId: string };
  let secrets: string[];
  let recorded: RecordingLogs;

  beforeAll(async () => {
    const [phoneA, phoneB] = [mobile(), mobile()];
    const a = await seed([phoneA]);
    const b = await seed([phoneB]);
    const owner = (
      await host.runtime.app.ports.documents
        .collection("platform", "accounts")
        .query<{ id: string; email?: string; ownerPhone?: string }>({ partitionKey: a.tenantId, limit: 10 })
    ).items[0]!;
    secrets = [phoneA, phoneA.slice(3), phoneB, owner.email!, owner.ownerPhone!].filter(Boolean);
    failing = { tenantId: a.tenantId, requestId: await deletionLeftToReconciliation(a) };
    succeeding = { requestId: await deletionLeftToReconciliation(b) };
    // The store refuses the first tenant's messages, with an error message that quotes personal data: the
    // message must reach neither the log nor the run record, only its class.
    const undo = patchPort(
      host,
      "documents",
      wrapCollection(host.runtime.app.ports.documents, "messages", (c) => ({
        async delete(id, partitionKey, etag) {
          if (partitionKey === a.tenantId)
            throw new RangeError(`cannot delete for ${phoneA} <${owner.email}>`);
          return c.delete(id, partitionKey, etag);
        },
      })),
    );
    recorded = new RecordingLogs();
    const logs = host.runtime.logs;
    host.runtime.logs = recorded.factory;
    try {
      expect((await advance("P30DT1H")).status).toBe(200);
    } finally {
      host.runtime.logs = logs;
      undo();
    }
  });

  it("stores the failed item with its step and error class; the other request is purged all the same", async () => {
    const runs = await allRuns("failed=true&kind=reconcileAccountPurges");
    const run = runs.find((r) => r.failures.some((f) => f.item.requestId === failing.requestId));
    expect(run).toBeDefined();
    expect(run!.failures.find((f) => f.item.requestId === failing.requestId)).toEqual({
      item: { requestId: failing.requestId, tenantId: failing.tenantId },
      step: "purge",
      errorClass: "RangeError",
      at: expect.any(String),
    });
    expect(run!.failed).toBeGreaterThanOrEqual(1);
    expect(run!.counts["purged"]).toBeGreaterThanOrEqual(1);
    expect(run!.failures.some((f) => f.item.requestId === succeeding.requestId)).toBe(false);
    expect(["purged", "completed"]).toContain(await status(succeeding.requestId));
    expect(["purged", "completed"]).not.toContain(await status(failing.requestId));

    const one = await host.call("GET", `/v1/operations/runs/${run!.id}`, { token: officer });
    expect(one.status).toBe(200);
    expect(one.body).toEqual(run);
  });

  it("the logger got the failure by ids and class, and never a number or an address", () => {
    const failed = recorded.lines.filter((l) => l.event === "item_failed");
    expect(
      failed.some(
        (l) => l.fields["requestId"] === failing.requestId && l.fields["errorClass"] === "RangeError",
      ),
    ).toBe(true);
    expect(
      recorded.lines.some((l) => l.event === "run_finished" && l.scope.fn === "reconcileAccountPurges"),
    ).toBe(true);
    const text = JSON.stringify(recorded.lines);
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toContain("cannot delete");
  });

  it("no run record holds a number, an address or an error message", async () => {
    const text = JSON.stringify(await allRuns("failed=true", 100));
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toContain("cannot delete");
  });

  it("the next run, with the store back, purges it and fails nothing", async () => {
    await advance("PT1H");
    expect(["purged", "completed"]).toContain(await status(failing.requestId));
    const latest = (await allRuns("kind=reconcileAccountPurges", 100))[0]!;
    expect(latest.failed).toBe(0);
  });

  it("paging follows continuation tokens: a page at a time gives the same runs as one page", async () => {
    const paged = await allRuns("kind=reconcileAccountPurges", 1);
    const whole = await allRuns("kind=reconcileAccountPurges", 100);
    expect(paged.map((r) => r.id)).toEqual(whole.map((r) => r.id));
    expect(new Set(paged.map((r) => r.id)).size).toBe(paged.length);
    expect(paged.length).toBeGreaterThan(1);
  });
});

describe("only staff read the runs", () => {
  it.each([
    ["no token", undefined, 401],
    ["the dashboard owner", "owner", 403],
    ["a member", "member", 403],
  ])("%s is refused", async (_who, role, expected) => {
    const token = role ? await host.token(role, "t-any") : undefined;
    for (const path of [
      "/v1/operations/runs?failed=true",
      "/v1/operations/runs/run-00000000-0000-4000-8000-000000000000",
    ]) {
      const res = await host.call("GET", path, token ? { token } : {});
      expect(res.status).toBe(expected);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
    }
  });
});

describe("bad input answers 400", () => {
  it.each([
    "failed=maybe",
    "limit=0",
    "limit=101",
    "kind=not%20a%20name",
    "unknown=1",
    "continuationToken=not-a-token",
  ])("?%s", async (query) => {
    const res = await host.call("GET", `/v1/operations/runs?${query}`, { token: support });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
  });

  it("a run id that is not one: 400; one that does not exist: 404", async () => {
    expect((await host.call("GET", "/v1/operations/runs/run-x", { token: support })).status).toBe(400);
    const missing = "/v1/operations/runs/run-00000000-0000-4000-8000-000000000000";
    expect((await host.call("GET", missing, { token: support })).status).toBe(404);
  });
});
