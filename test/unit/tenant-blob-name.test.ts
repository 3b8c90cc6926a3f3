import { ContainerClient } from "@azure/storage-blob";
import { describe, expect, it } from "vitest";
import { addRefused, recordReferences, tenantReferences } from "../../src/domain/storage/record-references";
import { foreignBlobReason, isTenantBlob, tenantBlobPrefix } from "../../src/domain/storage/tenant-blob-name";

/**
 * Which names a tenant's record may follow (issue 14): only `<tenantId>/…` of that same tenant, never
 * a look-alike prefix, an empty or non-string name, a path that climbs out, or a backslash.
 */

describe("foreignBlobReason", () => {
  it("accepts the tenant's own blobs, at any depth", () => {
    for (const name of ["t1/a.wav", "t1/c-t1-0/call-0.wav", "t1/x/y/z.txt", "t1/.hidden", "t1/a..b.wav"]) {
      expect(foreignBlobReason("t1", name), name).toBeUndefined();
      expect(isTenantBlob("t1", name)).toBe(true);
    }
  });

  it.each([
    ["another tenant", "t2/a.wav"],
    ["a prefix look-alike: t10 is not t1", "t10/a.wav"],
    ["a prefix look-alike without the slash", "t1a.wav"],
    ["the tenant id alone", "t1"],
    ["a leading slash", "/t1/a.wav"],
    ["a case variant", "T1/a.wav"],
  ])("refuses %s as outside the tenant (%j)", (_label, name) => {
    expect(foreignBlobReason("t1", name)).toBe("names a blob outside the tenant");
    expect(isTenantBlob("t1", name)).toBe(false);
  });

  it.each([
    ["a climb into another tenant", "t1/../t2/a.wav"],
    ["a climb that comes back", "t1/../t1/a.wav"],
    ["a dot segment", "t1/./a.wav"],
    ["a trailing climb", "t1/a/.."],
    ["a backslash climb", "t1/..\\t2\\a.wav"],
    ["a backslash alone", "t1/a\\b.wav"],
  ])("refuses %s (%j)", (_label, name) => {
    expect(foreignBlobReason("t1", name)).toBe("names a path that climbs out of the tenant");
  });

  it.each([
    ["empty", ""],
    ["the prefix alone", "t1/"],
    ["an empty segment", "t1//a.wav"],
    ["a trailing slash", "t1/a/"],
    ["a number", 42],
    ["null", null],
    ["undefined", undefined],
    ["an object", { name: "t1/a.wav" }],
    ["an array", ["t1/a.wav"]],
  ])("refuses %s as not a blob name", (_label, name) => {
    expect(foreignBlobReason("t1", name)).toBe("not a blob name");
    expect(isTenantBlob("t1", name)).toBe(false);
  });

  it("refuses everything when the record names no usable tenant", () => {
    for (const tenant of ["", "t1/x", "t1\\x"]) {
      expect(foreignBlobReason(tenant, `${tenant}/a.wav`), tenant).toBe("the record names no tenant");
    }
    // An empty tenant would make "/" the prefix: "/a.wav" is nobody's blob.
    expect(isTenantBlob("", "/a.wav")).toBe(false);
    expect(foreignBlobReason(undefined as unknown as string, "t1/a.wav")).toBe("the record names no tenant");
  });

  it("the prefix ends with a slash", () => {
    expect(tenantBlobPrefix("t1")).toBe("t1/");
  });

  it("why climbing names are refused: the storage SDK sends t1/../t2/x as t2/x", () => {
    // No request is made: the client only builds the URL the blob would be read or deleted through.
    const container = new ContainerClient("http://127.0.0.1:10000/devstoreaccount1/audio");
    expect(container.getBlobClient("t1/../t2/a.wav").url).toBe(
      "http://127.0.0.1:10000/devstoreaccount1/audio/t2/a.wav",
    );
    expect(container.getBlobClient("t1/./a.wav").url).toBe(
      "http://127.0.0.1:10000/devstoreaccount1/audio/t1/a.wav",
    );
  });
});

describe("the references of a record", () => {
  it("splits a list into the tenant's own names and a count of the refused", () => {
    expect(
      tenantReferences("t1", ["t1/a.wav", "t2/b.wav", "t1/../t2/b.wav", "t10/c.wav", 7, "", "t1/d.wav"]),
    ).toEqual({ own: ["t1/a.wav", "t1/d.wav"], refused: 5 });
  });

  it("a field that is not a list holds no references", () => {
    for (const value of [undefined, null, "t2/b.wav", { a: "t2/b.wav" }]) {
      expect(tenantReferences("t1", value)).toEqual({ own: [], refused: 0 });
    }
  });

  it("a record without a tenant id has every reference refused", () => {
    expect(tenantReferences(undefined, ["t1/a.wav"])).toEqual({ own: [], refused: 1 });
    expect(tenantReferences(7, ["7/a.wav"])).toEqual({ own: [], refused: 1 });
  });

  it("reads the tenant and the list by the inventory's field paths", () => {
    const record = { owner: { tenant: "t1" }, media: { audio: ["t1/a.wav", "t2/a.wav"] } };
    expect(recordReferences(record, "owner.tenant", "media.audio")).toEqual({
      own: ["t1/a.wav"],
      refused: 1,
    });
  });

  it("tallies refusals per category and field, counts only", () => {
    let list = addRefused([], "audio_recordings", "audioBlobs", 2);
    list = addRefused(list, "transcripts", "transcriptBlobs", 1);
    list = addRefused(list, "audio_recordings", "audioBlobs", 3);
    list = addRefused(list, "transcripts", "transcriptBlobs", 0);
    expect(list).toEqual([
      { category: "audio_recordings", field: "audioBlobs", count: 5 },
      { category: "transcripts", field: "transcriptBlobs", count: 1 },
    ]);
  });
});
