import type { Readable } from "node:stream";
import type { InventoryEntry } from "../../domain/inventory/schema";
import { recordReferences } from "../../domain/storage/record-references";
import { tenantBlobPrefix } from "../../domain/storage/tenant-blob-name";
import type { Page, QuerySpec } from "../../ports/document-store";
import { type BlobEntry, type CosmosEntry, isBlob, isCosmos } from "../account";
import type { AppContext } from "../context";
import type { ExportSubject } from "./job";
import { platformRecords } from "../stores";

/**
 * What an access export reads, from the inventory alone (DESIGN §3): for a tenant every exportable
 * entry in its partition or under its blob prefix; for a WhatsApp number only records whose hashed
 * number field is that number's hash, in every tenant, and the blobs those records name in their own
 * tenant's storage (a name into another tenant's is refused and counted, docs/security.md).
 */

/** Records per query page (the adapter's cap): one page in hand and one in flight at most. */
export const EXPORT_PAGE = 1000;
/** Blob downloads opened ahead of the one being written. */
export const FILE_LOOKAHEAD = 8;

type Json = Record<string, unknown> & { id: string };

export interface RecordPart {
  kind: "records";
  entry: CosmosEntry;
  /** Path inside the ZIP. */
  path: string;
  spec: Omit<QuerySpec, "continuationToken" | "limit" | "orderBy" | "select">;
}

export interface FilePart {
  kind: "files";
  entry: BlobEntry;
  /**
   * Blob names in the entry's container, listed lazily. Names found on records (`linkedFrom`) that are
   * not of the record's tenant are left out and counted through `onRefused`.
   */
  names(onRefused?: (count: number) => void): AsyncIterable<string>;
  /** The record field the names are read from, where they are references (`store.linkedFrom`). */
  linkField?: string;
  /** Path inside the ZIP for one blob. */
  pathOf(name: string): string;
  estimate(): Promise<number>;
}

export type Part = RecordPart | FilePart;

export interface Excluded {
  entry: InventoryEntry;
  reason: string;
}

export interface ExportPlan {
  subject: ExportSubject;
  parts: Part[];
  excluded: Excluded[];
}

const ACCOUNT_FLOW_REASON =
  "Identifies a CallMissed account holder, not a person messaged by one: it is part of that account's export, which its owner asks for from the dashboard.";
const NOT_EXPORTED_REASON = "Not part of the downloadable export (see the data inventory).";

/** A blob name as a safe relative ZIP path: no empty, `.` or `..` segments, plain characters only. */
export function safeZipPath(...segments: string[]): string {
  return segments
    .flatMap((s) => s.split(/[\\/]+/))
    .filter((s) => s !== "" && s !== "." && s !== "..")
    .map((s) => s.replace(/[^\p{L}\p{N}._ -]/gu, "_").slice(0, 200))
    .join("/");
}

/** Removes `paths` (dotted for nested fields) from a copy of `doc`; `doc` itself is not changed. */
export function omitFields(doc: Json, paths: readonly string[]): Json {
  if (paths.length === 0) return doc;
  const out: Json = { ...doc };
  for (const path of paths) {
    const keys = path.split(".");
    let node: Record<string, unknown> = out;
    for (const [i, key] of keys.entries()) {
      if (i === keys.length - 1) {
        delete node[key];
        break;
      }
      const child = node[key];
      if (child === null || typeof child !== "object" || Array.isArray(child)) break;
      const copy = { ...(child as Record<string, unknown>) };
      node[key] = copy;
      node = copy;
    }
  }
  return out;
}

const collectionOf = (app: AppContext, entry: CosmosEntry) => platformRecords(app, entry);

/**
 * The blob names listed on a WhatsApp subject's records of the linked category, page by page: only
 * those of the record's own tenant (its `tenantField`); every other name is refused, counted through
 * `onRefused`, never yielded (so never read).
 */
async function* linkedNames(
  app: AppContext,
  source: CosmosEntry,
  field: string,
  numberHash: string,
  onRefused: (count: number) => void,
): AsyncIterable<string> {
  const hashField = source.store.whatsappHashField;
  if (!hashField) return;
  const tenantField = source.store.tenantField;
  let continuationToken: string | undefined;
  do {
    const page: Page<Json> = await collectionOf(app, source).query<Json>({
      where: [{ field: hashField, op: "=", value: numberHash }],
      select: [...new Set([tenantField.split(".")[0]!, field.split(".")[0]!])],
      limit: EXPORT_PAGE,
      ...(continuationToken ? { continuationToken } : {}),
    });
    for (const item of page.items) {
      const { own, refused } = recordReferences(item, tenantField, field);
      if (refused > 0) onRefused(refused);
      yield* own;
    }
    continuationToken = page.continuationToken;
  } while (continuationToken);
}

async function countOf(names: AsyncIterable<string>): Promise<number> {
  let n = 0;
  for await (const _ of names) n++;
  return n;
}

