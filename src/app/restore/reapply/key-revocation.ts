import { deactivationEffects } from "../../../domain/inventory/lasting-decisions";
import { reapplyDeactivationEffects } from "./deactivation";
import type { Handler } from "./types";

/**
 * The effects of a deactivation that reactivation does not undo (API keys revoked, Account Deletion §6),
 * applied again to the records the restore wrote back: the set predates the deactivation, so every such
 * record it holds existed then and was revoked. Records made since (keys generated after reactivation)
 * were not written by the restore and are left alone.
 */
export const reapplyKeyRevocation: Handler = async (ctx) => {
  const lasting = Object.entries(deactivationEffects).flatMap(([category, honoured]) =>
    honoured.how === "reapplied" && honoured.handlers.includes("key_revocation") ? [category] : [],
  );
  const entries = ctx.app.inventory.filter((e) => lasting.includes(e.category));
  return { records: await reapplyDeactivationEffects(ctx, entries) };
};
