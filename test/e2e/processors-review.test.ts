import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signWebhook } from "../../src/domain/processors/signature";
import { ProcessorTask } from "../../src/domain/processors/task";
import { runProcessorTasks } from "../../src/app/processors";
import { startTestHost, type TestHost } from "../support/host";
import { latestCode } from "../support/outbox";
import { testData } from "../support/generators";

/**
 * The processor register's security review, as tests (docs/processors.md): a partner confirming while its
 * notice is in flight leaves a truthful certificate; a partner never reached still goes overdue; a
 * number's erasure tells no partner when nobody held the number and names none to the public requester;
 * a partner topic is never one of our own queues.
 */
const data = testData("processors-review");
const key = (n: number) => Buffer.alloc(32, n);
const SECRETS = {
  "auto-erase": key(1),
  "never-reached": key(2),
  "all-partner": key(3),
  "tenant-crm": key(4),
};

let host: TestHost;
let officer: string;
let server: Server;
let base = "";
let autoTask = "";
const timerNotices: string[] = [];
const auto = { enabled: false, results: [] as number[] };

const entry = (o: Record<string, unknown>) => ({
  name: "Partner",
  purpose: "Processing on our instructions",
  categories: ["conversations"],
  location: { country: "IN" },
  contractReference: "DPA-1",
  channel: { type: "email", contactName: "Desk", address: "desk@partner.example" },
  confirmWithin: "PT72H",
  tenants: "all",
  ...o,
});

async function seed(options: Record<string, unknown> = {}) {
  const res = await host.call("POST", "/_dev/seed", { body: { conversations: 1, ...options } });
  expect(res.status).toBe(201);
  return res.body as { tenantId: string; ownerToken: string };
}
const advance = (d: string) => host.call("POST", "/_dev/clock", { body: { advance: d } });
const audit = async (id: string) =>
  (
    (await host.call("GET", `/v1/requests/${id}/audit`, { token: officer })).body.events as {
      action: string;
    }[]
  ).map((e) => e.action);

beforeAll(async () => {
  // A partner whose webhook, on receiving an erasure notice, erases and confirms before answering (a common
  // automated integration): the confirmation reaches us while our notice POST is still in flight.
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      if (req.url === "/fail") {
        res.statusCode = 503;
        res.end();
        return;
      }
      if (req.url === "/timer") {
        // The partners' timer runs at the very moment our first notice is in flight.
        const notice = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { taskId: string; type: string };
        timerNotices.push(notice.type);
        if (timerNotices.length === 1) await runProcessorTasks(host.runtime.app);
      }
      if (req.url === "/auto" && auto.enabled) {
        const notice = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { taskId: string; type: string };
        if (notice.type === "processor_task.notice") {
          const body = JSON.stringify({ type: "processor_task.confirmation", taskId: notice.taskId });
          const headers = signWebhook(
            SECRETS["auto-erase"],
            `msg_${data.int(1, 1e9)}`,
            host.runtime.app.ports.clock.now(),
            body,
          );
          const r = await host.call("POST", `/v1/processor-tasks/${notice.taskId}/confirmation`, {
            raw: body,
            headers: { "content-type": "application/json", ...headers },
          });
          auto.results.push(r.status);
        }
      }
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  host = await startTestHost({
    PROCESSOR_WEBHOOK_SECRETS: JSON.stringify(
      Object.fromEntries(Object.entries(SECRETS).map(([k, v]) => [k, v.toString("base64")])),
    ),
  });
  officer = await host.token("privacy_officer");
}, 120_000);

afterAll(async () => {
  await host?.stop();
  server?.closeAllConnections();
  await new Promise<void>((d) => server?.close(() => d()));
});

