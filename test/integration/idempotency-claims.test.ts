import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { CLAIM_OUTLIVES_CALL_MS, withIdempotency } from "../../src/app/idempotency";
import { DomainError } from "../../src/domain/errors";
import { idempotencyPartition } from "../../src/domain/storage/partition-keys";
import { keyedHash } from "../../src/domain/subject";
import type { LogFields, Logger } from "../../src/ports/logger";
import { testData } from "../support/generators";
import { startTestHost, type TestHost } from "../support/host";

/**
 * Idempotency-Key claims under slow and failing calls (issue 19 review): a claim holds its key for as long
 * as its call can run, a call acts on its own claim only (never a retry's that took the key over), and
 * work that succeeded is answered even when its key could no longer record it. `withIdempotency` is
 * driven directly, with gates for where each call stands and the dev clock for time.
 */

const data = testData("integration/idempotency-claims.test.ts");
let host: TestHost;
beforeAll(async () => {
  host = await startTestHost();
}, 120_000);
afterAll(async () => host?.stop());

let keySeq = 0;
const newKey = (label: string) => ({
  key: `${label}-${data.int(100_000, 999_999)}-${++keySeq}`,
  fingerprint: `fp-${label}`,
});
const advance = (d: string) => host.call("POST", "/_dev/clock", { body: { advance: d } });

/** A promise and its resolver: where a call waits until the test lets it go on. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

/** Lets a started call reach its work (its claim written) before the test goes on. */
const settle = () => new Promise((r) => setTimeout(r, 200));

/** What a call that was refused was refused with; the value of one that was not. */
const outcome = <T>(p: Promise<T>): Promise<T | DomainError> =>
  p.then(
    (v) => v,
    (e: unknown) => {
      if (e instanceof DomainError) return e;
      throw e;
    },
  );

function recordingLog(): Logger & { lines: { level: string; event: string; fields?: LogFields }[] } {
  const lines: { level: string; event: string; fields?: LogFields }[] = [];
  const at =
    (level: string) =>
    (event: string, fields?: LogFields): void => {
      lines.push({ level, event, ...(fields ? { fields } : {}) });
    };
  const log: Logger & { lines: typeof lines } = {
    lines,
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    with: () => log,
  };
  return log;
}

describe("how long a claim holds its key", () => {
  it("as long as the Functions host lets a call run (host.json functionTimeout)", () => {
    const hostJson = JSON.parse(readFileSync("host.json", "utf8")) as { functionTimeout: string };
    const [h, m, s] = hostJson.functionTimeout.split(":").map(Number) as [number, number, number];
    expect(CLAIM_OUTLIVES_CALL_MS).toBe(((h * 60 + m) * 60 + s) * 1000);
  });

  it("a retry 61 s, or 29 minutes, into a slow first call is 409 with a retry hint; the work runs once", async () => {
    const app = host.runtime.app;
    let runs = 0;
    const slow = gate();
    const key = newKey("slow");
    const first = withIdempotency(app, "claims:slow", key, z.number(), async () => {
      runs++;
      await slow.wait; // a restore or a breach's notices: minutes of work
      return 1;
    });
    await settle();
    const retry = () =>
      outcome(
        withIdempotency(app, "claims:slow", key, z.number(), async () => {
          runs++;
          return 2;
        }),
      );
    await advance("PT61S");
    const at61s = await retry();
    await advance("PT28M");
    const at29m = await retry();
    for (const refused of [at61s, at29m]) {
      expect(refused).toBeInstanceOf(DomainError);
      expect((refused as DomainError).kind).toBe("conflict");
      expect((refused as DomainError).extra.retryAfterSeconds).toBeGreaterThan(0);
    }
    slow.open();
    expect(await first).toEqual({ value: 1, replayed: false });
    expect(await retry()).toEqual({ value: 1, replayed: true });
    expect(runs).toBe(1);
  });

  it("a claim older than any call can run is taken over by a retry (its call crashed)", async () => {
    const app = host.runtime.app;
    const key = newKey("crashed");
    const crashed = gate();
    // Held past the timeout, as a call whose process is gone: it neither completes nor releases.
    const first = withIdempotency(app, "claims:crashed", key, z.number(), async () => {
      await crashed.wait;
      return 1;
    });
    await settle();
    await advance("PT30M");
    const retry = await withIdempotency(app, "claims:crashed", key, z.number(), () => Promise.resolve(2));
    expect(retry).toEqual({ value: 2, replayed: false });
    // Let go so nothing is left running; it answers, and the key keeps the retry's answer.
    crashed.open();
    expect(await first).toEqual({ value: 1, replayed: false });
    expect(await withIdempotency(app, "claims:crashed", key, z.number(), () => Promise.resolve(3))).toEqual({
      value: 2,
      replayed: true,
    });
  });
});

