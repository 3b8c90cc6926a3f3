import { sealChangedChains } from "../app/audit/seal-chains";
import type { TimerFunction } from "../function-table";

/**
 * Hourly (at :05): the heads of every audit chain that gained events since the last sweep, sealed into the
 * append-only anchor record (docs/audit-anchoring.md). A repeated or concurrent run only adds an anchor.
 * Logged: counts and the anchor's name, never an event.
 */
export const auditAnchorTimer: TimerFunction = {
  trigger: "timer",
  name: "sealAuditAnchors",
  schedule: "0 5 * * * *",
  async handle(rt) {
    const { chains, anchor } = await sealChangedChains(rt.ports);
    console.log(
      JSON.stringify({ level: "info", fn: "sealAuditAnchors", chains, ...(anchor ? { anchor } : {}) }),
    );
  },
};
