import type { Ports } from "../../ports";

/**
 * The platform's records in one Cosmos container the inventory names: the use cases' one way into the
 * `platform` database. Which containers exist is the inventory's to say (src/domain/inventory), never a
 * use case's: `source` is an inventory entry, or the container of a plan built from one.
 */
export const platformRecords = (
  app: { ports: Pick<Ports, "documents"> },
  source: { store: { container: string } } | string,
) => app.ports.documents.collection("platform", typeof source === "string" ? source : source.store.container);
