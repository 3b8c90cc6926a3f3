import { newRequestId } from "../../domain/requests/request-id";
import { eventFor, fanOutToProcessors } from "../processors";
import { withdrawalCategories } from "../../domain/processors/affected";
import { z } from "zod";
import { notFound } from "../../domain/errors";
import type { InventoryEntry } from "../../domain/inventory/schema";
import { isOpen, RequestDoc } from "../../domain/requests/model";
import { subjectPartition, type Subject } from "../../domain/subject";
import type { Condition, Doc } from "../../ports/document-store";
import type { Caller } from "../caller";
import type { AppContext, Executor } from "../context";
import { openVerifiedRequest } from "../requests";
import { runExecution } from "../requests";
import { notifyRequester } from "../requests";
import { subjectInventory } from "../subject-inventory";
import { markApplied } from "./applied-at";
import { awaitsNomineeReview, onBehalfOf } from "./on-behalf";
import { advance, SYSTEM } from "./support";
import { platformRecords as platformCollection } from "../stores";
import { Purpose, PURPOSE_DEFINITIONS } from "../../domain/consent/purposes";
import { type ConsentArtefact, relevantTo } from "../../domain/consent/artefact";
import { appendArtefact, artefactsOf, principalOf } from "./consent-artefacts/store";

/**
 * Withdrawal of consent (Privacy Policy §7; DPDP Act 2023 s.6(4)–(6)), per purpose. Recorded twice:
 * in the service's consent ledger (`consent:<purpose>` in the subject's partition of `requests`),
 * which the consent check reads and which survives an erasure of the platform's data (the proof that
 * consent was withdrawn must outlive the data it covered); and in the platform's consent records
 * (the inventory's `consent_records` category), which the platform's own services read. Both say
 * when and through which channel.
 *
 * Withdrawing consent to WhatsApp messaging for a number means its data is no longer needed for that
 * purpose (Act s.8(7), s.12(3); Data Deletion Instructions §1): an erasure of the number opens by itself,
 * unless one is already open (or held under a legal hold: the law requires the data be kept while the
 * hold lasts) or nothing is held for the number. What law requires be kept even then (billing metadata,
 * security logs) is kept by the erasure itself and listed on its certificate. The reason is recorded.
 */

export { PURPOSES } from "../../domain/consent/purposes";

const ledgerId = (purpose: Purpose) => `consent:${purpose}`;

const LedgerEntry = z.object({
  id: z.string(),
  pk: z.string(),
  docType: z.literal("consent"),
  purpose: Purpose,
  state: z.enum(["granted", "withdrawn"]),
  since: z.string(),
  channel: z.string(),
  requestId: z.string(),
  history: z.array(
    z.object({ state: z.string(), at: z.string(), channel: z.string(), requestId: z.string() }),
  ),
});
type LedgerEntry = z.infer<typeof LedgerEntry>;

/** A platform consent record as the inventory's `consent_records` category holds it. */
const PlatformConsent = z.object({
  id: z.string(),
  purpose: z.string(),
  status: z.enum(["granted", "withdrawn"]),
  at: z.string().optional(),
  channel: z.string().optional(),
  withdrawnAt: z.string().optional(),
  withdrawalChannel: z.string().optional(),
});

type CosmosEntry = InventoryEntry & { store: { kind: "cosmos" } };

function consentEntry(app: AppContext): CosmosEntry | undefined {
  return app.inventory.find(
    (e): e is CosmosEntry => e.category === "consent_records" && e.store.kind === "cosmos",
  );
}

