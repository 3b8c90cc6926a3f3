import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestHost, type TestHost } from "../support/host";

/**
 * A member of staff's `allowedActions` are what their role may do to the request now (the staff console
 * shows exactly these): every action listed succeeds, an action left out for the role is refused.
 */
let host: TestHost;
let support: string;
let officer: string;

beforeAll(async () => {
  host = await startTestHost();
  support = await host.token("support");
  officer = await host.token("privacy_officer");
});
afterAll(async () => {
  await host?.stop();
});

async function deactivatedAccount() {
  const t = (
    await host.call("POST", "/_dev/seed", { body: { conversations: 1, messagesPerConversation: 1 } })
  ).body as { tenantId: string; ownerToken: string };
  const created = await host.call("POST", "/v1/requests", {
    token: t.ownerToken,
    body: { kind: "erasure", scope: { type: "account", tenantId: t.tenantId } },
  });
  expect(created.body.status).toBe("deactivated");
  return { ...t, id: created.body.id as string };
}

describe("allowedActions for staff", () => {
  it("an account in its window: the officer may hold, support may not; both may extend and reactivate", async () => {
    const { id, ownerToken } = await deactivatedAccount();
    const asOfficer = await host.call("GET", `/v1/requests/${id}`, { token: officer });
    const asSupport = await host.call("GET", `/v1/requests/${id}`, { token: support });
    expect(asOfficer.body.allowedActions).toEqual(["extend", "hold", "reactivate"]);
    expect(asSupport.body.allowedActions).toEqual(["extend", "reactivate"]);
    // The owner still sees the request's next steps in the state machine's words (unchanged).
    expect(
      (await host.call("GET", `/v1/requests/${id}`, { token: ownerToken })).body.allowedActions,
    ).toContain("cancel");
    // What support is not offered, the API refuses; what the officer is offered, it does.
    const refused = await host.call("POST", `/v1/requests/${id}/hold`, {
      token: support,
      body: { reason: "Court order" },
    });
    expect(refused.status).toBe(403);
    const held = await host.call("POST", `/v1/requests/${id}/hold`, {
      token: officer,
      body: { reason: "Court order" },
    });
    expect(held.status).toBe(200);
    expect(held.body.allowedActions).toEqual(["extend", "release"]);
    expect((await host.call("GET", `/v1/requests/${id}`, { token: support })).body.allowedActions).toEqual([
      "extend",
    ]);
  });

  it("a grievance: assign, respond, resolve, reject and extend, each accepted", async () => {
    const filed = await host.call("POST", "/v1/requests", {
      headers: { "x-forwarded-for": "10.77.0.1" },
      body: { kind: "grievance", contact: { email: "meera.i@example.in" }, details: { summary: "Spam." } },
    });
    const id = filed.body.id as string;
    const view = await host.call("GET", `/v1/requests/${id}`, { token: support });
    expect(view.body.allowedActions).toEqual(["reject", "extend", "assign", "respond", "resolve"]);
    expect(
      (await host.call("POST", `/v1/requests/${id}/assign`, { token: support, body: { assignee: "asha" } }))
        .status,
    ).toBe(200);
    const resolved = await host.call("POST", `/v1/requests/${id}/resolve`, {
      token: support,
      body: { resolution: "We stopped the messages." },
    });
    expect(resolved.status).toBe(200);
    expect(resolved.body.allowedActions).toEqual([]);
  });
});
