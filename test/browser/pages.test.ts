import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestHost, type TestHost } from "../support/host";
import {
  axeViolations,
  hasChromium,
  launchChromium,
  NO_CHROMIUM,
  openPage,
  screenshot,
} from "./support/browser";

if (!hasChromium) console.warn(NO_CHROMIUM);

/** What both pages share: served beside the API, strict CSP, never framed, nothing sent off the host. */
describe.skipIf(!hasChromium)("the web pages in Chromium", () => {
  let host: TestHost;
  let browser: Browser;
  let origin: string;
  beforeAll(async () => {
    host = await startTestHost();
    origin = new URL(host.url).origin;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  for (const page of ["privacy", "console"] as const) {
    it(`/${page}/ loads under its CSP with no error, no request off the host and no axe violation`, async () => {
      const w = await openPage(browser, origin, { viewport: "phone" });
      try {
        const res = await w.page.goto(`${origin}/${page}/`);
        expect(res?.status()).toBe(200);
        const csp = res?.headers()["content-security-policy"] ?? "";
        expect(csp).toContain("script-src 'self'");
        expect(csp).toContain("frame-ancestors 'none'");
        expect(csp).not.toContain("unsafe-inline");
        await w.page.locator("main h1").waitFor();
        expect(await axeViolations(w.page)).toEqual([]);
        await screenshot(w.page, `${page}-skeleton`);
        expect(w.errors).toEqual([]);
        expect(w.offHost).toEqual([]);
      } finally {
        await w.context.close();
      }
    });
  }
});

describe.skipIf(!hasChromium)("the accessibility check itself", () => {
  it("finds a violation when there is one (an unlabelled field), so a pass means something", async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.setContent(
        '<!doctype html><html lang="en"><title>t</title><main><input type="text"></main></html>',
      );
      expect((await axeViolations(page)).join("\n")).toMatch(/label/);
    } finally {
      await browser.close();
    }
  });
});
