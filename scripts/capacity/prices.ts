/**
 * Unit prices the capacity model multiplies by (USD, pay-as-you-go, one region, no reservations). Each
 * names the page it is published on. These pages could NOT be read from the machine that generated
 * docs/capacity.md (no network beyond the package registries): the figures are the list prices as
 * published for Central India when last checked by hand (`checked`), and docs/capacity.md says so.
 * Update them here and run `npm run capacity`: the document follows.
 */
export const prices = {
  checked: "not confirmed from this machine; confirm on the pages below before relying on the totals",
  cosmosServerlessPerMillionRu: {
    usd: 0.25,
    page: "https://azure.microsoft.com/pricing/details/cosmos-db/serverless/",
  },
  cosmosAutoscalePer100RuHour: {
    usd: 0.012,
    page: "https://azure.microsoft.com/pricing/details/cosmos-db/autoscale-provisioned/",
  },
  cosmosStoragePerGbMonth: { usd: 0.25, page: "https://azure.microsoft.com/pricing/details/cosmos-db/" },
  blobHotPerGbMonth: { usd: 0.0208, page: "https://azure.microsoft.com/pricing/details/storage/blobs/" },
  blobWritePer10k: { usd: 0.055, page: "https://azure.microsoft.com/pricing/details/storage/blobs/" },
  blobListPer10k: { usd: 0.055, page: "https://azure.microsoft.com/pricing/details/storage/blobs/" },
  blobReadPer10k: { usd: 0.0044, page: "https://azure.microsoft.com/pricing/details/storage/blobs/" },
  serviceBusStandardBasePerMonth: {
    usd: 9.81,
    page: "https://azure.microsoft.com/pricing/details/service-bus/",
  },
  /** Standard: the first 13 million operations a month are in the base charge. */
  serviceBusStandardPerMillionOpsAfter13M: {
    usd: 0.8,
    page: "https://azure.microsoft.com/pricing/details/service-bus/",
  },
  serviceBusPremiumPerMessagingUnitMonth: {
    usd: 677.08,
    page: "https://azure.microsoft.com/pricing/details/service-bus/",
  },
  functionsFlexPerMillionExecutions: {
    usd: 0.4,
    page: "https://azure.microsoft.com/pricing/details/functions/",
  },
  functionsFlexPerGbSecond: { usd: 0.000026, page: "https://azure.microsoft.com/pricing/details/functions/" },
  /** Flex Consumption's monthly free grant, per subscription. */
  functionsFlexFreeExecutions: {
    count: 250_000,
    page: "https://azure.microsoft.com/pricing/details/functions/",
  },
  functionsFlexFreeGbSeconds: {
    count: 100_000,
    page: "https://azure.microsoft.com/pricing/details/functions/",
  },
} as const;
