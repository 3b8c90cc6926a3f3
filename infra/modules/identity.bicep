// The identity the Function App runs as. User-assigned, so every role below exists before the app first
// starts, and its client id is AZURE_CLIENT_ID (src/config/schema.ts) for DefaultAzureCredential.
param name string
param location string
param tags { *: string }

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output principalId string = identity.properties.principalId
output clientId string = identity.properties.clientId
