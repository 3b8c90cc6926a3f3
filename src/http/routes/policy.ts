import { z } from "zod";
import { periodNames, type PeriodName } from "../../domain/policy/periods";
import { policyLanguages } from "../../domain/policy/published";
import { publishedPolicyIn } from "../../domain/policy/published-in";
import { RequestKind } from "../../domain/requests/model";
import { json, route } from "../route";
import { Problem } from "../schemas/problem";

const Duration = z.string().describe("ISO 8601 duration, e.g. P30D, PT24H, P7Y");
const PeriodNameSchema = z.enum(periodNames as [PeriodName, ...PeriodName[]]);
const Channel = z.enum(["dashboard", "public", "email"]);

/** The published policy (DPDP Rules 2025 Rule 14(1), (3)): channels, identifiers and every period. */
export const PolicyView = z
  .object({
    dataFiduciary: z.string(),
    grievanceOfficer: z.object({ role: z.string(), email: z.string(), basis: z.string() }).strict(),
    channels: z.array(
      z
        .object({
          channel: Channel,
          description: z.string(),
          url: z.string().optional(),
          method: z.literal("POST").optional(),
          path: z.string().optional(),
          address: z.string().optional(),
        })
        .strict(),
    ),
    requests: z.array(
      z
        .object({
          kind: RequestKind,
          label: z.string(),
          answerWithin: z.object({ period: PeriodNameSchema, duration: Duration }).strict(),
          clockStarts: z.enum(["verification", "receipt"]),
          identifiers: z.array(
            z
              .object({
                channel: Channel,
                scope: z.enum(["account", "whatsapp_number", "contact"]),
                provide: z.array(z.string()),
                who: z.string(),
                verification: z.string(),
              })
              .strict(),
          ),
        })
        .strict(),
    ),
    periods: z.array(
      z
        .object({
          name: PeriodNameSchema,
          category: z.enum(["request", "grievance", "account", "verification", "retention", "breach"]),
          label: z.string(),
          duration: Duration.describe("As the service runs it (configured overrides included)"),
          default: Duration.describe("The published policies' value"),
          basis: z.string().describe("Policy section, Act section or Rule"),
          min: Duration.optional().describe("Legal minimum"),
          max: Duration.optional().describe("Legal maximum"),
        })
        .strict(),
    ),
    languages: z.array(z.string()),
    escalation: z.object({ to: z.string(), when: z.string(), basis: z.string() }).strict(),
    processing: z
      .object({
        residency: z.string(),
        categories: z.array(
          z
            .object({
              category: z.enum(["account", "usage", "communication", "payment"]),
              label: z.string(),
              data: z.string(),
              purpose: z.string(),
              basis: z.string(),
            })
            .strict(),
        ),
      })
      .strict()
      .describe("What CallMissed does with personal data: each category, what it holds and why"),
  })
  .strict();

const PolicyQuery = z
  .object({
    language: z
      .enum(policyLanguages as [string, ...string[]], {
        message: `one of the languages the policy is published in: ${policyLanguages.join(", ")}`,
      })
      .optional()
      .describe("The language of every label and description (default en); citations stay as written"),
  })
  .strict();

export const policyRoute = route({
  name: "policy",
  method: "GET",
  path: "v1/policy",
  summary: "The published policy: request channels, identifiers needed and every period, with its basis",
  access: "public",
  query: PolicyQuery,
  responses: {
    200: { description: "The policy the service runs on, in the language asked", schema: PolicyView },
    400: { description: "A language the policy is not published in (query.language)", schema: Problem },
  },
  async handler({ rt, query }) {
    const language = query.language ?? "en";
    // Typed against the schema: the domain document and the published contract cannot drift apart.
    const body: z.output<typeof PolicyView> = publishedPolicyIn(rt.app.policy, rt.app.settings, language);
    return json(200, body, {
      "cache-control": "public, max-age=300",
      "content-language": language,
    });
  },
});
