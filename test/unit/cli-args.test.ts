import { describe, expect, it } from "vitest";
import { cliArgs } from "../../scripts/cli-args";

describe("cliArgs (npm run decrypt-backup, npm run verify-certificate)", () => {
  it("reads the positionals and the named options, in any order", () => {
    expect(cliArgs(["bk-1", "--out", "f.jsonl", "t-1"], 2, ["out"])).toEqual({
      positionals: ["bk-1", "t-1"],
      options: { out: "f.jsonl" },
    });
    expect(cliArgs(["proof.json"], 1, ["anchor"])).toEqual({ positionals: ["proof.json"], options: {} });
  });

  it("refuses another count, a missing value, an unknown option and an empty positional", () => {
    expect(cliArgs(["bk-1"], 2, ["out"])).toBeUndefined();
    expect(cliArgs(["bk-1", "t-1", "x"], 2, ["out"])).toBeUndefined();
    expect(cliArgs(["bk-1", "t-1", "--out"], 2, ["out"])).toBeUndefined();
    expect(cliArgs(["bk-1", "t-1", "--force"], 2, ["out"])).toBeUndefined();
    expect(cliArgs(["bk-1", ""], 2, ["out"])).toBeUndefined();
  });
});
