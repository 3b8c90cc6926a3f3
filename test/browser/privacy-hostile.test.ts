import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { en } from "../../src/web/privacy/i18n/en";
import { hi } from "../../src/web/privacy/i18n/hi";
import { testData } from "../support/generators";
import { startTestHost, type TestHost } from "../support/host";
import { hasChromium, launchChromium, NO_CHROMIUM, openPage, screenshot } from "./support/browser";
import { clean, heading, HANDLE_KEY, mobile98, storage } from "./support/privacy";

if (!hasChromium) console.warn(NO_CHROMIUM);

/**
 * The privacy center against bad input and other people's requests: each error beside the field that
 * caused it (from the problem's `errors[].field`), linked and announced, nothing stored; a grievance
 * filed; a request id that is someone else's, without its key, shows nothing of theirs.
 */
describe.skipIf(!hasChromium)("the privacy center, refusing", () => {
  const data = testData("browser-privacy-hostile");
  let host: TestHost;
  let browser: Browser;
  let origin: string;
  let officer: string;
  const requestIds = async () =>
    (
      (await host.call("GET", "/v1/requests?limit=100", { token: officer })).body.items as { id: string }[]
    ).map((r) => r.id);
  beforeAll(async () => {
    host = await startTestHost();
    origin = new URL(host.url).origin;
    browser = await launchChromium();
    officer = await host.token("privacy_officer");
  });
  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  it("shows a bad number's message beside the number, linked to it and announced, and stores nothing", async () => {
    const before = await requestIds();
    const w = await openPage(browser, origin, { viewport: "phone" });
    try {
      await w.page.goto(`${origin}/privacy/`);
      await heading(w.page).waitFor();
      const phone = w.page.getByLabel(en.phoneLabel, { exact: true });
      await phone.fill("12");
      await w.page.getByRole("button", { name: en.submit }).click();
      const error = w.page.locator("#phone-error");
      await error.waitFor();
      // The API's message for body.scope.phone, beside the field, bound to it; focus on the field.
      expect(await error.textContent()).toMatch(/^Not a valid WhatsApp number/);
      expect(await phone.getAttribute("aria-invalid")).toBe("true");
      expect(await phone.getAttribute("aria-describedby")).toContain("phone-error");
      expect(await w.page.evaluate(`document.activeElement?.id`)).toBe("phone");
      await w.page.locator("#announce", { hasText: en.problemsFound(1) }).waitFor();
      // Never the raw problem.
      const text = (await w.page.locator("main").textContent()) ?? "";
      expect(text).not.toMatch(/body\.scope|problem|400|Bad request/);
      expect((await storage(w)).sessionKeys).not.toContain(HANDLE_KEY);
      expect(await requestIds()).toEqual(before);
      await clean(w, [400]);
      await screenshot(w.page, "privacy-error-en");

      // The same in Hindi: the page's own words beside the field.
      await w.page.getByRole("button", { name: en.switchToLabel }).click();
      await w.page.locator("main h1", { hasText: hi.heading }).waitFor();
      await w.page.getByLabel(hi.phoneLabel, { exact: true }).fill("0000");
      await w.page.getByRole("button", { name: hi.submit }).click();
      await w.page.locator("#phone-error", { hasText: hi.fieldErrors.phone! }).waitFor();
      expect(await requestIds()).toEqual(before);
      await clean(w, [400]);
      await screenshot(w.page, "privacy-error-hi");
    } finally {
      await w.context.close();
    }
  });

  it("a grievance: no contact and no text is refused field by field; then filed, in progress at once", async () => {
    const before = await requestIds();
    const w = await openPage(browser, origin, { viewport: "phone" });
    try {
      await w.page.goto(`${origin}/privacy/`);
      await heading(w.page).waitFor();
      await w.page.getByLabel(/Grievance to our Grievance Officer/).check();
      await w.page.getByLabel(en.emailLabel).fill("not-an-email");
      await w.page.getByRole("button", { name: en.submit }).click();
      await w.page.locator("#email-error").waitFor();
      await w.page.locator("#summary-error").waitFor();
      expect(await w.page.getByLabel(en.summaryLabel).getAttribute("aria-invalid")).toBe("true");
      expect(await requestIds()).toEqual(before);
      await clean(w, [400]);
      await screenshot(w.page, "privacy-grievance-errors-en");

      await w.page.getByLabel(en.emailLabel).fill(data.email("complainant"));
      await w.page.getByLabel(en.summaryLabel).fill("I keep getting messages after I asked them to stop.");
      await w.page.getByRole("button", { name: en.submit }).click();
      await w.page.locator("main h1", { hasText: en.statusHeading }).waitFor();
      await w.page.locator(".status", { hasText: en.statuses.in_progress! }).waitFor();
      expect((await requestIds()).length).toBe(before.length + 1);
      await clean(w, [400]);
    } finally {
      await w.context.close();
    }
  });

  it("another person's request id without its key shows nothing of theirs, and the tab forgets it", async () => {
    const theirs = mobile98(data);
    const filed = await host.call("POST", "/v1/requests", {
      body: { kind: "erasure", scope: { type: "whatsapp_number", phone: theirs.e164 } },
      headers: { "x-forwarded-for": data.clientAddress() },
    });
    expect(filed.status).toBe(201);
    const mine = await host.call("POST", "/v1/requests", {
      body: { kind: "access", scope: { type: "whatsapp_number", phone: mobile98(data).e164 } },
      headers: { "x-forwarded-for": data.clientAddress() },
    });
    const w = await openPage(browser, origin, { viewport: "phone" });
    try {
      await w.page.goto(`${origin}/privacy/`);
      await heading(w.page).waitFor();
      for (const token of [mine.body.requestToken as string, "x".repeat(32), ""]) {
        await w.page.evaluate(
          `sessionStorage.setItem(${JSON.stringify(HANDLE_KEY)}, ${JSON.stringify(
            JSON.stringify({ id: filed.body.id, token }),
          )})`,
        );
        await w.page.reload();
        await w.page.locator("main p.notice", { hasText: en.notFound }).waitFor();
        const text = (await w.page.locator("body").textContent()) ?? "";
        expect(text).not.toContain(filed.body.scope.phone);
        expect(text).not.toContain(filed.body.id);
        expect(text).not.toContain(en.statuses.pending_verification);
        expect((await storage(w)).sessionKeys).toEqual([]);
        await clean(w, [400, 401, 404]);
      }
      await screenshot(w.page, "privacy-not-found-en");
      // Theirs is untouched.
      const still = await host.call("GET", `/v1/requests/${filed.body.id}`, { token: officer });
      expect(still.body.status).toBe("pending_verification");
    } finally {
      await w.context.close();
    }
  });
});
