#!/bin/sh
# azd's postdeploy hook of the `api` service (azure.yaml): builds the pages (privacy center, staff console) for this
# deployment's API and uploads them to the `$web` container of the pages' own storage account (infra/modules/
# web-hosting.bicep), from which the static website serves them in this region. docs/web-hosting.md.
#
# azd hands main.bicep's outputs to hooks as environment variables named as the template names them (functionAppUrl,
# webStorageAccountName, webEndpoint), upper-cased where it cannot find the template's casing (azure-dev, bicep
# provider, createOutputParameters): both spellings are read. test/unit/infra-web.test.ts checks that every output
# read here is one main.bicep declares.
#
# The signed-in principal needs Storage Blob Data Contributor on `$web` (Bicep grants it to webUploaderPrincipalId;
# a developer's own account: docs/web-hosting.md). The account refuses shared keys: --auth-mode login, never a key.
set -eu

# shellcheck disable=SC2154 # set by azd from main.bicep's outputs
FUNCTION_APP_URL="${functionAppUrl:-${FUNCTIONAPPURL:-}}"
# shellcheck disable=SC2154
WEB_ACCOUNT="${webStorageAccountName:-${WEBSTORAGEACCOUNTNAME:-}}"
# shellcheck disable=SC2154
WEB_ENDPOINT="${webEndpoint:-${WEBENDPOINT:-}}"
if [ -z "$FUNCTION_APP_URL" ] || [ -z "$WEB_ACCOUNT" ]; then
  echo "deploy-web.sh runs as azd's postdeploy hook, after provisioning: the functionAppUrl and webStorageAccountName outputs are missing" >&2
  exit 1
fi

# The pages call the API at the Function App's URL; the build writes it into each page's api-base meta and its
# Content-Security-Policy connect-src (scripts/build-web.ts).
WEB_API_BASE_URL="${FUNCTION_APP_URL%/}/api" npm run build

# One upload per kind of file, each with its content type (a browser refuses a script or style sheet served as
# anything else under X-Content-Type-Options: nosniff) and no-cache (the file names carry no hash: a browser must
# revalidate, so a new deployment is what the next visit gets).
upload() {
  az storage blob upload-batch \
    --account-name "$WEB_ACCOUNT" \
    --auth-mode login \
    --destination '$web' \
    --source dist/web \
    --pattern "$1" \
    --content-type "$2" \
    --content-cache-control 'no-cache' \
    --overwrite \
    --only-show-errors \
    --output none
}
upload '*.html' 'text/html; charset=utf-8'
upload '*.js' 'text/javascript; charset=utf-8'
upload '*.css' 'text/css; charset=utf-8'

echo "pages uploaded: ${WEB_ENDPOINT}privacy/ and ${WEB_ENDPOINT}console/"
