import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Anonymisation,
  anonymised,
  anonymisePatches,
  MAX_PATCH_OPS,
  type RecordPatchOp,
} from "../../src/domain/inventory/anonymisation";
import { platformInventory } from "../../src/domain/inventory/platform-inventory";
import {
  decide,
  decideRecord,
  type EntryDecision,
  INVENTORY_ACTIONS,
  type InventoryAction,
  linkedBlobs,
  recordBlobs,
  recordHash,
  recordTenant,
} from "../../src/domain/inventory/record-actions";
import {
  deletePath,
  getPath,
  holdsPath,
  type RecordData,
  setPath,
  topLevelFields,
} from "../../src/domain/inventory/record-path";
import { parseInventory } from "../../src/domain/inventory/schema";

/**
 * The record-action engine without any emulator: paths, anonymisation in memory and by patch, and the
 * decision of every action for every entry of the real inventory.
 */

const NOW = new Date("2026-06-04T10:00:00.000Z");
const entry = (category: string) => platformInventory.find((e) => e.category === category)!;

/**
 * A patch applied the way Cosmos applies one: `remove` of a path that is not there fails, and so does a
 * `set` whose parent is not an object. Paths are the port's dotted ones (the adapter writes `/a/b`).
 */
function applyLikeCosmos(doc: RecordData, ops: readonly RecordPatchOp[]): RecordData {
  const next = structuredClone(doc);
  for (const op of ops) {
    const keys = op.path.split(".");
    const last = keys.pop()!;
    let parent: unknown = next;
    for (const k of keys) {
      if (parent === null || typeof parent !== "object" || Array.isArray(parent) || !(k in parent))
        throw new Error(`patch ${op.op} ${op.path}: no parent`);
      parent = (parent as RecordData)[k];
    }
    if (parent === null || typeof parent !== "object" || Array.isArray(parent))
      throw new Error(`patch ${op.op} ${op.path}: parent is not an object`);
    const at = parent as RecordData;
    if (op.op === "remove") {
      if (!(last in at)) throw new Error(`patch remove ${op.path}: not there`);
      delete at[last];
    } else {
      at[last] = op.value;
    }
  }
  return next;
}

const SAMPLE: RecordData = {
  id: "r1",
  tenantId: "t-1",
  name: "Asha",
  empty: null,
  gst: { gstin: "27AAACC1234F1Z5", hsnSac: "998314", deep: { pan: "AAACC1234F", keep: 1 } },
  list: [{ phone: "+919800000001" }, "x"],
  scalar: 5,
};

describe("a dotted path on a record", () => {
  it.each([
    ["depth 1", "name", "Asha", true],
    ["depth 1, null held", "empty", null, true],
    ["depth 2", "gst.gstin", "27AAACC1234F1Z5", true],
    ["depth 3", "gst.deep.pan", "AAACC1234F", true],
    ["missing at depth 1", "absent", undefined, false],
    ["missing at depth 3", "gst.deep.absent", undefined, false],
    ["missing parent", "absent.inner", undefined, false],
    ["through null", "empty.inner", undefined, false],
    ["through a number", "scalar.inner", undefined, false],
    ["through a string", "name.length", undefined, false],
    ["an array is a value", "list", SAMPLE.list, true],
    ["into an array: nothing", "list.0", undefined, false],
    ["into an array element: nothing", "list.0.phone", undefined, false],
  ])("%s: %s", (_, path, value, held) => {
    expect(getPath(SAMPLE, path)).toEqual(value);
    expect(holdsPath(SAMPLE, path)).toBe(held);
    const copy = structuredClone(SAMPLE);
    deletePath(copy, path);
    if (held) {
      expect(holdsPath(copy, path)).toBe(false);
      // Only that path went: put it back and the record is whole again.
      setPath(copy, path, value);
      expect(copy).toEqual(SAMPLE);
    } else {
      expect(copy).toEqual(SAMPLE);
    }
  });

  it("sets a path, making each step before it an object", () => {
    const doc: RecordData = { a: 5, b: null, c: [1] };
    setPath(doc, "a.x", 1);
    setPath(doc, "b.y.z", 2);
    setPath(doc, "c.q", 3);
    setPath(doc, "n.m.o", 4);
    expect(doc).toEqual({ a: { x: 1 }, b: { y: { z: 2 } }, c: { q: 3 }, n: { m: { o: 4 } } });
  });

  it("names the top-level fields a listing selects, once each", () => {
    expect(topLevelFields(["a", "b.c", "b.d", "e.f.g"])).toEqual(["a", "b", "e"]);
  });
});

