import { reconcileWhatsAppErasures } from "../app/whatsapp-erasure";
import { invocationOf, type TimerFunction } from "../function-types";

/**
 * Hourly safety net of the WhatsApp-number erasure: an erasure whose process died or timed out
 * (verified or purging, quiet for 15 minutes) resumes from its checkpoint. Counts and failed items in
 * the run record.
 */
export const reconcileWhatsAppErasuresTimer: TimerFunction = {
  trigger: "timer",
  name: "reconcileWhatsAppErasures",
  schedule: "0 40 * * * *",
  async handle(rt, invocation) {
    await reconcileWhatsAppErasures(
      rt.app,
      undefined,
      invocationOf(rt, "reconcileWhatsAppErasures", invocation),
    );
  },
};
