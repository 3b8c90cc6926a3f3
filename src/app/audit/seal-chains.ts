import type { AnchorHead } from "../../domain/audit/anchor";
import type { AuditEvent } from "../../domain/requests/audit-chain";
import type { AppContext } from "../context";
import { type Logger, silentLogger } from "../../ports/logger";
import { queryFirst, queryPages } from "../util";
import { type AnchorFinding, AnchorLog, type SealedAnchor } from "./anchor-log";

/**
 * The sweep looks back this far before the last sweep's time: an event stamped just before a sweep but
 * written just after it is caught by the next one. Re-anchoring a head already anchored is harmless.
 */
const OVERLAP_MS = 15 * 60_000;

/**
 * Hourly: the heads of every chain that gained events since the last sweep, sealed into one anchor. A chain
 * is found by its events' time, across partitions (docs/cosmos-queries.md): only the id, seq and hash are read.
 */
export async function sealChangedChains(
  app: Pick<AppContext, "ports" | "stores">,
  logger: Logger = silentLogger,
): Promise<{ chains: number; anchor?: string; tampered?: AnchorFinding[] }> {
  const log = new AnchorLog(app, logger);
  const latest = await log.latest();
  const sweptUntil = app.ports.clock.now().toISOString();
  const since = latest?.anchor.sweptUntil
    ? new Date(Date.parse(latest.anchor.sweptUntil) - OVERLAP_MS).toISOString()
    : undefined;
  const heads = new Map<string, AnchorHead>();
  const audit = app.stores.audit;
  for await (const items of queryPages<Pick<AuditEvent, "id" | "requestId" | "seq" | "hash">>(audit, {
    ...(since ? { where: [{ field: "at", op: ">=", value: since }] } : {}),
    select: ["requestId", "seq", "hash"],
    limit: 1000,
  })) {
    for (const e of items) {
      const seen = heads.get(e.requestId);
      if (!seen || e.seq > seen.seq)
        heads.set(e.requestId, { requestId: e.requestId, seq: e.seq, hash: e.hash });
    }
  }
  // Tampered blobs met on the way were logged by the log; the result names them too (the timer logs it).
  const tampered = () => (log.findings.length > 0 ? { tampered: log.findings } : {});
  if (heads.size === 0) return { chains: 0, ...tampered() };
  const { anchor } = await log.seal("hourly", [...heads.values()], sweptUntil);
  return { chains: heads.size, anchor: anchor.name, ...tampered() };
}

/** Seals one chain's head now (a certificate is being issued): the anchor exists before it is handed out. */
export async function anchorChainNow(
  app: Pick<AppContext, "ports" | "stores">,
  requestId: string,
): Promise<SealedAnchor & { head: AnchorHead }> {
  const last = await queryFirst<AuditEvent>(app.stores.audit, {
    partitionKey: requestId,
    orderBy: { field: "seq", direction: "desc" },
    limit: 1,
  });
  if (!last) throw new Error("a chain without events has nothing to anchor");
  const head = { requestId, seq: last.seq, hash: last.hash };
  return { ...(await new AnchorLog(app).seal("certificate", [head])), head };
}
