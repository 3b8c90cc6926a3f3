import type { AnchorStore } from "../../ports/anchor-store";
import type { BlobStore } from "../../ports/blob-store";
import type { OperationMeter } from "./operation-meter";

/** Azure's largest listing page: a listing costs one operation per page of up to this many names. */
export const LIST_PAGE = 5000;

/** Counts a listing as Azure bills it: one operation for the first page, one more per LIST_PAGE names. */
async function* countedListing<T>(items: AsyncIterable<T>, meter: OperationMeter): AsyncIterable<T> {
  meter.count("blob.list");
  let n = 0;
  for await (const item of items) {
    if (++n % LIST_PAGE === 0) meter.count("blob.list");
    yield item;
  }
}

export function meteredBlobs(inner: BlobStore, meter: OperationMeter): BlobStore {
  return {
    put(container, name, body, options) {
      meter.count("blob.write");
      return inner.put(container, name, body, options);
    },
    read(container, name) {
      meter.count("blob.read");
      return inner.read(container, name);
    },
    openRead(container, name) {
      meter.count("blob.read");
      return inner.openRead(container, name);
    },
    delete(container, name) {
      meter.count("blob.delete");
      return inner.delete(container, name);
    },
    list: (container, prefix) => countedListing(inner.list(container, prefix), meter),
    async count(container, prefix) {
      const n = await inner.count(container, prefix);
      meter.count("blob.list", Math.max(1, Math.ceil(n / LIST_PAGE)));
      return n;
    },
    // Signed locally (shared key, or a user delegation key the adapter caches): no storage operation.
    readUrl: (container, name, expiresOn) => inner.readUrl(container, name, expiresOn),
    ping: () => inner.ping(),
  };
}

export function meteredAnchors(inner: AnchorStore, meter: OperationMeter): AnchorStore {
  return {
    create(name, content) {
      meter.count("blob.write");
      return inner.create(name, content);
    },
    read(name) {
      meter.count("blob.read");
      return inner.read(name);
    },
    list: (prefix) => countedListing(inner.list(prefix), meter),
  };
}
