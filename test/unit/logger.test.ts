import { InvocationContext } from "@azure/functions";
import { describe, expect, it } from "vitest";
import { invocationContextLogger } from "../../src/adapters/logging/invocation-context";
import { jsonLinesLogger } from "../../src/adapters/logging/json-lines";
import { RecordingLogs } from "../../src/adapters/logging/recording";
import { DomainError } from "../../src/domain/errors";
import { errorClass, safeId } from "../../src/ports/logger";

/** Issue 18 item 5: the logger port lets ids, counts, outcomes and error classes through, and nothing else. */

describe("safeId", () => {
  it.each([
    "r-3f2b6c1e-8a4d-4b0e-9c7f-123456789012.dGVuYW50OnQtMQ",
    "t-123",
    "bk-2026-12-01",
    "reconcileAccountPurges",
    "purge",
    "DomainError:conflict",
    "anchors/0000000012.json",
    "anchors/000000000012.json",
    "2026-12-01T10:00:00.000Z",
    "run-3f2b6c1e-8a4d-4b0e-9c7f-123456789012",
  ])("keeps the id %s", (id) => {
    expect(safeId(id)).toBe(id);
  });

  it.each([
    "+919812345678",
    "919812345678",
    "9812345678",
    "wa:9812345678",
    "09812345678",
    "98123-45678",
    "0981-234-5678",
    "98.1234.5678",
    "022-1234-5678",
    "tel:98123-45678",
    "r-3f2b6c1e-8a4d-4b0e-9c7f-123456789012.t.98123-45678",
    "asha@example.in",
    "Asha Rao",
    "",
    "x".repeat(201),
  ])("redacts %j", (value) => {
    expect(safeId(value)).toBe("[redacted]");
  });
});

describe("errorClass", () => {
  it("gives the class (and the kind where there is one), never the message", () => {
    const secret = "no tenant for +91 98123 45678 (asha@example.in)";
    expect(errorClass(new Error(secret))).toBe("Error");
    expect(errorClass(new TypeError(secret))).toBe("TypeError");
    expect(errorClass(new DomainError("conflict", secret))).toBe("DomainError:conflict");
    expect(errorClass(secret)).toBe("unknown");
  });
});

describe("adapters", () => {
  it("JSON lines: one object a line with the invocation's function and id, below the level dropped", () => {
    const lines: string[] = [];
    const log = jsonLinesLogger(
      { fn: "reconcileExports", invocationId: "inv-1" },
      { write: (l) => lines.push(l) },
    );
    log.debug("hidden");
    log.with({ runId: safeId("run-1") }).info("run_finished", { counts: { expired: 2 }, failed: 1 });
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([
      {
        level: "info",
        fn: "reconcileExports",
        invocationId: "inv-1",
        event: "run_finished",
        runId: "run-1",
        counts: { expired: 2 },
        failed: 1,
      },
    ]);
  });

  it("Azure Functions: each level goes to the invocation context's own method, with its id", () => {
    const seen: { level: string; args: unknown[] }[] = [];
    const ctx = new InvocationContext({
      invocationId: "inv-9",
      functionName: "reconcileBackups",
      logHandler: (level, ...args) => seen.push({ level, args }),
    });
    const log = invocationContextLogger(ctx);
    log.warn("item_failed", { setId: safeId("bk-1"), errorClass: errorClass(new RangeError("x")) });
    log.error("run_record_not_stored");
    expect(seen.map((s) => s.level)).toEqual(["warning", "error"]);
    expect(JSON.parse(String(seen[0]!.args[0]))).toEqual({
      level: "warn",
      fn: "reconcileBackups",
      invocationId: "inv-9",
      event: "item_failed",
      setId: "bk-1",
      errorClass: "RangeError",
    });
  });

  it("recording: keeps every line with its scope and bound fields", () => {
    const logs = new RecordingLogs();
    logs
      .factory({ fn: "f", invocationId: "i" })
      .with({ runId: safeId("r") })
      .info("e", { n: 1 });
    expect(logs.lines).toEqual([
      { level: "info", scope: { fn: "f", invocationId: "i" }, event: "e", fields: { runId: "r", n: 1 } },
    ]);
  });
});
