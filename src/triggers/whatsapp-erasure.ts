import { reconcileWhatsAppErasures } from "../app/whatsapp-erasure/reconcile";
import type { TimerFunction } from "../function-table";

/**
 * Hourly safety net of the WhatsApp-number erasure: an erasure whose process died or timed out
 * (verified or purging, quiet for 15 minutes) resumes from its checkpoint. Counts only in the log.
 */
export const reconcileWhatsAppErasuresTimer: TimerFunction = {
  trigger: "timer",
  name: "reconcileWhatsAppErasures",
  schedule: "0 40 * * * *",
  async handle(rt) {
    const report = await reconcileWhatsAppErasures(rt.app);
    console.log(JSON.stringify({ level: "info", fn: "reconcileWhatsAppErasures", ...report }));
  },
};
