import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fanOutToProcessors, eventFor, runProcessorTasks } from "../../src/app/processors";
import { signWebhook } from "../../src/domain/processors/signature";
import type { DevClock } from "../../src/adapters/embedded/dev-clock";
import { startTestHost, type TestHost } from "../support/host";
import { latestCode, outboxFor } from "../support/outbox";
import { testData } from "../support/generators";
import { startPartnerReceiver } from "../support/partner-receiver";

/**
 * Issue 20, parts 3 and 4: the processor register, and erasures told to the service partners holding what
 * was erased (DPDP Act s.8(7)). Over HTTP through the local host with the dev clock; the partners' webhook
 * is a loopback receiver, their secrets test-supplied (PROCESSOR_WEBHOOK_SECRETS).
 */

const data = testData("processors.test");
const secret = () => Buffer.from(Array.from({ length: 32 }, () => data.int(0, 255)));
const SECRETS = { "chat-cloud": secret(), "pay-gateway": secret(), "one-tenant": secret() };

let host: TestHost;
let receiver: Awaited<ReturnType<typeof startPartnerReceiver>>;
let officer: string;
let support: string;

const advance = (duration: string) => host.call("POST", "/_dev/clock", { body: { advance: duration } });

async function seed(options: Record<string, unknown> = {}) {
  const res = await host.call("POST", "/_dev/seed", {
    body: { conversations: 2, messagesPerConversation: 2, audioPerConversation: 1, ...options },
  });
  expect(res.status).toBe(201);
  return res.body as { tenantId: string; ownerToken: string };
}

const entry = (overrides: Record<string, unknown>) => ({
  name: "A partner",
  purpose: "Processing on our instructions",
  categories: ["conversations"],
  location: { country: "IN" },
  contractReference: "DPA-1",
  channel: { type: "email", contactName: "Privacy desk", address: "desk@partner.example" },
  confirmWithin: "PT72H",
  tenants: "all",
  ...overrides,
});

const CONFIRMATION = "processor_task.confirmation";

/** The partner's confirmation of a task, signed as it would sign it (or with what a test substitutes). */
function signed(taskId: string, key: Buffer, options: { id?: string; at?: Date; body?: object } = {}) {
  const body = JSON.stringify(options.body ?? { type: CONFIRMATION, taskId });
  const headers = signWebhook(
    key,
    options.id ?? `msg_${data.int(1, 1e9)}`,
    options.at ?? host.runtime.app.ports.clock.now(),
    body,
  );
  return { raw: body, headers: { "content-type": "application/json", ...headers } };
}

const confirm = (taskId: string, message: { raw: string; headers: Record<string, string> }) =>
  host.call("POST", `/v1/processor-tasks/${taskId}/confirmation`, message);

const request = async (id: string) => (await host.call("GET", `/v1/requests/${id}`, { token: officer })).body;
const auditActions = async (id: string) =>
  (
    (await host.call("GET", `/v1/requests/${id}/audit`, { token: officer })).body.events as {
      action: string;
    }[]
  ).map((e) => e.action);
const notices = (path: string) =>
  receiver.received
    .filter((r) => r.path === path)
    .map((r) => ({ ...r, json: JSON.parse(r.body) as Record<string, unknown> }));

let otherTenant: { tenantId: string; ownerToken: string };

