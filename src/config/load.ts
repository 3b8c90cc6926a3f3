import { AzureConfig, type Config, LocalConfig, settingNames } from "./schema";

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/**
 * Reads the settings this service owns from the environment. Only names the schema knows are picked,
 * so the host's own variables do not trip `.strict()`; a misspelt DPDP_/COSMOS_/… name is reported.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const profile = env.DPDP_PROFILE ?? "local";
  if (profile !== "local" && profile !== "azure") {
    throw new ConfigError([`DPDP_PROFILE: must be "local" or "azure" (got "${profile}")`]);
  }
  const names = settingNames[profile];
  const picked: Record<string, string> = { DPDP_PROFILE: profile };
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== "") picked[name] = value;
  }
  const problems: string[] = [];
  const known = new Set([...settingNames.local, ...settingNames.azure]);
  for (const name of Object.keys(env)) {
    // Not PLATFORM_: the platform itself sets PLATFORM_VERSION in a Function App's environment.
    if (/^(DPDP|COSMOS|BLOB|AUTH|LOCAL|SUBJECT|RETENTION|DASHBOARD)_/.test(name) && !known.has(name)) {
      problems.push(`${name}: not a setting this service knows (check the spelling)`);
    }
  }
  // The old name of DASHBOARD_ORIGINS, still in someone's local environment. Only locally: in Azure the platform sets
  // CORS_ALLOWED_ORIGINS itself (from the Function App's CORS), which is why the service's setting was renamed.
  if (profile === "local" && env.CORS_ALLOWED_ORIGINS !== undefined && env.DASHBOARD_ORIGINS === undefined) {
    problems.push(
      "CORS_ALLOWED_ORIGINS: renamed DASHBOARD_ORIGINS (on Azure the platform sets CORS_ALLOWED_ORIGINS itself)",
    );
  }
  const schema = profile === "local" ? LocalConfig : AzureConfig;
  const result = schema.safeParse(picked);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const name = issue.path.join(".") || "(configuration)";
      // The setting is the first path element: DASHBOARD_ORIGINS.1 is present but wrong, not missing.
      const setting = String(issue.path[0] ?? "");
      problems.push(`${name}: ${picked[setting] === undefined ? "missing; " : ""}${issue.message}`);
    }
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  return result.data;
}
