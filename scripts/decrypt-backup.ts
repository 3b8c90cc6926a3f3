/**
 * `npm run decrypt-backup -- <setId> <tenantId> [--out <file>]`: one tenant's records of a backup set, decrypted
 * and decompressed, as JSON lines (`{"c":<category>,"d":<record>}`, the lines the set was written with;
 * docs/backup-format.md) to `--out` (created with mode 0600) or to stdout. For operations with access to the key:
 * the tenant's data key is unwrapped through the key-wrapper port the composition root builds from the
 * environment (the local key file of LOCAL_DATA_DIR, or Key Vault's BACKUP_KEK_ID with the caller's Azure identity).
 *
 * Nothing is written before the whole blob has been checked: every segment authenticates, and the blob's SHA-256
 * and record counts are the catalogue's. A tampered, truncated or damaged blob is refused (exit 1) with nothing
 * written; exit 2 for usage, an unknown set or tenant, or a key that cannot be had. Only counts go to stderr: a
 * record is never printed anywhere but the output asked for.
 */
import { closeSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { readSet, readSetTenant } from "../src/app/backups/catalogue";
import { dataKeyForRestore } from "../src/app/backups/keys";
import type { AppContext } from "../src/app/context";
import { readTenantBlob, verifyTenantBackup } from "../src/app/restore/restore";
import { createRuntime } from "../src/composition";
import { loadConfig } from "../src/config/load";
import { DomainError } from "../src/domain/errors";
import { cliArgs } from "./cli-args";

const USAGE = "usage: npm run decrypt-backup -- <setId> <tenantId> [--out <file>]";

/** Why a backup could not be decrypted: `refused` for a blob that fails its checks, `unavailable` otherwise. */
export class DecryptBackupError extends Error {
  constructor(
    readonly reason: "refused" | "unavailable",
    message: string,
  ) {
    super(message);
    this.name = "DecryptBackupError";
  }
}

export interface Decrypted {
  records: Record<string, number>;
  sha256: string;
  bytes: number;
}

/**
 * Checks one tenant's blob of a set end to end, then reads it again and hands each record on as a JSON line.
 * `write` sees nothing from a blob that fails the first pass; a blob altered between the passes fails the
 * second, and the caller discards what it was given (the CLI writes to a temporary file it removes).
 */
export async function decryptBackup(
  app: AppContext,
  target: { setId: string; tenantId: string },
  write: (line: string) => void,
): Promise<Decrypted> {
  const set = await readSet(app, target.setId);
  if (!set) throw new DecryptBackupError("unavailable", `No backup set ${target.setId}.`);
  if (set.doc.status === "rotated")
    throw new DecryptBackupError(
      "unavailable",
      `Set ${target.setId} has rotated out: its blobs are deleted.`,
    );
  const entry = await readSetTenant(app, target.setId, target.tenantId);
  if (!entry)
    throw new DecryptBackupError("unavailable", `Set ${target.setId} holds no data of that tenant.`);
  let key: Buffer;
  try {
    key = await dataKeyForRestore(app, target.tenantId);
  } catch (e) {
    if (e instanceof DomainError) throw new DecryptBackupError("unavailable", e.message);
    throw e;
  }
  try {
    try {
      await verifyTenantBackup(app, entry, key);
    } catch (e) {
      if (e instanceof DomainError) throw new DecryptBackupError("refused", e.message);
      throw e;
    }
    const read = await readTenantBlob(app, entry, key, async (batch) => {
      for (const { category, doc } of batch) write(JSON.stringify({ c: category, d: doc }));
    }).catch((e: unknown) => {
      const why = e instanceof Error ? e.message : "unreadable";
      throw new DecryptBackupError(
        "refused",
        `The blob failed its integrity check when read again (${why}).`,
      );
    });
    if (read.sha256 !== entry.sha256)
      throw new DecryptBackupError(
        "refused",
        "The blob changed while it was read: its SHA-256 is not the catalogue's.",
      );
    return read;
  } finally {
    key.fill(0);
  }
}

function parseCli(argv: string[]): { setId: string; tenantId: string; out?: string } | undefined {
  const args = cliArgs(argv, 2, ["out"]);
  if (!args) return undefined;
  const [setId = "", tenantId = ""] = args.positionals;
  return { setId, tenantId, ...(args.options.out ? { out: args.options.out } : {}) };
}

/** The CLI: exit 0 with the records written, 1 refused (nothing written), 2 usage or unavailable. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const args = parseCli(argv);
  if (!args) {
    console.error(USAGE);
    return 2;
  }
  const rt = await createRuntime(loadConfig(env));
  const partial = args.out ? `${args.out}.partial` : undefined;
  let fd: number | undefined = partial ? openSync(partial, "w", 0o600) : 1;
  const close = () => {
    if (partial && fd !== undefined) closeSync(fd);
    fd = undefined;
  };
  try {
    const result = await decryptBackup(rt.app, args, (line) => {
      if (fd !== undefined) writeSync(fd, `${line}\n`);
    });
    close();
    if (partial && args.out) renameSync(partial, args.out);
    const total = Object.values(result.records).reduce((a, b) => a + b, 0);
    console.error(
      `decrypted ${total} records of tenant ${args.tenantId} in set ${args.setId} (blob SHA-256 ${result.sha256}, ${result.bytes} bytes)`,
    );
    return 0;
  } catch (e) {
    close();
    if (partial) rmSync(partial, { force: true });
    if (e instanceof DecryptBackupError) {
      console.error(`${e.reason === "refused" ? "REFUSED" : "UNAVAILABLE"}: ${e.message}`);
      return e.reason === "refused" ? 1 : 2;
    }
    throw e;
  }
}

// Run as a script (`tsx scripts/decrypt-backup.ts`), not when a test imports the function.
if (process.argv[1] !== undefined && /decrypt-backup\.ts$/.test(process.argv[1])) {
  main(process.argv.slice(2)).then(
    // Exit at once: the store clients keep sockets open, and everything was written synchronously.
    (code) => process.exit(code),
    (e: unknown) => {
      // The class only: a message may quote what the store held.
      console.error(`failed: ${e instanceof Error ? e.name : "error"}`);
      process.exit(2);
    },
  );
}