beforeAll(async () => {
  receiver = await startPartnerReceiver();
  host = await startTestHost({
    PROCESSOR_WEBHOOK_SECRETS: JSON.stringify(
      Object.fromEntries(Object.entries(SECRETS).map(([k, v]) => [k, v.toString("base64")])),
    ),
  });
  officer = await host.token("privacy_officer");
  support = await host.token("support");
  otherTenant = await seed({ conversations: 1 });
  const partners: [string, Record<string, unknown>][] = [
    [
      "chat-cloud",
      entry({
        name: "Chat Cloud",
        categories: ["conversations", "messages", "audio_recordings", "transcripts"],
        location: { country: "US" },
        channel: { type: "webhook", url: `${receiver.url}/chat` },
      }),
    ],
    [
      "pay-gateway",
      entry({
        name: "Pay Gateway",
        categories: ["payments"],
        channel: { type: "email", contactName: "Merchant compliance", address: "pay-desk@partner.example" },
      }),
    ],
    [
      "mail-relay",
      entry({
        name: "Mail Relay",
        categories: ["account", "team_members"],
        channel: { type: "service_bus_topic", topic: "partner-mail" },
        confirmWithin: "PT48H",
      }),
    ],
    // Holds only what an account erasure keeps (security logs are retained): told nothing.
    ["log-vault", entry({ name: "Log Vault", categories: ["security_logs"] })],
    // Serves another tenant only: told nothing of this tenant's erasure.
    [
      "one-tenant",
      entry({
        name: "One Tenant's Partner",
        categories: ["conversations", "messages"],
        tenants: [otherTenant.tenantId],
        channel: { type: "webhook", url: `${receiver.url}/one` },
      }),
    ],
  ];
  for (const [processorId, body] of partners) {
    const res = await host.call("POST", "/v1/processors", { token: officer, body: { processorId, ...body } });
    expect(res.status).toBe(201);
  }
}, 120_000);

afterAll(async () => {
  await host?.stop();
  await receiver?.stop();
});

