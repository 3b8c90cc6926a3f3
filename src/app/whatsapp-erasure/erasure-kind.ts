import type { KindHandler } from "../context";
import { nomineeFiling } from "../rights";
import { runExecution } from "../requests";
import { whatsappErasureExecutor } from "./executor";

/**
 * Erasure of a WhatsApp number across every tenant (Data Deletion policy). Filed from the public form
 * or by staff, never from the dashboard (which acts for the account); a nominee may ask for it.
 */
export const whatsappErasureKind: KindHandler = {
  ...nomineeFiling,
  execute: whatsappErasureExecutor,
  // The executor's last step sees no set holding the number any more and completes the request.
  afterBackupsRotated: async (app, request) => {
    await runExecution(app, request.id);
  },
  // The last partner confirmed (or was waived): the executor's last step completes it, backups allowing.
  afterProcessorsSettled: async (app, request) => {
    await runExecution(app, request.id);
  },
};
