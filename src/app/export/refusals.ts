import type { RefusedReference } from "../../domain/storage/record-references";
import type { AppContext } from "../context";
import { AuditLog } from "../audit";

export const FOREIGN_REFERENCE_REFUSED = "foreign_reference_refused";

/**
 * One `foreign_reference_refused` event per category and field on the request's audit trail: counts
 * only, never a blob name or a tenant (the names point into another tenant's storage). The event key
 * makes a re-run of the same job (a retry after a crash) find the event instead of adding a second.
 */
export async function auditRefusals(
  app: AppContext,
  requestId: string,
  refused: readonly RefusedReference[],
): Promise<void> {
  const audit = new AuditLog(app);
  for (const { category, field, count } of refused) {
    await audit.append(requestId, {
      actor: { kind: "system" },
      action: FOREIGN_REFERENCE_REFUSED,
      key: `${FOREIGN_REFERENCE_REFUSED}:${category}:${field}`,
      data: { category, field, count },
    });
  }
}
