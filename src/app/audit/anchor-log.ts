import {
  Anchor,
  type AnchorHead,
  anchorBytes,
  anchorName,
  anchorNumberOf,
  anchorSha256,
  chainPointerName,
  chainPointerPrefix,
  type ChainPointer,
} from "../../domain/audit/anchor";
import { DomainError } from "../../domain/errors";
import { type Logger, safeId, silentLogger } from "../../ports/logger";
import type { Ports } from "../../ports";
import type { AppContext } from "../context";
import { AnchorExistsError } from "../../ports/anchor-store";

/** Where the newest anchor was last seen: a hint to start from, never trusted (the store is probed past it). */
interface LatestHint {
  id: string;
  pk: string;
  docType: "audit-anchor-hint";
  number: number;
}
const HINT = { id: "audit-anchor-latest", pk: "audit-anchors", docType: "audit-anchor-hint" } as const;

export interface SealedAnchor {
  anchor: Anchor;
  sha256: string;
}

/**
 * A blob at an anchor's name that is not an anchor the service could have sealed: it does not parse, is not
 * stored as the service writes anchors, or does not name its predecessor. Only someone holding the service's
 * identity (or, locally, Azurite's key) can have written it; it is immutable, so it is skipped, never repaired.
 */
export interface AnchorFinding {
  name: string;
  problem: "unparseable" | "not_canonical" | "misnumbered" | "not_chained";
}

type Slot =
  | { kind: "absent" }
  | { kind: "anchor"; sealed: SealedAnchor }
  | { kind: "tampered"; finding: AnchorFinding };

/** Logged without the blob's content (it is not ours, and could hold anything): its name and what is wrong. */
function report(log: Logger, finding: AnchorFinding): AnchorFinding {
  log.warn("anchor_tampered", { name: safeId(finding.name), problem: safeId(finding.problem) });
  return finding;
}

/**
 * The sequence of anchors in the append-only store. Anchor n+1 is written with If-None-Match: *, so of two
 * sealers (the hourly timer, a certificate being issued, a duplicate run) exactly one writes each number and
 * the other seals again after it: anchors never fork, and a run repeated or run concurrently only adds
 * anchors. Each anchor's heads also get a pointer under `chains/<requestId>/`, so every anchor of a chain is
 * found from the store alone; a crash between the two is repaired by the next seal. A tampered blob at a
 * number (`AnchorFinding`) is reported and skipped: the next anchor takes the number after it and names the
 * last valid anchor as its predecessor, so junk written at the next number cannot stop sealing.
 */
export class AnchorLog {
  private readonly found = new Map<string, AnchorFinding>();

  /** Tampered blobs met so far (each once), for the caller to report. */
  get findings(): AnchorFinding[] {
    return [...this.found.values()];
  }

  private note(finding: AnchorFinding): void {
    if (!this.found.has(finding.name)) this.found.set(finding.name, report(this.log, finding));
  }

  /** `log`: the invocation's; every finding is also returned (`findings`, `anchorsOf`) for the caller to show. */
  private readonly ports: Ports;

  constructor(
    private readonly app: Pick<AppContext, "ports" | "stores">,
    private readonly log: Logger = silentLogger,
  ) {
    this.ports = app.ports;
  }

  private get hints() {
    return this.app.stores.anchorHints;
  }

