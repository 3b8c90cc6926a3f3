import { createHash, randomBytes, randomInt } from "node:crypto";
import { z } from "zod";
import type { Inventory } from "../../domain/inventory/schema";
import { hashWhatsAppNumber, keyedHash, normaliseWhatsAppNumber } from "../../domain/subject";
import type { Ports } from "../../ports";
import { forEachLimit } from "../util";
import { platformRecords } from "../stores";

export const SeedOptions = z
  .object({
    tenantId: z
      .string()
      .regex(/^t-[a-z0-9-]{3,40}$/, "t- followed by 3–40 lowercase letters, digits or dashes")
      .optional(),
    organisation: z.string().min(2).max(120).optional(),
    conversations: z.number().int().min(0).max(5000).default(5),
    messagesPerConversation: z.number().int().min(0).max(1000).default(5),
    audioPerConversation: z.number().int().min(0).max(20).default(1),
    knowledgeBaseFiles: z.number().int().min(0).max(1000).default(2),
    members: z.number().int().min(0).max(100).default(3),
    apiKeys: z.number().int().min(0).max(100).default(2),
    bots: z.number().int().min(0).max(100).default(2),
    payments: z.number().int().min(0).max(1000).default(3),
    usageRecords: z.number().int().min(0).max(50_000).default(10),
    /** WhatsApp numbers to use as contacts (any spelling); the rest are generated. */
    contacts: z.array(z.string().min(5).max(32)).max(100).default([]),
  })
  .strict();
export type SeedOptions = z.input<typeof SeedOptions>;

export interface SeedResult {
  tenantId: string;
  ownerEmail: string;
  contacts: string[];
  counts: Record<string, number>;
}

const FIRST = ["Aarav", "Diya", "Ishaan", "Meera", "Kabir", "Ananya", "Rohan", "Saanvi", "Vihaan", "Priya"];
const LAST = ["Sharma", "Iyer", "Patil", "Reddy", "Khan", "Das", "Gupta", "Nair", "Joshi", "Singh"];
const ORGS = ["Sharma Dental Clinic", "Pune Bakers", "Nair Travels", "Joshi Coaching Centre", "Reddy Motors"];
const pick = <T>(xs: readonly T[]) => xs[randomInt(xs.length)]!;
const person = () => `${pick(FIRST)} ${pick(LAST)}`;
const mobile = () =>
  `+91${pick(["98", "97", "90", "88", "70"])}${String(randomInt(0, 100_000_000)).padStart(8, "0")}`;

const CONCURRENCY = 16;

export type SeedDoc = { id: string; tenantId: string } & Record<string, unknown>;

/** Writes the seeded tenant's documents of one platform container (all in the tenant's partition). */
export type SeedWriter = (container: string, docs: SeedDoc[]) => Promise<void>;

/** The default: one upsert per document through the ports, CONCURRENCY in flight. */
const portsWriter =
  (ports: Ports): SeedWriter =>
  async (container, docs) => {
    const coll = platformRecords({ ports }, container);
    await forEachLimit(docs, CONCURRENCY, async (doc) => {
      await coll.upsert(doc);
    });
  };

/**
 * Fills one tenant with realistic synthetic platform data, every inventory category included, through
 * the same ports the service reads it with. For the local host, the demo tenants, tests and bench; a
 * bench that seeds tens of thousands of records hands a faster `write` (the emulator's batch path).
 */
