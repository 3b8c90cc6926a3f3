import { DomainError } from "../../domain/errors";
import type { Executor } from "../context";
import { advanceRequest as advance } from "../requests";
import {
  backupsHolding,
  issueWhatsAppCertificate,
  markCertificateCompleted,
  updateProcessorLines,
} from "./certificate";
import { readWhatsAppErasureJob, runWhatsAppErasureJob, tenantHash, type WhatsAppErasureJob } from "./job";
import {
  eventFor,
  fanOutToProcessors,
  outcomeOf,
  type ProcessorOutcome,
  processorOutcome,
} from "../processors";
import type { AppContext } from "../context";
import type { RequestDoc } from "../../domain/requests/model";
import { erasurePlan } from "./plan";

/** The counts of the finished job, for the audit trail and the request: categories and tenants, no names. */
function summary(job: WhatsAppErasureJob) {
  return {
    categories: Object.fromEntries(
      Object.entries(job.categories).map(([c, p]) => [c, { action: p.action, count: p.count }]),
    ),
    tenantsAffected: job.tenants.count,
    routedToAccountFlow: job.routedToAccountFlow,
    // References into another tenant's storage, left alone: staff see them here and on the job.
    ...(job.refusedReferences.length ? { refusedReferences: job.refusedReferences } : {}),
  };
}

function closingReason(job: WhatsAppErasureJob): string {
  const n = job.tenants.count;
  const done =
    n === 0
      ? "CallMissed held no messages, recordings or consent records linked to the number: there was nothing to delete."
      : `The data linked to the number was deleted or anonymised in the records of ${n} business${n === 1 ? "" : "es"} on CallMissed.`;
  return job.routedToAccountFlow
    ? `${done} The number is also the WhatsApp Business number of a CallMissed account: that account's identifiers were not deleted here; they go with the account, through account deletion by its owner (routed to the account flow).`
    : done;
}

/**
 * The number's own stores are erased: the partners holding what was erased for a tenant the number was
 * found in (or serving every tenant) are told. Categories routed to the account flow were not erased here.
 */
async function tellProcessors(
  app: AppContext,
  request: RequestDoc,
  job: WhatsAppErasureJob,
): Promise<ProcessorOutcome> {
  const erased = erasurePlan(app.inventory)
    .categories.filter((c) => c.outcome !== "routed")
    .map((c) => c.category);
  // No tenant held the number: no partner received it from us, and none is told of a stranger's request
  // (which would only show the partners, and the world, a number we never had).
  if (job.tenants.count === 0) return { settled: true, lines: [] };
  const found = new Set(job.tenants.hashes);
  const event = eventFor(request, "erasure", erased, (tenantId) => found.has(tenantHash(app, tenantId)));
  return outcomeOf(event ? await fanOutToProcessors(app, request, event) : { planned: 0, tasks: [] }, true);
}

/**
 * The erasure of a WhatsApp number (Data Deletion Instructions §1–§7), run as soon as the request is
 * verified: there is no recovery window for this scope. verified → purging → (the checkpointed job
 * across every tenant) → purged → certificate → completed. Resumable at every step: run again (retry
 * after a failure, release of a legal hold) it picks up where the request and its job stand, and once
 * completed it changes nothing.
 */
export const whatsappErasureExecutor: Executor = async (app, request, step) => {
  if (request.scope.type !== "whatsapp_number") {
    throw new DomainError("invalid", "Not a WhatsApp-number erasure request.");
  }
  let current = request;
  if (current.status === "verified") {
    step("purge");
    current = await advance(app, current, "purge", { notify: false });
  }
  if (current.status === "purging") {
    const job = await runWhatsAppErasureJob(app, current, step);
    step("finish_purge");
    current = await advance(app, current, "finish_purge", {
      notify: false,
      data: summary(job),
      change: (doc) => {
        doc.details = {
          ...doc.details,
          whatsappErasure: {
            tenantsAffected: job.tenants.count,
            routedToAccountFlow: job.routedToAccountFlow,
            finishedAt: job.finishedAt,
            ...(job.refusedReferences.length ? { refusedReferences: job.refusedReferences } : {}),
          },
        };
      },
    });
  }
  if (current.status === "purged") {
    const job = await readWhatsAppErasureJob(app, current);
    if (!job?.finishedAt)
      throw new DomainError("conflict", "The request is purged but its erasure job is not finished.");
    step("processors");
    const told = await tellProcessors(app, current, job);
    step("certificate");
    const certificate = await issueWhatsAppCertificate(app, current, job, told.lines);
    // Read again: a partner may have confirmed while its notice was in flight (the fan-out's copy is older).
    // (No partner decided: nothing to read again.)
    const partners = told.settled && told.lines.length === 0 ? told : await processorOutcome(app, current);
    // Completed means every copy is gone (DESIGN §4): while a backup set still holds the number, or a
    // partner told of it has neither confirmed nor been waived, the request stays purged; a later run
    // (reconcileWhatsAppErasures, backup rotation, the last partner's confirmation) completes it.
    await updateProcessorLines(app, current, partners.lines);
    if (!partners.settled) return;
    if ((await backupsHolding(app, current)) > 0) return;
    step("complete");
    current = await advance(app, current, "complete", {
      reason: closingReason(job),
      data: { certificateId: certificate.id, auditHeadHash: certificate.auditHeadHash },
    });
  }
  if (current.status === "completed") {
    // Idempotent: the first run after completion stamps the time, later runs change nothing.
    await markCertificateCompleted(app, current, app.ports.clock.now().toISOString());
  }
};
