// The identity the Function App runs as. User-assigned, so every role below exists before the app first
// starts, and its client id is AZURE_CLIENT_ID (src/config/schema.ts) for DefaultAzureCredential.
param name string
param location string
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output principalId string = identity.properties.principalId
output clientId string = identity.properties.clientId
