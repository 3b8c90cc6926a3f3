import type { Page } from "../../ports/document-store";
import type { AppContext } from "../context";
import { RUN_ID, type RunDoc, RUNS_PARTITION } from "./run-record";

/**
 * The run records, newest first, for staff: one partition, so ordering and continuation tokens are the
 * store's own (src/ports/document-store.ts, `Page`): a page may be short or empty and still carry a token.
 */
export async function listRuns(
  app: AppContext,
  options: { failed?: boolean; kind?: string; limit: number; continuationToken?: string },
): Promise<Page<RunDoc>> {
  return app.stores.runs.query<RunDoc>({
    partitionKey: RUNS_PARTITION,
    // The store adds `docType = "run"` itself (src/app/stores/typed-store.ts).
    where: [
      ...(options.failed === true ? [{ field: "failed", op: ">", value: 0 } as const] : []),
      ...(options.failed === false ? [{ field: "failed", op: "=", value: 0 } as const] : []),
      ...(options.kind ? [{ field: "kind", op: "=", value: options.kind } as const] : []),
    ],
    orderBy: { field: "startedAt", direction: "desc" },
    limit: options.limit,
    ...(options.continuationToken ? { continuationToken: options.continuationToken } : {}),
  });
}

/** One run record by id (a point read), or undefined. */
export async function readRun(app: AppContext, runId: string): Promise<RunDoc | undefined> {
  if (!RUN_ID.test(runId)) return undefined;
  return (await app.stores.runs.read<RunDoc>(runId, RUNS_PARTITION))?.doc;
}
