import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Caller } from "../../src/app/caller";
import type { KindHandler } from "../../src/app/context";
import { buildKinds } from "../../src/app/kinds/registry";
import { approveRequest, cancelRequest, holdRequest, releaseRequest } from "../../src/app/requests/actions";
import { createRequest } from "../../src/app/requests/create-request";
import { applyAction } from "../../src/app/requests/transition";
import { RequestKind } from "../../src/domain/requests/model";
import { type FlowKey, flowKey, flows, statusesOf } from "../../src/domain/requests/state-machine";
import { startTestHost, type TestHost } from "../support/host";

const flowKeys = Object.keys(flows) as FlowKey[];

describe("the kind registry", () => {
  const kinds = buildKinds();

  it("has one entry per flow of the state machine, and every kind and subject reaches one", () => {
    expect(Object.keys(kinds).sort()).toEqual([...flowKeys].sort());
    for (const kind of RequestKind.options)
      for (const scope of ["account", "whatsapp_number", "contact"] as const)
        expect(kinds[flowKey(kind, scope)], `${kind} about ${scope}`).toBeDefined();
  });

  it("gives an execute hook to exactly the kinds the state machine lets run once verified", () => {
    const runnable = flowKeys.filter((key) => flows[key].verified !== undefined).sort();
    const executed = flowKeys.filter((key) => kinds[key].execute !== undefined).sort();
    expect(executed).toEqual(runnable);
    // Grievance is the one flow nobody verifies: staff handle it, nothing executes.
    expect(runnable).not.toContain("grievance");
    for (const key of flowKeys) {
      const { runsIn, execute } = kinds[key];
      if (!runsIn) continue;
      expect(execute, `${key}: runsIn without execute`).toBeDefined();
      for (const status of runsIn) expect(statusesOf(key), `${key} runs in ${status}`).toContain(status);
    }
  });

  it("lets a nominee file exactly the kinds whose handler resolves a subject on the principal's behalf", () => {
    const nomineeKinds = flowKeys.filter((key) => kinds[key].resolveSubject !== undefined).sort();
    expect(nomineeKinds).toEqual(
      ["access", "consent_withdrawal", "correction", "erasure:account", "erasure:whatsapp_number"].sort(),
    );
    // A nominee's request waits for review: every kind a nominee files holds execution until approval.
    for (const key of nomineeKinds) expect(kinds[key].holdsExecution, key).toBeDefined();
  });
});

/**
 * The core flow (createRequest, the staff actions, execution) calls the registry's hooks rather than
 * branching on kind: an entry replaced by a recording stub is what runs, hook by hook, and what each
 * hook returns is what the core goes on with.
 */
