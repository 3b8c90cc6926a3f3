import { describe, expect, it } from "vitest";
import { DomainError } from "../../src/domain/errors";
import { RequestStatus } from "../../src/domain/requests/model";
import { Action, type FlowKey, flows, transition } from "../../src/domain/requests/state-machine";

/**
 * The allowed transitions, written out by hand from DESIGN §4 and the policies: the state machine must
 * allow exactly these and refuse every other (kind × status × action) with a 409 naming the status.
 */
const verification = [
  "pending_verification verify verified",
  "pending_verification cancel cancelled",
  "pending_verification reject rejected",
  "pending_verification expire cancelled",
];
const executed = (starts: string[]) => [
  ...verification,
  "verified cancel cancelled",
  "verified reject rejected",
  "verified retry verified",
  ...starts,
  "in_progress complete completed",
  "in_progress retry in_progress",
];
const erasureTail = [
  "on_hold release <resume>",
  "purging finish_purge purged",
  "purging retry purging",
  "purged complete completed",
  "purged retry purged",
];
const expected: Record<FlowKey, string[]> = {
  // approve at verified: a nominee's request waits there for staff review (src/app/rights/on-behalf.ts).
  access: executed(["verified start in_progress", "verified approve verified"]),
  correction: executed(["verified approve in_progress"]),
  nomination: executed(["verified start in_progress", "verified approve in_progress"]),
  consent_withdrawal: executed(["verified start in_progress", "verified approve verified"]),
  grievance: [
    "in_progress complete completed",
    "in_progress reject rejected",
    "in_progress retry in_progress",
  ],
  "erasure:account": [
    ...verification,
    "verified deactivate deactivated",
    "verified cancel cancelled",
    "verified reject rejected",
    "verified hold on_hold",
    "verified retry verified",
    "verified approve verified",
    "deactivated purge purging",
    "deactivated cancel cancelled",
    "deactivated hold on_hold",
    "deactivated retry deactivated",
    ...erasureTail,
  ],
  "erasure:whatsapp_number": [
    ...verification,
    "verified purge purging",
    "verified cancel cancelled",
    "verified reject rejected",
    "verified hold on_hold",
    "verified retry verified",
    "verified approve verified",
    ...erasureTail,
  ],
};

const RESUME_TO: RequestStatus = "deactivated";

describe("the request state machine, exhaustively", () => {
  for (const key of Object.keys(flows) as FlowKey[]) {
    it(`${key}: every status × action is allowed as specified, or 409 naming the status`, () => {
      const allowed = new Map(
        expected[key].map((line) => {
          const [from, action, to] = line.split(" ") as [string, string, string];
          return [`${from} ${action}`, to];
        }),
      );
      let checked = 0;
      for (const status of RequestStatus.options) {
        for (const action of Action) {
          const want = allowed.get(`${status} ${action}`);
          checked++;
          if (want === undefined) {
            let error: unknown;
            try {
              transition(key, status, action, RESUME_TO);
            } catch (e) {
              error = e;
            }
            expect(error, `${key}: ${status} --${action}--> should be refused`).toBeInstanceOf(DomainError);
            expect((error as DomainError).kind).toBe("conflict");
            expect((error as DomainError).message).toContain(status.replace(/_/g, " "));
            expect((error as DomainError).extra).toMatchObject({ status });
          } else {
            expect(transition(key, status, action, RESUME_TO), `${key}: ${status} --${action}-->`).toBe(
              want === "<resume>" ? RESUME_TO : want,
            );
          }
        }
      }
      expect(checked).toBe(RequestStatus.options.length * Action.length);
    });
  }

  it("terminal statuses allow nothing, for every kind", () => {
    for (const key of Object.keys(flows) as FlowKey[])
      for (const status of ["completed", "cancelled", "rejected"] as const)
        for (const action of Action) expect(() => transition(key, status, action)).toThrow(DomainError);
  });

  it("release without a status to resume to is refused", () => {
    expect(() => transition("erasure:account", "on_hold", "release")).toThrow(/no status to resume/);
  });
});
