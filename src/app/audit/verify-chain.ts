import { type AnchoredCheck, checkAgainstAnchors } from "../../domain/audit/chain-against-anchors";
import type { ChainEvent } from "../../domain/requests/audit-chain";
import type { AppContext } from "../context";
import { type AnchorFinding, AnchorLog } from "./anchor-log";

/**
 * A chain checked against every anchor the append-only store holds for it (never against Cosmos). A pointer
 * to a blob that is no anchor is a tampering finding (`tampered`, logged): the chain is checked against the
 * valid anchors, so junk in the record cannot stop verification, and the finding is shown alongside.
 */
export async function checkAnchored(
  app: Pick<AppContext, "ports" | "stores">,
  requestId: string,
  events: readonly ChainEvent[],
): Promise<AnchoredCheck & { missing?: string[]; tampered?: AnchorFinding[] }> {
  const { anchors, missing, tampered } = await new AnchorLog(app).anchorsOf(requestId);
  const check = {
    ...checkAgainstAnchors(requestId, events, anchors),
    ...(tampered.length > 0 ? { tampered } : {}),
  };
  if (missing.length === 0) return check;
  // A pointer whose anchor is gone: the record was tampered with outside the service.
  return { ...check, valid: false, missing };
}
