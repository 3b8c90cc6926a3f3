import type { AuditEvent } from "../../domain/requests/audit-chain";
import type { RequestDoc } from "../../domain/requests/model";
import type { Ports } from "../../ports";
import type { Doc } from "../../ports/document-store";
import { type OpenSlot, RequestStore } from "./request-store";
import { TypedStore } from "./typed-store";

/** A store events are appended to and read from, and nothing more. */
export type AppendOnly<T extends Doc> = Pick<TypedStore<T>, "name" | "read" | "create" | "query" | "count">;

/** A document of one type in a shared container, as the store knows it (the use case knows the rest). */
export type Typed<K extends string> = Doc & { pk: string; docType: K };

/**
 * Every document the service keeps in its own database, one named store per kind, so no use case names a
 * container or a `docType` (the only way into the `platform` database is ./platform-records.ts). Built once,
 * in the composition root, over the ports; the use cases find it at `app.stores`. Each store asks
 * `ports.documents` for its container at each call, so a store swapped into the ports is the one used.
 */
export interface Stores {
  /** `requests`: the requests, partitioned by subject, with the slot naming a subject's one open request. */
  requests: RequestStore;
  /** `requests`, `open-slot`: which request holds a subject's one open request of a kind. */
  openSlots: TypedStore<OpenSlot>;
  /** `requests`, `idempotency`: one record per caller and Idempotency-Key (its own partition). */
  idempotency: TypedStore<Typed<"idempotency">>;
  /** `requests`, `subject-verification`: a subject's one-time codes, locks and wrong attempts. */
  subjectVerifications: TypedStore<Typed<"subject-verification">>;
  /** `requests`, `nominee`: a nomination's sealed nominee contact, beside its request. */
  nominees: TypedStore<Typed<"nominee">>;
  /** `requests`, `nomination-pointer`: which nomination of a principal is in force. */
  nominationPointers: TypedStore<Typed<"nomination-pointer">>;
  /** `requests`, `consent`: the consent ledger, one entry per subject and purpose. */
  consents: TypedStore<Typed<"consent">>;
  /**
   * `requests`, `consent-artefact`: grants and withdrawals of consent, in the principal's partition.
   * Created and read, never rewritten: a renewal or a withdrawal is a new artefact (docs/consent.md).
   */
  consentArtefacts: AppendOnly<Typed<"consent-artefact">>;
  /** `requests`, `consent-validation`: that a validation was asked and what it answered (with a `ttl`). */
  consentValidations: AppendOnly<Typed<"consent-validation">>;
  /** `requests`, `consent-manager-jti`: each consent manager request id seen, so none is replayed (`ttl`). */
  consentManagerRequests: AppendOnly<Typed<"consent-manager-jti">>;
  /** `requests`, `processor`: the processor register, one entry per service partner (partition `processors`). */
  processors: TypedStore<Typed<"processor">>;
  /** `requests`, `processor-task`: one partner's part of one request, in the request's partition. */
  processorTasks: TypedStore<Typed<"processor-task">>;
  /** `requests`, `processor-fan-out`: which partners a request's event was sent to, fixed once (its partition). */
  processorFanOuts: TypedStore<Typed<"processor-fan-out">>;
  /** `requests`, `breach`: a personal data breach (partition `breach:<id>`). */
  breaches: TypedStore<Typed<"breach">>;
  /**
   * `audit`: append-only, one hash chain per request. Read and appended to, never rewritten: the store
   * offers nothing else (the role in infra/ grants nothing else either).
   */
  audit: AppendOnly<AuditEvent>;
  /** `ratelimits`: fixed-window counters, keyed by hashes. */
  rateLimits: TypedStore<Doc & { pk: string; count: number; ttl: number }>;
  /** `backups`: the backup catalogue (sets, their tenants and jobs, holdings, tenant keys: src/app/backups/catalogue.ts). */
  backups: TypedStore;
  // The `jobs` container, one store per docType.
  purgeJobs: TypedStore<Typed<"purge-job">>;
  exportJobs: TypedStore<Typed<"export-job">>;
  whatsappErasureJobs: TypedStore<Typed<"whatsapp-erasure-job">>;
  /** Per tenant, what a WhatsApp-number erasure did there. */
  principalErasures: TypedStore<Typed<"principal-erasure">>;
  /** Deletion certificates, of account and WhatsApp-number erasures alike. */
  certificates: TypedStore<Typed<"certificate">>;
  deactivationSnapshots: TypedStore<Typed<"deactivation-snapshot">>;
  /** Which run of a request's execution is queued or running. */
  executionLedgers: TypedStore<Typed<"request-execution">>;
  /** What each restore of a backup set did. */
  restores: TypedStore<Typed<"backup-restore">>;
  retentionSweeps: TypedStore<Typed<"retention-sweep">>;
  /** The day's claim that one timer is sweeping (replaced by the sweep's summary). */
  retentionSweepClaims: TypedStore<Typed<"retention-sweep-claim">>;
  ownRecordsSweeps: TypedStore<Typed<"own-records-sweep">>;
  /** What each reconcile and sweep run did and which item failed (src/app/operations). */
  runs: TypedStore<Typed<"run">>;
  /** The number of the newest audit anchor, so a seal starts there instead of listing every anchor. */
  anchorHints: TypedStore<Typed<"audit-anchor-hint">>;
}

