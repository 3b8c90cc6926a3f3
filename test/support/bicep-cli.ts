import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The real Bicep compiler, where `npm run infra:build` restores it from NuGet (the version pinned in
 * infra/tools/bicep.csproj). The tests that read compiled ARM JSON skip, saying why, where it is not restored.
 */
const INFRA = join(__dirname, "..", "..", "infra");
export const BICEP_VERSION = /<BicepVersion>([^<]+)<\/BicepVersion>/.exec(
  readFileSync(join(INFRA, "tools", "bicep.csproj"), "utf8"),
)?.[1];
export const BICEP = join(
  INFRA,
  "tools",
  "packages",
  "azure.bicep.commandline.linux-x64",
  `${BICEP_VERSION}`,
  "tools",
  "bicep",
);
export const bicepPresent = process.platform === "linux" && process.arch === "x64" && existsSync(BICEP);
export const BICEP_MISSING = `the Bicep CLI ${BICEP_VERSION} is not restored at ${BICEP}: run \`npm run infra:build\`, which restores it from NuGet`;
