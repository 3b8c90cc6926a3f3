import type { RequestDoc } from "../../domain/requests/model";
import type { AppContext } from "../context";
import { AuditLog, EMPTY_CHAIN } from "../audit";
import { startClock } from "./deadlines";

/**
 * A request the service opens already verified, on someone's proof made elsewhere (a consent manager's
 * signature; the withdrawal whose code opened a follow-up erasure): its clock starts now, it is stored,
 * and its chain begins with `create`, saying what opened it (`opened`).
 */
export async function openVerifiedRequest(
  app: AppContext,
  doc: RequestDoc,
  opened: Record<string, string>,
): Promise<RequestDoc> {
  startClock(doc, app.ports.clock.now(), app.policy);
  const created = await app.stores.requests.create(doc);
  // The id is new: its chain is empty, so the first event goes in first place without a look for a head.
  await new AuditLog(app).append(
    doc.id,
    {
      actor: created.requester,
      action: "create",
      to: created.status,
      data: { kind: created.kind, channel: created.channel, scope: created.scope.type, ...opened },
    },
    { after: EMPTY_CHAIN },
  );
  return created;
}