  private async slot(number: number): Promise<Slot> {
    const name = anchorName(number);
    const text = await this.ports.anchors.read(name);
    if (text === undefined) return { kind: "absent" };
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { kind: "tampered", finding: { name, problem: "unparseable" } };
    }
    const parsed = Anchor.safeParse(json);
    if (!parsed.success) return { kind: "tampered", finding: { name, problem: "unparseable" } };
    const anchor = parsed.data;
    if (anchor.number !== number || anchor.name !== name)
      return { kind: "tampered", finding: { name, problem: "misnumbered" } };
    // Its SHA-256 is that of the stored bytes: other bytes for the same anchor would give another one.
    if (anchorBytes(anchor) !== text)
      return { kind: "tampered", finding: { name, problem: "not_canonical" } };
    return { kind: "anchor", sealed: { anchor, sha256: anchorSha256(anchor) } };
  }

  /** The anchor stored at `number`, or undefined when there is none or the blob there is not one (reported). */
  async read(number: number): Promise<SealedAnchor | undefined> {
    const slot = await this.slot(number);
    if (slot.kind === "tampered") this.note(slot.finding);
    return slot.kind === "anchor" ? slot.sealed : undefined;
  }

  /** The newest valid anchor and the first free number after it (past any tampered blobs). */
  async latest(): Promise<SealedAnchor | undefined> {
    return (await this.head()).latest;
  }

  private async head(): Promise<{ latest?: SealedAnchor; next: number }> {
    const hinted = (await this.hints.read<LatestHint>(HINT.id, HINT.pk))?.doc.number ?? 0;
    let current = hinted > 0 ? await this.read(hinted) : undefined;
    current ??= await this.lastListed();
    // Forward from there: each anchor must name the one before it; anything else is skipped as tampered.
    for (let number = (current?.anchor.number ?? 0) + 1; ; number++) {
      const slot = await this.slot(number);
      if (slot.kind === "absent") return { ...(current ? { latest: current } : {}), next: number };
      const chained =
        slot.kind === "anchor" &&
        (current
          ? slot.sealed.anchor.previous?.name === current.anchor.name &&
            slot.sealed.anchor.previous.sha256 === current.sha256
          : slot.sealed.anchor.previous === null);
      if (slot.kind === "anchor" && chained) current = slot.sealed;
      else
        this.note(
          slot.kind === "tampered" ? slot.finding : { name: anchorName(number), problem: "not_chained" },
        );
    }
  }

  /** The newest anchor by listing, newest name first, past any tampered blobs (the hint is absent or wrong). */
  private async lastListed(): Promise<SealedAnchor | undefined> {
    const numbers: number[] = [];
    for await (const name of this.ports.anchors.list("anchors/")) {
      const n = anchorNumberOf(name);
      if (n !== undefined) numbers.push(n);
    }
    for (const n of numbers.sort((a, b) => b - a)) {
      const found = await this.read(n);
      if (found) return found;
    }
    return undefined;
  }

  /** Seals `heads` as the next anchor. `sweptUntil` only from the hourly sweep; others carry the last one's. */
  async seal(reason: Anchor["reason"], heads: AnchorHead[], sweptUntil?: string): Promise<SealedAnchor> {
    const sorted = [...heads].sort((a, b) =>
      a.requestId < b.requestId ? -1 : a.requestId > b.requestId ? 1 : 0,
    );
    for (let attempt = 1; attempt <= 20; attempt++) {
      const { latest: previous, next: number } = await this.head();
      if (previous) await this.writePointers(previous);
      const anchor: Anchor = {
        v: 1,
        number,
        name: anchorName(number),
        sealedAt: this.ports.clock.now().toISOString(),
        reason,
        previous: previous ? { name: previous.anchor.name, sha256: previous.sha256 } : null,
        sweptUntil: sweptUntil ?? previous?.anchor.sweptUntil ?? null,
        heads: sorted,
      };
      try {
        await this.ports.anchors.create(anchor.name, anchorBytes(anchor));
      } catch (e) {
        // Another sealer took this number: seal after theirs.
        if (e instanceof AnchorExistsError) continue;
        throw e;
      }
      const sealed = { anchor, sha256: anchorSha256(anchor) };
      await this.writePointers(sealed);
      await this.hints.upsert<LatestHint>({ ...HINT, number });
      return sealed;
    }
    throw new DomainError("conflict", "The audit anchor record is busy; try again.");
  }

  private async writePointers({ anchor, sha256 }: SealedAnchor): Promise<void> {
    for (const head of anchor.heads) {
      const pointer: ChainPointer = { anchor: anchor.name, sha256, head };
      try {
        await this.ports.anchors.create(
          chainPointerName(head.requestId, anchor.number),
          JSON.stringify(pointer),
        );
      } catch (e) {
        if (!(e instanceof AnchorExistsError)) throw e;
      }
    }
  }

  /**
   * Every anchor that holds a head of this chain, found through its pointers; the anchors themselves are read
   * (a pointer only says where to look). An anchor a pointer names but the store lacks is `missing`; one that
   * is there but is no anchor is `tampered`, and the chain is checked against the valid ones.
   */
  async anchorsOf(
    requestId: string,
  ): Promise<{ anchors: Anchor[]; missing: string[]; tampered: AnchorFinding[] }> {
    const anchors: Anchor[] = [];
    const missing: string[] = [];
    const tampered: AnchorFinding[] = [];
    for await (const name of this.ports.anchors.list(chainPointerPrefix(requestId))) {
      const number = anchorNumberOf(name);
      const slot = number === undefined ? undefined : await this.slot(number);
      if (slot?.kind === "anchor") anchors.push(slot.sealed.anchor);
      else if (slot?.kind === "tampered") {
        this.note(slot.finding);
        tampered.push(slot.finding);
      } else missing.push(name);
    }
    return { anchors, missing, tampered };
  }
}
