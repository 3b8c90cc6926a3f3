import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import { RecordingLogs } from "../../src/adapters/logging/recording";
import { AnchorLog } from "../../src/app/audit/anchor-log";
import { sealChangedChains } from "../../src/app/audit/seal-chains";
import type { Certificate } from "../../src/app/account/certificate";
import { AuditLog } from "../../src/app/audit/audit-log";
import { WhatsAppCertificate } from "../../src/app/whatsapp-erasure/certificate";
import {
  Anchor,
  anchorBytes,
  anchorName,
  anchorSha256,
  chainPointerName,
} from "../../src/domain/audit/anchor";
import { certificateHash, verifyProof } from "../../src/domain/audit/certificate-proof";
import { AccountCertificate, WhatsAppNumberCertificate } from "../../src/domain/audit/certificate-schema";
import { canonicalJson, sha256 } from "../../src/domain/crypto";
import { type AuditEvent, GENESIS, hashEvent, sealEvent } from "../../src/domain/requests/audit-chain";
import { startTestHost, type TestHost } from "../support/host";

/**
 * Issue 14 §2 and §4 end to end: audit chains anchored hourly into the append-only record, truncation and
 * rewrites detected against every anchor, certificates that carry their anchor and verify offline, and the
 * certificate's statement of the point-in-time-restore window.
 */
let host: TestHost;
let officer: string;
const run = promisify(execFile);

const audit = () => host.runtime.app.ports.documents.collection("service", "audit");
const advance = (duration: string) => host.call("POST", "/_dev/clock", { body: { advance: duration } });

let seeded = 0;
async function accountErasure() {
  seeded++;
  const t = (
    await host.call("POST", "/_dev/seed", { body: { conversations: 1, messagesPerConversation: 2 } })
  ).body as { tenantId: string; ownerToken: string };
  const created = await host.call("POST", "/v1/requests", {
    token: t.ownerToken,
    body: { kind: "erasure", scope: { type: "account", tenantId: t.tenantId } },
  });
  expect(created.status, `seed ${seeded}`).toBe(201);
  return { ...t, id: created.body.id as string };
}

async function staffTrail(id: string) {
  const res = await host.call("GET", `/v1/requests/${id}/audit`, { token: officer });
  expect(res.status).toBe(200);
  return res.body as {
    chain: {
      valid: boolean;
      brokenAt?: number;
      anchored: {
        valid: boolean;
        anchors: number;
        reason?: string;
        tampered?: { name: string; problem: string }[];
      };
    };
    events: AuditEvent[];
  };
}

/** Writes `events` over the chain with every hash recomputed from `from` on: the links verify again. */
async function rewriteFrom(events: AuditEvent[], from: number) {
  let prev = from > 1 ? events[from - 2]!.hash : GENESIS;
  for (const e of events.slice(from - 1)) {
    const { hash: _hash, ...rest } = { ...e, prevHash: prev };
    const hash = hashEvent(rest);
    await audit().upsert({ ...rest, hash });
    prev = hash;
  }
}

/** Runs `npm run verify-certificate` on the bundle (and `--anchor` on a copy of the stored anchor). */
const dir = mkdtempSync(join(tmpdir(), "proof-"));
let files = 0;
async function verifyFile(bundle: unknown, anchorCopy?: string): Promise<{ code: number; out: string }> {
  const file = join(dir, `proof-${++files}.json`);
  writeFileSync(file, JSON.stringify(bundle));
  const extra: string[] = [];
  if (anchorCopy !== undefined) {
    extra.push("--anchor", join(dir, `anchor-${files}.json`));
    writeFileSync(extra[1]!, anchorCopy);
  }
  try {
    const { stdout } = await run("npm", ["run", "--silent", "verify-certificate", "--", file, ...extra], {
      cwd: process.cwd(),
    });
    return { code: 0, out: stdout };
  } catch (e) {
    const err = e as { code: number; stderr: string };
    return { code: err.code, out: err.stderr };
  }
}

beforeAll(async () => {
  host = await startTestHost();
  officer = await host.token("privacy_officer");
}, 120_000);
afterAll(async () => {
  await host?.stop();
});

