import { z } from "zod";
import { type PeriodOverrides, resolvePeriods } from "../domain/policy/periods";

/**
 * Every setting the service reads, by the exact name the environment (and the Bicep app settings)
 * use. One schema per profile: `local` runs on embedded emulators, `azure` on managed identity only.
 */
const url = (what: string) => z.url({ message: `must be the ${what} URL` });
const httpsUrl = (what: string) =>
  z
    .url({ message: `must be the ${what} URL` })
    .refine((u) => u.startsWith("https://"), `${what} must use https`);

/** The origin a browser would send for `o`, or undefined when `o` is no http(s) URL. */
const originOf = (o: string) => {
  try {
    const u = new URL(o);
    return u.protocol === "https:" || u.protocol === "http:" ? u.origin : undefined;
  } catch {
    return undefined;
  }
};
const LOOPBACK_ORIGIN = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/;

/**
 * Dashboard origins, compared with the browser's `Origin` header character for character (src/http/cors.ts):
 * one written any other way (a trailing slash, a path, upper case, a default port) would never match, and
 * CORS would fail in silence, so it is refused here with the form to write. `httpsOnly`: plain http only for a
 * dashboard on the developer's own machine.
 */
const origins = (httpsOnly: boolean) =>
  z
    .string()
    .default("")
    .transform((s) =>
      s
        .split(",")
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z
          .string()
          .refine((o) => o !== "*", "a wildcard origin is not allowed: list the dashboard origins")
          .pipe(z.url({ message: "each origin must be a URL such as https://app.callmissed.com" }))
          .refine((o) => originOf(o) === o, {
            error: (issue) =>
              `write each origin as the browser sends it: ${String(originOf(String(issue.input)) ?? "https://app.callmissed.com")} (scheme, host and port; no path or trailing slash; lower case)`,
          })
          .refine(
            (o) => !httpsOnly || o.startsWith("https://") || LOOPBACK_ORIGIN.test(o),
            "an origin must use https (plain http only for localhost)",
          ),
      ),
    );

const hashKey = z
  .string()
  .refine((s) => Buffer.from(s, "base64").length >= 32, "must be at least 32 bytes, base64-encoded");

const port = z.coerce.number().int().min(0).max(65535);

/**
 * CONSENT_MANAGERS: the consent managers registered with the Board (DPDP Act s.6(7)–(9), Rules Rule 4)
 * this service accepts requests from, as a JSON array: id (the `iss` of their requests), name, Board
 * registration number and their public keys (a JWKS). In Azure a Key Vault reference, so who may speak
 * for people is changed in one guarded place (docs/consent.md).
 */
const ConsentManagerSetting = z
  .object({
    id: z.string().min(1).max(100),
    name: z.string().min(1).max(200),
    registrationNumber: z.string().min(1).max(100),
    jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())).min(1) }),
  })
  .strict();
export type ConsentManagerSetting = z.infer<typeof ConsentManagerSetting>;

const consentManagers = z
  .string()
  .default("[]")
  .transform((text, ctx): unknown => {
    try {
      return JSON.parse(text);
    } catch {
      ctx.addIssue({
        code: "custom",
        message: "must be a JSON array of {id, name, registrationNumber, jwks}",
      });
      return z.NEVER;
    }
  })
  .pipe(
    z
      .array(ConsentManagerSetting)
      .refine((ms) => new Set(ms.map((m) => m.id)).size === ms.length, "each manager id once"),
  );

/**
 * PROCESSOR_WEBHOOK_SECRETS: a JSON object {partnerId: base64 secret of at least 32 bytes}, the signing
 * secret of each service partner's webhook and confirmations (docs/processors.md). In Azure a Key Vault
 * reference, like SUBJECT_HASH_KEY; never logged. A partner without one gets no webhook and its
 * confirmations are refused.
 */