describe("anonymising a record", () => {
  const a: Anonymisation = {
    remove: ["name", "gst.gstin", "gst.deep", "gst.deep.pan", "absent", "empty", "scalar.inner", "list.0"],
    empty: ["links", "nested.links", "gst.deep.links"],
    mark: { anonymisedAt: NOW.toISOString() },
  };
  const doc: RecordData = { ...SAMPLE, links: ["t-1/a.wav"], nested: { links: ["t-1/b.wav"], other: 1 } };

  it("removes what the record holds (null included), empties the lists it holds, marks it; the rest stays", () => {
    const out = anonymised(doc, a);
    expect(out).toEqual({
      id: "r1",
      tenantId: "t-1",
      gst: { hsnSac: "998314" },
      list: SAMPLE.list,
      scalar: 5,
      links: [],
      nested: { links: [], other: 1 },
      anonymisedAt: NOW.toISOString(),
    });
    // The record given is not changed.
    expect(doc.name).toBe("Asha");
  });

  it("patches to the same record, asking only for what is there (a `remove` of a missing path fails in Cosmos)", () => {
    const patches = anonymisePatches(doc, a);
    expect(patches.flat()).toEqual([
      { op: "remove", path: "name" },
      { op: "remove", path: "gst.gstin" },
      // `gst.deep.pan` goes with `gst.deep`; a list inside it is not emptied after it is gone.
      { op: "remove", path: "gst.deep" },
      { op: "remove", path: "empty" },
      { op: "set", path: "links", value: [] },
      { op: "set", path: "nested.links", value: [] },
      { op: "set", path: "anonymisedAt", value: NOW.toISOString() },
    ]);
    let stored = doc;
    for (const ops of patches) stored = applyLikeCosmos(stored, ops);
    expect(stored).toEqual(anonymised(doc, a));
  });

  it.each([
    [0, 1],
    [7, 1],
    [8, 2],
    [17, 2],
    [18, 3],
    [25, 3],
  ])("%i removes and a 3-field mark: %i patches of at most 10, the mark in the last", (n, count) => {
    const fields = Array.from({ length: n }, (_, i) => `f${i}`);
    const record = Object.fromEntries(fields.map((f) => [f, f]));
    const mark = { anonymisedAt: "a", retainUntil: "b", retentionBasis: "c" };
    const patches = anonymisePatches(record, { remove: fields, empty: [], mark });
    expect(patches).toHaveLength(count);
    for (const p of patches) expect(p.length).toBeLessThanOrEqual(MAX_PATCH_OPS);
    expect(
      patches
        .slice(0, -1)
        .flat()
        .every((o) => o.op === "remove"),
    ).toBe(true);
    expect(patches.at(-1)!.slice(-3)).toEqual(
      Object.entries(mark).map(([path, value]) => ({ op: "set", path, value })),
    );
    expect(patches.flat().filter((o) => o.op === "remove")).toHaveLength(n);
  });

  it("anonymising twice changes nothing more: no field is asked to go twice", () => {
    const once = anonymised(doc, a);
    expect(anonymised(once, a)).toEqual(once);
    expect(
      anonymisePatches(once, a)
        .flat()
        .filter((o) => o.op === "remove"),
    ).toEqual([]);
  });
});