describe("anchoring audit chains", () => {
  it("the hourly seal anchors every chain that gained events; the staff trail shows it", async () => {
    const r = await accountErasure();
    expect((await staffTrail(r.id)).chain.anchored.anchors).toBe(0);
    await advance("PT1H");
    const trail = await staffTrail(r.id);
    expect(trail.chain.valid).toBe(true);
    expect(trail.chain.anchored).toMatchObject({ valid: true, anchors: 1 });
    const { anchors } = await new AnchorLog(host.runtime.app).anchorsOf(r.id);
    expect(anchors[0]!.heads.find((h) => h.requestId === r.id)).toEqual({
      requestId: r.id,
      seq: trail.events.length,
      hash: trail.events.at(-1)!.hash,
    });
  });

  it("deleting the newest events is detected, even after a newer anchor was sealed over the truncation", async () => {
    const r = await accountErasure();
    await advance("PT1H");
    const { events } = await staffTrail(r.id);
    expect(events.length).toBeGreaterThan(2);
    await audit().delete(events.at(-1)!.id, r.id);
    const cut = await staffTrail(r.id);
    expect(cut.chain).toMatchObject({ valid: false, brokenAt: events.length });
    expect(cut.chain.anchored).toMatchObject({ valid: false, reason: "truncated" });
    // The service's own identity seals the truncated chain: the older anchor still holds the lost head.
    const hold = await host.call("POST", `/v1/requests/${r.id}/hold`, {
      token: officer,
      body: { reason: "x" },
    });
    expect(hold.status).toBe(200);
    await advance("PT1H");
    const later = await staffTrail(r.id);
    expect(later.chain.anchored.anchors).toBe(2);
    expect(later.chain).toMatchObject({ valid: false });
    expect(later.chain.anchored).toMatchObject({ valid: false });
  });

  it("rewriting a whole chain with recomputed hashes is detected against its anchor", async () => {
    const r = await accountErasure();
    await advance("PT1H");
    const { events } = await staffTrail(r.id);
    await rewriteFrom(
      events.map((e, i) => (i === 0 ? { ...e, at: "2020-01-01T00:00:00.000Z" } : e)),
      1,
    );
    const trail = await staffTrail(r.id);
    expect(trail.chain.valid).toBe(false);
    expect(trail.chain.anchored).toMatchObject({ valid: false, reason: "rewritten" });
    expect(trail.chain.brokenAt).toBe(events.length);
  });

  it("reordering events (hashes recomputed) is detected against its anchor", async () => {
    const r = await accountErasure();
    await advance("PT1H");
    const { events } = await staffTrail(r.id);
    const [a, b] = [events[0]!, events[1]!];
    const swapped = [
      { ...b, seq: 1, id: a.id },
      { ...a, seq: 2, id: b.id },
      ...events.slice(2),
    ] as AuditEvent[];
    await rewriteFrom(swapped, 1);
    const trail = await staffTrail(r.id);
    expect(trail.chain.valid).toBe(false);
    expect(trail.chain.anchored).toMatchObject({ valid: false, reason: "rewritten" });
  });

  it("sealing twice or concurrently only adds anchors: numbered without gaps, each naming its predecessor", async () => {
    await accountErasure();
    await Promise.all([1, 2, 3].map(() => sealChangedChains(host.runtime.app)));
    await sealChangedChains(host.runtime.app);
    const log = new AnchorLog(host.runtime.app);
    const latest = (await log.latest())!;
    let previousSha: string | undefined;
    for (let n = 1; n <= latest.anchor.number; n++) {
      const found = (await log.read(n))!;
      expect(found.anchor.number).toBe(n);
      expect(found.anchor.previous?.sha256).toBe(previousSha);
      previousSha = found.sha256;
    }
  });

  it("a blob at the next anchor number that is no anchor is reported and skipped: sealing and checks go on", async () => {
    const { app } = host.runtime;
    const { ports } = app;
    const n = (await new AnchorLog(app).latest())!.anchor.number;
    const r = await accountErasure();
    // What anyone holding the service's identity could write (and, in Azure, never remove): junk at the next
    // number, a well-formed anchor there after that does not name its predecessor, a pointer to the junk.
    const secret = "Asha Rao +91 98765 43210";
    await ports.anchors.create(anchorName(n + 1), `{"not an anchor": "${secret}"`);
    const stray: Anchor = {
      v: 1,
      number: n + 2,
      name: anchorName(n + 2),
      sealedAt: "2020-01-01T00:00:00.000Z",
      reason: "hourly",
      previous: { name: anchorName(n), sha256: "0".repeat(64) },
      sweptUntil: null,
      heads: [],
    };
    await ports.anchors.create(stray.name, anchorBytes(stray));
    await ports.anchors.create(chainPointerName(r.id, n + 1), "{}");
    // The timers log through the runtime's loggers: recorded here, to read what they said.
    const recorded = new RecordingLogs();
    const logs = host.runtime.logs;
    host.runtime.logs = recorded.factory;
    try {
      await advance("PT1H");
      const log = new AnchorLog(app);
      const sealed = (await log.latest())!;
      expect(sealed.anchor.number).toBe(n + 3);
      const before = (await log.read(n))!;
      expect(sealed.anchor.previous).toEqual({ name: before.anchor.name, sha256: before.sha256 });
      const trail = await staffTrail(r.id);
      expect(trail.chain.valid).toBe(true);
      expect(trail.chain.anchored).toMatchObject({ valid: true, anchors: 1 });
      expect(trail.chain.anchored.tampered).toEqual([{ name: anchorName(n + 1), problem: "unparseable" }]);
      const logged = recorded.lines
        .filter((l) => l.event === "anchor_tampered")
        .map((l) => JSON.stringify(l.fields));
      expect(logged.some((l) => l.includes(anchorName(n + 1)) && l.includes("unparseable"))).toBe(true);
      expect(logged.some((l) => l.includes(anchorName(n + 2)) && l.includes("not_chained"))).toBe(true);
      expect(logged.join("\n")).not.toContain("Asha");
      // The next sweep starts past them: the hint moved on to the valid anchor.
      const again = await sealChangedChains(app);
      expect(again.tampered ?? []).toEqual([]);
    } finally {
      host.runtime.logs = logs;
    }
  });
});

