// The subscription's guards (infra/subscription/main.bicep), deployed by the platform team with its own identity:
//   ACTIVITY_LOG_WORKSPACE_ID=<resource id of the prod Log Analytics workspace> \
//   DEPLOYER_PRINCIPAL_IDS=<principal ids of the deploy identities, comma-separated> \
//   az deployment sub create -l centralindia -f infra/subscription/main.bicep -p infra/subscription/main.bicepparam
using './main.bicep'

param allowedLocations = [
  'centralindia'
  'southindia'
  'westindia'
  'jioindiawest'
  'jioindiacentral'
]
param activityLogWorkspaceId = readEnvironmentVariable('ACTIVITY_LOG_WORKSPACE_ID')
param securityContactEmail = readEnvironmentVariable('SECURITY_CONTACT_EMAIL', 'karan@callmissed.com')
param defenderTier = 'Standard'
param onCallEmail = readEnvironmentVariable('ON_CALL_EMAIL', '')
// DEPLOYER_PRINCIPAL_IDS: comma-separated, e.g.
//   $(az identity list -g rg-dpdp-deployers --query "[].principalId" -o tsv | paste -sd, -)
param deployerPrincipalIds = filter(
  map(split(readEnvironmentVariable('DEPLOYER_PRINCIPAL_IDS', ''), ','), id => trim(id)),
  id => !empty(id)
)