describe("the core request flow with a stubbed kind", () => {
  let host: TestHost;
  let tenantSeq = 0;
  const restore: (() => void)[] = [];

  beforeAll(async () => {
    host = await startTestHost();
  });
  afterEach(() => {
    while (restore.length) restore.pop()!();
  });
  afterAll(async () => {
    await host?.stop();
  });

  const app = () => host.runtime.app;
  const owner = (tenantId: string): Caller => ({
    kind: "dashboard",
    subject: `owner-${tenantId}`,
    tenantId,
    role: "owner",
  });
  const officer: Caller = { kind: "staff", subject: "officer-1", role: "privacy_officer" };
  const nextTenant = () => `t-kind-registry-${++tenantSeq}`;

  /** Replaces one flow's entry with a handler that records every hook the core calls. */
  function stub(key: FlowKey, overrides: Partial<KindHandler> = {}) {
    const calls: string[] = [];
    const handler: KindHandler = {
      resolveSubject: async () => {
        calls.push("resolveSubject");
        return undefined;
      },
      authorise: () => {
        calls.push("authorise");
      },
      beforeCreate: async (_app, _request, details) => {
        calls.push("beforeCreate");
        return { ...details, keptByKind: "yes" };
      },
      acknowledge: async (_app, request) => {
        calls.push("acknowledge");
        return request;
      },
      holdsExecution: (request) => {
        calls.push(`holdsExecution:${request.status}`);
        return false;
      },
      execute: async (_app, request) => {
        calls.push(`execute:${request.status}`);
      },
      approvalCheck: async () => {
        calls.push("approvalCheck");
      },
      beforeCancel: async (_app, _caller, request) => {
        calls.push(`beforeCancel:${request.status}`);
        return undefined;
      },
      afterHold: async (_app, request) => {
        calls.push(`afterHold:${request.status}`);
      },
      ...overrides,
    };
    const previous = app().kinds[key];
    app().kinds[key] = handler;
    restore.push(() => {
      app().kinds[key] = previous;
    });
    return calls;
  }

  it("files, acknowledges and runs through the kind's hooks", async () => {
    const calls = stub("access", {
      execute: async (a, request, step) => {
        calls.push(`execute:${request.status}`);
        step("stub");
        await applyAction(a, request.id, "start", { kind: "system" }, { notify: false });
        await applyAction(a, request.id, "complete", { kind: "system" }, { notify: false });
      },
    });
    const tenantId = nextTenant();
    const { request } = await createRequest(app(), owner(tenantId), {
      kind: "access",
      details: { note: "filed" },
    });
    expect(calls).toEqual([
      "resolveSubject",
      "authorise",
      "beforeCreate",
      "acknowledge",
      "holdsExecution:verified",
      "holdsExecution:verified",
      "execute:verified",
    ]);
    expect(request.details).toMatchObject({ note: "filed", keptByKind: "yes" });
    expect(request.status).toBe("completed");
  });

  it("a kind's authorise refusal stops the filing before anything is stored", async () => {
    const calls = stub("access", {
      authorise: () => {
        calls.push("authorise");
        throw new Error("refused by the kind");
      },
    });
    await expect(createRequest(app(), owner(nextTenant()), { kind: "access" })).rejects.toThrow(
      "refused by the kind",
    );
    expect(calls).toEqual(["resolveSubject", "authorise"]);
  });

  it("approves, holds, releases and cancels through the kind's hooks", async () => {
    const calls = stub("erasure:account");
    const tenantId = nextTenant();
    const { request } = await createRequest(app(), owner(tenantId), {
      kind: "erasure",
      scope: { type: "account", tenantId },
    });
    expect(request.status).toBe("verified");
    calls.length = 0;

    await approveRequest(app(), officer, request.id, "reviewed");
    expect(calls).toEqual([
      "approvalCheck",
      "holdsExecution:verified",
      "holdsExecution:verified",
      "execute:verified",
    ]);
    calls.length = 0;

    const held = await holdRequest(app(), officer, request.id, "court order");
    expect(held.status).toBe("on_hold");
    expect(calls).toEqual(["afterHold:on_hold"]);
    calls.length = 0;

    await releaseRequest(app(), officer, request.id, "order lifted");
    expect(calls).toEqual(["holdsExecution:verified", "holdsExecution:verified", "execute:verified"]);
    calls.length = 0;

    const cancelled = await cancelRequest(app(), owner(tenantId), request.id, "changed my mind");
    expect(calls).toEqual(["beforeCancel:verified"]);
    expect(cancelled.status).toBe("cancelled");
  });

  it("takes the kind's answer to a cancel, and its hold on execution", async () => {
    const calls = stub("erasure:account", {
      holdsExecution: (request) => {
        calls.push(`holdsExecution:${request.status}`);
        return true;
      },
      beforeCancel: async (_app, _caller, request) => {
        calls.push(`beforeCancel:${request.status}`);
        return { ...request, details: { ...request.details, answeredByKind: true } };
      },
    });
    const tenantId = nextTenant();
    const { request } = await createRequest(app(), owner(tenantId), {
      kind: "erasure",
      scope: { type: "account", tenantId },
    });
    // Held by the kind: nothing was executed.
    expect(calls).toEqual([
      "resolveSubject",
      "authorise",
      "beforeCreate",
      "acknowledge",
      "holdsExecution:verified",
    ]);
    calls.length = 0;
    const answer = await cancelRequest(app(), owner(tenantId), request.id);
    expect(calls).toEqual(["beforeCancel:verified"]);
    expect(answer.details).toMatchObject({ answeredByKind: true });
    expect(answer.status).toBe("verified"); // the state machine's cancel never ran
  });

  it("refuses approval for a kind with no approval check, and a nominee's filing no kind resolves", async () => {
    const calls = stub("erasure:account", { approvalCheck: undefined });
    const tenantId = nextTenant();
    const { request } = await createRequest(app(), owner(tenantId), {
      kind: "erasure",
      scope: { type: "account", tenantId },
    });
    calls.length = 0;
    await expect(approveRequest(app(), officer, request.id, "reviewed")).rejects.toMatchObject({
      kind: "conflict",
    });
    expect(calls).toEqual([]);

    stub("access", { resolveSubject: async () => undefined });
    await expect(
      createRequest(app(), officer, {
        kind: "access",
        channel: "email",
        messageRef: "mail-1",
        onBehalfOf: { nominationId: "n-1", evidenceRef: "cert-1" },
      }),
    ).rejects.toMatchObject({ kind: "invalid" });
  });
});
