import { DomainError, conflict, forbidden, notFound } from "../../domain/errors";
import {
  isCrossBorder,
  processorDocId,
  ProcessorEntry,
  type ProcessorInput,
  REGISTER_PARTITION,
  servesTenant,
  unknownCategories,
} from "../../domain/processors/register";
import { productionWebhookProblem } from "./webhook-url";
import { AlreadyExistsError, PreconditionFailedError } from "../../ports/document-store";
import type { Caller } from "../caller";
import type { AppContext } from "../context";
import { queryAll } from "../util";

/**
 * The processor register's use cases: the privacy officer creates, changes and retires entries; support
 * reads them; a tenant's owner reads the schedule of the partners serving its tenant (Privacy Policy §4:
 * "enterprise customers may request the current sub-processor schedule").
 */

const store = (app: AppContext) => app.stores.processors;

const requireOfficer = (caller: Caller) => {
  if (caller.kind !== "staff" || caller.role !== "privacy_officer") throw forbidden();
};
const requireStaff = (caller: Caller) => {
  if (caller.kind !== "staff") throw forbidden();
};

function checkCategories(app: AppContext, input: Pick<ProcessorInput, "categories">): void {
  const known = app.inventory.map((e) => e.category);
  const unknown = unknownCategories(input, known);
  if (unknown.length)
    throw new DomainError(
      "invalid",
      "Every category must be one of the data inventory's.",
      unknown.map((c) => ({
        field: `body.categories.${input.categories.indexOf(c)}`,
        message: `not a category of the data inventory: ${c}`,
      })),
    );
}

/** In production, a webhook that would reach inside our own network is refused (400 naming the field). */
function checkWebhook(app: AppContext, input: Pick<ProcessorInput, "channel">): void {
  if (!app.settings.publicWebhooksOnly || input.channel.type !== "webhook") return;
  const problem = productionWebhookProblem(input.channel.url);
  if (problem)
    throw new DomainError("invalid", "The webhook must be a public https URL.", [
      { field: "body.channel.url", message: problem },
    ]);
}

/** A partner's entry as first registered: active, version 1 (by staff, or by the local demo's seed). */
export function firstVersion(processorId: string, input: ProcessorInput, now: string): ProcessorEntry {
  return ProcessorEntry.parse({
    ...input,
    id: processorDocId(processorId),
    pk: REGISTER_PARTITION,
    docType: "processor",
    processorId,
    status: "active",
    version: 1,
    createdAt: now,
    updatedAt: now,
  });
}

async function read(app: AppContext, processorId: string) {
  const found = await store(app).read<ProcessorEntry>(processorDocId(processorId), REGISTER_PARTITION);
  if (!found) throw notFound("No such partner in the processor register.");
  return { entry: ProcessorEntry.parse(found.doc), etag: found.etag };
}

export async function createProcessor(
  app: AppContext,
  caller: Caller,
  processorId: string,
  input: ProcessorInput,
): Promise<ProcessorEntry> {
  requireOfficer(caller);
  checkCategories(app, input);
  checkWebhook(app, input);
  const entry = firstVersion(processorId, input, app.ports.clock.now().toISOString());
  try {
    await store(app).create(entry);
  } catch (e) {
    if (e instanceof AlreadyExistsError) throw conflict("A partner with this id is in the register already.");
    throw e;
  }
  return entry;
}

/** A new version of the entry. Tasks already made keep the version they were made from. */
export async function updateProcessor(
  app: AppContext,
  caller: Caller,
  processorId: string,
  input: ProcessorInput,
): Promise<ProcessorEntry> {
  requireOfficer(caller);
  checkCategories(app, input);
  checkWebhook(app, input);
  const { entry, etag } = await read(app, processorId);
  if (entry.status === "retired")
    throw conflict("A retired partner cannot be changed.", { status: "retired" });
  const next = ProcessorEntry.parse({
    ...entry,
    ...input,
    version: entry.version + 1,
    updatedAt: app.ports.clock.now().toISOString(),
  });
  try {
    await store(app).replace(next, etag);
  } catch (e) {
    if (e instanceof PreconditionFailedError)
      throw conflict("The entry changed meanwhile: read it and try again.");
    throw e;
  }
  return next;
}

/** Retired: no new task goes to it; tasks already made still wait for its confirmation (or a waiver). */
export async function retireProcessor(
  app: AppContext,
  caller: Caller,
  processorId: string,
  reason: string,
): Promise<ProcessorEntry> {
  requireOfficer(caller);
  const { entry, etag } = await read(app, processorId);
  if (entry.status === "retired") throw conflict("The partner is retired already.", { status: "retired" });
  const now = app.ports.clock.now().toISOString();
  const next: ProcessorEntry = {
    ...entry,
    status: "retired",
    version: entry.version + 1,
    updatedAt: now,
    retiredAt: now,
    retiredReason: reason,
  };
  try {
    await store(app).replace(next, etag);
  } catch (e) {
    if (e instanceof PreconditionFailedError)
      throw conflict("The entry changed meanwhile: read it and try again.");
    throw e;
  }
  return next;
}

/** Every entry, active and retired (one partition: the register is small). */
export async function registerEntries(app: AppContext): Promise<ProcessorEntry[]> {
  const docs = await queryAll<ProcessorEntry>(store(app), { partitionKey: REGISTER_PARTITION });
  return docs.map((d) => ProcessorEntry.parse(d)).sort((a, b) => a.processorId.localeCompare(b.processorId));
}

export async function getProcessor(
  app: AppContext,
  caller: Caller,
  processorId: string,
): Promise<ProcessorEntry> {
  requireStaff(caller);
  return (await read(app, processorId)).entry;
}

/** What a tenant's owner sees of a partner: who, what, where. No contract, channel, contact or tenant list. */
export function scheduleView(entry: ProcessorEntry) {
  return {
    processorId: entry.processorId,
    name: entry.name,
    purpose: entry.purpose,
    categories: entry.categories,
    location: { country: entry.location.country, crossBorder: isCrossBorder(entry) },
    confirmWithin: entry.confirmWithin,
  };
}

/** What staff see: the whole entry (there is no secret in it: those are in Key Vault). */
export function staffView(entry: ProcessorEntry) {
  const { id: _id, pk: _pk, docType: _docType, ...rest } = entry;
  return { ...rest, location: { ...rest.location, crossBorder: isCrossBorder(entry) } };
}

export type RegisterListing =
  | { audience: "staff"; items: ReturnType<typeof staffView>[] }
  | { audience: "owner"; items: ReturnType<typeof scheduleView>[] };

/** GET v1/processors: staff the whole register; an owner the active partners serving its tenant. */
export async function listProcessors(app: AppContext, caller: Caller): Promise<RegisterListing> {
  if (caller.kind === "staff")
    return { audience: "staff", items: (await registerEntries(app)).map(staffView) };
  if (caller.kind === "dashboard" && caller.role === "owner") {
    const entries = await registerEntries(app);
    return {
      audience: "owner",
      items: entries
        .filter((e) => e.status === "active" && servesTenant(e, caller.tenantId))
        .map(scheduleView),
    };
  }
  throw forbidden("The sub-processor schedule is for the account's owner.");
}
