import { describe, expect, it } from "vitest";
import { platformInventory } from "../../src/domain/inventory/platform-inventory";
import {
  blobEntries,
  cosmosEntries,
  type InventoryEntry,
  parseInventory,
  storeName,
} from "../../src/domain/inventory/schema";

/** The categories DESIGN §3 names, as the policies name them. */
const POLICY_CATEGORIES = [
  "account",
  "team_members",
  "api_keys",
  "bots",
  "knowledge_base_files",
  "conversations",
  "messages",
  "audio_recordings",
  "transcripts",
  "whatsapp_identifiers",
  "integration_configuration",
  "usage_records",
  "payments",
  "credit_balance",
  "consent_records",
  "security_logs",
];

const entry = (category: string): InventoryEntry => {
  const found = platformInventory.find((e) => e.category === category);
  if (!found) throw new Error(`no inventory entry ${category}`);
  return found;
};

/** A deep, mutable copy of the platform inventory as raw JSON, to break one thing at a time. */
type Raw = Record<string, unknown> & { store: Record<string, unknown> };
const rawInventory = (): Raw[] => structuredClone(platformInventory) as unknown as Raw[];
const rawIndex = (raw: Raw[], category: string) => {
  const i = raw.findIndex((e) => e.category === category);
  if (i < 0) throw new Error(`no inventory entry ${category}`);
  return i;
};