describe("patches and memory agree (property)", () => {
  const key = fc.constantFrom("a", "b", "c", "d");
  const leaf = fc.oneof(
    fc.constant(null),
    fc.integer(),
    fc.string({ maxLength: 3 }),
    fc.array(fc.integer(), { maxLength: 2 }),
  );
  const { tree } = fc.letrec((tie) => ({
    tree: fc.oneof({ depthSize: "small" }, leaf, fc.dictionary(key, tie("tree"), { maxKeys: 4 })),
  }));
  const record = fc.dictionary(key, tree, { maxKeys: 4 });
  const path = fc.array(key, { minLength: 1, maxLength: 3 }).map((ks) => ks.join("."));
  const anonymisation: fc.Arbitrary<Anonymisation> = fc.record({
    remove: fc.array(path, { maxLength: 12 }),
    empty: fc.array(path, { maxLength: 4 }),
    mark: fc.constantFrom<Record<string, string>>(
      { anonymisedAt: "t" },
      { sweptAt: "t" },
      { anonymisedAt: "t", retainUntil: "u", retentionBasis: "b" },
    ),
  });

  it("applying the patches to a stored record gives the record anonymised in memory", () => {
    fc.assert(
      fc.property(record, anonymisation, (doc, a) => {
        const patches = anonymisePatches(doc, a);
        for (const p of patches) expect(p.length).toBeLessThanOrEqual(MAX_PATCH_OPS);
        let stored: RecordData = doc;
        for (const ops of patches) stored = applyLikeCosmos(stored, ops);
        expect(stored).toEqual(anonymised(doc, a));
        // Nothing named stays behind.
        for (const p of a.remove) expect(holdsPath(stored, p)).toBe(false);
      }),
      { seed: 18, numRuns: 500 },
    );
  });
});

describe("what a record links to and who it belongs to", () => {
  const conversations = entry("conversations");
  const blobs = linkedBlobs(platformInventory, conversations, "whatsapp_erasure");

  it("the keyed hash and the tenant, by the inventory's fields", () => {
    expect(recordHash(conversations, { contactHash: "h1" })).toBe("h1");
    expect(recordHash(conversations, { contactHash: "" })).toBeUndefined();
    expect(recordHash(conversations, { contactHash: 5 })).toBeUndefined();
    expect(recordHash(entry("payments"), { contactHash: "h1" })).toBeUndefined();
    expect(recordHash(entry("consent_records"), { subjectHash: "h2" })).toBe("h2");
    expect(recordTenant(conversations, { tenantId: "t-1" })).toBe("t-1");
    expect(recordTenant(conversations, { tenantId: 1 })).toBeUndefined();
  });

  it("the blobs named on a record: the tenant's own followed, the rest refused and counted", () => {
    expect(blobs.map((b) => [b.category, b.container, b.field])).toEqual([
      ["audio_recordings", "audio", "audioBlobs"],
      ["transcripts", "transcripts", "transcriptBlobs"],
    ]);
    const doc = {
      audioBlobs: ["t-1/c-1/call-0.wav", "t-2/c-9/call-0.wav", "t-1/../t-2/x.wav"],
      transcriptBlobs: "not a list",
    };
    expect(recordBlobs("t-1", blobs, doc).map((r) => [r.link.category, r.own, r.refused])).toEqual([
      ["audio_recordings", ["t-1/c-1/call-0.wav"], 2],
      ["transcripts", [], 0],
    ]);
  });

  it("the purge deletes the same blobs by the tenant's prefix; the sweep follows no link", () => {
    expect(linkedBlobs(platformInventory, conversations, "account_purge").map((b) => b.category)).toEqual([
      "audio_recordings",
      "transcripts",
    ]);
    expect(linkedBlobs(platformInventory, conversations, "retention_sweep")).toEqual([]);
  });
});

