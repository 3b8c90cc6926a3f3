import { z } from "zod";

/**
 * A request a nominee files for the principal who nominated them (DPDP Act 2023 s.14: on the
 * principal's death or incapacity). It names the nomination in force and the evidence (a death
 * certificate's number, a medical certificate's reference) staff must review before anything runs.
 * Kept on the request as `details.onBehalfOf`; what the service does with it is src/app/rights/on-behalf.ts.
 */
export const OnBehalfOf = z
  .object({
    nominationId: z.string(),
    evidenceRef: z.string(),
  })
  .strict();
export type OnBehalfOf = z.infer<typeof OnBehalfOf>;