export function planExport(app: AppContext, subject: ExportSubject): ExportPlan {
  const parts: Part[] = [];
  const excluded: Excluded[] = [];
  for (const entry of app.inventory) {
    if (subject.type === "tenant") {
      if (!entry.export.include) {
        excluded.push({ entry, reason: NOT_EXPORTED_REASON });
      } else if (isCosmos(entry)) {
        parts.push({
          kind: "records",
          entry,
          path: `data/${entry.category}.ndjson`,
          spec: { partitionKey: subject.tenantId },
        });
      } else if (isBlob(entry)) {
        // Listed by the tenant's prefix: only names the store holds for this tenant, no reference followed.
        const prefix = tenantBlobPrefix(subject.tenantId);
        parts.push({
          kind: "files",
          entry,
          async *names() {
            for await (const blob of app.ports.blobs.list(entry.store.container, prefix)) yield blob.name;
          },
          pathOf: (name) =>
            safeZipPath("files", entry.category, name.startsWith(prefix) ? name.slice(prefix.length) : name),
          estimate: () => app.ports.blobs.count(entry.store.container, prefix),
        });
      }
      continue;
    }
    // A WhatsApp number: only what is about that person.
    if (isCosmos(entry)) {
      const hashField = entry.store.whatsappHashField;
      if (!hashField) continue;
      if (entry.onWhatsAppErasure?.type === "route_to_account_flow") {
        excluded.push({ entry, reason: ACCOUNT_FLOW_REASON });
      } else if (!entry.export.include) {
        excluded.push({ entry, reason: NOT_EXPORTED_REASON });
      } else {
        parts.push({
          kind: "records",
          entry,
          path: `data/${entry.category}.ndjson`,
          spec: { where: [{ field: hashField, op: "=", value: subject.numberHash }] },
        });
      }
    } else if (isBlob(entry) && entry.store.linkedFrom) {
      const link = entry.store.linkedFrom;
      const source = app.inventory.find((e) => e.category === link.category);
      if (!source || !isCosmos(source) || !source.store.whatsappHashField) continue;
      if (!entry.export.include) {
        excluded.push({ entry, reason: NOT_EXPORTED_REASON });
        continue;
      }
      const names = (onRefused: (count: number) => void = () => {}) =>
        linkedNames(app, source, link.field, subject.numberHash, onRefused);
      parts.push({
        kind: "files",
        entry,
        names,
        linkField: link.field,
        pathOf: (name) => safeZipPath("files", entry.category, name),
        estimate: () => countOf(names()),
      });
    }
  }
  return { subject, parts, excluded };
}

/** How many records (Cosmos) or files (Blob) a part will hold, for progress. */
export async function estimatePart(app: AppContext, part: Part): Promise<number> {
  if (part.kind === "records") return collectionOf(app, part.entry).count(part.spec);
  return part.estimate();
}

/**
 * The records of a part as pages, with the next page requested while the current one is handed on:
 * at most two pages in memory, whatever the size of the data.
 */
export async function* recordPages(app: AppContext, part: RecordPart): AsyncGenerator<Json[]> {
  const collection = collectionOf(app, part.entry);
  const fetchPage = (continuationToken?: string) =>
    collection.query<Json>({
      ...part.spec,
      limit: EXPORT_PAGE,
      ...(continuationToken ? { continuationToken } : {}),
    });
  let next: Promise<Page<Json>> | undefined = fetchPage();
  try {
    while (next) {
      const page: Page<Json> = await next;
      next = page.continuationToken ? fetchPage(page.continuationToken) : undefined;
      // A prefetch abandoned by a failure elsewhere must not become an unhandled rejection.
      next?.catch(() => {});
      if (page.items.length) yield page.items;
    }
  } finally {
    next?.catch(() => {});
  }
}

/** One page as NDJSON, each record without its entry's `export.omitFields`. */
export function ndjson(entry: CosmosEntry, records: Json[]): Buffer {
  let text = "";
  for (const r of records) text += `${JSON.stringify(omitFields(r, entry.export.omitFields))}\n`;
  return Buffer.from(text, "utf8");
}

export interface OpenedFile {
  name: string;
  stream: Readable;
}

/**
 * The blobs of a part, opened a few ahead of the one being consumed (downloads overlap the ZIP work);
 * a blob that vanished between listing and reading is skipped. Streams not handed out are destroyed
 * if the consumer stops early.
 */
export async function* openFiles(
  app: AppContext,
  part: FilePart,
  onRefused?: (count: number) => void,
): AsyncGenerator<OpenedFile> {
  const container = part.entry.store.container;
  const names = part.names(onRefused)[Symbol.asyncIterator]();
  const ahead: Promise<OpenedFile | undefined>[] = [];
  let listed = false;
  const fill = async () => {
    while (!listed && ahead.length < FILE_LOOKAHEAD) {
      const next = await names.next();
      if (next.done) {
        listed = true;
        break;
      }
      const name = next.value;
      const opening = app.ports.blobs
        .openRead(container, name)
        .then((stream) => (stream ? { name, stream } : undefined));
      opening.catch(() => {});
      ahead.push(opening);
    }
  };
  try {
    await fill();
    while (ahead.length) {
      const opened = await ahead.shift()!;
      await fill();
      if (opened) yield opened;
    }
  } finally {
    for (const pending of ahead.splice(0)) {
      void pending.then((f) => f?.stream.destroy()).catch(() => {});
    }
    await names.return?.();
  }
}

/** Stored ZIP entries for media that is compressed already; everything else is deflated. */
export function compressible(name: string): boolean {
  return !/\.(wav|mp3|ogg|opus|m4a|aac|mp4|webm|jpe?g|png|gif|webp|zip|gz|pdf|docx|xlsx|pptx)$/i.test(name);
}
