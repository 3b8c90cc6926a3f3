import type { KindHandler } from "../context";
import { consentWithdrawalExecutor } from "./consent";
import { nomineeFiling } from "./on-behalf";

/** Consent withdrawal (DPDP Act 2023 s.6(4)): recorded, then applied; a nominee may ask for one. */
export const consentWithdrawalKind: KindHandler = {
  ...nomineeFiling,
  execute: consentWithdrawalExecutor,
};
