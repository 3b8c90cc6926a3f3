import { execFile } from "node:child_process";
import { readFileSync, existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKUP_CONTAINER, readSetTenant } from "../../src/app/backups/catalogue";
import { takeBackup } from "../../src/app/backups/take";
import type { AppContext } from "../../src/app/context";
import { cosmosEntries } from "../../src/domain/inventory/schema";
import { decryptBackup, DecryptBackupError, main } from "../../scripts/decrypt-backup";
import { testEnv } from "../support/env";
import { startTestHost, type TestHost } from "../support/host";

/**
 * `npm run decrypt-backup` on a set the real code writes against the embedded emulators: the records come back
 * exactly as they are stored, through the function, the CLI and the script as a child process; a flipped byte is
 * refused with nothing written.
 */
const run = promisify(execFile);
const SYSTEM = { kind: "system" } as const;
let host: TestHost;
let env: NodeJS.ProcessEnv;

const app = (): AppContext => host.runtime.app;

/** Every record of a tenant in the platform's Cosmos stores, as backup lines are keyed: category and id. */
async function storedRecords(tenantId: string): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  for (const entry of cosmosEntries(app().inventory)) {
    if (entry.store.kind !== "cosmos") continue;
    const page = await app()
      .ports.documents.collection("platform", entry.store.container)
      .query<{ id: string }>({ partitionKey: tenantId, limit: 1000 });
    for (const doc of page.items) out.set(`${entry.category}/${doc.id}`, doc);
  }
  return out;
}

const keyed = (lines: string[]) =>
  new Map(
    lines.map((line) => {
      const { c, d } = JSON.parse(line) as { c: string; d: { id: string } };
      return [`${c}/${d.id}`, d] as const;
    }),
  );

async function blobBytes(name: string): Promise<Buffer> {
  const stream = await app().ports.blobs.openRead(BACKUP_CONTAINER, name);
  if (!stream) throw new Error("no blob");
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(parts);
}

let tenantId: string;
let setId: string;

beforeAll(async () => {
  env = testEnv();
  // The host runs on exactly this environment (its databases, data folder and key file), as the script will.
  const defined = Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined);
  host = await startTestHost(Object.fromEntries(defined));
  const seeded = await host.call("POST", "/_dev/seed", {
    body: { conversations: 2, messagesPerConversation: 3, members: 1, bots: 1, payments: 1, usageRecords: 2 },
  });
  expect(seeded.status).toBe(201);
  tenantId = seeded.body.tenantId as string;
  setId = (await takeBackup(app(), "manual", SYSTEM)).id;
});
afterAll(async () => {
  await host?.stop();
});

describe("decrypt-backup", () => {
  it("gives back exactly the tenant's records as stored, as JSON lines", async () => {
    const lines: string[] = [];
    const result = await decryptBackup(app(), { setId, tenantId }, (line) => lines.push(line));
    const stored = await storedRecords(tenantId);
    expect(stored.size).toBeGreaterThan(5);
    expect(keyed(lines)).toEqual(stored);
    expect(lines).toHaveLength(stored.size);
    const entry = await readSetTenant(app(), setId, tenantId);
    expect(result.sha256).toBe(entry!.sha256);
    expect(result.records).toEqual(entry!.records);
  });

  it("the CLI writes them to --out (mode 0600), and a blob with one flipped byte is refused with nothing written", async () => {
    const out = join(env.LOCAL_DATA_DIR!, "decrypted.jsonl");
    expect(await main([setId, tenantId, "--out", out], env)).toBe(0);
    const written = readFileSync(out, "utf8").trimEnd().split("\n");
    expect(keyed(written)).toEqual(await storedRecords(tenantId));
    expect(statSync(out).mode & 0o777).toBe(0o600);

    const entry = (await readSetTenant(app(), setId, tenantId))!;
    const original = await blobBytes(entry.blob);
    const tampered = Buffer.from(original);
    const at = Math.floor(tampered.length / 2);
    tampered[at] = (tampered[at] ?? 0) ^ 0x01;
    await app().ports.blobs.put(BACKUP_CONTAINER, entry.blob, tampered, {
      contentType: "application/octet-stream",
    });
    try {
      const handed: string[] = [];
      const refused = await decryptBackup(app(), { setId, tenantId }, (line) => handed.push(line)).catch(
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(DecryptBackupError);
      expect((refused as DecryptBackupError).reason).toBe("refused");
      expect((refused as Error).message).toMatch(/integrity check/);
      expect(handed).toEqual([]);
      const again = join(env.LOCAL_DATA_DIR!, "tampered.jsonl");
      expect(await main([setId, tenantId, "--out", again], env)).toBe(1);
      expect(existsSync(again)).toBe(false);
      expect(existsSync(`${again}.partial`)).toBe(false);
    } finally {
      await app().ports.blobs.put(BACKUP_CONTAINER, entry.blob, original, {
        contentType: "application/octet-stream",
      });
    }
  });

  it("an unknown set or tenant is unavailable (exit 2), and a bad command line is a usage error", async () => {
    expect(await main([setId, "t-does-not-exist"], env)).toBe(2);
    expect(await main([setId], env)).toBe(2);
    await expect(decryptBackup(app(), { setId: "bk-nope", tenantId }, () => undefined)).rejects.toThrow(
      DecryptBackupError,
    );
  });

  it("runs as `npm run decrypt-backup` does: a child process with the test environment, records to stdout", async () => {
    const { stdout, stderr } = await run(
      process.execPath,
      ["--import", "tsx", "scripts/decrypt-backup.ts", setId, tenantId],
      {
        cwd: join(__dirname, "../.."),
        env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
        maxBuffer: 64 * 1024 * 1024,
        timeout: 120_000,
      },
    );
    expect(keyed(stdout.trimEnd().split("\n"))).toEqual(await storedRecords(tenantId));
    expect(stderr).toMatch(/^decrypted \d+ records/m);
    // The log line holds counts, never a record.
    expect(stderr).not.toContain('"d":');
  }, 180_000);
});
