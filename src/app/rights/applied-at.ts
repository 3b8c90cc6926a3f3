import { z } from "zod";
import type { RequestDoc } from "../../domain/requests/model";
import type { AppContext } from "../context";

class NotInProgress extends Error {}

/**
 * Records on a request in progress the time its change reaches the platform's records
 * (`details.appliedAt`), in one ETag-guarded write BEFORE the change: a restore that looks for decisions
 * between the change and the request's completion finds it as applied, and orders it by this time
 * (src/app/restore/reapply/sources.ts). A retry writes it again: the last application is the one the
 * records hold. Undefined when the request is no longer in progress (another run finished it): apply
 * nothing then.
 */
export async function markApplied(app: AppContext, requestId: string): Promise<RequestDoc | undefined> {
  const at = app.ports.clock.now().toISOString();
  try {
    const { after } = await app.stores.requests.update(requestId, (doc) => {
      if (doc.status !== "in_progress") throw new NotInProgress();
      doc.details = { ...doc.details, appliedAt: at };
      return doc;
    });
    return after;
  } catch (e) {
    if (e instanceof NotInProgress) return undefined;
    throw e;
  }
}

/** When the request's change was applied to the platform's records, if it recorded it. */
export const appliedAtOf = (doc: RequestDoc): string | undefined =>
  z.object({ appliedAt: z.string() }).safeParse(doc.details).data?.appliedAt;
