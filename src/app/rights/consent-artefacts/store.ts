import { randomUUID } from "node:crypto";
import { ConsentArtefact } from "../../../domain/consent/artefact";
import type { Purpose } from "../../../domain/consent/purposes";
import { subjectPartition, type Subject } from "../../../domain/subject";
import { AlreadyExistsError, type Condition } from "../../../ports/document-store";
import type { AppContext } from "../../context";

/** A new artefact id; a withdrawal recorded from a request names its own, so a retry finds it. */
export const newArtefactId = () => `ca-${randomUUID()}`;

export const principalOf = (subject: Subject): ConsentArtefact["principal"] =>
  subject.type === "tenant"
    ? { type: "tenant", tenantId: subject.tenantId }
    : { type: "whatsapp", numberHash: subject.numberHash };

/** Appends an artefact; the same id twice (a retried step) keeps the first. */
export async function appendArtefact(app: AppContext, artefact: ConsentArtefact): Promise<ConsentArtefact> {
  try {
    await app.stores.consentArtefacts.create(ConsentArtefact.parse(artefact));
    return artefact;
  } catch (e) {
    if (!(e instanceof AlreadyExistsError)) throw e;
    const first = await app.stores.consentArtefacts.read(artefact.id, artefact.pk);
    return ConsentArtefact.parse(first?.doc);
  }
}

/**
 * A principal's artefacts, oldest first, for one purpose or all: one partition, every page. A principal
 * acts a handful of times per purpose, so the list stays short.
 */
export async function artefactsOf(
  app: AppContext,
  subject: Subject,
  purpose?: Purpose,
): Promise<ConsentArtefact[]> {
  const where: Condition[] = purpose ? [{ field: "purpose", op: "=", value: purpose }] : [];
  const out: ConsentArtefact[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await app.stores.consentArtefacts.query({
      partitionKey: subjectPartition(subject),
      where,
      limit: 200,
      ...(continuationToken ? { continuationToken } : {}),
    });
    for (const item of page.items) {
      const parsed = ConsentArtefact.safeParse(item);
      if (parsed.success) out.push(parsed.data);
    }
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return out.sort((a, b) => Date.parse(a.effectiveAt) - Date.parse(b.effectiveAt));
}
