import type { RequestKind } from "../../domain/requests/model";
import { flowKey } from "../../domain/requests/state-machine";
import type { AppContext, KindHandler } from "../context";

/** What a request's kind does beyond the core flow: the handler of its flow (an erasure's, by subject). */
export function handlerOf(
  app: AppContext,
  request: { kind: RequestKind; scope: { type: "account" | "whatsapp_number" | "contact" } },
): KindHandler {
  return app.kinds[flowKey(request.kind, request.scope.type)];
}
