import type { BlobStore } from "./blob-store";
import type { Clock } from "./clock";
import type { DocumentStore } from "./document-store";
import type { Notifier } from "./notifier";
import type { Scheduler } from "./scheduler";

export type { BlobStore, Clock, DocumentStore, Notifier, Scheduler };

/** Everything the use cases may touch. */
export interface Ports {
  clock: Clock;
  documents: DocumentStore;
  blobs: BlobStore;
  scheduler: Scheduler;
  notifier: Notifier;
}
