import { z } from "zod";

/** RFC 9457 problem details as this API writes them (src/http/problem.ts); extension members may be added. */
export const Problem = z
  .object({
    type: z.url().describe("The problem type: a page that says what it means and what to do"),
    title: z.string(),
    status: z.number().int().min(400).max(599),
    detail: z.string().optional(),
    correlationId: z.string().optional().describe("On a 500: quote it to support"),
    resourceStatus: z.string().optional().describe("On a 409: the state the resource is in"),
    retryAfterSeconds: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe("On a 429, and a 409 while an Idempotency-Key's first call runs: as Retry-After"),
    errors: z
      .array(z.object({ field: z.string(), message: z.string() }).strict())
      .optional()
      .describe("Each offending field (body.…, query.…, path.…, header.…) and what it must be"),
  })
  .passthrough()
  .meta({ id: "Problem" });