/** The platform's consent records of a subject for one purpose (a tenant's own: no contact hash). */
async function platformRecords(
  app: AppContext,
  subject: Subject,
  purpose: Purpose,
  tenantFilter?: string,
): Promise<(z.infer<typeof PlatformConsent> & { pk: string })[]> {
  const entry = consentEntry(app);
  if (!entry || !entry.store.whatsappHashField) return [];
  const hashField = entry.store.whatsappHashField;
  const where: Condition[] = [{ field: "purpose", op: "=", value: purpose }];
  let partitionKey: string | undefined = tenantFilter;
  if (subject.type === "tenant") {
    partitionKey = subject.tenantId;
    where.push({ field: hashField, op: "undefined" });
  } else {
    where.push({ field: hashField, op: "=", value: subject.numberHash });
  }
  const coll = platformCollection(app, entry);
  const out: (z.infer<typeof PlatformConsent> & { pk: string })[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await coll.query<Doc & Record<string, unknown>>({
      ...(partitionKey ? { partitionKey } : {}),
      where,
      limit: 200,
      ...(continuationToken ? { continuationToken } : {}),
    });
    for (const item of page.items) {
      const parsed = PlatformConsent.safeParse(item);
      const pk = item[entry.store.tenantField];
      if (parsed.success && typeof pk === "string") out.push({ ...parsed.data, pk });
    }
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return out;
}

function subjectOf(request: RequestDoc): Subject | undefined {
  if (request.scope.type === "account") return { type: "tenant", tenantId: request.scope.tenantId };
  if (request.scope.type === "whatsapp_number")
    return { type: "whatsapp", numberHash: request.scope.numberHash };
  return undefined;
}

const ConsentManagerRef = z.object({ id: z.string(), registrationNumber: z.string() });

/**
 * The withdrawal as a consent artefact (docs/consent.md): however it arrived (dashboard, verified public
 * request, staff for an email, a consent manager), it ends here. Its id is the request's and the purpose,
 * so a resumed execution finds the one it wrote. No business named: the person withdrew from every one.
 */
function withdrawalArtefact(
  app: AppContext,
  request: RequestDoc,
  subject: Subject,
  purpose: Purpose,
  at: string,
): ConsentArtefact {
  const manager = ConsentManagerRef.safeParse(request.details.consentManager);
  return {
    id: `ca-w-${request.id}-${purpose}`,
    pk: request.pk,
    docType: "consent-artefact",
    action: "withdraw",
    principal: principalOf(subject),
    purpose,
    channel: request.channel,
    recordedBy: { kind: "request", ref: request.id },
    ...(manager.success ? { consentManager: manager.data } : {}),
    requestId: request.id,
    effectiveAt: at,
    recordedAt: app.ports.clock.now().toISOString(),
  };
}

/** Records the withdrawal of each purpose: an artefact, the ledger and the platform's consent records. */
async function recordWithdrawals(app: AppContext, request: RequestDoc, purposes: Purpose[], at: string) {
  const subject = subjectOf(request);
  if (!subject) return;
  const entry = consentEntry(app);
  for (const purpose of purposes) {
    await appendArtefact(app, withdrawalArtefact(app, request, subject, purpose, at));
    const read = await app.stores.consents.read(ledgerId(purpose), request.pk);
    const current = LedgerEntry.safeParse(read?.doc);
    // Withdrawn already: it stays withdrawn from the first moment.
    if (!(current.success && current.data.state === "withdrawn")) {
      const event = { state: "withdrawn", at, channel: request.channel, requestId: request.id };
      const next: LedgerEntry = {
        id: ledgerId(purpose),
        pk: request.pk,
        docType: "consent",
        purpose,
        state: "withdrawn",
        since: at,
        channel: request.channel,
        requestId: request.id,
        history: [...(current.success ? current.data.history : []), event].slice(-50),
      };
      await app.stores.consents.upsert(next);
    }
    if (!entry) continue;
    await withdrawPlatformRecords(app, entry, request, subject, purpose, at);
  }
}

/** Marks the subject's platform consent records for `purpose` withdrawn (one tenant's only, when given). */
async function withdrawPlatformRecords(
  app: AppContext,
  entry: CosmosEntry,
  request: RequestDoc,
  subject: Subject,
  purpose: Purpose,
  at: string,
  onlyTenant?: string,
): Promise<number> {
  const coll = platformCollection(app, entry);
  const records = await platformRecords(app, subject, purpose, onlyTenant);
  let changed = 0;
  for (const r of records.filter((x) => x.status !== "withdrawn")) {
    await coll.patch(r.id, r.pk, [
      { op: "set", path: "status", value: "withdrawn" },
      { op: "set", path: "withdrawnAt", value: at },
      { op: "set", path: "withdrawalChannel", value: request.channel },
      { op: "set", path: "withdrawalRequestId", value: request.id },
    ]);
    changed++;
  }
  if (records.length === 0 && subject.type === "tenant") {
    // The account had no record for this purpose: the withdrawal is recorded all the same.
    await coll.upsert({
      id: `consent-account-${purpose}`,
      [entry.store.tenantField]: subject.tenantId,
      purpose,
      status: "withdrawn",
      channel: request.channel,
      at,
      withdrawnAt: at,
      withdrawalChannel: request.channel,
      withdrawalRequestId: request.id,
    });
    changed++;
  }
  return changed;
}

/**
 * A completed withdrawal applied again to one tenant's platform consent records, from the time it took
 * effect (a restore re-applies a withdrawal made after its backup set, src/app/restore/reapply/). The
 * ledger is the service's own and untouched. Returns the records changed.
 */
export async function reapplyWithdrawalInTenant(
  app: AppContext,
  request: RequestDoc,
  tenantId: string,
): Promise<number> {
  const subject = subjectOf(request);
  const entry = consentEntry(app);
  const purposes = z.array(Purpose).safeParse(request.details.purposes);
  if (!subject || !entry || !purposes.success) return 0;
  if (subject.type === "tenant" && subject.tenantId !== tenantId) return 0;
  const recorded = z.object({ at: z.string() }).safeParse(request.details.withdrawal);
  const at = recorded.success ? recorded.data.at : effectiveAt(request, app.ports.clock.now());
  let changed = 0;
  for (const purpose of purposes.data) {
    changed += await withdrawPlatformRecords(app, entry, request, subject, purpose, at, tenantId);
  }
  return changed;
}

export interface ErasureFollowUp {
  erasure: "opened" | "linked" | "retained" | "nothing_held" | "not_required";
  reason: string;
  requestId?: string;
}

const openedReason =
  "An erasure of the data linked to the number has been opened (withdrawal of consent to WhatsApp messaging; Data Deletion Instructions §1–§3). What the law requires us to keep is kept and listed on its certificate.";

const FollowUpRef = z.object({ requestId: z.string() });

/** Opens (or links) the erasure a withdrawal of WhatsApp messaging means for a number. */
async function erasureFollowUp(
  app: AppContext,
  request: RequestDoc,
  purposes: Purpose[],
): Promise<ErasureFollowUp> {
  if (!purposes.includes("whatsapp_messaging"))
    return {
      erasure: "not_required",
      reason: "Withdrawing this consent stops that processing; it does not ask for the data to be erased.",
    };
  if (request.channel === "consent_manager")
    return {
      erasure: "not_required",
      reason:
        "WhatsApp messaging stops. A consent manager's withdrawal does not erase the number's data by itself: no consent manager is yet bound to the people it may act for, so erasure is asked for by the person, who proves the number with a one-time code (the public request form).",
    };
  if (request.scope.type !== "whatsapp_number")
    return {
      erasure: "not_required",
      reason:
        "The account's data is processed to perform the contract (Privacy Policy §1), not on this consent: WhatsApp messaging for the account stops, and erasing the account is a separate request by its owner.",
    };
  const store = app.stores.requests;
  const planned = FollowUpRef.safeParse(request.details.followUpErasure);
  if (planned.success) {
    const existing = await store.find(planned.data.requestId);
    if (existing) return { erasure: "opened", reason: openedReason, requestId: existing.doc.id };
  }
  const open = await openErasureOf(app, request.pk);
  if (open?.status === "on_hold")
    return {
      erasure: "retained",
      reason: `The number's data is under a legal hold on erasure request ${open.id}: the law requires it be kept while the hold lasts; it is erased when the hold is released.`,
      requestId: open.id,
    };
  if (open)
    return {
      erasure: "linked",
      reason: `An erasure of the number's data is already open (${open.id}).`,
      requestId: open.id,
    };
  const held = await subjectInventory(app.ports, app.inventory, {
    type: "whatsapp",
    numberHash: request.scope.numberHash,
  });
  if (held.total === 0)
    return {
      erasure: "nothing_held",
      reason: "We hold no data linked to the number: there is nothing to erase.",
    };
  const id = planned.success ? planned.data.requestId : newRequestId(request.pk);
  if (!planned.success) {
    // Named on the withdrawal before it exists, so a retry after a crash finds it instead of opening another.
    await store.update(request.id, (doc) => {
      doc.details = { ...doc.details, followUpErasure: { requestId: id } };
      return doc;
    });
  }
  const other = await store.claimOpenSlot(request.pk, "erasure", id);
  if (other)
    return {
      erasure: "linked",
      reason: `An erasure of the number's data is already open (${other}).`,
      requestId: other,
    };
  await openErasure(app, request, id);
  return { erasure: "opened", reason: openedReason, requestId: id };
}

async function openErasureOf(app: AppContext, pk: string): Promise<RequestDoc | undefined> {
  const slot = await app.stores.openSlots.read("open:erasure", pk);
  const holderId = slot?.doc.requestId;
  if (typeof holderId !== "string") return undefined;
  const holder = await app.stores.requests.collection().read(holderId, pk);
  const parsed = RequestDoc.safeParse(holder?.doc);
  return parsed.success && isOpen(parsed.data.status) ? parsed.data : undefined;
}

/**
 * The erasure, verified already: the number's owner proved it with the withdrawal's code (or staff
 * reviewed a nominee's evidence). It follows the withdrawal's requester (same token, same address).
 */
async function openErasure(app: AppContext, withdrawal: RequestDoc, id: string): Promise<void> {
  const now = app.ports.clock.now();
  const doc: RequestDoc = {
    id,
    pk: withdrawal.pk,
    docType: "request",
    kind: "erasure",
    scope: withdrawal.scope,
    status: "verified",
    channel: withdrawal.channel,
    language: withdrawal.language,
    requester: SYSTEM,
    visibleTo: "tenant",
    ...(withdrawal.tenantId ? { tenantId: withdrawal.tenantId } : {}),
    ...(withdrawal.contact ? { contact: withdrawal.contact } : {}),
    tokenHashes: withdrawal.tokenHashes,
    details: { openedBy: { requestId: withdrawal.id, reason: "consent to WhatsApp messaging withdrawn" } },
    createdAt: now.toISOString(),
    deadlineExtensions: [],
    version: 1,
  };
  const created = await openVerifiedRequest(app, doc, { openedBy: withdrawal.id });
  await notifyRequester(app, created, {
    template: "request_received",
    requestId: id,
    kind: created.kind,
    dueAt: created.dueAt,
  });
  await runExecution(app, id);
}

/** When the withdrawal took effect: verification, or the staff approval of a nominee's request. */
function effectiveAt(request: RequestDoc, now: Date): string {
  if (onBehalfOf(request) && request.review?.decision === "approved") return request.review.at;
  return request.verifiedAt ?? now.toISOString();
}

/**
 * A verified withdrawal: `verified → in_progress`, each purpose recorded as withdrawn from the moment
 * it took effect, the erasure opened where it follows, then `completed` with the reason. Resumable.
 */
export const consentWithdrawalExecutor: Executor = async (app, request, step) => {
  let current = request;
  if (current.status === "verified") {
    step("start");
    current = await advance(app, current, "start", { notify: false });
  }
  if (current.status !== "in_progress") return;
  const purposes = z.array(Purpose).min(1).parse(current.details.purposes);
  const at = effectiveAt(current, app.ports.clock.now());
  step("record");
  // Recorded before the consent records change, so a restore running before the completion re-applies it.
  const applied = await markApplied(app, current.id);
  if (!applied) return;
  current = applied;
  await recordWithdrawals(app, current, purposes, at);
  step("erasure");
  const followUp = await erasureFollowUp(app, current, purposes);
  step("processors");
  // Partners processing on the withdrawn consent are told to stop (DPDP Act s.6(6)); idempotent.
  const event = eventFor(current, "consent_withdrawal", withdrawalCategories(purposes));
  if (event) await fanOutToProcessors(app, current, event);
  step("complete");
  await advance(app, current, "complete", {
    reason: `Consent withdrawn for ${purposes.map((p) => PURPOSE_DEFINITIONS[p].label.en).join(", ")}, from ${at}. ${followUp.reason}`,
    data: {
      purposes,
      withdrawnAt: at,
      channel: current.channel,
      erasure: followUp.erasure,
      ...(followUp.requestId ? { erasureRequestId: followUp.requestId } : {}),
    },
    change: (doc) => {
      doc.details = { ...doc.details, withdrawal: { at, channel: current.channel, ...followUp } };
    },
  });
};

export interface ConsentAnswer {
  purpose: Purpose;
  status: "granted" | "withdrawn" | "expired";
  since: string;
  channel?: string;
}

type ConsentEvent = { state: "granted" | "withdrawn" | "expired"; at: string; channel?: string };

/**
 * The withdrawals the consent artefacts may not show yet: the ledger (withdrawals recorded before
 * artefacts existed) and withdrawals verified but not yet executed. The validation counts them too.
 */
export async function withdrawalsOutsideArtefacts(
  app: AppContext,
  subject: Subject,
  purpose: Purpose,
): Promise<{ at: string; channel?: string }[]> {
  const pk = subjectPartition(subject);
  const [ledgerRead, pending] = await Promise.all([
    app.stores.consents.read(ledgerId(purpose), pk),
    pendingWithdrawals(app, pk, purpose),
  ]);
  const ledger = LedgerEntry.safeParse(ledgerRead?.doc);
  return [
    ...pending,
    ...(ledger.success && ledger.data.state === "withdrawn"
      ? [{ at: ledger.data.since, channel: ledger.data.channel }]
      : []),
  ];
}

/** The artefacts as events: each grant (and its lapse, once past), each withdrawal. */
function artefactEvents(artefacts: ConsentArtefact[], now: Date): ConsentEvent[] {
  return artefacts.flatMap((a): ConsentEvent[] => {
    if (a.action === "withdraw") return [{ state: "withdrawn", at: a.effectiveAt, channel: a.channel }];
    const granted: ConsentEvent = { state: "granted", at: a.effectiveAt, channel: a.channel };
    return a.expiresAt && Date.parse(a.expiresAt) <= now.getTime()
      ? [granted, { state: "expired", at: a.expiresAt, channel: a.channel }]
      : [granted];
  });
}

/** Withdrawals verified but not yet executed: withdrawn from verification, not from execution. */
async function pendingWithdrawals(app: AppContext, pk: string, purpose: Purpose): Promise<ConsentEvent[]> {
  const page = await app.stores.requests.list({
    partitionKey: pk,
    where: [
      { field: "kind", op: "=", value: "consent_withdrawal" },
      { field: "status", op: "in", value: ["verified", "in_progress"] },
    ],
    limit: 20,
  });
  return page.items
    .filter((r) => !awaitsNomineeReview(r) && r.verifiedAt)
    .filter((r) => z.array(z.string()).safeParse(r.details.purposes).data?.includes(purpose))
    .map((r) => ({
      state: "withdrawn" as const,
      at: effectiveAt(r, new Date(r.verifiedAt!)),
      channel: r.channel,
    }));
}

/**
 * GET /consents/{subject}?purpose=…: granted or withdrawn, and since when. Staff see every record; a
 * tenant's members see their own account, and for a WhatsApp number the records of their own business
 * (and a withdrawal the person made, which holds for every business). Nothing on record: 404, which a
 * caller must read as "no consent".
 */
export async function consentStatus(
  app: AppContext,
  caller: Caller,
  subject: Subject,
  purpose: Purpose,
  filter: { tenantId?: string } = {},
): Promise<ConsentAnswer> {
  if (caller.kind === "public") throw notFound();
  let tenantFilter = filter.tenantId;
  if (caller.kind === "dashboard") {
    if (subject.type === "tenant" && subject.tenantId !== caller.tenantId)
      throw notFound("No consent is recorded for this subject and purpose.");
    tenantFilter = caller.tenantId;
  }
  const pk = subjectPartition(subject);
  const [ledgerRead, pending, records, artefacts] = await Promise.all([
    app.stores.consents.read(ledgerId(purpose), pk),
    pendingWithdrawals(app, pk, purpose),
    platformRecords(app, subject, purpose, subject.type === "whatsapp" ? tenantFilter : undefined),
    artefactsOf(app, subject, purpose),
  ]);
  // The artefacts that speak for this business, as the validation reads them (a grant to another
  // business is not this one's consent; the person's withdrawal holds for all).
  const relevant = relevantTo(artefacts, subject.type === "whatsapp" ? tenantFilter : undefined);
  const events: ConsentEvent[] = [...pending, ...artefactEvents(relevant, app.ports.clock.now())];
  const ledger = LedgerEntry.safeParse(ledgerRead?.doc);
  if (ledger.success)
    events.push({ state: ledger.data.state, at: ledger.data.since, channel: ledger.data.channel });
  for (const r of records) {
    if (r.status === "granted" && r.at)
      events.push({ state: "granted", at: r.at, ...(r.channel ? { channel: r.channel } : {}) });
    if (r.status === "withdrawn") {
      const at = r.withdrawnAt ?? r.at;
      const channel = r.withdrawalChannel ?? r.channel;
      if (at) events.push({ state: "withdrawn", at, ...(channel ? { channel } : {}) });
    }
  }
  // A business sees a number's consent only where it holds a record of the number itself: the
  // person's dealings with this service are not shown to businesses that never had the number.
  if (
    caller.kind === "dashboard" &&
    subject.type === "whatsapp" &&
    records.length === 0 &&
    !relevant.some((a) => a.tenantId === caller.tenantId)
  )
    throw notFound("No consent is recorded for this subject and purpose.");
  if (events.length === 0) throw notFound("No consent is recorded for this subject and purpose.");
  events.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const state = events.at(-1)!.state;
  // Since when the current state holds: its first event after the last event of the other state.
  const lastOther = events.findLastIndex((e) => e.state !== state);
  const first = events[lastOther + 1]!;
  return { purpose, status: state, since: first.at, ...(first.channel ? { channel: first.channel } : {}) };
}