describe("the processor register", () => {
  it("staff read it whole; an owner reads only the active partners serving its tenant, without contract or contact", async () => {
    const staff = await host.call("GET", "/v1/processors", { token: support });
    expect(staff.status).toBe(200);
    expect(staff.body.audience).toBe("staff");
    expect(staff.body.items.map((e: { processorId: string }) => e.processorId)).toEqual([
      "chat-cloud",
      "log-vault",
      "mail-relay",
      "one-tenant",
      "pay-gateway",
    ]);
    const chat = staff.body.items.find((e: { processorId: string }) => e.processorId === "chat-cloud");
    expect(chat.location).toEqual({ country: "US", crossBorder: true });

    const t = await seed({ conversations: 1 });
    const owner = await host.call("GET", "/v1/processors", { token: t.ownerToken });
    expect(owner.status).toBe(200);
    expect(owner.body.audience).toBe("owner");
    const ids = owner.body.items.map((e: { processorId: string }) => e.processorId);
    expect(ids).not.toContain("one-tenant");
    expect(ids).toContain("chat-cloud");
    const text = JSON.stringify(owner.body);
    expect(text).not.toContain("desk@partner.example");
    expect(text).not.toContain("DPA-1");
    expect(text).not.toContain(receiver.url);
    // The tenant it serves sees it.
    const other = await host.call("GET", "/v1/processors", { token: otherTenant.ownerToken });
    expect(other.body.items.map((e: { processorId: string }) => e.processorId)).toContain("one-tenant");
  });

  it("the privacy officer changes an entry (a new version) and retires one; retired, it takes no change", async () => {
    const created = await host.call("POST", "/v1/processors", {
      token: officer,
      body: { processorId: "old-partner", ...entry({ name: "Old Partner" }) },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toBe("/api/v1/processors/old-partner");
    const changed = await host.call("POST", "/v1/processors/old-partner/versions", {
      token: officer,
      body: entry({ name: "Old Partner Ltd", confirmWithin: "P5D" }),
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ version: 2, name: "Old Partner Ltd", confirmWithin: "P5D" });
    const retired = await host.call("POST", "/v1/processors/old-partner/retirement", {
      token: officer,
      body: { reason: "Contract ended" },
    });
    expect(retired.status).toBe(200);
    expect(retired.body).toMatchObject({ status: "retired", version: 3 });
    const again = await host.call("POST", "/v1/processors/old-partner/versions", {
      token: officer,
      body: entry({}),
    });
    expect(again.status).toBe(409);
    const t = await seed({ conversations: 1 });
    const owner = await host.call("GET", "/v1/processors", { token: t.ownerToken });
    expect(owner.body.items.map((e: { processorId: string }) => e.processorId)).not.toContain("old-partner");
  });

  it("bad input is refused with the field named, and nothing is stored", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [
        { processorId: "bad-1", ...entry({ categories: ["conversations", "horoscopes"] }) },
        "body.categories.1",
      ],
      [{ processorId: "bad-2", ...entry({ location: { country: "India" } }) }, "body.location.country"],
      [
        {
          processorId: "bad-3",
          ...entry({ channel: { type: "webhook", url: "http://partner.example/hook" } }),
        },
        "body.channel.url",
      ],
      [{ processorId: "bad-4", ...entry({ confirmWithin: "P2Y" }) }, "body.confirmWithin"],
      [{ processorId: "Bad Id", ...entry({}) }, "body.processorId"],
      [{ processorId: "bad-6", ...entry({ tenants: [] }) }, "body.tenants"],
    ];
    for (const [body, field] of cases) {
      const res = await host.call("POST", "/v1/processors", { token: officer, body });
      expect(res.status, field).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field).join(" "), field).toContain(field);
    }
    for (const id of ["bad-1", "bad-2", "bad-3", "bad-4", "bad-6"])
      expect((await host.call("GET", `/v1/processors/${id}`, { token: officer })).status).toBe(404);
    const put = await host.call("POST", "/v1/processors/chat-cloud/versions", {
      token: officer,
      body: entry({ categories: ["nope"] }),
    });
    expect(put.status).toBe(400);
    expect((await host.call("GET", "/v1/processors/chat-cloud", { token: officer })).body.version).toBe(1);
    const retire = await host.call("POST", "/v1/processors/chat-cloud/retirement", {
      token: officer,
      body: {},
    });
    expect(retire.status).toBe(400);
    expect(retire.body.errors[0].field).toBe("body.reason");
    const resolve = await host.call("POST", "/v1/processor-tasks/not-a-task/resolution", {
      token: officer,
      body: { outcome: "waived", note: "x" },
    });
    expect(resolve.status).toBe(400);
    expect(resolve.body.errors[0].field).toBe("path.taskId");
    // A waiver names one of the fixed reason codes: free text alone, or an unknown code, is refused.
    for (const body of [
      { outcome: "waived", note: "x" },
      { outcome: "waived", reason: "because I said so", note: "x" },
    ]) {
      const res = await host.call("POST", "/v1/processor-tasks/pt.chat-cloud.r-none/resolution", {
        token: officer,
        body,
      });
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain("body.reason");
    }
  });

  it("hostile callers: members, another tenant, the public and support cannot write or read what is not theirs", async () => {
    const t = await seed({ conversations: 1 });
    const member = await host.token("member", t.tenantId);
    const admin = await host.token("admin", t.tenantId);
    const body = { processorId: "sneaky", ...entry({}) };
    for (const token of [member, admin, t.ownerToken, support]) {
      expect((await host.call("POST", "/v1/processors", { token, body })).status).toBe(403);
      expect(
        (await host.call("POST", "/v1/processors/chat-cloud/versions", { token, body: entry({ name: "X" }) }))
          .status,
      ).toBe(403);
      expect(
        (await host.call("POST", "/v1/processors/chat-cloud/retirement", { token, body: { reason: "x" } }))
          .status,
      ).toBe(403);
    }
    for (const token of [member, admin])
      expect((await host.call("GET", "/v1/processors", { token })).status).toBe(403);
    expect((await host.call("GET", "/v1/processors/chat-cloud", { token: t.ownerToken })).status).toBe(403);
    expect((await host.call("GET", "/v1/processors")).status).toBe(401);
    expect((await host.call("POST", "/v1/processors", { body })).status).toBe(401);
    expect((await host.call("GET", "/v1/processors/sneaky", { token: officer })).status).toBe(404);
    expect((await host.call("GET", "/v1/processors/chat-cloud", { token: officer })).body.name).toBe(
      "Chat Cloud",
    );
  });
});