const processorSecrets = z.string().transform((text, ctx): Record<string, string> => {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    ctx.addIssue({ code: "custom", message: 'must be a JSON object {"partner-id":"<base64 secret>"}' });
    return z.NEVER;
  }
  const parsed = z
    .record(z.string().regex(/^[a-z][a-z0-9-]{1,39}$/, "a partner id of the processor register"), hashKey)
    .safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      ctx.addIssue({ code: "custom", message: issue.message, path: issue.path.map(String) });
    return z.NEVER;
  }
  return parsed.data;
});

/** The Key Vault key that wraps the per-tenant backup data keys: https://<vault>.vault.azure.net/keys/<name>. */
const kekId = z
  .string()
  .regex(
    /^https:\/\/[a-z0-9-]+\.vault\.azure\.net\/keys\/[A-Za-z0-9-]+(\/[0-9a-f]{32})?$/,
    "must be a Key Vault key id, https://<vault>.vault.azure.net/keys/<name>",
  );

/**
 * RETENTION_OVERRIDES: a JSON object of ISO 8601 durations by period name (src/domain/policy/periods.ts),
 * e.g. {"usageRecords":"P60D"}. Each problem is reported as RETENTION_OVERRIDES.<period>, with the
 * period's legal basis; an override below a legal minimum or above a legal maximum stops the start.
 */
const retentionOverrides = z.string().transform((text, ctx): PeriodOverrides => {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    ctx.addIssue({
      code: "custom",
      message: 'must be a JSON object of ISO 8601 durations by period name, e.g. {"usageRecords":"P60D"}',
    });
    return z.NEVER;
  }
  const { problems } = resolvePeriods(raw);
  for (const p of problems) {
    ctx.addIssue({ code: "custom", message: p.message, ...(p.period ? { path: [p.period] } : {}) });
  }
  return problems.length > 0 ? z.NEVER : (raw as PeriodOverrides);
});

const common = {
  COSMOS_DATABASE: z.string().min(1).default("dpdp"),
  COSMOS_PLATFORM_DATABASE: z.string().min(1).default("platform"),
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(10_485_760).default(65_536),
  /**
   * How many right-most X-Forwarded-For entries trusted proxies added (the Functions front end adds
   * one, and so does the local host); the entry that many places from the right is the client. Raise it
   * only for a trusted proxy in front of the app (Front Door: 2): anything further left the client wrote.
   */
  TRUSTED_PROXY_HOPS: z.coerce.number().int().min(1).max(10).default(1),
  /**
   * How long an Idempotency-Key holds its first answer (hours; default 24): a retry inside the window
   * gets that answer again, the same key after it starts afresh.
   */
  IDEMPOTENCY_TTL_HOURS: z.coerce.number().int().min(1).max(720).default(24),
  /**
   * The dashboard's origins, comma-separated; never "*". The app answers CORS for exactly these, on both hosts
   * (src/http/cors.ts); in Azure the platform's own CORS is off (infra/modules/functionapp.bicep).
   * Not CORS_ALLOWED_ORIGINS: the platform sets that name itself on Linux/Flex Consumption, as a JSON array, and an
   * app setting of that name broke every invocation (test/unit/reserved-settings.test.ts keeps such names out).
   */
  DASHBOARD_ORIGINS: origins(false),
  /** The Grievance Officer / DPO contact every notice carries (DPDP Rules 2025 Rule 9). */
  DPO_CONTACT_EMAIL: z.email().default("karan@callmissed.com"),
  /**
   * The Data Protection Board of India's published channel, given in every notice that tells a person
   * they may complain to the Board (DPDP Act s.13(3): after the Grievance Officer; the Rules have the
   * Board work as a digital office): its website, where complaints are filed online. An https URL.
   */
  DPB_CONTACT: httpsUrl("Data Protection Board's complaints").default("https://www.dpb.gov.in"),
  /**
   * The privacy center's address (the public page where people without an account use their rights: docs/web-pages.md),
   * which `GET /v1/policy` gives as the public channel's `url`. Bicep sets it from the pages' own origin; unset on the
   * local host: http://localhost:<PORT>/privacy/.
   */
  PRIVACY_CENTER_URL: url("privacy center").optional(),
  /** Where alerts for the privacy officer go (repeated execution failures, breach deadlines). */
  PRIVACY_OFFICER_EMAIL: z.email().default("karan@callmissed.com"),
  /** Overrides of retention periods and deadlines, within their legal limits (validated here, at start). */
  RETENTION_OVERRIDES: retentionOverrides.optional(),
  /**
   * The Cosmos DB continuous-backup tier of the service's account, set by Bicep from the value its backup
   * policy uses (infra/main.bicep `cosmosBackupTier`): how long point-in-time restore could bring a destroyed
   * backup key back, which deletion certificates state (`backups.residualUntil`).
   */
  COSMOS_BACKUP_TIER: z.enum(["Continuous7Days", "Continuous30Days"]).default("Continuous30Days"),
  /** The consent managers whose signed requests are accepted (none by default). */
  CONSENT_MANAGERS: consentManagers,
  /** The `aud` a consent manager's request must carry: this service, and no other that trusts the same keys. */
  CONSENT_MANAGER_AUDIENCE: z.string().min(1).max(200).default("https://callmissed.com/dpdp-rights"),
  /** The service partners' signing secrets (Key Vault reference in Azure; locally derived when unset). */
  PROCESSOR_WEBHOOK_SECRETS: processorSecrets.optional(),
};

