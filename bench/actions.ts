import type { OperationCounts } from "../src/adapters/metering/operation-meter";
import { takeBackup } from "../src/app/backups/take";
import { createRequest } from "../src/app/requests/create-request";
import { functionTable } from "../src/function-table";
import type { LocalHost } from "../src/local/host";

/**
 * The business actions whose store operations are counted (issue 17): each sets up its world at a given
 * size (not counted), then runs the action alone and returns what it cost on the runtime's meter. The
 * bench runs each at 1× and 10× its size; test/e2e/operation-budgets.test.ts holds them to bench/budgets.ts.
 * Every size is built from fixed shapes, so the counts are the same run after run.
 */
export interface ActionCost {
  /** How many units of work the counted run did (requests, thousands of records, tenants, runs). */
  units: number;
  counts: OperationCounts;
  ms: number;
}

export interface Action {
  name: string;
  /** What one unit is, for "per unit" budgets and the capacity model. */
  unit: string;
  /** What "size" means for this action: what grows between the 1× and 10× runs. */
  size: string;
  sizes: readonly [number, number];
  run(host: LocalHost, size: number): Promise<ActionCost>;
}

async function counted(host: LocalHost, units: number, work: () => Promise<unknown>): Promise<ActionCost> {
  const t0 = performance.now();
  const { counts } = await host.runtime.meter.measure(work);
  return { units, counts, ms: performance.now() - t0 };
}

let addressSeq = 0;
/** A fresh client address per caller (the per-address limit is not what is counted). */
const nextAddress = () => {
  const i = ++addressSeq;
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
};
let phoneSeq = 0;
const nextPhone = () => `+9197${String(20_000_000 + ++phoneSeq).padStart(8, "0")}`;