export async function seedTenant(
  ports: Ports,
  inventory: Inventory,
  hashKey: Buffer,
  input: SeedOptions,
  write: SeedWriter = portsWriter(ports),
): Promise<SeedResult> {
  const o = SeedOptions.parse(input);
  const tenantId = o.tenantId ?? `t-${randomBytes(5).toString("hex")}`;
  const now = ports.clock.now();
  const iso = (daysAgo: number) => new Date(now.getTime() - daysAgo * 86_400_000).toISOString();
  const counts: Record<string, number> = {};
  const container = (category: string) => {
    const e = inventory.find((x) => x.category === category);
    if (!e) throw new Error(`the inventory has no category ${category}`);
    counts[category] = counts[category] ?? 0;
    return e.store.container;
  };
  const docs: { category: string; doc: SeedDoc }[] = [];
  const add = (category: string, doc: Record<string, unknown> & { id: string }) => {
    container(category);
    docs.push({ category, doc: { ...doc, tenantId } });
  };
  const blobs: { category: string; name: string; body: Buffer; contentType: string }[] = [];

  const organisation = o.organisation ?? pick(ORGS);
  const ownerName = person();
  const ownerEmail = `owner+${tenantId}@example.in`;
  add("account", {
    id: tenantId,
    organisation,
    ownerName,
    ownerEmail,
    ownerPhone: mobile(),
    plan: "growth",
    status: "active",
    language: "en",
    preferences: { timezone: "Asia/Kolkata", theme: "light" },
    createdAt: iso(400),
  });
  add("team_members", {
    id: `m-${tenantId}-owner`,
    name: ownerName,
    email: ownerEmail,
    role: "owner",
    access: "active",
  });
  for (let i = 0; i < o.members; i++) {
    add("team_members", {
      id: `m-${tenantId}-${i}`,
      name: person(),
      email: `member${i}+${tenantId}@example.in`,
      role: i === 0 ? "admin" : "member",
      access: "active",
    });
  }
  for (let i = 0; i < o.apiKeys; i++) {
    const secret = randomBytes(24).toString("base64url");
    add("api_keys", {
      id: `k-${tenantId}-${i}`,
      name: i === 0 ? "Production" : `Key ${i}`,
      prefix: `cm_live_${secret.slice(0, 6)}`,
      keyHash: createHash("sha256").update(secret).digest("hex"),
      status: "active",
      createdAt: iso(100 - i),
    });
  }
  const botIds: string[] = [];
  for (let i = 0; i < o.bots; i++) {
    const id = `b-${tenantId}-${i}`;
    botIds.push(id);
    add("bots", {
      id,
      name: i === 0 ? "Front desk" : `Assistant ${i}`,
      channel: i % 2 === 0 ? "whatsapp" : "voice",
      systemPrompt: `You are the assistant of ${organisation}. Answer politely in English or Hindi.`,
      settings: { temperature: 0.3, language: "en-IN" },
      status: "running",
    });
  }
  for (let i = 0; i < o.knowledgeBaseFiles; i++) {
    blobs.push({
      category: "knowledge_base_files",
      name: `${tenantId}/${botIds[i % Math.max(1, botIds.length)] ?? "shared"}/faq-${i}.md`,
      body: Buffer.from(`# ${organisation} FAQ ${i}\n\nOpening hours: 9am–7pm IST, Monday to Saturday.\n`),
      contentType: "text/markdown",
    });
  }
  const contacts = o.contacts.map((c, i) => {
    const n = normaliseWhatsAppNumber(c);
    if (!n) throw new Error(`contacts[${i}] is not a valid WhatsApp number`);
    return n;
  });
  for (let c = 0; c < o.conversations; c++) {
    // The named contacts come first, one conversation each; the rest talk to generated numbers.
    const contactPhone = c < contacts.length ? contacts[c]! : mobile();
    const contactHash = hashWhatsAppNumber(hashKey, contactPhone);
    const id = `c-${tenantId}-${c}`;
    const audioBlobs: string[] = [];
    const transcriptBlobs: string[] = [];
    for (let a = 0; a < o.audioPerConversation; a++) {
      const audio = `${tenantId}/${id}/call-${a}.wav`;
      const transcript = `${tenantId}/${id}/call-${a}.txt`;
      audioBlobs.push(audio);
      transcriptBlobs.push(transcript);
      blobs.push({
        category: "audio_recordings",
        name: audio,
        body: randomBytes(2048),
        contentType: "audio/wav",
      });
      blobs.push({
        category: "transcripts",
        name: transcript,
        body: Buffer.from(`Caller asked about an appointment with ${organisation}.`),
        contentType: "text/plain",
      });
    }
    add("conversations", {
      id,
      contactPhone,
      contactName: person(),
      contactHash,
      channel: o.audioPerConversation > 0 ? "voice" : "whatsapp",
      startedAt: iso(c % 60),
      durationSec: 30 + (c % 300),
      billing: { units: 1 + (c % 5) },
      audioBlobs,
      transcriptBlobs,
    });
    for (let m = 0; m < o.messagesPerConversation; m++) {
      add("messages", {
        id: `msg-${id}-${m}`,
        conversationId: id,
        contactHash,
        direction: m % 2 === 0 ? "inbound" : "outbound",
        text:
          m % 2 === 0 ? "Hello, is the clinic open tomorrow?" : "Yes, we open at 9am. Shall I book a slot?",
        status: "delivered",
        waMessageId: `wamid.${randomBytes(8).toString("hex")}`,
        sentAt: iso(c % 60),
      });
    }
    add("consent_records", {
      id: `consent-${id}`,
      subjectHash: contactHash,
      purpose: "whatsapp_messaging",
      status: "granted",
      channel: "whatsapp",
      at: iso(c % 60),
    });
  }
  const displayPhone = mobile();
  add("whatsapp_identifiers", {
    id: `wa-${tenantId}`,
    wabaId: String(randomInt(1e9, 2e9)),
    phoneNumberId: String(randomInt(1e9, 2e9)),
    businessId: String(randomInt(1e9, 2e9)),
    displayPhone,
    displayPhoneHash: hashWhatsAppNumber(hashKey, displayPhone),
  });
  add("integration_configuration", {
    id: `int-${tenantId}-webhook`,
    type: "webhook",
    config: { url: "https://hooks.example.in/cm", events: ["message.received"] },
  });
  add("integration_configuration", {
    id: `int-${tenantId}-template`,
    type: "template",
    config: { name: "appointment_reminder", language: "en" },
  });
  for (let i = 0; i < o.payments; i++) {
    add("payments", {
      id: `pay-${tenantId}-${i}`,
      orderId: `order_${randomBytes(6).toString("hex")}`,
      amountPaise: 99_900 + i * 10_000,
      currency: "INR",
      gst: { gstin: "27AAACC1234F1Z5", hsnSac: "998314", cgstPaise: 8991, sgstPaise: 8991, igstPaise: 0 },
      billingName: ownerName,
      billingEmail: ownerEmail,
      billingPhone: mobile(),
      status: "captured",
      paidAt: iso(30 * i),
    });
  }
  add("credit_balance", { id: tenantId, balanceCredits: 1250, updatedAt: iso(1) });
  for (let i = 0; i < o.usageRecords; i++) {
    add("usage_records", {
      id: `u-${tenantId}-${i}`,
      endpoint: "/v1/chat",
      model: "gpt-4o-mini",
      tokens: 300 + i,
      latencyMs: 420,
      ip: `203.0.113.${i % 250}`,
      at: iso(i % 120),
    });
  }
  add("security_logs", {
    id: `sec-${tenantId}-login`,
    actorHash: keyedHash(hashKey, ownerEmail),
    action: "login",
    ip: "203.0.113.7",
    at: iso(2),
  });

  const byCategory = new Map(inventory.map((e) => [e.category, e]));
  const byContainer = new Map<string, { category: string; doc: SeedDoc }[]>();
  for (const d of docs) {
    const container = byCategory.get(d.category)!.store.container;
    const held = byContainer.get(container);
    if (held) held.push(d);
    else byContainer.set(container, [d]);
  }
  for (const [container, held] of byContainer) {
    await write(
      container,
      held.map((d) => d.doc),
    );
    for (const { category } of held) counts[category] = (counts[category] ?? 0) + 1;
  }
  await forEachLimit(blobs, CONCURRENCY, async (b) => {
    const entry = byCategory.get(b.category)!;
    await ports.blobs.put(entry.store.container, b.name, b.body, { contentType: b.contentType });
    counts[b.category] = (counts[b.category] ?? 0) + 1;
  });
  return { tenantId, ownerEmail, contacts, counts };
}