describe("a partner that confirms synchronously while our notice is in flight", () => {
  it("the completed certificate lists the partner as confirmed (not 'open')", async () => {
    const t = await seed();
    const add = await host.call("POST", "/v1/processors", {
      token: officer,
      body: {
        processorId: "auto-erase",
        ...entry({
          name: "Auto Erase",
          tenants: [t.tenantId],
          channel: { type: "webhook", url: `${base}/auto` },
        }),
      },
    });
    expect(add.status).toBe(201);
    auto.enabled = true;
    const created = await host.call("POST", "/v1/requests", {
      token: t.ownerToken,
      body: { kind: "erasure", scope: { type: "account", tenantId: t.tenantId } },
    });
    expect(created.status).toBe(201);
    await advance("P31D");
    auto.enabled = false;
    expect(auto.results).toEqual([200]);
    const id = created.body.id as string;
    const view = (await host.call("GET", `/v1/requests/${id}`, { token: officer })).body;
    const cert = (await host.call("GET", `/v1/requests/${id}/certificate`, { token: officer })).body;
    expect(view.processors[0].status).toBe("confirmed");
    expect(view.status).toBe("completed");
    // The certificate must say what happened.
    expect(cert.processors[0]).toMatchObject({ processorId: "auto-erase", status: "confirmed" });
    // And an hour later (reconciliation) it still must.
    await advance("PT2H");
    const later = (await host.call("GET", `/v1/requests/${id}/certificate`, { token: officer })).body;
    expect(later.processors[0]).toMatchObject({ status: "confirmed" });
    autoTask = `pt.auto-erase.${id}`;
  });

  it("the partner's signed retry of a settled task's confirmation (same webhook-id) learns its state", async () => {
    const body = JSON.stringify({ type: "processor_task.confirmation", taskId: autoTask });
    const headers = signWebhook(SECRETS["auto-erase"], "msg_retry", host.runtime.app.ports.clock.now(), body);
    for (let i = 0; i < 2; i++) {
      const r = await host.call("POST", `/v1/processor-tasks/${autoTask}/confirmation`, {
        raw: body,
        headers: { "content-type": "application/json", ...headers },
      });
      expect(r.status).toBe(200);
      expect(r.body.status).toBe("confirmed");
    }
  });
});

describe("a timer run at the moment a task is made", () => {
  it("does not send the first notice a second time", async () => {
    const t = await seed();
    const add = await host.call("POST", "/v1/processors", {
      token: officer,
      body: {
        processorId: "timer-race",
        ...entry({
          name: "Timer Race",
          tenants: [t.tenantId],
          channel: { type: "webhook", url: `${base}/timer` },
        }),
      },
    });
    expect(add.status).toBe(201);
    const created = await host.call("POST", "/v1/requests", {
      token: t.ownerToken,
      body: { kind: "erasure", scope: { type: "account", tenantId: t.tenantId } },
    });
    expect(created.status).toBe(201);
    await advance("P31D");
    expect(timerNotices).toEqual(["processor_task.notice"]);
  });
});

describe("a partner the notice never reaches", () => {
  it("is marked overdue (audit event + alert) once its deadline passes", async () => {
    const t = await seed();
    const add = await host.call("POST", "/v1/processors", {
      token: officer,
      body: {
        processorId: "never-reached",
        ...entry({
          name: "Never Reached",
          tenants: [t.tenantId],
          confirmWithin: "PT1H",
          channel: { type: "webhook", url: `${base}/fail` },
        }),
      },
    });
    expect(add.status).toBe(201);
    const created = await host.call("POST", "/v1/requests", {
      token: t.ownerToken,
      body: { kind: "erasure", scope: { type: "account", tenantId: t.tenantId } },
    });
    const id = created.body.id as string;
    await advance("P31D");
    for (let i = 0; i < 12; i++) await advance("PT15M"); // 3 hours: two past the deadline
    const view = (await host.call("GET", `/v1/requests/${id}`, { token: officer })).body;
    const task = await host.runtime.app.stores.processorTasks.read(
      `pt.never-reached.${id}`,
      view.pk ?? (await host.runtime.app.stores.requests.get(id)).pk,
    );
    expect(view.processors[0].overdue).toBe(true);
    expect(await audit(id)).toContain("processor_overdue");
    // Overdue once, and the notice is still being retried after the deadline.
    const doc = ProcessorTask.parse(task?.doc);
    expect(doc.overdueAt).toBeDefined();
    expect(doc.notice.sentAt).toBeUndefined();
    expect(doc.nextActionAt).toBeDefined();
    const attempts = doc.notice.attempts;
    await advance("PT30M");
    const after = await host.runtime.app.stores.processorTasks.read(`pt.never-reached.${id}`, task!.doc.pk);
    expect(ProcessorTask.parse(after?.doc).notice.attempts).toBeGreaterThan(attempts);
    expect((await audit(id)).filter((a) => a === "processor_overdue")).toHaveLength(1);
  });
});

