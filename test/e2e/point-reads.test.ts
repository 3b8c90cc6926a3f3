import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { QuerySpec } from "../../src/ports/document-store";
import { partitionOfRequestId } from "../../src/domain/requests/request-id";
import { startTestHost, type TestHost } from "../support/host";
import { latestCode } from "../support/outbox";
import { observedStore, patchPort } from "../support/ports";

/**
 * Every action on a request reads it with a point read (issue 15): its id names its partition, so no
 * request action queries across partitions (in Cosmos a cross-partition query fans out to every
 * physical partition: several RU and round trips where a point read is 1 RU). The store is wrapped so
 * every query without a partition key is recorded, per collection, while each action runs.
 */

let host: TestHost;
let officer: string;
const crossPartition: string[] = [];

beforeAll(async () => {
  host = await startTestHost();
  officer = await host.token("privacy_officer");
  const recording = observedStore(host.runtime.app.ports.documents, ({ db, collection, method, args }) => {
    if ((method === "query" || method === "count") && !(args[0] as QuerySpec).partitionKey)
      crossPartition.push(`${db}/${collection}.${method}`);
  });
  patchPort(host, "documents", recording);
});
afterAll(async () => {
  await host?.stop();
});

/** Runs `action` and returns the cross-partition queries it issued. */
async function during(action: () => Promise<unknown>): Promise<string[]> {
  crossPartition.length = 0;
  await action();
  return [...crossPartition];
}

describe("request actions are point reads", () => {
  it("ids name their partition", async () => {
    const res = await host.call("POST", "/v1/requests", {
      body: { kind: "erasure", scope: { type: "whatsapp_number", phone: "+919700000101" } },
    });
    expect(partitionOfRequestId(res.body.id as string)).toMatch(/^wa:/);
  });

  it("create, read, resend, verify, audit, extend and cancel of a public request, and an owner's access request, cross no partition", async () => {
    const seeded = (await host.call("POST", "/_dev/seed", { body: { conversations: 1 } })).body as {
      tenantId: string;
      ownerToken: string;
    };
    const phone = "+919700000102";
    let id = "";
    let token = "";
    expect(
      await during(async () => {
        const res = await host.call("POST", "/v1/requests", {
          body: {
            kind: "correction",
            scope: { type: "whatsapp_number", phone },
            corrections: [{ field: "name", value: "Asha" }],
          },
        });
        id = res.body.id as string;
        token = res.body.requestToken as string;
      }),
    ).toEqual([]);
    const asRequester = { "x-request-token": token };
    const code = await latestCode(host, phone);
    const steps: [string, () => Promise<unknown>][] = [
      ["read", () => host.call("GET", `/v1/requests/${id}`, { headers: asRequester })],
      ["resend", () => host.call("POST", `/v1/requests/${id}/verification/resend`, { headers: asRequester })],
      [
        "verify",
        async () =>
          host.call("POST", `/v1/requests/${id}/verification`, {
            headers: asRequester,
            body: { code: await latestCode(host, phone) },
          }),
      ],
      ["audit", () => host.call("GET", `/v1/requests/${id}/audit`, { token: officer })],
      [
        "extend",
        () =>
          host.call("POST", `/v1/requests/${id}/extend`, {
            token: officer,
            body: {
              until: new Date(
                Date.parse(host.runtime.app.ports.clock.now().toISOString()) + 40 * 86_400_000,
              ).toISOString(),
              reason: "more time",
            },
          }),
      ],
      ["cancel", () => host.call("POST", `/v1/requests/${id}/cancel`, { headers: asRequester, body: {} })],
      [
        "owner access",
        () => host.call("POST", "/v1/requests", { token: seeded.ownerToken, body: { kind: "access" } }),
      ],
    ];
    expect(code).toMatch(/^\d{6}$/);
    for (const [name, step] of steps) expect(await during(step), name).toEqual([]);
  });
});
