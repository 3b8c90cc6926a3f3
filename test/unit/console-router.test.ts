import { describe, expect, it } from "vitest";
import { href, parseRoute } from "../../src/web/console/router";

describe("the console's hash routes", () => {
  const id = "r-0f8fad5b-d9cb-469f-a165-70867728950e.t.tenant_1";
  it("a request id round-trips through its link", () => {
    expect(parseRoute(href({ name: "request", id }))).toEqual({ name: "request", id });
  });
  it("anything but a request id goes to the queue: the staff token is never aimed at another API path", () => {
    for (const hash of [
      "#/requests/..",
      "#/requests/%2E%2E",
      "#/requests/r-1/../audit",
      "#/requests/v1%2Fsla",
    ])
      expect(parseRoute(hash), hash).toEqual({ name: "queue" });
  });
});
