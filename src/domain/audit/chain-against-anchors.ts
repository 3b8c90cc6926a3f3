import type { ChainEvent } from "../requests/audit-chain";
import type { Anchor } from "./anchor";

export interface AnchoredCheck {
  /** Every anchor that holds a head of this chain agrees with it. */
  valid: boolean;
  anchors: number;
  latest?: { name: string; sealedAt: string; seq: number; hash: string };
  /** The first anchored seq the chain no longer has (`truncated`) or has with another hash (`rewritten`). */
  brokenAt?: number;
  reason?: "truncated" | "rewritten";
  anchorName?: string;
}

/**
 * Checks a chain against every anchor of it, oldest first: each anchored head must still be in the chain at
 * its seq with its hash. Checking every anchor, not only the latest, catches a truncation or a rewrite that
 * a newer anchor was sealed over. Events after the latest anchor are not covered (at most an hour's).
 */
export function checkAgainstAnchors(
  requestId: string,
  events: readonly ChainEvent[],
  anchors: readonly Anchor[],
): AnchoredCheck {
  const sorted = [...anchors].sort((a, b) => a.number - b.number);
  const count = sorted.filter((a) => a.heads.some((h) => h.requestId === requestId)).length;
  let latest: AnchoredCheck["latest"];
  for (const anchor of sorted) {
    for (const head of anchor.heads.filter((h) => h.requestId === requestId)) {
      const event = events[head.seq - 1];
      const reason =
        !event || event.seq !== head.seq ? "truncated" : event.hash !== head.hash ? "rewritten" : undefined;
      if (reason)
        return { valid: false, anchors: count, brokenAt: head.seq, reason, anchorName: anchor.name };
      latest = { name: anchor.name, sealedAt: anchor.sealedAt, seq: head.seq, hash: head.hash };
    }
  }
  return { valid: true, anchors: count, ...(latest ? { latest } : {}) };
}
