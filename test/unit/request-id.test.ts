import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { newRequestId, partitionOfRequestId, REQUEST_ID_PATTERN } from "../../src/domain/requests/request-id";

/** Request ids name their partition, so a lookup by id is one point read (issue 15). */
describe("request ids", () => {
  const token = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);

  it("round-trip the partition of every kind of subject", () => {
    fc.assert(
      fc.property(fc.constantFrom("tenant", "wa", "contact"), token, (kind, value) => {
        const pk = `${kind}:${value}`;
        const id = newRequestId(pk);
        expect(id).toMatch(REQUEST_ID_PATTERN);
        expect(partitionOfRequestId(id)).toBe(pk);
      }),
      { seed: 15, numRuns: 200 },
    );
  });

  it("carry any other partition too, and stay short enough for a Service Bus message id with a prefix", () => {
    const pk = "breach:2026/11:odd partition";
    expect(partitionOfRequestId(newRequestId(pk))).toBe(pk);
    const wa = `wa:${"A".repeat(43)}`; // a keyed hash: 32 bytes, base64url
    expect(newRequestId(wa).length).toBeLessThanOrEqual(84);
  });

  it("refuse what is not an id this service made", () => {
    const id = newRequestId("tenant:t-1");
    for (const bad of [
      "r-1",
      id.replace(".t.", ".q."),
      id.replace("r-", "R-"),
      `${id}.extra`,
      id.replace(/\.t\..*$/, ".x.!!"),
      id.replace(/\.t\..*$/, ".x.dGVuYW50OnQtMQ"), // a valid base64url of tenant:t-1: not the form we make
      "",
    ]) {
      expect(partitionOfRequestId(bad), bad).toBeUndefined();
    }
  });
});