async function post(host: LocalHost, path: string, body: unknown, headers: Record<string, string>) {
  const res = await fetch(`${host.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

interface Created {
  id: string;
  token: string;
  phone: string;
  address: string;
}

/** A public correction request (it waits for staff once verified, so verify is the request core only). */
async function createPublic(host: LocalHost, phone = nextPhone()): Promise<Created> {
  const address = nextAddress();
  const res = await post(
    host,
    "/v1/requests",
    {
      kind: "correction",
      scope: { type: "whatsapp_number", phone },
      corrections: [{ field: "name", value: "Asha Rao" }],
    },
    { "x-forwarded-for": address },
  );
  if (res.status !== 201) throw new Error(`create ${res.status}`);
  return { id: String(res.body.id), token: String(res.body.requestToken), phone, address };
}

async function verifyPublic(host: LocalHost, r: Created, expect = "verified") {
  const code = /\b(\d{6})\b/.exec(host.runtime.dev!.outbox(r.phone).at(-1)?.text ?? "")?.[1];
  if (!code) throw new Error("no code");
  const res = await post(
    host,
    `/v1/requests/${r.id}/verification`,
    { code },
    { "x-forwarded-for": r.address, "x-request-token": r.token },
  );
  if (res.status !== 200 || res.body.status !== expect)
    throw new Error(`verify ${res.status} ${String(res.body.status)}`);
}

/** `n` public requests waiting for their code: the open requests every action runs beside. */
async function openRequests(host: LocalHost, n: number): Promise<Created[]> {
  const out: Created[] = [];
  for (let i = 0; i < n; i++) out.push(await createPublic(host));
  return out;
}

/** A tenant of about `records` platform records (40 messages a conversation, the rest in proportion). */
const tenantOf = (host: LocalHost, records: number, contacts: string[] = []) => {
  const conversations = Math.max(1, Math.round(records / 50));
  return host.runtime.dev!.seed({
    conversations,
    messagesPerConversation: 40,
    audioPerConversation: 1,
    knowledgeBaseFiles: Math.max(1, Math.round(conversations / 10)),
    usageRecords: Math.max(1, Math.round(records / 20)),
    contacts,
  });
};

const recordsOf = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

const owner = (tenantId: string) =>
  ({ kind: "dashboard", subject: `owner-${tenantId}`, tenantId, role: "owner" }) as const;

const ACTIONS_PER_RUN = 5;

export const actions: Action[] = [
  {
    name: "public create",
    unit: "request",
    size: "open requests already waiting",
    sizes: [10, 100],
    async run(host, size) {
      await openRequests(host, size);
      return counted(host, ACTIONS_PER_RUN, async () => {
        for (let i = 0; i < ACTIONS_PER_RUN; i++) await createPublic(host);
      });
    },
  },
  {
    name: "verify",
    unit: "request",
    size: "open requests already waiting",
    sizes: [10, 100],
    async run(host, size) {
      const waiting = await openRequests(host, size + ACTIONS_PER_RUN);
      return counted(host, ACTIONS_PER_RUN, async () => {
        for (const r of waiting.slice(0, ACTIONS_PER_RUN)) await verifyPublic(host, r);
      });
    },
  },
  {
    name: "account deactivation",
    unit: "tenant",
    size: "records in the tenant",
    sizes: [500, 5000],
    async run(host, size) {
      const t = await tenantOf(host, size);
      return counted(host, 1, () =>
        createRequest(host.runtime.app, owner(t.tenantId), {
          kind: "erasure",
          scope: { type: "account", tenantId: t.tenantId },
        }),
      );
    },
  },
  {
    name: "account purge",
    unit: "1 000 records",
    size: "records in the tenant",
    sizes: [1000, 10000],
    async run(host, size) {
      const rt = host.runtime;
      const t = await tenantOf(host, size);
      const { request } = await createRequest(rt.app, owner(t.tenantId), {
        kind: "erasure",
        scope: { type: "account", tenantId: t.tenantId },
      });
      const clock = rt.app.ports.clock as { advanceTo?: (d: Date) => void };
      clock.advanceTo?.(new Date(Date.parse(request.account!.purgeDueAt) + 1000));
      const cost = await counted(host, recordsOf(t.counts) / 1000, () => rt.dev!.deliverDue());
      const after = await rt.app.stores.requests.get(request.id);
      if (after.status !== "completed") throw new Error(`purge ended ${after.status}`);
      return cost;
    },
  },
  {
    name: "WhatsApp-number erasure",
    unit: "tenant holding the number",
    size: "tenants holding the number (of 5× as many tenants)",
    sizes: [2, 20],
    async run(host, size) {
      const phone = nextPhone();
      for (let i = 0; i < size * 5; i++) await tenantOf(host, 50, i % 5 === 0 ? [phone] : []);
      const created = await post(
        host,
        "/v1/requests",
        { kind: "erasure", scope: { type: "whatsapp_number", phone } },
        { "x-forwarded-for": nextAddress() },
      );
      if (created.status !== 201) throw new Error(`create ${created.status}`);
      const r = {
        id: String(created.body.id),
        token: String(created.body.requestToken),
        phone,
        address: nextAddress(),
      };
      return counted(host, size, () => verifyPublic(host, r, "completed"));
    },
  },
  {
    name: "access export",
    unit: "1 000 records",
    size: "records in the tenant",
    sizes: [1000, 10000],
    async run(host, size) {
      const t = await tenantOf(host, size);
      return counted(host, recordsOf(t.counts) / 1000, async () => {
        const { request } = await createRequest(host.runtime.app, owner(t.tenantId), {
          kind: "access",
          scope: { type: "account", tenantId: t.tenantId },
        });
        const done = await host.runtime.app.stores.requests.get(request.id);
        if (done.status !== "completed") throw new Error(`export ended ${done.status}`);
      });
    },
  },
  {
    name: "backup",
    unit: "1 000 records",
    size: "tenants (about 1 000 records each)",
    sizes: [2, 20],
    async run(host, size) {
      for (let i = 0; i < size; i++) await tenantOf(host, 1000);
      // Per 1 000 records in the set: every tenant on the host (a larger run follows a smaller one on it).
      let records = 0;
      const cost = await counted(host, 1, async () => {
        records = (await takeBackup(host.runtime.app, "manual", { kind: "system" })).records;
      });
      return { ...cost, units: records / 1000 };
    },
  },
  ...functionTable({ includeDev: false }).flatMap((fn): Action[] =>
    fn.trigger === "timer"
      ? [
          {
            name: `timer ${fn.name}, nothing due`,
            unit: "run",
            size: "open requests, none due",
            sizes: [10, 100],
            async run(host, size) {
              await openRequests(host, size);
              // The first runs do what is due once (the day's backup, the seal of the new chains, which the
              // next seal looks back 15 minutes past); twenty minutes apart, before any request's own timer.
              const clock = host.runtime.app.ports.clock as { advanceTo?: (d: Date) => void };
              const later = () =>
                clock.advanceTo?.(new Date(host.runtime.app.ports.clock.now().getTime() + 20 * 60_000));
              await fn.handle(host.runtime);
              later();
              await fn.handle(host.runtime);
              later();
              return counted(host, 1, () => fn.handle(host.runtime));
            },
          },
        ]
      : [],
  ),
];