/** The days of point-in-time restore a continuous-backup tier keeps. */
export const restoreWindowDays = (tier: "Continuous7Days" | "Continuous30Days") =>
  tier === "Continuous7Days" ? 7 : 30;

export const LocalConfig = z
  .object({
    DPDP_PROFILE: z.literal("local"),
    ...common,
    /** Unset: the local host starts the embedded emulators (on LOCAL_*_PORT, 0 = any free port) and fills these in. */
    COSMOS_ENDPOINT: url("Cosmos DB").optional(),
    COSMOS_KEY: z.string().min(1).optional(),
    BLOB_CONNECTION_STRING: z.string().min(1).optional(),
    /**
     * The platform's own stores, as in the azure profile. Unset (the default): the platform's database and blob
     * containers live in the same embedded emulators as the service's, as they always have locally. Set: other
     * emulators, reached with their well-known keys (COSMOS_KEY or the Cosmos emulator's; Azurite's devstoreaccount1).
     */
    PLATFORM_COSMOS_ENDPOINT: url("platform's Cosmos DB").optional(),
    PLATFORM_BLOB_ENDPOINT: url("platform's Blob Storage").optional(),
    SUBJECT_HASH_KEY: hashKey.optional(),
    PORT: port.default(7071),
    /** The service's public address (problem `type` URIs resolve under it). Unset: http://localhost:<PORT>. */
    PUBLIC_BASE_URL: url("service's public base").optional(),
    LOCAL_COSMOS_PORT: port.default(0),
    LOCAL_BLOB_PORT: port.default(0),
    LOCAL_DATA_DIR: z.string().min(1).default(".local-data"),
    LOCAL_SEED_DEMO: z.enum(["true", "false"]).default("true"),
    /** "off" silences the local HTTP server's request log (read from the environment per request). */
    LOCAL_HTTP_LOG: z.enum(["on", "off"]).optional(),
    /** Set: wrap backup data keys with this Key Vault key (DefaultAzureCredential) instead of the local key file. */
    BACKUP_KEK_ID: kekId.optional(),
    /**
     * "on": the daily backup timer takes a set (once per day of the dev clock). Off by default, so a
     * local account deletion completes at its purge instead of waiting for backups to rotate out.
     */
    LOCAL_BACKUP_TIMER: z.enum(["on", "off"]).default("off"),
    /**
     * "on": due messages are delivered every second and timers run every minute in real time, as in
     * Azure. "off": only moving the dev clock (POST /api/_dev/clock) delivers and runs them, which
     * makes tests deterministic.
     */
    LOCAL_REALTIME: z.enum(["on", "off"]).default("on"),
    /**
     * Under Core Tools (`npm run start:func`): the Service Bus (emulator) connection string, the same setting the
     * host's queue triggers listen on. Set, the service schedules its messages there, so they reach those triggers;
     * unset (`npm start`), the in-process scheduler delivers them.
     */
    ServiceBusConnection: z.string().min(1).optional(),
  })
  .strict();