describe("an account erasure told to the partners holding what was erased", () => {
  let t: { tenantId: string; ownerToken: string };
  let requestId = "";
  const chatTask = () => `pt.chat-cloud.${requestId}`;
  const payTask = () => `pt.pay-gateway.${requestId}`;
  const mailTask = () => `pt.mail-relay.${requestId}`;

  it("at the purge: one task per partner holding an erased category of this tenant, each told; the request waits", async () => {
    t = await seed();
    const created = await host.call("POST", "/v1/requests", {
      token: t.ownerToken,
      body: { kind: "erasure", scope: { type: "account", tenantId: t.tenantId } },
    });
    expect(created.status).toBe(201);
    requestId = created.body.id;
    const before = receiver.received.length;
    await advance("P31D");
    const view = await request(requestId);
    expect(view.status).toBe("purged");
    expect(view.processors.map((p: { processorId: string }) => p.processorId).sort()).toEqual([
      "chat-cloud",
      "mail-relay",
      "pay-gateway",
    ]);
    for (const p of view.processors) expect(p).toMatchObject({ status: "open", overdue: false });
    // The owner (the requester) sees them too.
    const own = await host.call("GET", `/v1/requests/${requestId}`, { token: t.ownerToken });
    expect(own.body.processors).toHaveLength(3);

    const got = receiver.received.slice(before);
    expect(got.map((r) => r.path)).toEqual(["/chat"]);
    // By email to the partner's named contact: the task id, the tenant id, the deadline; no person's data.
    const mails = (await outboxFor(host, "pay-desk@partner.example")).filter(
      (m) => m.template === "processor_task",
    );
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).toContain(payTask());
    expect(mails[0]!.text).toContain(t.tenantId);
    const chat = notices("/chat").at(-1)!;
    expect(chat.json).toMatchObject({
      type: "processor_task.notice",
      taskId: chatTask(),
      kind: "erasure",
      subject: { type: "tenant", tenantId: t.tenantId },
      categories: ["conversations", "messages", "audio_recordings", "transcripts"],
    });
    expect(String(chat.json.callbackUrl)).toMatch(
      new RegExp(`/api/v1/processor-tasks/${chatTask().replace(/\./g, "\\.")}/confirmation$`),
    );
    // Signed with the partner's own secret, Standard Webhooks style.
    const resigned = signWebhook(
      SECRETS["chat-cloud"],
      String(chat.headers["webhook-id"]),
      new Date(Number(chat.headers["webhook-timestamp"]) * 1000),
      chat.body,
    );
    expect(chat.headers["webhook-signature"]).toBe(resigned["webhook-signature"]);
    // Ids only: nothing of the tenant's people or content.
    expect(Object.keys(chat.json).sort()).toEqual(
      ["callbackUrl", "categories", "deadline", "issuedAt", "kind", "subject", "taskId", "type"].sort(),
    );
    const topic = host.runtime.dev!.partnerTopics("partner-mail");
    expect(topic.map((m) => JSON.parse(m.body).taskId)).toEqual([mailTask()]);
    expect(await auditActions(requestId)).toContain("processors_notified");
  });

  it("refuses forged, unsigned, other-partner, stale, mismatched and replayed confirmations, and changes nothing", async () => {
    const key = SECRETS["chat-cloud"];
    const now = host.runtime.app.ports.clock.now();
    const attempts = [
      {
        raw: JSON.stringify({ type: CONFIRMATION, taskId: chatTask() }),
        headers: { "content-type": "application/json" },
      },
      signed(chatTask(), Buffer.alloc(32, 7)),
      signed(chatTask(), SECRETS["pay-gateway"]),
      signed(chatTask(), SECRETS["one-tenant"]),
      signed(chatTask(), key, { at: new Date(now.getTime() - 6 * 60_000) }),
      signed(chatTask(), key, { at: new Date(now.getTime() + 6 * 60_000) }),
      signed(chatTask(), key, { body: { type: CONFIRMATION, taskId: payTask() } }),
    ];
    for (const [i, a] of attempts.entries())
      expect((await confirm(chatTask(), a)).status, `attempt ${i}`).toBe(401);
    // A body signed for one task, sent to another task's address.
    expect((await confirm(payTask(), signed(chatTask(), key))).status).toBe(401);
    // A task that does not exist answers the same.
    expect(
      (await confirm(`pt.chat-cloud.${requestId}x`, signed(`pt.chat-cloud.${requestId}x`, key))).status,
    ).toBe(401);
    // Our own notice is signed with the partner's secret too: as a confirmation it is refused.
    for (const type of ["processor_task.notice", "processor_task.reminder"]) {
      const notice = signed(chatTask(), key, { body: { type, taskId: chatTask() } });
      expect((await confirm(chatTask(), notice)).status, type).toBe(400);
    }
    const view = await request(requestId);
    expect(view.processors.every((p: { status: string }) => p.status === "open")).toBe(true);
    expect(await auditActions(requestId)).not.toContain("processor_confirmed");

    const good = signed(chatTask(), key, {
      id: "msg_chat_1",
      body: { type: CONFIRMATION, taskId: chatTask(), note: "Erased" },
    });
    const ok = await confirm(chatTask(), good);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ taskId: chatTask(), status: "confirmed" });
    // The very same message again (the partner's retry, or a replay): the task is settled, so it learns
    // the state and nothing changes.
    const again = await confirm(chatTask(), good);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ taskId: chatTask(), status: "confirmed" });
    expect((await auditActions(requestId)).filter((a) => a === "processor_confirmed")).toHaveLength(1);
  });

  it("staff record an emailed confirmation and a waiver with its reason; then the erasure completes, the certificate lists each", async () => {
    const pay = await host.call("POST", `/v1/processor-tasks/${payTask()}/resolution`, {
      token: officer,
      body: { outcome: "confirmed", note: "Reply of 3 March from merchant compliance: erased" },
    });
    expect(pay.status).toBe(200);
    expect((await request(requestId)).status).toBe("purged");
    const waived = await host.call("POST", `/v1/processor-tasks/${mailTask()}/resolution`, {
      token: officer,
      body: {
        outcome: "waived",
        reason: "partner_holds_no_data",
        note: "The relay keeps no copy after delivery: nothing to erase",
      },
    });
    expect(waived.status).toBe(200);
    expect(waived.body.status).toBe("waived");
    const twice = await host.call("POST", `/v1/processor-tasks/${mailTask()}/resolution`, {
      token: officer,
      body: { outcome: "confirmed", note: "again" },
    });
    expect(twice.status).toBe(409);
    const view = await request(requestId);
    expect(view.status).toBe("completed");
    const cert = await host.call("GET", `/v1/requests/${requestId}/certificate`, { token: t.ownerToken });
    expect(cert.status).toBe(200);
    const lines = Object.fromEntries(
      (cert.body.processors as { processorId: string }[]).map((p) => [p.processorId, p]),
    );
    expect(Object.keys(lines).sort()).toEqual(["chat-cloud", "mail-relay", "pay-gateway"]);
    expect(lines["chat-cloud"]).toMatchObject({ status: "confirmed", confirmedBy: "partner" });
    expect(lines["pay-gateway"]).toMatchObject({ status: "confirmed", confirmedBy: "staff" });
    // The reason's fixed text, never staff's free note (kept on the task, for staff).
    expect(lines["mail-relay"]).toMatchObject({
      status: "waived",
      waivedReasonCode: "partner_holds_no_data",
      waivedReason: "The partner holds none of the data to erase.",
    });
    expect(JSON.stringify(cert.body)).not.toContain("keeps no copy");
    const { pk } = await host.runtime.app.stores.requests.get(requestId);
    const stored = await host.runtime.app.stores.processorTasks.read(mailTask(), pk);
    expect(stored?.doc).toMatchObject({
      waiver: { reason: "partner_holds_no_data", note: expect.stringMatching(/keeps no copy/) },
    });
    const actions = await auditActions(requestId);
    expect(actions.filter((a) => a === "processor_confirmed")).toHaveLength(2);
    expect(actions).toContain("processor_waived");
    // The certificate and its proof still verify with the partner lines in it.
    const proof = await host.call("GET", `/v1/requests/${requestId}/certificate/proof`, { token: officer });
    expect(proof.status).toBe(200);
  });

  it("nobody but the partner confirms for it: the owner, members, support and the public are refused", async () => {
    const t2 = await seed({ conversations: 1 });
    const created = await host.call("POST", "/v1/requests", {
      token: t2.ownerToken,
      body: { kind: "erasure", scope: { type: "account", tenantId: t2.tenantId } },
    });
    await advance("P31D");
    const task = `pt.chat-cloud.${created.body.id}`;
    const member = await host.token("member", t2.tenantId);
    for (const token of [t2.ownerToken, member, support]) {
      const res = await host.call("POST", `/v1/processor-tasks/${task}/resolution`, {
        token,
        body: { outcome: "confirmed", note: "done" },
      });
      expect(res.status).toBe(403);
      // A bearer token is no signature.
      const c = await host.call("POST", `/v1/processor-tasks/${task}/confirmation`, {
        token,
        body: { type: CONFIRMATION, taskId: task },
      });
      expect(c.status).toBe(401);
    }
    expect(
      (
        await host.call("POST", `/v1/processor-tasks/${task}/resolution`, {
          body: { outcome: "confirmed", note: "x" },
        })
      ).status,
    ).toBe(401);
    const view = await request(created.body.id);
    expect(view.status).toBe("purged");
    expect(view.processors.find((p: { processorId: string }) => p.processorId === "chat-cloud").status).toBe(
      "open",
    );
  });
});

