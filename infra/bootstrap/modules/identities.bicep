// The deploy identities of one environment: user-assigned managed identities, each with exactly one federated
// credential, for one GitHub environment (subject repo:<owner>/<repo>:environment:<name>; issuer and audience as
// GitHub's OIDC provider and Entra expect: https://learn.microsoft.com/entra/workload-id/workload-identity-federation-create-trust-user-assigned-managed-identity).
// A token minted for another environment, a branch, a tag or a pull request has another subject and is refused.
param location string
param tags { *: string }
param issuer string

@description('One entry per GitHub environment: the identity name and the exact OIDC subject it trusts.')
param identities { name: string, subject: string }[]

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = [
  for i in identities: {
    name: i.name
    location: location
    tags: tags
  }
]

resource federation 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2024-11-30' = [
  for (i, k) in identities: {
    parent: identity[k]
    name: 'github-${last(split(i.subject, ':'))}'
    properties: {
      issuer: issuer
      subject: i.subject
      audiences: [
        'api://AzureADTokenExchange'
      ]
    }
  }
]

output principalIds string[] = [for (i, k) in identities: identity[k].properties.principalId]
output clientIds string[] = [for (i, k) in identities: identity[k].properties.clientId]
