import type { KindHandler } from "../context";
import { acknowledgeGrievance } from "./grievance";

/**
 * Grievance (Privacy Policy §14; DPDP Rules 2025 Rule 14(3)): anyone files one and it is acknowledged
 * at once; staff assign, answer and resolve it (src/app/rights/grievance.ts), so nothing executes.
 */
export const grievanceKind: KindHandler = {
  filedByAnyone: true,
  acknowledge: acknowledgeGrievance,
};