describe("a WhatsApp-number erasure, a lost callback, the reminder and the deadline", () => {
  const NUMBER = data.mobile();
  let requestId = "";
  const task = () => `pt.chat-cloud.${requestId}`;

  it("fans out to exactly the partners holding the number's categories; a notice that failed is sent again by the timer", async () => {
    await seed({ contacts: [NUMBER] });
    receiver.failing = true;
    const before = receiver.received.length;
    const created = await host.call("POST", "/v1/requests", {
      body: { kind: "erasure", scope: { type: "whatsapp_number", phone: NUMBER } },
      headers: { "x-forwarded-for": data.clientAddress() },
    });
    expect(created.status).toBe(201);
    requestId = created.body.id;
    const verified = await host.call("POST", `/v1/requests/${requestId}/verification`, {
      headers: { "x-request-token": created.body.requestToken },
      body: { code: await latestCode(host, NUMBER) },
    });
    expect(verified.status).toBe(200);
    expect(verified.body.status).toBe("purged");
    const view = await request(requestId);
    // Chat Cloud holds conversations; Pay Gateway, Mail Relay, Log Vault none of the number's; One Tenant's Partner
    // serves another tenant, which never talked to this number.
    expect(view.processors.map((p: { processorId: string }) => p.processorId)).toEqual(["chat-cloud"]);
    const tried = receiver.received.slice(before);
    expect(tried.map((r) => r.path)).toEqual(["/chat"]);
    const body = JSON.parse(tried[0]!.body) as { subject: { type: string; numberHash: string } };
    expect(body.subject.type).toBe("whatsapp_number");
    expect(tried[0]!.body).not.toContain(NUMBER.slice(3));
    // The partner was down: the timer sends it again.
    receiver.failing = false;
    await advance("PT20M");
    const again = receiver.received.slice(before);
    expect(again.map((r) => r.path)).toEqual(["/chat", "/chat"]);
    expect(again[1]!.headers["webhook-id"]).toBe(again[0]!.headers["webhook-id"]);
  });

  it("no confirmation comes: one reminder 24 hours before the deadline, however often the timer runs", async () => {
    const reminders = () =>
      notices("/chat").filter((n) => n.json.type === "processor_task.reminder" && n.json.taskId === task());
    await advance("PT40H");
    expect(reminders()).toHaveLength(0);
    // The clock alone moves to the reminder's time; then two runs of the timer race, and a third follows.
    const clock = host.runtime.app.ports.clock as DevClock;
    clock.advanceTo(new Date(clock.now().getTime() + 8 * 3_600_000));
    await Promise.all([runProcessorTasks(host.runtime.app), runProcessorTasks(host.runtime.app)]);
    await runProcessorTasks(host.runtime.app);
    expect(reminders()).toHaveLength(1);
    expect(await auditActions(requestId)).toContain("processor_reminded");
  });

  it("the deadline passes: the task is overdue, an event on the trail, the request stays open", async () => {
    await advance("PT25H");
    const view = await request(requestId);
    expect(view.status).toBe("purged");
    expect(view.processors[0]).toMatchObject({ status: "open", overdue: true });
    const actions = await auditActions(requestId);
    expect(actions.filter((a) => a === "processor_overdue")).toHaveLength(1);
    await advance("PT1H");
    expect((await auditActions(requestId)).filter((a) => a === "processor_overdue")).toHaveLength(1);
  });

  it("a fan-out run again (a crash, a duplicate delivery) makes no second task", async () => {
    const doc = await host.runtime.app.stores.requests.get(requestId);
    const event = eventFor(doc, "erasure", ["conversations", "messages"])!;
    const { tasks } = await fanOutToProcessors(host.runtime.app, doc, event);
    expect(tasks.map((t) => t.id)).toEqual([task()]);
    const all = await host.runtime.app.stores.processorTasks.query({ partitionKey: doc.pk });
    expect(all.items).toHaveLength(1);
  });

  it("staff waive the overdue partner with the reason: the erasure completes and its certificate says why", async () => {
    const res = await host.call("POST", `/v1/processor-tasks/${task()}/resolution`, {
      token: officer,
      body: {
        outcome: "waived",
        reason: "partner_holds_no_data",
        note: "Partner confirms by phone it holds no data for this number; written reply pending",
      },
    });
    expect(res.status).toBe(200);
    expect((await request(requestId)).status).toBe("completed");
    const cert = await host.call("GET", `/v1/requests/${requestId}/certificate`, { token: officer });
    // A number's certificate is public: the partner by position, never by name (Privacy Policy §4).
    expect(cert.body.processors).toEqual([
      expect.objectContaining({
        partner: "partner 1",
        status: "waived",
        waivedReasonCode: "partner_holds_no_data",
        waivedReason: "The partner holds none of the data to erase.",
      }),
    ]);
    expect(JSON.stringify(cert.body)).not.toContain("by phone");
  });
});

