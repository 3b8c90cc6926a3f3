import type { KindHandler } from "../context";
import { nomineeFiling } from "../rights";
import { refuseTeamMember } from "../rights";
import { accessExportExecutor } from "./executor";

/**
 * Access (DPDP Act 2023 s.11): the export package. The account's export is its owner's alone from the
 * dashboard; a nominee may ask for it (src/app/rights/on-behalf.ts).
 */
export const accessKind: KindHandler = {
  ...nomineeFiling,
  authorise: (caller) =>
    refuseTeamMember(caller, "Only the account owner can ask for the account's data export."),
  execute: accessExportExecutor,
};