describe("certificates carry their anchor and verify offline", () => {
  let proof: Record<string, unknown> & {
    certificate: Record<string, unknown> & { anchor: { sha256: string }; categories: { count: number }[] };
    chain: Record<string, unknown>[];
    anchor: Anchor;
  };
  let r: Awaited<ReturnType<typeof accountErasure>>;
  beforeAll(async () => {
    r = await accountErasure();
    await advance("P31D");
    const res = await host.call("GET", `/v1/requests/${r.id}/certificate/proof`, { token: r.ownerToken });
    expect(res.status).toBe(200);
    proof = res.body;
  }, 120_000);

  it("the certificate names the anchor, which exists in the append-only record and holds its head", async () => {
    const cert = await host.call("GET", `/v1/requests/${r.id}/certificate`, { token: r.ownerToken });
    expect(cert.status).toBe(200);
    expect(cert.body.completedAt).toBeDefined();
    expect(cert.body.anchor).toEqual(proof.certificate.anchor);
    const stored = (await new AnchorLog(host.runtime.app).read(proof.anchor.number))!;
    expect(stored.sha256).toBe(cert.body.anchor.sha256);
    expect(anchorSha256(proof.anchor)).toBe(cert.body.anchor.sha256);
    // Issued, then updated at completion: both versions sealed into the chain.
    const actions = (await staffTrail(r.id)).events.map((e) => e.action);
    expect(actions.filter((a) => a === "certificate_issued")).toHaveLength(1);
    expect(actions).toContain("certificate_updated");
  });

  /** The stored anchor blob's bytes, as an auditor would copy them from the `audit-anchors` container. */
  const storedAnchor = async () => (await host.runtime.app.ports.anchors.read(proof.anchor.name))!;

  it("a genuine bundle verifies, in the domain and with npm run verify-certificate (exit 0)", async () => {
    expect(verifyProof(proof)).toMatchObject({
      valid: true,
      requestId: r.id,
      anchorCheckedAgainstStore: false,
      withheld: 0,
    });
    const { code, out } = await verifyFile(proof);
    expect(code).toBe(0);
    expect(out).toMatch(/^valid: the bundle is internally consistent/);
    // Without the stored anchor, "valid" says so, and says what to compare.
    expect(out).toContain("anchorCheckedAgainstStore: false");
    expect(out).toContain(`anchorSha256: ${proof.certificate.anchor.sha256}`);
    expect(out).toMatch(/compare .*audit-anchors/i);
    const checked = await verifyFile(proof, await storedAnchor());
    expect(checked.code).toBe(0);
    expect(checked.out).toContain("anchorCheckedAgainstStore: true");
  }, 60_000);

  it("a bundle built from scratch is only internally consistent: the stored anchor refuses it (exit 1)", async () => {
    const { anchor: _a, ...served } = proof.certificate;
    const at = "2020-01-01T00:00:00.000Z";
    const event = (seq: number, prevHash: string, action: string, data?: Record<string, unknown>) =>
      sealEvent({
        id: `${r.id}:${seq}`,
        pk: r.id,
        requestId: r.id,
        seq,
        at,
        actor: { kind: "system" },
        action,
        prevHash,
        ...(data ? { data } : {}),
      });
    const first = event(1, GENESIS, "created");
    const fields = {
      ...served,
      auditHeadHash: first.hash,
      categories: served.categories.map((c) => ({ ...c, count: 0 })),
    };
    const hash = certificateHash(fields);
    const sealing = event(2, first.hash, "certificate_issued", { certificateHash: hash });
    const anchor: Anchor = {
      ...proof.anchor,
      previous: null,
      heads: [{ requestId: r.id, seq: 2, hash: sealing.hash }],
    };
    const head = { seq: 2, hash: sealing.hash };
    const sha = anchorSha256(anchor);
    const forged = {
      format: proof.format,
      certificate: {
        ...fields,
        anchor: { certificateHash: hash, name: anchor.name, sha256: sha, sealedAt: anchor.sealedAt, head },
      },
      chain: [first, sealing],
      anchor,
    };
    const alone = await verifyFile(forged);
    expect(alone.code).toBe(0);
    expect(alone.out).toContain("anchorCheckedAgainstStore: false");
    expect(alone.out).toContain(`anchorSha256: ${sha}`);
    expect(sha).not.toBe(proof.certificate.anchor.sha256);
    const against = await verifyFile(forged, await storedAnchor());
    expect(against.code).toBe(1);
    expect(against.out).toMatch(/REFUSED/);
    expect(against.out).toMatch(/differs from the copy of the stored anchor/);
    expect(against.out).toContain("anchorCheckedAgainstStore: false");
  }, 60_000);

  it("the verifier's strict schema knows every field either certificate is served with", () => {
    const served = (keys: string[]) => keys.filter((k) => !["id", "pk", "docType"].includes(k)).sort();
    expect(Object.keys(WhatsAppNumberCertificate.shape).sort()).toEqual(
      served(Object.keys(WhatsAppCertificate.shape)),
    );
    expect(Object.keys(WhatsAppNumberCertificate.shape.categories.element.shape).sort()).toEqual(
      Object.keys(WhatsAppCertificate.shape.categories.element.shape).sort(),
    );
    // The account certificate is an interface: its keys, checked at compile time.
    type Unknown<T, S> = Exclude<keyof T, keyof S | "id" | "pk" | "docType">;
    type Account = z.infer<typeof AccountCertificate>;
    const none: [
      Unknown<Certificate, Account>,
      Unknown<Certificate["backups"], Account["backups"]>,
      Unknown<Certificate["categories"][number], Account["categories"][number]>,
    ] extends [never, never, never]
      ? true
      : false = true;
    expect(none).toBe(true);
  });

  it("a certificate with fields its hash does not cover is refused (exit 1)", async () => {
    const withStoreFields = {
      ...proof,
      certificate: { ...proof.certificate, id: "x", pk: "y", docType: "certificate" },
    };
    const withExtra = { ...proof, certificate: { ...proof.certificate, verdict: "all data deleted" } };
    for (const bundle of [withStoreFields, withExtra]) {
      expect(verifyProof(bundle).valid).toBe(false);
      const { code, out } = await verifyFile(bundle);
      expect(code).toBe(1);
      expect(out).toMatch(/malformed: certificate/);
    }
  }, 60_000);

  it("an older version of the certificate, sealed before the newest, is refused as superseded (exit 1)", async () => {
    // The version issued before completion: the same fields less completedAt (no backup ever held the tenant).
    const { anchor: ref, completedAt: _c, ...issued } = proof.certificate;
    const issuedEvent = proof.chain.find((e) => e.action === "certificate_issued") as {
      data: { certificateHash: string };
    };
    const older = certificateHash(issued);
    expect(older).toBe(issuedEvent.data.certificateHash);
    const stale = { ...proof, certificate: { ...issued, anchor: { ...ref, certificateHash: older } } };
    const result = verifyProof(stale);
    expect(result.valid).toBe(false);
    expect(result.valid ? [] : result.problems).toEqual([expect.stringMatching(/superseded/)]);
    const { code, out } = await verifyFile(stale);
    expect(code).toBe(1);
    expect(out).toMatch(/superseded/);
  }, 60_000);

  it("the chain in the bundle shows no who, why or data except the certificate's own events", () => {
    for (const e of proof.chain) {
      if (String(e.action).startsWith("certificate_")) continue;
      expect(e).not.toHaveProperty("actor");
      expect(e).not.toHaveProperty("reason");
      expect(e).not.toHaveProperty("data");
      expect(e).toHaveProperty("bodyHash");
    }
  });

  it("a tampered certificate, chain or anchor is refused (exit 1)", async () => {
    const clone = () => JSON.parse(JSON.stringify(proof)) as typeof proof;
    const tampered: [string, typeof proof][] = [];
    const count = clone();
    count.certificate.categories[0]!.count += 1;
    tampered.push(["certificate field", count]);
    const truncated = clone();
    truncated.chain = truncated.chain.slice(0, -1);
    tampered.push(["chain truncated", truncated]);
    const reordered = clone();
    [reordered.chain[0], reordered.chain[1]] = [reordered.chain[1]!, reordered.chain[0]!];
    tampered.push(["chain reordered", reordered]);
    const rewritten = clone();
    let prev = GENESIS;
    rewritten.chain = rewritten.chain.map((e, i) => {
      const changed: Record<string, unknown> = {
        ...e,
        prevHash: prev,
        ...(i === 0 ? { at: "2020-01-01T00:00:00.000Z" } : {}),
      };
      const { hash: _h, ...rest } = changed;
      const hash = hashEvent(rest as Omit<AuditEvent, "hash">);
      prev = hash;
      return { ...rest, hash };
    });
    tampered.push(["chain rewritten", rewritten]);
    const anchor = clone();
    anchor.anchor.sealedAt = "2020-01-01T00:00:00.000Z";
    tampered.push(["anchor", anchor]);
    for (const [what, bundle] of tampered) expect(verifyProof(bundle).valid, what).toBe(false);
    for (const [what, bundle] of [tampered[0]!, tampered[3]!]) {
      const { code, out } = await verifyFile(bundle);
      expect(code, what).toBe(1);
      expect(out).toMatch(/REFUSED/);
    }
    expect((await verifyFile({ not: "a bundle" })).code).toBe(1);
  }, 120_000);

  it("states the point-in-time-restore window of a destroyed key, and its end, on a 7-day tier too", async () => {
    // The earlier certificate: no backup ever held that tenant, so no key to destroy and no window.
    const first = (await host.call("GET", `/v1/requests/${r.id}/certificate`, { token: r.ownerToken })).body;
    expect(first.backups).not.toHaveProperty("residualUntil");
    const other = await startTestHost({ COSMOS_BACKUP_TIER: "Continuous7Days" });
    try {
      const seeded = await other.call("POST", "/_dev/seed", { body: { conversations: 1 } });
      const t = seeded.body as { tenantId: string; ownerToken: string };
      const po = await other.token("privacy_officer");
      expect((await other.call("POST", "/v1/backups", { token: po })).status).toBe(202);
      const created = await other.call("POST", "/v1/requests", {
        token: t.ownerToken,
        body: { kind: "erasure", scope: { type: "account", tenantId: t.tenantId } },
      });
      await other.call("POST", "/_dev/clock", { body: { advance: "P31D" } });
      const cert = await other.call("GET", `/v1/requests/${created.body.id}/certificate`, {
        token: t.ownerToken,
      });
      expect(cert.status).toBe(200);
      const { keyShreddedAt, residualUntil, note } = cert.body.backups as {
        keyShreddedAt: string;
        residualUntil: string;
        note: string;
      };
      expect(keyShreddedAt).toEqual(expect.any(String));
      expect(Date.parse(residualUntil) - Date.parse(keyShreddedAt)).toBe(7 * 86_400_000);
      expect(note).toContain(`Until ${residualUntil} a point-in-time restore`);
      expect(note).toMatch(/7 days/);
      expect(note).not.toMatch(/destroyed[^.]*\. From then on no backup copy/);
    } finally {
      await other.stop();
    }
  }, 120_000);

  it("hostile callers get the same refusals as for the certificate", async () => {
    const path = `/v1/requests/${r.id}/certificate/proof`;
    expect((await host.call("GET", path)).status).toBe(401);
    const stranger = await accountErasure();
    expect((await host.call("GET", path, { token: stranger.ownerToken })).status).toBe(404);
    const member = await host.token("member", r.tenantId);
    const asMember = await host.call("GET", path, { token: member });
    const certAsMember = await host.call("GET", `/v1/requests/${r.id}/certificate`, { token: member });
    expect(asMember.status).toBe(certAsMember.status);
    expect(asMember.status).not.toBe(200);
    expect((await host.call("GET", path, { headers: { "x-request-token": "forged" } })).status).toBe(404);
    const bad = await host.call("GET", "/v1/requests/not-an-id/certificate/proof", { token: officer });
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toMatch(/problem\+json/);
    expect((await host.call("POST", path, { token: officer })).status).toBe(405);
    const staff = await host.call("GET", path, { token: officer });
    expect(staff.status).toBe(200);
    // A request that has no certificate yet: 409, and nothing is sealed for it.
    const open = await accountErasure();
    expect(
      (await host.call("GET", `/v1/requests/${open.id}/certificate/proof`, { token: open.ownerToken }))
        .status,
    ).toBe(409);
  });
});

