import { z } from "zod";
import { canonicalJson, sha256 } from "../crypto";

/**
 * An anchor: the heads of audit chains, sealed into the append-only anchor store (docs/audit-anchoring.md).
 * Anchors are numbered and each names its predecessor's SHA-256, so anchors chain too. Once written it never
 * changes: its SHA-256 is the SHA-256 of its stored bytes, `anchorBytes(anchor)`.
 */
const Hex64 = z.string().regex(/^[0-9a-f]{64}$/, "a SHA-256 in hex");

export const AnchorHead = z
  .object({ requestId: z.string().min(1), seq: z.number().int().positive(), hash: Hex64 })
  .strict();
export type AnchorHead = z.infer<typeof AnchorHead>;

export const Anchor = z
  .object({
    v: z.literal(1),
    number: z.number().int().positive(),
    name: z.string().min(1),
    sealedAt: z.iso.datetime(),
    /** `hourly`: the timer's sweep of every chain that gained events; `certificate`: one chain, at issuance. */
    reason: z.enum(["hourly", "certificate"]),
    previous: z.object({ name: z.string(), sha256: Hex64 }).strict().nullable(),
    /**
     * Events written up to this time were looked for by the last hourly sweep at or before this anchor: the
     * next sweep looks from here (less a margin), so it needs nothing but the latest anchor.
     */
    sweptUntil: z.iso.datetime().nullable(),
    heads: z.array(AnchorHead),
  })
  .strict();
export type Anchor = z.infer<typeof Anchor>;

/** One chain's pointer to an anchor that holds its head, so all of a chain's anchors are found by prefix. */
export const ChainPointer = z.object({ anchor: z.string().min(1), sha256: Hex64, head: AnchorHead }).strict();
export type ChainPointer = z.infer<typeof ChainPointer>;

const pad = (n: number) => String(n).padStart(12, "0");
export const anchorName = (n: number) => `anchors/${pad(n)}.json`;
export const chainPointerPrefix = (requestId: string) => `chains/${requestId}/`;
export const chainPointerName = (requestId: string, n: number) =>
  `${chainPointerPrefix(requestId)}${pad(n)}.json`;
/** The anchor number a name carries (`anchors/000000000042.json` → 42), or undefined. */
export function anchorNumberOf(name: string): number | undefined {
  const m = /(\d{12})\.json$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** The exact bytes stored, so the SHA-256 of the blob and of the parsed anchor are the same. */
export const anchorBytes = (anchor: Anchor) => canonicalJson(anchor);
export const anchorSha256 = (anchor: Anchor) => sha256(anchorBytes(anchor));
