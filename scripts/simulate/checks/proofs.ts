import { localAnchorContainer } from "../../../src/adapters/embedded/create-only-anchor-stand-in";
import { checkAnchored } from "../../../src/app/audit/verify-chain";
import { verifyProof } from "../../../src/domain/audit/certificate-proof";
import { type ChainEvent, verifyChain } from "../../../src/domain/requests/audit-chain";
import type { Runtime } from "../../../src/runtime";
import type { Api } from "../api";
import type { Inspector } from "../inspector";
import type { Promises } from "./promises";

type Doc = { id: string } & Record<string, unknown>;

/** An event as stored, without the store's own properties (`_rid`, `_etag`, `_ts`…), which the hash never covered. */
const asEvent = (d: Doc) => Object.fromEntries(Object.entries(d).filter(([k]) => !k.startsWith("_"))) as Doc;

/** Every audit chain the store holds, by request (or breach) id, oldest event first. */
export async function readChains(inspector: Inspector): Promise<Map<string, Doc[]>> {
  const all = await inspector.query<Doc>(inspector.service("audit"), "SELECT * FROM c");
  const chains = new Map<string, Doc[]>();
  for (const e of all.map(asEvent)) {
    const key = e.requestId as string;
    chains.set(key, [...(chains.get(key) ?? []), e]);
  }
  for (const events of chains.values()) events.sort((a, b) => (a.seq as number) - (b.seq as number));
  return chains;
}

/** Each chain with the offline verifier's code, then against the anchors in the append-only store. */
export async function checkChains(
  rt: Runtime,
  chains: Map<string, Doc[]>,
  promises: Promises,
): Promise<void> {
  for (const [id, events] of chains) {
    const chain = events as unknown as ChainEvent[];
    const own = verifyChain(chain);
    const anchored = await checkAnchored(rt.app, id, chain);
    promises.check(
      "chain_verifies",
      own.valid && anchored.valid,
      () =>
        `${id}: chain ${own.valid ? "links" : `broken at ${own.brokenAt}`}, anchors ${anchored.valid ? "agree" : "disagree"}`,
    );
  }
}

/**
 * The certificate of every completed erasure as a requester would fetch it (GET …/certificate/proof), verified
 * with the offline verifier's code against the anchor blob copied from the anchor store.
 */
export async function checkCertificates(
  rt: Runtime,
  api: Api,
  inspector: Inspector,
  officerToken: string,
  erasureIds: string[],
  promises: Promises,
): Promise<void> {
  const container = localAnchorContainer(rt.config.COSMOS_DATABASE);
  for (const id of erasureIds) {
    const res = await api.call("GET", `/v1/requests/${id}/certificate/proof`, { token: officerToken });
    if (res.status !== 200) {
      promises.check("certificate_verifies", false, () => `${id}: the proof answered ${res.status}`);
      continue;
    }
    const first = verifyProof(res.body);
    if (!first.valid) {
      promises.check("certificate_verifies", false, () => `${id}: ${first.problems.join("; ")}`);
      continue;
    }
    const stored = await inspector.blobText(container, first.anchor.name);
    const result = stored === undefined ? undefined : verifyProof(res.body, stored);
    promises.check(
      "certificate_verifies",
      result?.valid === true && result.anchorCheckedAgainstStore,
      () =>
        `${id}: ${stored === undefined ? `anchor ${first.anchor.name} not in the store` : result && !result.valid ? result.problems.join("; ") : "not checked against the stored anchor"}`,
    );
  }
}