describe("a consent withdrawal and a correction tell the partners processing what they touch", () => {
  it("withdrawing marketing email tells the partner holding the account's addresses, and no one else", async () => {
    const t = await seed({ conversations: 1 });
    const before = receiver.received.length;
    const res = await host.call("POST", "/v1/requests", {
      token: t.ownerToken,
      body: {
        kind: "consent_withdrawal",
        scope: { type: "account", tenantId: t.tenantId },
        purposes: ["marketing_email"],
      },
    });
    expect(res.status).toBe(201);
    expect(res.body.status).toBe("completed");
    const view = await request(res.body.id);
    expect(
      view.processors.map((p: { processorId: string; categories: string[] }) => [
        p.processorId,
        p.categories,
      ]),
    ).toEqual([["mail-relay", ["account", "team_members"]]]);
    expect(receiver.received.length).toBe(before);
    const published = host.runtime.dev!.partnerTopics("partner-mail").map((m) => JSON.parse(m.body));
    expect(published.at(-1)).toMatchObject({
      kind: "consent_withdrawal",
      taskId: `pt.mail-relay.${res.body.id}`,
      subject: { type: "tenant", tenantId: t.tenantId },
    });
  });

  it("a correction of the owner's details, once applied, tells the same partner to correct them", async () => {
    const t = await seed({ conversations: 1 });
    const res = await host.call("POST", "/v1/requests", {
      token: t.ownerToken,
      body: { kind: "correction", corrections: [{ field: "organisation", value: "Renamed Clinic" }] },
    });
    expect(res.status).toBe(201);
    expect(await request(res.body.id)).not.toHaveProperty("processors");
    const approved = await host.call("POST", `/v1/requests/${res.body.id}/approve`, {
      token: support,
      body: {},
    });
    expect(approved.status).toBe(200);
    const view = await request(res.body.id);
    expect(view.status).toBe("completed");
    expect(view.processors).toEqual([
      expect.objectContaining({
        processorId: "mail-relay",
        status: "open",
        categories: ["account", "team_members"],
      }),
    ]);
    const published = host.runtime.dev!.partnerTopics("partner-mail").map((m) => JSON.parse(m.body));
    expect(published.at(-1)).toMatchObject({ kind: "correction", taskId: `pt.mail-relay.${res.body.id}` });
  });
});