export const AzureConfig = z
  .object({
    DPDP_PROFILE: z.literal("azure"),
    ...common,
    DASHBOARD_ORIGINS: origins(true),
    COSMOS_ENDPOINT: httpsUrl("Cosmos DB account"),
    BLOB_ENDPOINT: httpsUrl("Blob Storage account"),
    /**
     * The export account: access-export packages (`exports`) only. It is public, because people download their
     * export in a browser with a short-lived link, while BLOB_ENDPOINT's account (backups) is reached only over its
     * private endpoint (infra/README.md). Unset: exports live in BLOB_ENDPOINT's account, as before the split.
     */
    EXPORT_BLOB_ENDPOINT: httpsUrl("export Blob Storage account").optional(),
    /**
     * The platform's own Cosmos DB account, which holds COSMOS_PLATFORM_DATABASE, and the blob endpoint of its own
     * storage account, which holds the blob containers the inventory names. Separate accounts from the service's
     * (in dev, Bicep points them at the service's own accounts, where it creates the platform's stores).
     */
    PLATFORM_COSMOS_ENDPOINT: httpsUrl("platform's Cosmos DB account"),
    PLATFORM_BLOB_ENDPOINT: httpsUrl("platform's Blob Storage account"),
    /**
     * "true" only when PLATFORM_COSMOS_ENDPOINT's account has the `DeleteAllItemsByPartitionKey` capability
     * (Bicep `platformCosmosPartitionDelete`): the account purge then deletes a tenant's records of each
     * delete category with one call per container, and counts until none is left, instead of one delete per
     * record. Anonymised, retained and forfeited records keep the per-record path.
     */
    PLATFORM_COSMOS_PARTITION_DELETE: z.enum(["true", "false"]).default("false"),
    /** The same setting the Service Bus trigger binding reads for identity-based connections. */
    ServiceBusConnection__fullyQualifiedNamespace: z
      .string()
      .regex(/^[a-z0-9-]+\.servicebus\.windows\.net$/, "must be <namespace>.servicebus.windows.net"),
    /** Client id of a user-assigned managed identity; unset for the system-assigned one. */
    AZURE_CLIENT_ID: z.uuid().optional(),
    AUTH_ISSUER: z.string().min(1),
    AUTH_AUDIENCE: z.string().min(1),
    AUTH_JWKS_URL: httpsUrl("JWKS"),
    /** A Key Vault reference in the app settings; never a literal in code or Bicep outputs. */
    SUBJECT_HASH_KEY: hashKey,
    /** The key-encryption key of the backups (Key Vault, wrap/unwrap through the managed identity). */
    BACKUP_KEK_ID: kekId,
    /** The Function App's public address, https://<default host name> (Bicep): problem `type` URIs resolve under it. */
    PUBLIC_BASE_URL: httpsUrl("service's public base"),
  })
  .strict();

export type LocalConfig = z.infer<typeof LocalConfig>;
export type AzureConfig = z.infer<typeof AzureConfig>;
export type Config = LocalConfig | AzureConfig;

/** The names each profile reads; the infra test compares these with the Bicep app settings. */
export const settingNames = {
  local: Object.keys(LocalConfig.shape),
  azure: Object.keys(AzureConfig.shape),
};
