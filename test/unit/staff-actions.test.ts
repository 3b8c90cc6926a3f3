import { describe, expect, it } from "vitest";
import { staffActions, type StaffActionFacts } from "../../src/domain/requests/staff-actions";
import { allowedActions, flowKey } from "../../src/domain/requests/state-machine";

/** What a member of staff is offered for a request: the routes their role may call now, no more. */
const NOW = new Date("2026-03-02T10:00:00.000Z");
const facts = (
  over: Partial<StaffActionFacts> & Pick<StaffActionFacts, "kind" | "scopeType" | "status">,
) => ({
  machine: allowedActions(flowKey(over.kind, over.scopeType), over.status),
  hasDeadline: true,
  failed: false,
  now: NOW,
  ...over,
});

describe("staffActions", () => {
  const deactivated = facts({
    kind: "erasure",
    scopeType: "account",
    status: "deactivated",
    purgeDueAt: "2026-03-20T00:00:00.000Z",
  });
  it("a deactivated account: the officer may extend, hold and reactivate; support may not hold", () => {
    expect(staffActions(deactivated, "privacy_officer")).toEqual(["extend", "hold", "reactivate"]);
    expect(staffActions(deactivated, "support")).toEqual(["extend", "reactivate"]);
  });
  it("reactivation only inside the window", () => {
    const late = { ...deactivated, purgeDueAt: "2026-03-01T00:00:00.000Z" };
    expect(staffActions(late, "privacy_officer")).not.toContain("reactivate");
  });
  it("a held request: release is the officer's alone", () => {
    const held = facts({ kind: "erasure", scopeType: "account", status: "on_hold" });
    expect(staffActions(held, "privacy_officer")).toEqual(["extend", "release"]);
    expect(staffActions(held, "support")).toEqual(["extend"]);
  });
  it("retry only after a failure; a grievance is assigned, answered, resolved or rejected", () => {
    const running = facts({ kind: "access", scopeType: "contact", status: "in_progress" });
    expect(staffActions(running, "support")).toEqual(["extend"]);
    expect(staffActions({ ...running, failed: true }, "support")).toEqual(["extend", "retry"]);
    const grievance = facts({ kind: "grievance", scopeType: "contact", status: "in_progress" });
    expect(staffActions(grievance, "support")).toEqual(["reject", "extend", "assign", "respond", "resolve"]);
  });
  it("a closed request offers nothing", () => {
    for (const status of ["completed", "rejected", "cancelled"] as const)
      expect(
        staffActions(facts({ kind: "grievance", scopeType: "contact", status }), "privacy_officer"),
      ).toEqual([]);
  });
});