describe("legacy events in a proof", () => {
  it("are withheld to their place in the chain; the verifier links through them and counts them", async () => {
    const r = await accountErasure();
    const note = "Staff note: spoke to Asha Rao on +91 98765 43210";
    // The first event as code before version-2 events wrote it: no `v`, the hash over the whole event.
    const events = await new AuditLog(host.runtime.app).events(r.id);
    const { v: _v, hash: _h, ...body } = events[0]!;
    const legacy = { ...body, reason: note, data: { staffRef: "staff:priya" } };
    const legacyEvent = { ...legacy, hash: sha256(canonicalJson(legacy)) } as AuditEvent;
    await audit().upsert(legacyEvent);
    await rewriteFrom([legacyEvent, ...events.slice(1)], 2);
    expect((await staffTrail(r.id)).chain.valid).toBe(true);

    await advance("P31D");
    const res = await host.call("GET", `/v1/requests/${r.id}/certificate/proof`, { token: r.ownerToken });
    expect(res.status).toBe(200);
    expect(res.body.chain[0]).toEqual({
      seq: 1,
      prevHash: GENESIS,
      hash: legacyEvent.hash,
      withheld: true,
    });
    expect(JSON.stringify(res.body)).not.toMatch(/Asha|staff:priya/);
    expect(verifyProof(res.body)).toMatchObject({ valid: true, withheld: 1 });
    const { code, out } = await verifyFile(res.body);
    expect(code).toBe(0);
    expect(out).toMatch(/withheldEvents: 1\b/);
    // Staff still see it whole, and the chain verifies with it.
    const trail = await staffTrail(r.id);
    expect(trail.chain.valid).toBe(true);
    expect(trail.events[0]).toMatchObject({ reason: note });

    // A withheld event may only open the chain: withholding a later one (a newer certificate's, say) is refused.
    const cut = JSON.parse(JSON.stringify(res.body)) as { chain: Record<string, unknown>[] };
    const i = cut.chain.length - 2;
    const e = cut.chain[i]!;
    cut.chain[i] = { seq: e.seq, prevHash: e.prevHash, hash: e.hash, withheld: true };
    expect(verifyProof(cut).valid).toBe(false);
  }, 120_000);
});
