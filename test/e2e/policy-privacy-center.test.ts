import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestHost, type TestHost } from "../support/host";

/** The policy's public channel names the privacy center where it lives (PRIVACY_CENTER_URL, set by Bicep). */
let host: TestHost;
const PAGES = "https://pages.callmissed.example/privacy/";
beforeAll(async () => {
  host = await startTestHost({ PRIVACY_CENTER_URL: PAGES });
});
afterAll(async () => {
  await host?.stop();
});

describe("the policy's public channel", () => {
  it("gives the privacy center's address, in English and in Hindi", async () => {
    for (const query of ["", "?language=hi"]) {
      const res = await host.call("GET", `/v1/policy${query}`);
      expect(res.status).toBe(200);
      const pub = (res.body.channels as { channel: string; url?: string; description: string }[]).find(
        (c) => c.channel === "public",
      );
      expect(pub?.url, query).toBe(PAGES);
      expect(pub?.description).not.toMatch(/request form/);
    }
  });

  it("a PRIVACY_CENTER_URL that is no URL stops the host at start, naming the setting", async () => {
    await expect(startTestHost({ PRIVACY_CENTER_URL: "privacy please" })).rejects.toThrow(
      /PRIVACY_CENTER_URL/,
    );
  });
});
