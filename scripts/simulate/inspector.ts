import { type Container, CosmosClient } from "@azure/cosmos";
import { BlobServiceClient } from "@azure/storage-blob";
import { EMULATOR_COSMOS_KEY } from "../../src/composition";
import type { Inventory } from "../../src/domain/inventory/schema";
import type { LocalHost } from "../../src/local/host";

type Doc = { id: string } & Record<string, unknown>;

/**
 * The checks' own eyes: the Cosmos and Blob SDKs straight on the stores the inventory lists, never the service's
 * ports, use cases or answers. Cross-partition scans are fine here: this is an auditor, not the service.
 */
export class Inspector {
  private readonly cosmos: CosmosClient;
  private readonly blobs: BlobServiceClient;
  readonly inventory: Inventory;
  private readonly platformDb: string;
  private readonly serviceDb: string;

  constructor(host: LocalHost) {
    const config = host.runtime.config;
    this.cosmos = new CosmosClient({
      endpoint: host.cosmos.endpoint,
      key: (config.DPDP_PROFILE === "local" ? config.COSMOS_KEY : undefined) ?? EMULATOR_COSMOS_KEY,
      connectionPolicy: { enableEndpointDiscovery: false },
    });
    this.blobs = BlobServiceClient.fromConnectionString(host.blob.connectionString);
    this.inventory = host.runtime.app.inventory;
    this.platformDb = config.COSMOS_PLATFORM_DATABASE;
    this.serviceDb = config.COSMOS_DATABASE;
  }

  private platform(container: string): Container {
    return this.cosmos.database(this.platformDb).container(container);
  }

  service(container: string): Container {
    return this.cosmos.database(this.serviceDb).container(container);
  }

  async query<T = Doc>(c: Container, query: string, params: Record<string, unknown> = {}): Promise<T[]> {
    const { resources } = await c.items
      .query<T>({
        query,
        parameters: Object.entries(params).map(([name, value]) => ({
          name: `@${name}`,
          value: value as string,
        })),
      })
      .fetchAll();
    return resources;
  }

  /** Records of one tenant per inventory category, counted in the stores themselves. */
  async tenantCounts(tenantId: string): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const entry of this.inventory) {
      if (entry.store.kind === "cosmos") {
        const rows = await this.query<number>(
          this.platform(entry.store.container),
          `SELECT VALUE COUNT(1) FROM c WHERE c.${entry.store.tenantField} = @t`,
          { t: tenantId },
        );
        out[entry.category] = rows[0] ?? 0;
      } else {
        out[entry.category] = await this.blobCount(entry.store.container, `${tenantId}/`);
      }
    }
    return out;
  }

  /** One tenant's documents of a platform container (whole documents: field checks need them). */
  async tenantDocs(container: string, tenantField: string, tenantId: string): Promise<Doc[]> {
    return this.query(this.platform(container), `SELECT * FROM c WHERE c.${tenantField} = @t`, {
      t: tenantId,
    });
  }

  /** Documents of a platform container whose field holds a number's keyed hash. */
  async numberDocs(container: string, field: string, numberHash: string): Promise<Doc[]> {
    return this.query(this.platform(container), `SELECT * FROM c WHERE c.${field} = @h`, { h: numberHash });
  }

  async platformDocs(container: string): Promise<Doc[]> {
    return this.query(this.platform(container), "SELECT * FROM c");
  }

  /** Documents per container of both databases (`service/jobs`, `platform/messages`…): what a scan reads. */
  async containerSizes(): Promise<Record<string, number>> {
    const sizes: Record<string, number> = {};
    for (const [label, db] of [
      ["service", this.serviceDb],
      ["platform", this.platformDb],
    ] as const) {
      const { resources } = await this.cosmos.database(db).containers.readAll().fetchAll();
      for (const c of resources) {
        const [count] = await this.query<number>(
          this.cosmos.database(db).container(c.id),
          "SELECT VALUE COUNT(1) FROM c",
        );
        sizes[`${label}/${c.id}`] = count ?? 0;
      }
    }
    return sizes;
  }

  /** Deletes a document of the service database; one already gone is fine. */
  async deleteServiceDoc(container: string, id: string, partitionKey: string): Promise<void> {
    try {
      await this.service(container).item(id, partitionKey).delete();
    } catch (e) {
      if ((e as { code?: number }).code !== 404) throw e;
    }
  }

  async platformDocExists(container: string, id: string, partitionKey: string): Promise<boolean> {
    const { resource } = await this.platform(container).item(id, partitionKey).read();
    return resource !== undefined;
  }

  async deletePlatformDoc(container: string, id: string, partitionKey: string): Promise<void> {
    await this.platform(container).item(id, partitionKey).delete();
  }

  async upsertPlatformDoc(container: string, doc: Doc): Promise<void> {
    await this.platform(container).items.upsert(doc);
  }

  async serviceDocs(container: string, docType: string): Promise<Doc[]> {
    return this.query(this.service(container), "SELECT * FROM c WHERE c.docType = @d", { d: docType });
  }

  async auditEvents(requestId: string): Promise<Doc[]> {
    return this.query(this.service("audit"), "SELECT * FROM c WHERE c.pk = @r ORDER BY c.seq", {
      r: requestId,
    });
  }

  async blobCount(container: string, prefix: string): Promise<number> {
    let n = 0;
    for await (const _ of this.blobs.getContainerClient(container).listBlobsFlat({ prefix })) n += 1;
    return n;
  }

  async blobText(container: string, name: string): Promise<string | undefined> {
    const blob = this.blobs.getContainerClient(container).getBlobClient(name);
    if (!(await blob.exists())) return undefined;
    return (await blob.downloadToBuffer()).toString("utf8");
  }
}
