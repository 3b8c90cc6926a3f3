/**
 * The append-only record audit anchors are sealed into (docs/audit-anchoring.md). Create, read and list:
 * there is deliberately no delete and no overwrite here, and in Azure the container's time-based retention
 * policy refuses both to the service's own identity as well (infra/modules/data-storage.bicep).
 */
export interface AnchorStore {
  /** Writes `name` once; fails with {@link AnchorExistsError} when it exists (If-None-Match: *). */
  create(name: string, content: string): Promise<void>;
  read(name: string): Promise<string | undefined>;
  /** The names under `prefix`, in name order. */
  list(prefix: string): AsyncIterable<string>;
}

export class AnchorExistsError extends Error {
  constructor(name: string) {
    super(`anchor record ${name} already exists`);
    this.name = "AnchorExistsError";
  }
}
