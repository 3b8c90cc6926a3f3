// Service Bus: the timers (scheduled messages) and the notice outbox. Entra identity only (local SAS
// auth off). A thrown handler means redelivery up to maxDeliveryCount, then dead-letter; expired work
// messages are dead-lettered too, and the hourly reconciliation finishes whatever lands there. Expired
// notices are dropped instead (they hold an address and perhaps a code), and dead-lettered ones are
// dropped every 10 minutes by the dropDeadLetteredNotices timer (docs/own-records.md).
// Network: Premium (prod) is reached only through its private endpoint (modules/private-endpoints.bicep, group
// 'namespace'), public network access off. Standard (dev) has no Private Link and no VNet rules (both Premium only:
// learn.microsoft.com/azure/service-bus-messaging/private-link-service, service-bus-service-endpoints): it stays
// reachable from the internet with Entra identity as the only lock (local SAS auth off), which dev's synthetic data
// accepts. The cost of each: infra/README.md.
param name string
param location string
param tags { *: string }

@description('Standard at least: Basic has no duplicate detection and caps time-to-live at 14 days.')
@allowed([
  'Standard'
  'Premium'
])
param sku string

@description('Disabled (Premium only): reached only through the private endpoint; no trusted-service exception.')
@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccess string

@description('Principal id of the Function App identity.')
param principalId string

// Exactly the QueueName enum of src/ports/scheduler.ts (the infra test compares them).
// received: the Function App receives from it (Data Receiver); the notice outbox is read by the mailer
// and the WhatsApp sender, and the app receives only from its dead-letter sub-queue, to drop what lands
// there (a role cannot be scoped to the sub-queue alone). Each notice carries its own time-to-live
// (src/domain/notices/time-to-live.ts: PT10M for a code, shorter than its 15 minutes); the queue's default
// is noticeTimeToLive (P1D), the longest, since Service Bus cuts a message's time-to-live to the queue's.
// Notices expire without being dead-lettered (deadLetterOnExpiry). timeToLive outlasts the longest timer scheduled on it
// (time-to-live counts from the send, not from the scheduled time). request-execution and backup-sets
// carry work due now (a request's executor, a backup set's writing), never a long timer: 14 days
// outlasts any backlog, and what expires is dead-lettered and finished by reconciliation.
var queues = [
  { name: 'account-purge', received: true, timeToLive: 'P365D', deadLetterOnExpiry: true }
  { name: 'backup-rotation', received: true, timeToLive: 'P365D', deadLetterOnExpiry: true }
  { name: 'backup-sets', received: true, timeToLive: 'P14D', deadLetterOnExpiry: true }
  { name: 'notifications', received: true, timeToLive: 'P1D', deadLetterOnExpiry: false }
  { name: 'request-execution', received: true, timeToLive: 'P14D', deadLetterOnExpiry: true }
  { name: 'request-timers', received: true, timeToLive: 'P365D', deadLetterOnExpiry: true }
]

resource namespace 'Microsoft.ServiceBus/namespaces@2026-01-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: sku
    tier: sku
    // Premium is billed per messaging unit: one is the smallest (and enough for timers and notices).
    capacity: sku == 'Premium' ? 1 : null
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: publicNetworkAccess
    premiumMessagingPartitions: sku == 'Premium' ? 1 : null
  }
}

// The namespace's firewall says the same (a network rule set of its own would otherwise reopen public access).
resource networkRules 'Microsoft.ServiceBus/namespaces/networkRuleSets@2026-01-01' = if (publicNetworkAccess == 'Disabled') {
  parent: namespace
  name: 'default'
  properties: {
    publicNetworkAccess: 'Disabled'
    defaultAction: 'Deny'
    trustedServiceAccessEnabled: false
    ipRules: []
    virtualNetworkRules: []
  }
}

resource queue 'Microsoft.ServiceBus/namespaces/queues@2026-01-01' = [
  for q in queues: {
    parent: namespace
    name: q.name
    properties: {
      maxDeliveryCount: 10
      deadLetteringOnMessageExpiration: q.deadLetterOnExpiry
      defaultMessageTimeToLive: q.timeToLive
      lockDuration: 'PT5M'
      // messageId is deterministic (notice id; purpose, request and version): a retried send within the
      // window is dropped. It cannot dedupe a 30-day timer (DESIGN §8): handlers re-read state instead.
      requiresDuplicateDetection: true
      duplicateDetectionHistoryTimeWindow: 'PT1H'
      requiresSession: false
      enablePartitioning: false
    }
  }
]

// Scoped to each queue, not the namespace. Sending covers scheduling and cancelling scheduled messages.
var dataSender = '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
var dataReceiver = '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'

resource sender 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (q, i) in queues: {
    name: guid(queue[i].id, principalId, dataSender)
    scope: queue[i]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', dataSender)
      principalId: principalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource receiver 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (q, i) in queues: if (q.received) {
    name: guid(queue[i].id, principalId, dataReceiver)
    scope: queue[i]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', dataReceiver)
      principalId: principalId
      principalType: 'ServicePrincipal'
    }
  }
]

output name string = namespace.name
output id string = namespace.id
// ServiceBusConnection__fullyQualifiedNamespace (the schema wants it lowercase).
output fullyQualifiedNamespace string = '${toLower(namespace.name)}.servicebus.windows.net'