describe("every action of every entry of the platform inventory", () => {
  const kinds = (action: InventoryAction) =>
    Object.fromEntries(
      platformInventory.map((e) => [e.category, decide(platformInventory, e, action, NOW).type]),
    );

  it("has a decision", () => {
    for (const e of platformInventory) {
      for (const action of INVENTORY_ACTIONS) {
        const d: EntryDecision = decide(platformInventory, e, action, NOW);
        expect(
          ["none", "delete", "anonymise", "retain", "forfeit", "route_to_account_flow"],
          `${e.category} ${action}`,
        ).toContain(d.type);
      }
    }
    expect(kinds("account_purge")).toEqual({
      account: "delete",
      team_members: "delete",
      api_keys: "delete",
      bots: "delete",
      knowledge_base_files: "delete",
      conversations: "delete",
      messages: "delete",
      audio_recordings: "delete",
      transcripts: "delete",
      whatsapp_identifiers: "delete",
      integration_configuration: "delete",
      usage_records: "delete",
      payments: "anonymise",
      credit_balance: "forfeit",
      consent_records: "delete",
      security_logs: "retain",
    });
    expect(kinds("whatsapp_erasure")).toMatchObject({
      account: "none",
      conversations: "anonymise",
      messages: "delete",
      audio_recordings: "delete",
      transcripts: "delete",
      whatsapp_identifiers: "route_to_account_flow",
      consent_records: "delete",
      payments: "none",
    });
    const swept = Object.entries(kinds("retention_sweep")).filter(([, t]) => t !== "none");
    expect(swept).toEqual([["usage_records", "delete"]]);
    const retained = Object.entries(kinds("retained_until")).filter(([, t]) => t !== "none");
    expect(retained).toEqual([["payments", "delete"]]);
  });

  it("the purge anonymises payments with the retention mark; the erasure anonymises a conversation with its hash and links", () => {
    const payments = decide(platformInventory, entry("payments"), "account_purge", NOW);
    expect(payments).toMatchObject({
      type: "anonymise",
      anonymisation: {
        remove: ["billingName", "billingEmail", "billingPhone"],
        empty: [],
        mark: {
          anonymisedAt: NOW.toISOString(),
          retainUntil: "2033-06-04T10:00:00.000Z",
          retentionBasis: expect.stringMatching(/GST|tax|Income/i),
        },
      },
      retention: { duration: "P7Y" },
    });
    const conversation = decide(platformInventory, entry("conversations"), "whatsapp_erasure", NOW);
    expect(conversation).toMatchObject({
      type: "anonymise",
      anonymisation: {
        remove: ["contactPhone", "contactName", "contactHash"],
        empty: ["audioBlobs", "transcriptBlobs"],
        mark: { anonymisedAt: NOW.toISOString(), anonymisedFor: "whatsapp_number_erasure" },
      },
    });
    expect(decide(platformInventory, entry("security_logs"), "account_purge", NOW)).toMatchObject({
      type: "retain",
      retention: { period: "securityLogs" },
    });
  });

  it("a forfeit gives up the amount the record holds, at a dotted path too", () => {
    const credits = decide(platformInventory, entry("credit_balance"), "account_purge", NOW);
    expect(decideRecord(credits, { balanceCredits: 120 })).toEqual({ type: "forfeit", amount: 120 });
    expect(decideRecord(credits, { balanceCredits: "120" })).toEqual({ type: "forfeit", amount: 0 });
    expect(decideRecord(credits, {})).toEqual({ type: "forfeit", amount: 0 });
    const nested = parseInventory(
      platformInventory.map((e) =>
        e.category === "credit_balance"
          ? { ...e, onAccountPurge: { type: "forfeit", amountField: "balance.credits" } }
          : e,
      ),
    );
    const d = decide(
      nested,
      nested.find((e) => e.category === "credit_balance")!,
      "account_purge",
      NOW,
    );
    expect(decideRecord(d, { balance: { credits: 7.5 } })).toEqual({ type: "forfeit", amount: 7.5 });
    expect(decideRecord(d, { balance: 7.5 })).toEqual({ type: "forfeit", amount: 0 });
  });

  it("a sweep that anonymises takes the entry's fields and its hash, and marks the record swept", () => {
    const inventory = parseInventory(
      platformInventory.map((e) =>
        e.category === "usage_records"
          ? { ...e, sweep: { ageField: "at", action: { type: "anonymise", fields: ["ip", "device.id"] } } }
          : e,
      ),
    );
    const usage = inventory.find((e) => e.category === "usage_records")!;
    const d = decide(inventory, usage, "retention_sweep", NOW);
    expect(d).toMatchObject({
      type: "anonymise",
      anonymisation: { remove: ["ip", "device.id"], empty: [], mark: { sweptAt: NOW.toISOString() } },
    });
    if (d.type !== "anonymise") throw new Error("unreachable");
    expect(
      anonymised({ id: "u", ip: "203.0.113.5", device: { id: "d1", os: "ios" } }, d.anonymisation),
    ).toEqual({
      id: "u",
      device: { os: "ios" },
      sweptAt: NOW.toISOString(),
    });
  });
});
