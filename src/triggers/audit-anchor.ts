import { sealChangedChains } from "../app/audit";
import { invocationOf, type TimerFunction } from "../function-types";
import { safeId } from "../ports/logger";

/**
 * Hourly (at :05): the heads of every audit chain that gained events since the last sweep, sealed into the
 * append-only anchor record (docs/audit-anchoring.md). A repeated or concurrent run only adds an anchor.
 * Logged: counts and the anchor's name, never an event.
 */
export const auditAnchorTimer: TimerFunction = {
  trigger: "timer",
  name: "sealAuditAnchors",
  schedule: "0 5 * * * *",
  async handle(rt, invocation) {
    const { log } = invocationOf(rt, "sealAuditAnchors", invocation);
    const { chains, anchor, tampered } = await sealChangedChains(rt.app, log);
    log.info("sealed", {
      chains,
      ...(anchor ? { anchor: safeId(anchor) } : {}),
      ...(tampered ? { tampered: tampered.length } : {}),
    });
  },
};
