import { mkdtempSync } from "node:fs";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { DevClock } from "../../src/adapters/embedded/dev-clock";
import { LocalScheduler } from "../../src/adapters/embedded/local-scheduler";
import type { ScheduledMessage } from "../../src/ports/scheduler";

/** Simulates a disk that fills up in the middle of one append (ENOSPC after a partial write). */
let failNextAppend = false;
vi.mock("node:fs", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs")>();
  return {
    ...actual,
    appendFileSync: (file: fs.PathOrFileDescriptor, data: string | Uint8Array, ...rest: unknown[]) => {
      if (failNextAppend && typeof data === "string") {
        failNextAppend = false;
        actual.appendFileSync(file, data.slice(0, 20)); // what reached the disk
        throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
      }
      return (actual.appendFileSync as (...a: unknown[]) => void)(file, data, ...rest);
    },
  };
});

const tempFile = () => join(mkdtempSync(join(tmpdir(), "dpdp-review-sched-")), "scheduler.json");
const message = (clock: DevClock, messageId: string): ScheduledMessage => ({
  queue: "account-purge",
  messageId,
  body: { requestId: messageId },
  deliverAt: new Date(clock.now().getTime() + 86_400_000),
});

describe("LocalScheduler journal after a failed append (review)", () => {
  it("a refused schedule leaves nothing waiting (the caller was told it failed)", async () => {
    const clock = new DevClock();
    const scheduler = new LocalScheduler(clock, tempFile());
    await scheduler.schedule(message(clock, "before"));
    failNextAppend = true;
    await expect(scheduler.schedule(message(clock, "refused"))).rejects.toThrow(/ENOSPC/);
    expect(scheduler.pending().map((j) => j.messageId)).toEqual(["before"]);
  });

  it("a restart still reads every answered change after a torn line mid-journal", async () => {
    const file = tempFile();
    const clock = new DevClock();
    const scheduler = new LocalScheduler(clock, file);
    await scheduler.schedule(message(clock, "before"));
    failNextAppend = true;
    await expect(scheduler.schedule(message(clock, "refused"))).rejects.toThrow(/ENOSPC/);
    await scheduler.schedule(message(clock, "after")); // space is back
    // A restart keeps what was answered ("before", "after") instead of refusing to start.
    const restarted = new LocalScheduler(clock, file);
    expect(restarted.pending().map((j) => j.messageId)).toEqual(["before", "after"]);
  });
});