export function buildStores(ports: Pick<Ports, "documents">): Stores {
  const service = (container: string) => () => ports.documents.collection("service", container);
  const requests = service("requests");
  const jobs = service("jobs");
  const openSlots = new TypedStore<OpenSlot>(requests, "open-slot");
  return {
    requests: new RequestStore(new TypedStore<RequestDoc>(requests, "request"), openSlots),
    openSlots,
    idempotency: new TypedStore(requests, "idempotency"),
    subjectVerifications: new TypedStore(requests, "subject-verification"),
    nominees: new TypedStore(requests, "nominee"),
    nominationPointers: new TypedStore(requests, "nomination-pointer"),
    consents: new TypedStore(requests, "consent"),
    consentArtefacts: new TypedStore(requests, "consent-artefact"),
    consentValidations: new TypedStore(requests, "consent-validation"),
    consentManagerRequests: new TypedStore(requests, "consent-manager-jti"),
    processors: new TypedStore(requests, "processor"),
    processorTasks: new TypedStore(requests, "processor-task"),
    processorFanOuts: new TypedStore(requests, "processor-fan-out"),
    breaches: new TypedStore(requests, "breach"),
    audit: new TypedStore(service("audit")),
    rateLimits: new TypedStore(service("ratelimits")),
    backups: new TypedStore(service("backups")),
    purgeJobs: new TypedStore(jobs, "purge-job"),
    exportJobs: new TypedStore(jobs, "export-job"),
    whatsappErasureJobs: new TypedStore(jobs, "whatsapp-erasure-job"),
    principalErasures: new TypedStore(jobs, "principal-erasure"),
    certificates: new TypedStore(jobs, "certificate"),
    deactivationSnapshots: new TypedStore(jobs, "deactivation-snapshot"),
    executionLedgers: new TypedStore(jobs, "request-execution"),
    restores: new TypedStore(jobs, "backup-restore"),
    retentionSweeps: new TypedStore(jobs, "retention-sweep"),
    retentionSweepClaims: new TypedStore(jobs, "retention-sweep-claim"),
    ownRecordsSweeps: new TypedStore(jobs, "own-records-sweep"),
    runs: new TypedStore(jobs, "run"),
    // Hints written before docTypes had none: still read, rewritten typed at the next seal.
    anchorHints: new TypedStore(jobs, "audit-anchor-hint", { readsUntyped: true }),
  };
}