describe("a stranger's erasure of a number nobody holds", () => {
  it("tells no partner, and the public requester learns no partner names; a tenant-only partner does not betray the tenant", async () => {
    await host.call("POST", "/v1/processors", {
      token: officer,
      body: {
        processorId: "all-partner",
        ...entry({ name: "Global Chat Vendor", channel: { type: "service_bus_topic", topic: "partner-x" } }),
      },
    });
    const NUMBER = data.mobile(); // never seeded anywhere
    const created = await host.call("POST", "/v1/requests", {
      body: { kind: "erasure", scope: { type: "whatsapp_number", phone: NUMBER } },
      headers: { "x-forwarded-for": data.clientAddress() },
    });
    expect(created.status).toBe(201);
    const verified = await host.call("POST", `/v1/requests/${created.body.id}/verification`, {
      headers: { "x-request-token": created.body.requestToken },
      body: { code: await latestCode(host, NUMBER) },
    });
    expect(verified.status).toBe(200);
    const mine = await host.call("GET", `/v1/requests/${created.body.id}`, {
      headers: { "x-request-token": created.body.requestToken },
    });
    expect(mine.body.processors).toBeUndefined();
  });

  it("a number held by one tenant only: the requester's view does not name that tenant's dedicated partner", async () => {
    const NUMBER = data.mobile();
    const t = await seed({ contacts: [NUMBER] });
    await host.call("POST", "/v1/processors", {
      token: officer,
      body: {
        processorId: "tenant-crm",
        ...entry({
          name: "Sunrise Clinic CRM",
          tenants: [t.tenantId],
          channel: { type: "service_bus_topic", topic: "partner-y" },
        }),
      },
    });
    const created = await host.call("POST", "/v1/requests", {
      body: { kind: "erasure", scope: { type: "whatsapp_number", phone: NUMBER } },
      headers: { "x-forwarded-for": data.clientAddress() },
    });
    await host.call("POST", `/v1/requests/${created.body.id}/verification`, {
      headers: { "x-request-token": created.body.requestToken },
      body: { code: await latestCode(host, NUMBER) },
    });
    const mine = await host.call("GET", `/v1/requests/${created.body.id}`, {
      headers: { "x-request-token": created.body.requestToken },
    });
    const cert = await host.call("GET", `/v1/requests/${created.body.id}/certificate`, {
      headers: { "x-request-token": created.body.requestToken },
    });
    expect(JSON.stringify(mine.body)).not.toContain("tenant-crm");
    expect(JSON.stringify(cert.body)).not.toContain("Sunrise Clinic CRM");
    expect(JSON.stringify(mine.body)).not.toContain("Sunrise Clinic CRM");
    // The requester and the certificate read a neutral line; staff read the partner by name.
    expect(mine.body.processors[0]).toMatchObject({
      partner: "partner 1",
      crossBorder: false,
      status: "open",
    });
    expect(cert.body.processors[0]).toMatchObject({ partner: "partner 1", categories: expect.any(Array) });
    const staff = await host.call("GET", `/v1/requests/${created.body.id}`, { token: officer });
    expect(staff.body.processors.map((p: { processorId: string }) => p.processorId)).toContain("tenant-crm");
  });
});

describe("the register accepts a service's own internal queue as a partner topic", () => {
  it("refuses topic names that are this service's own queues (anything not partner-…), nothing stored", async () => {
    for (const topic of ["request-execution", "account-purge", "notifications", "partnerx"]) {
      const res = await host.call("POST", "/v1/processors", {
        token: officer,
        body: { processorId: "queue-injector", ...entry({ channel: { type: "service_bus_topic", topic } }) },
      });
      expect(res.status, topic).toBe(400);
      expect(JSON.stringify(res.body.errors), topic).toContain("body.channel.topic");
    }
    expect((await host.call("GET", "/v1/processors/queue-injector", { token: officer })).status).toBe(404);
  });
});

describe("a webhook in the production (azure) profile", () => {
  it("is refused when it is plain http or an internal address literal (400 naming the field, nothing stored)", async () => {
    const settings = host.runtime.app.settings;
    settings.publicWebhooksOnly = true;
    try {
      for (const url of [
        "http://hooks.partner.example/x",
        "https://169.254.169.254/x",
        "https://10.0.0.5/x",
        base,
      ]) {
        const res = await host.call("POST", "/v1/processors", {
          token: officer,
          body: { processorId: "ssrf-probe", ...entry({ channel: { type: "webhook", url } }) },
        });
        expect(res.status, url).toBe(400);
        expect(
          res.body.errors.map((e: { field: string }) => e.field),
          url,
        ).toContain("body.channel.url");
      }
      expect((await host.call("GET", "/v1/processors/ssrf-probe", { token: officer })).status).toBe(404);
      const ok = await host.call("POST", "/v1/processors", {
        token: officer,
        body: {
          processorId: "ssrf-probe",
          ...entry({ channel: { type: "webhook", url: "https://hooks.partner.example/x" } }),
        },
      });
      expect(ok.status).toBe(201);
    } finally {
      settings.publicWebhooksOnly = false;
    }
    // The local profile keeps loopback http for its receivers.
    const local = await host.call("POST", "/v1/processors", {
      token: officer,
      body: { processorId: "local-receiver", ...entry({ channel: { type: "webhook", url: `${base}/x` } }) },
    });
    expect(local.status).toBe(201);
  });
});
