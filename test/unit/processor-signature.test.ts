import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { platformInventory } from "../../src/domain/inventory/platform-inventory";
import { PURPOSE_CATEGORIES, correctionCategories } from "../../src/domain/processors/affected";
import { isCrossBorder, ProcessorInput } from "../../src/domain/processors/register";
import { signWebhook, verifyWebhook } from "../../src/domain/processors/signature";
import { parseTaskId, reminderDue, taskId } from "../../src/domain/processors/task";
import { PURPOSES } from "../../src/domain/consent/purposes";
import { FIXED_EPOCH, testData } from "../support/generators";

const data = testData("processor-signature.test");
const key = Buffer.from(Array.from({ length: 32 }, () => data.int(0, 255)));
const other = Buffer.from(Array.from({ length: 32 }, () => data.int(0, 255)));
const body = JSON.stringify({ taskId: "pt.p1.r-x" });

describe("Standard Webhooks signatures", () => {
  it("signs id.timestamp.body with HMAC-SHA256 and base64, as the spec's reference does", () => {
    const h = signWebhook(key, "msg_1", FIXED_EPOCH, body);
    const ts = String(Math.floor(FIXED_EPOCH.getTime() / 1000));
    expect(h["webhook-timestamp"]).toBe(ts);
    const expected = createHmac("sha256", key).update(`msg_1.${ts}.${body}`).digest("base64");
    expect(h["webhook-signature"]).toBe(`v1,${expected}`);
    expect(verifyWebhook(key, h, body, FIXED_EPOCH)).toBe("valid");
  });

  it("refuses another key, another body, a stale or future timestamp, missing headers; takes one of several signatures", () => {
    const h = signWebhook(key, "msg_2", FIXED_EPOCH, body);
    expect(verifyWebhook(other, h, body, FIXED_EPOCH)).toBe("mismatch");
    expect(verifyWebhook(key, h, `${body} `, FIXED_EPOCH)).toBe("mismatch");
    expect(verifyWebhook(key, { ...h, "webhook-id": "msg_3" }, body, FIXED_EPOCH)).toBe("mismatch");
    expect(verifyWebhook(key, h, body, new Date(FIXED_EPOCH.getTime() + 301_000))).toBe("stale");
    expect(verifyWebhook(key, h, body, new Date(FIXED_EPOCH.getTime() - 301_000))).toBe("stale");
    expect(verifyWebhook(key, h, body, new Date(FIXED_EPOCH.getTime() + 299_000))).toBe("valid");
    expect(verifyWebhook(key, { ...h, "webhook-signature": null }, body, FIXED_EPOCH)).toBe("missing");
    expect(verifyWebhook(key, { ...h, "webhook-timestamp": "soon" }, body, FIXED_EPOCH)).toBe("missing");
    expect(verifyWebhook(key, { ...h, "webhook-signature": "v1,AAAA" }, body, FIXED_EPOCH)).toBe("mismatch");
    const rotated = `${signWebhook(other, "msg_2", FIXED_EPOCH, body)["webhook-signature"]} ${h["webhook-signature"]}`;
    expect(verifyWebhook(key, { ...h, "webhook-signature": rotated }, body, FIXED_EPOCH)).toBe("valid");
    expect(
      verifyWebhook(
        key,
        { ...h, "webhook-signature": h["webhook-signature"].replace("v1,", "v2,") },
        body,
        FIXED_EPOCH,
      ),
    ).toBe("mismatch");
  });
});

describe("register entries and tasks", () => {
  const entry = {
    name: "Partner",
    purpose: "Processing",
    categories: ["messages"],
    location: { country: "IN" },
    contractReference: "DPA-1",
    channel: { type: "webhook", url: "https://partner.example/hook" },
    confirmWithin: "PT72H",
    tenants: "all",
  };

  it("India is domestic; any other country is a cross-border transfer (s.16)", () => {
    expect(isCrossBorder(ProcessorInput.parse(entry))).toBe(false);
    expect(isCrossBorder(ProcessorInput.parse({ ...entry, location: { country: "US" } }))).toBe(true);
  });

  it("a webhook is https (http only to a loopback address); a confirmation window is PT1H to P30D", () => {
    const bad = (change: Record<string, unknown>) =>
      ProcessorInput.safeParse({ ...entry, ...change }).success;
    expect(bad({ channel: { type: "webhook", url: "http://partner.example/hook" } })).toBe(false);
    expect(bad({ channel: { type: "webhook", url: "http://127.0.0.1:9/hook" } })).toBe(true);
    expect(bad({ confirmWithin: "PT30M" })).toBe(false);
    expect(bad({ confirmWithin: "P31D" })).toBe(false);
    expect(bad({ confirmWithin: "P1M" })).toBe(false);
    expect(bad({ confirmWithin: "P30D" })).toBe(true);
  });

  it("a task id names its partner and request; anything else is no task id", () => {
    const id = taskId("chat-cloud", "r-1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed.t.t-1");
    expect(parseTaskId(id)).toEqual({
      processorId: "chat-cloud",
      requestId: "r-1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed.t.t-1",
    });
    for (const bad of ["pt.Chat.r-1", "pt..r-1", "task.chat.r-1", "pt.chat-cloud.x-1"])
      expect(parseTaskId(bad)).toBeUndefined();
  });

  it("the reminder: 24 hours before the deadline, or half-way through a window under 48 hours", () => {
    const h = (n: number) => new Date(FIXED_EPOCH.getTime() + n * 3_600_000);
    expect(reminderDue(FIXED_EPOCH, h(72))).toEqual(h(48));
    expect(reminderDue(FIXED_EPOCH, h(48))).toEqual(h(24));
    expect(reminderDue(FIXED_EPOCH, h(12))).toEqual(h(6));
  });

  it("every consent purpose maps to inventory categories, and so do corrections", () => {
    const known = platformInventory.map((e) => e.category);
    expect(Object.keys(PURPOSE_CATEGORIES).sort()).toEqual([...PURPOSES].sort());
    for (const cats of Object.values(PURPOSE_CATEGORIES)) for (const c of cats) expect(known).toContain(c);
    for (const scope of ["account", "whatsapp_number"] as const)
      for (const c of correctionCategories(scope)) expect(known).toContain(c);
  });
});
