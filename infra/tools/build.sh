#!/usr/bin/env bash
# npm run infra:build — the real Bicep compiler on infra/: restores the pinned Bicep CLI from NuGet when it is
# missing (infra/tools/bicep.csproj, into infra/tools/packages/), then
#   bicep build main.bicep, bicep build-params on every infra/*.bicepparam, bicep lint main.bicep, and the same for
#   the subscription-scope template infra/subscription/main.bicep (the platform team's: residency, Activity Log, Defender),
#   and the administrator's bootstrap infra/bootstrap/deployers.bicep (one deploy identity per environment),
# writing the ARM JSON to infra/tools/out/ (git-ignored; the subscription's to infra/tools/out/subscription/). Fails on any error and on any warning: a warning is fixed,
# or suppressed on its line with `#disable-next-line <rule>` and a comment saying why (infra/README.md). Info-level
# diagnostics (use-recent-api-versions, infra/bicepconfig.json) are printed for review and fail nothing.
set -euo pipefail
cd "$(dirname "$0")/../.."

TOOLS=infra/tools
VERSION=$(sed -n 's:.*<BicepVersion>\(.*\)</BicepVersion>.*:\1:p' "$TOOLS/bicep.csproj")
BICEP="$TOOLS/packages/azure.bicep.commandline.linux-x64/$VERSION/tools/bicep"
OUT="$TOOLS/out"

if [ ! -f "$BICEP" ]; then
  echo "Restoring the Bicep CLI $VERSION from NuGet (Azure.Bicep.CommandLine.linux-x64)..."
  DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 dotnet restore "$TOOLS/bicep.csproj" --nologo --verbosity quiet
fi
# NuGet extracts the executable with the package's file mode, which need not include execute for everyone.
[ -x "$BICEP" ] || chmod +x "$BICEP"
"$BICEP" --version

# The parameter files read these with readEnvironmentVariable(): placeholders build them here, the workflow's
# GitHub environments supply the real values at deployment.
export AUTH_ISSUER="${AUTH_ISSUER:-https://issuer.invalid/}"
export AUTH_AUDIENCE="${AUTH_AUDIENCE:-dpdp-rights}"
export AUTH_JWKS_URL="${AUTH_JWKS_URL:-https://issuer.invalid/.well-known/jwks.json}"
export PLATFORM_COSMOS_ACCOUNT="${PLATFORM_COSMOS_ACCOUNT:-cosmos-platform-placeholder}"
export PLATFORM_COSMOS_RESOURCE_GROUP="${PLATFORM_COSMOS_RESOURCE_GROUP:-rg-platform-placeholder}"
export PLATFORM_STORAGE_ACCOUNT="${PLATFORM_STORAGE_ACCOUNT:-stplatformplaceholder}"
export PLATFORM_STORAGE_RESOURCE_GROUP="${PLATFORM_STORAGE_RESOURCE_GROUP:-rg-platform-placeholder}"
export ACTIVITY_LOG_WORKSPACE_ID="${ACTIVITY_LOG_WORKSPACE_ID:-/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-placeholder/providers/Microsoft.OperationalInsights/workspaces/log-placeholder}"

rm -rf "$OUT"
mkdir -p "$OUT/subscription" "$OUT/bootstrap"
LOG="$OUT/diagnostics.txt"
: >"$LOG"
status=0
run() {
  echo "bicep $*"
  if ! "$BICEP" "$@" >>"$LOG" 2>&1; then status=1; fi
}
run build infra/main.bicep --outfile "$OUT/main.json"
for params in infra/*.bicepparam; do
  run build-params "$params" --outfile "$OUT/$(basename "$params" .bicepparam).parameters.json"
done
run lint infra/main.bicep
run build infra/subscription/main.bicep --outfile "$OUT/subscription/main.json"
for params in infra/subscription/*.bicepparam; do
  run build-params "$params" --outfile "$OUT/subscription/$(basename "$params" .bicepparam).parameters.json"
done
run lint infra/subscription/main.bicep
run build infra/bootstrap/deployers.bicep --outfile "$OUT/bootstrap/deployers.json"
run lint infra/bootstrap/deployers.bicep

# The compiler prints each diagnostic once per command that sees it: show each once.
sort -u "$LOG" -o "$LOG"
cat "$LOG"
if grep -Eq ' : (Warning|Error) ' "$LOG"; then
  echo "infra:build: the compiler reported warnings or errors (above): fix each, or suppress it on its line with" >&2
  echo "  #disable-next-line <rule> and a comment saying why." >&2
  exit 1
fi
[ "$status" -eq 0 ] || { echo "infra:build: the compiler failed" >&2; exit 1; }
echo "infra:build: bootstrap/deployers.bicep, main.bicep and $(ls infra/*.bicepparam | wc -l) parameter files, subscription/main.bicep and $(ls infra/subscription/*.bicepparam | wc -l) parameter file(s) compiled, lint clean; ARM JSON in $OUT/"
