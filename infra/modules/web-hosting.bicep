// The pages people use (issue 21): the privacy center (/privacy/) and the staff console (/console/), static files
// built by `npm run build` (dist/web/) and served by Azure Storage static website hosting from THIS deployment's region
// (docs/web-hosting.md: why not Static Web Apps or a CDN, which serve from global edges).
//
// A storage account of its own, for the pages only: never the data, export or runtime account. Its `$web` container
// holds built HTML, JavaScript and CSS, no personal data. Identity only: shared keys are refused (the upload in
// azure.yaml uses `--auth-mode login`), anonymous blob access is off (the static website endpoint serves `$web`
// anonymously regardless: that is the feature, and it reaches nothing else in the account).
//
// ARM has no property for static website hosting (it is the data-plane Set Blob Service Properties call), so a
// deployment script turns it on, in this region, as a user-assigned identity whose one role is on this account.
param name string
param location string
param tags { *: string }

@allowed([
  'Standard_LRS'
  'Standard_ZRS'
])
param sku string

@description('The user-assigned identity the deployment script runs as (nothing else uses it).')
param scriptIdentityName string

@description('The deployment script resource\'s name.')
param scriptName string

@description('Azure CLI version of the deployment script\'s container (a version the deployment script service offers).')
param azCliVersion string

@description('What the static website serves for a folder (/privacy/ → privacy/index.html).')
param indexDocument string = 'index.html'

@description('Object id of the service principal that uploads the pages (azure.yaml postdeploy hook: the deploy identity); empty: none here (a developer grants their own account: docs/web-hosting.md).')
param uploaderPrincipalId string

resource account 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: sku
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    // Public: the pages are for anyone with a browser. Writes still need an Entra token with a data role.
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'None'
    }
    encryption: {
      keySource: 'Microsoft.Storage'
      requireInfrastructureEncryption: true
      services: {
        blob: {
          enabled: true
          keyType: 'Account'
        }
      }
    }
  }
}

// Built files only, no personal data: a deleted or overwritten page can come back for 7 days (a bad upload undone).
resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-01-01' = {
  parent: account
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: 7
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

// The one container: what the static website serves. Enabling the feature would create it; declaring it keeps it the
// only one and private on the blob endpoint (the web endpoint serves it whatever its access level).
resource web 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = {
  parent: blobService
  name: '$web'
  properties: {
    publicAccess: 'None'
  }
}

resource scriptIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: scriptIdentityName
  location: location
  tags: tags
}

// Set Blob Service Properties needs Microsoft.Storage/storageAccounts/blobServices/write (REST API, "Authorize with
// Microsoft Entra ID", permissions for Blob service operations), a management action no data role carries; the
// least-privileged built-in role that has it is Storage Account Contributor. Scoped to this account only: it reaches no
// other account. It is more than the script needs: whoever can act as this identity could turn shared keys back on and
// rewrite `$web` (the pages, the console's script among them). A custom role of blobServices/read+write only is the
// fix (docs/web-hosting.md, "Known gap"); until then, who may attach this identity is the control.
var storageAccountContributor = '17d1049b-9a84-46fb-8f53-869881c3d3ab'

resource scriptRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, scriptIdentity.id, storageAccountContributor)
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageAccountContributor)
    principalId: scriptIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// The upload (scripts/deploy-web.sh) writes `$web` and nothing else: Storage Blob Data Contributor on that container.
var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'

resource uploaderRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(uploaderPrincipalId)) {
  name: guid(web.id, uploaderPrincipalId, storageBlobDataContributor)
  scope: web
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
    principalId: uploaderPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Runs in this region (its container instance and its own short-lived storage account too), once per change of its
// properties; enabling an enabled website changes nothing, so a rerun is harmless.
resource enableStaticWebsite 'Microsoft.Resources/deploymentScripts@2023-08-01' = {
  name: scriptName
  location: location
  tags: tags
  kind: 'AzureCLI'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${scriptIdentity.id}': {}
    }
  }
  dependsOn: [
    scriptRole
    web
  ]
  properties: {
    azCliVersion: azCliVersion
    scriptContent: loadTextContent('scripts/enable-static-website.sh')
    environmentVariables: [
      {
        name: 'ACCOUNT_NAME'
        value: account.name
      }
      {
        name: 'INDEX_DOCUMENT'
        value: indexDocument
      }
    ]
    timeout: 'PT15M'
    // Kept on failure only, for troubleshooting; the script resource itself is kept a day.
    cleanupPreference: 'OnSuccess'
    retentionInterval: 'P1D'
  }
}

output name string = account.name
output id string = account.id
output scriptIdentityName string = scriptIdentity.name
// https://<account>.z<n>.web.core.windows.net/ : the pages live under it, /privacy/ and /console/.
output webEndpoint string = account.properties.primaryEndpoints.web
// The same as a browser sends it in Origin (no trailing slash): what DASHBOARD_ORIGINS lists.
output origin string = take(account.properties.primaryEndpoints.web, length(account.properties.primaryEndpoints.web) - 1)
