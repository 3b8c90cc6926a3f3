// The subscription's guards (infra/subscription/main.bicep), deployed by the platform team with its own identity:
//   ACTIVITY_LOG_WORKSPACE_ID=<resource id of the prod Log Analytics workspace> \
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
