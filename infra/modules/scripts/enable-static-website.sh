#!/bin/sh
# Run by the deployment script of infra/modules/web-hosting.bicep (kind AzureCLI), signed in as its user-assigned
# identity. Static website hosting is a data-plane setting (Set Blob Service Properties): ARM has no property for it.
# With --auth-mode login the call carries the identity's Entra token; the account refuses shared keys. The identity's
# role assignment can take minutes to reach the storage service, so a refusal is retried before the script fails.
set -eu
attempt=1
while ! az storage blob service-properties update \
  --account-name "$ACCOUNT_NAME" \
  --auth-mode login \
  --static-website true \
  --index-document "$INDEX_DOCUMENT" \
  --output none; do
  if [ "$attempt" -ge 10 ]; then
    echo "static website still not enabled on $ACCOUNT_NAME after $attempt attempts" >&2
    exit 1
  fi
  attempt=$((attempt + 1))
  sleep 30
done
echo "static website enabled on $ACCOUNT_NAME (index document $INDEX_DOCUMENT)"