describe("a call acts on its own claim only", () => {
  it("a first call failing after a retry took its key over leaves the retry's claim: a third call is 409", async () => {
    const app = host.runtime.app;
    let runs = 0;
    const failFirst = gate();
    const finishSecond = gate();
    const key = newKey("fail");
    const first = outcome(
      withIdempotency(app, "claims:fail", key, z.number(), async () => {
        runs++;
        await failFirst.wait;
        throw new DomainError("conflict", "the first call failed");
      }),
    );
    await settle();
    await advance("PT30M"); // the first claim now looks like a crashed call's
    const second = withIdempotency(app, "claims:fail", key, z.number(), async () => {
      runs++;
      await finishSecond.wait;
      return 2;
    });
    await settle();
    failFirst.open();
    expect(await first).toBeInstanceOf(DomainError);
    const third = await outcome(
      withIdempotency(app, "claims:fail", key, z.number(), async () => {
        runs++;
        return 3;
      }),
    );
    expect(third).toBeInstanceOf(DomainError);
    expect((third as DomainError).kind).toBe("conflict");
    finishSecond.open();
    expect(await second).toEqual({ value: 2, replayed: false });
    expect(runs).toBe(2);
    // The second call's answer is the key's.
    expect(await withIdempotency(app, "claims:fail", key, z.number(), () => Promise.resolve(4))).toEqual({
      value: 2,
      replayed: true,
    });
  });

  it("a completion after its claim was taken over still answers, logs a warning, and keeps the other answer", async () => {
    const app = host.runtime.app;
    const log = recordingLog();
    const slow = gate();
    const key = newKey("lost");
    const first = withIdempotency(
      app,
      "claims:lost",
      key,
      z.number(),
      async () => {
        await slow.wait;
        return 1;
      },
      { log },
    );
    await settle();
    await advance("PT30M");
    const second = await withIdempotency(app, "claims:lost", key, z.number(), () => Promise.resolve(2));
    expect(second).toEqual({ value: 2, replayed: false });
    slow.open();
    // The work succeeded: its caller gets its answer, not a 500.
    expect(await first).toEqual({ value: 1, replayed: false });
    expect(log.lines).toEqual([
      { level: "warn", event: "idempotency_claim_lost", fields: { recorded: false } },
    ]);
    // The first call did not overwrite the second call's record.
    expect(await withIdempotency(app, "claims:lost", key, z.number(), () => Promise.resolve(3))).toEqual({
      value: 2,
      replayed: true,
    });
  });

  it("a completion whose record is gone still answers", async () => {
    const app = host.runtime.app;
    const log = recordingLog();
    const key = newKey("gone");
    const result = await withIdempotency(
      app,
      "claims:gone",
      key,
      z.number(),
      async () => {
        // An operator (or a TTL) removed the record while the work ran.
        const id = idempotencyPartition(keyedHash(app.keys.hash, `claims:gone|${key.key}`));
        expect(await app.stores.idempotency.delete(id, id)).toBe(true);
        return 7;
      },
      { log },
    );
    expect(result).toEqual({ value: 7, replayed: false });
    expect(log.lines.map((l) => l.event)).toEqual(["idempotency_claim_lost"]);
  });
});