/** parseInventory must throw; returns the message. */
function parseError(raw: unknown): string {
  let caught: unknown;
  try {
    parseInventory(raw);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(Error);
  return (caught as Error).message;
}

describe("the platform inventory", () => {
  it("parses (again) without change", () => {
    expect(parseInventory(structuredClone(platformInventory))).toEqual(platformInventory);
  });

  it("covers every policy category of DESIGN §3, each once", () => {
    const categories = platformInventory.map((e) => e.category);
    for (const c of POLICY_CATEGORIES) expect(categories, c).toContain(c);
    expect(new Set(categories).size).toBe(categories.length);
  });

  it("keeps payments anonymised (name, email, phone) and retained for seven years", () => {
    const payments = entry("payments");
    expect(payments.onAccountPurge.type).toBe("anonymise");
    if (payments.onAccountPurge.type !== "anonymise") return;
    expect([...payments.onAccountPurge.fields].sort()).toEqual([
      "billingEmail",
      "billingName",
      "billingPhone",
    ]);
    expect(payments.onAccountPurge.thenRetain.duration).toBe("P7Y");
    expect(payments.onAccountPurge.thenRetain.basis).toMatch(/GST|Income Tax/);
  });

  it("revokes API keys on deactivation and never restores them on reactivation", () => {
    const keys = entry("api_keys");
    expect(keys.onDeactivation).toMatchObject({ type: "revoke", restoreOnReactivation: false });
    expect(keys.export.omitFields).toContain("keyHash");
    // Everything else deactivation touches comes back on reactivation (Account Deletion §6).
    const others = platformInventory.filter((e) => e.onDeactivation && e.category !== "api_keys");
    expect(others.map((e) => e.category).sort()).toEqual(["account", "bots", "team_members"]);
    for (const e of others) expect(e.onDeactivation?.restoreOnReactivation, e.category).toBe(true);
  });

  it("deletes at the 30-day purge what Account Deletion §3 lists", () => {
    for (const c of ["account", "api_keys", "bots", "knowledge_base_files", "messages", "audio_recordings"]) {
      expect(entry(c).onAccountPurge.type, c).toBe("delete");
    }
    expect(entry("security_logs").onAccountPurge).toMatchObject({
      type: "retain",
      retention: { duration: "P1Y" },
    });
    expect(entry("usage_records").retention?.duration).toBe("P90D");
  });

  it("finds a WhatsApp subject's records by a hashed field or a link, wherever it erases them", () => {
    for (const e of platformInventory.filter((x) => x.onWhatsAppErasure)) {
      if (e.store.kind === "cosmos") expect(e.store.whatsappHashField, e.category).toBeTruthy();
      else expect(e.store.linkedFrom, e.category).toBeDefined();
    }
    expect(entry("messages").onWhatsAppErasure?.type).toBe("delete");
    expect(entry("whatsapp_identifiers").onWhatsAppErasure?.type).toBe("route_to_account_flow");
  });

  it("names its stores as the inventory endpoint shows them", () => {
    expect(storeName(entry("messages"))).toBe("cosmos:platform/messages");
    expect(storeName(entry("audio_recordings"))).toBe("blob:audio");
    expect(cosmosEntries(platformInventory).length + blobEntries(platformInventory).length).toBe(
      platformInventory.length,
    );
  });
});

describe("parseInventory rejects", () => {
  it("a duplicate category, naming the path", () => {
    const raw = rawInventory();
    raw.push(structuredClone(raw[rawIndex(raw, "messages")]!));
    const message = parseError(raw);
    expect(message).toContain(`inventory[${raw.length - 1}.category]`);
    expect(message).toContain("duplicate category messages");
  });

  it("a linkedFrom naming an unknown category", () => {
    const raw = rawInventory();
    const i = rawIndex(raw, "audio_recordings");
    raw[i]!.store.linkedFrom = { category: "calls", field: "audioBlobs" };
    const message = parseError(raw);
    expect(message).toContain(`inventory[${i}.store.linkedFrom.category]`);
    expect(message).toContain("calls");
  });

  it("a WhatsApp action on a Cosmos store without a hash field", () => {
    const raw = rawInventory();
    const i = rawIndex(raw, "messages");
    delete raw[i]!.store.whatsappHashField;
    const message = parseError(raw);
    expect(message).toContain(`inventory[${i}.onWhatsAppErasure]`);
    expect(message).toContain("whatsappHashField");
  });

  it("a WhatsApp action on a blob store without a link", () => {
    const raw = rawInventory();
    const i = rawIndex(raw, "transcripts");
    delete raw[i]!.store.linkedFrom;
    const message = parseError(raw);
    expect(message).toContain(`inventory[${i}.onWhatsAppErasure]`);
    expect(message).toContain("linkedFrom");
  });

  it.each(["7 years", "P", "PT", "P7.5Y", "7Y", "p7y", "P1H"])("a bad duration %j", (duration) => {
    const raw = rawInventory();
    const i = rawIndex(raw, "payments");
    raw[i]!.onAccountPurge = {
      type: "anonymise",
      fields: ["billingName"],
      thenRetain: { duration, basis: "GST record-keeping" },
    };
    const message = parseError(raw);
    expect(message).toContain(`inventory[${i}.onAccountPurge.thenRetain.duration]`);
    expect(message).toContain("ISO 8601");
  });

  it("an unknown field on an entry and inside a store (strict)", () => {
    const raw = rawInventory();
    const i = rawIndex(raw, "bots");
    raw[i]!.retentionDays = 30;
    expect(parseError(raw)).toMatch(new RegExp(`inventory\\[${i}\\]: .*retentionDays`));
    const raw2 = rawInventory();
    raw2[i]!.store.partitionKey = "/tenantId";
    expect(parseError(raw2)).toMatch(new RegExp(`inventory\\[${i}\\.store\\]: .*partitionKey`));
  });

  it("an unknown action type and an empty inventory", () => {
    const raw = rawInventory();
    const i = rawIndex(raw, "credit_balance");
    raw[i]!.onAccountPurge = { type: "shred" };
    expect(parseError(raw)).toContain(`inventory[${i}.onAccountPurge`);
    expect(parseError([])).toContain("The data inventory is invalid");
  });

  it("and accepts a valid new entry: adding a store is adding an entry", () => {
    const raw = rawInventory();
    raw.push({
      category: "call_notes",
      label: "Notes agents keep on calls",
      policyRef: "Account Deletion Policy §3",
      purpose: "Support follow-up",
      legalBasis: "Performance of contract",
      store: { kind: "cosmos", container: "callNotes", tenantField: "tenantId" },
      onAccountPurge: { type: "delete" },
      export: { include: true },
    });
    const parsed = parseInventory(raw);
    expect(parsed.at(-1)).toMatchObject({
      category: "call_notes",
      export: { include: true, omitFields: [] },
    });
  });
});
