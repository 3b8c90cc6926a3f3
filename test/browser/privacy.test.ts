import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { en } from "../../src/web/privacy/i18n/en";
import { hi } from "../../src/web/privacy/i18n/hi";
import { testData } from "../support/generators";
import { startTestHost, type TestHost } from "../support/host";
import { hasChromium, launchChromium, NO_CHROMIUM, openPage, screenshot } from "./support/browser";
import { clean, code, heading, HANDLE_KEY, mobile98, seedTenantWith, storage } from "./support/privacy";

if (!hasChromium) console.warn(NO_CHROMIUM);

/**
 * The privacy center (issue 21) in Debian's Chromium on a phone-sized screen: a WhatsApp-number erasure
 * filed in Hindi with the number typed `098…`, confirmed with the code from the outbox, seen completed with
 * its certificate; the policy rendered from the API in both languages; filing by keyboard only; the handle
 * in sessionStorage only, gone when the request is finished or forgotten; consents seen and withdrawn.
 */
describe.skipIf(!hasChromium)("the privacy center", () => {
  const data = testData("browser-privacy");
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

  it("files a WhatsApp-number erasure in Hindi typed 098…, takes the code and shows it completed with its certificate", async () => {
    const number = mobile98(data);
    await seedTenantWith(host, [number.e164]);
    const w = await openPage(browser, origin, { viewport: "phone" });
    try {
      await w.page.goto(`${origin}/privacy/`);
      await heading(w.page).waitFor();
      expect(await w.page.getAttribute("html", "lang")).toBe("en");
      await clean(w);
      await screenshot(w.page, "privacy-home-en");

      // The switch is a real button, written in the language it switches to.
      const toHindi = w.page.getByRole("button", { name: en.switchToLabel });
      expect(await toHindi.getAttribute("lang")).toBe("hi");
      await toHindi.click();
      await w.page.locator("main h1", { hasText: hi.heading }).waitFor();
      expect(await w.page.getAttribute("html", "lang")).toBe("hi");
      expect(await w.page.title()).toBe(hi.title);
      // The policy's words come from the API in Hindi (never a copy in the page).
      const policy = (await host.call("GET", "/v1/policy?language=hi")).body;
      await expect(w.page.locator("main").textContent()).resolves.toContain(policy.periods[0].label);
      await expect(w.page.locator("main").textContent()).resolves.toContain(
        policy.processing.categories[0].label,
      );
      await clean(w);
      await screenshot(w.page, "privacy-home-hi");

      await w.page.getByLabel(hi.phoneLabel, { exact: true }).fill(number.typed);
      await w.page.getByRole("button", { name: hi.submit }).click();
      await w.page.locator("main h1", { hasText: hi.verifyHeading }).waitFor();
      // The handle: in this tab's sessionStorage only, never localStorage, a cookie or the URL.
      const kept = await storage(w);
      const handle = JSON.parse(kept.session!) as { id: string; token: string };
      expect(handle.id).toMatch(/^r-/);
      expect(kept.local).toEqual([]);
      expect(kept.cookies).toEqual([]);
      expect(kept.url).toBe(`${origin}/privacy/`);
      expect(kept.url).not.toContain(handle.token);
      // The request is in Hindi: the code came in Hindi.
      const filed = await host.call("GET", `/v1/requests/${handle.id}`, {
        headers: { "x-request-token": handle.token },
      });
      expect(filed.body.language).toBe("hi");
      await clean(w);
      await screenshot(w.page, "privacy-verify-hi");

      await w.page.getByLabel(hi.codeLabel).fill(await code(host, number.e164));
      await w.page.getByRole("button", { name: hi.verifySubmit }).click();
      await w.page.locator("main h1", { hasText: hi.statusHeading }).waitFor();
      await w.page.locator(".status", { hasText: hi.statuses.completed! }).waitFor();
      await w.page.locator(".certificate table").waitFor();
      const cert = (
        await host.call("GET", `/v1/requests/${handle.id}/certificate`, {
          headers: { "x-request-token": handle.token },
        })
      ).body;
      await expect(w.page.locator(".certificate").textContent()).resolves.toContain(cert.auditHeadHash);
      expect(await w.page.locator(".certificate tbody tr").count()).toBe(cert.categories.length);
      await expect(w.page.locator("main").textContent()).resolves.toContain(hi.finishedNote);
      // Finished: the tab no longer keeps the key.
      expect((await storage(w)).sessionKeys).not.toContain(HANDLE_KEY);
      await clean(w);
      await screenshot(w.page, "privacy-certificate-hi", { readme: true });
    } finally {
      await w.context.close();
    }
  });

  it("files by keyboard alone, and forgets the request on “Forget this request” (after its confirmation)", async () => {
    const number = mobile98(data);
    await seedTenantWith(host, [number.e164]);
    const w = await openPage(browser, origin, { viewport: "phone" });
    const k = w.page.keyboard;
    const focused = () =>
      // A string, run in the page: this file is type-checked without the DOM's types.
      w.page.evaluate(
        `document.activeElement?.id || document.activeElement?.textContent || ""`,
      ) as Promise<string>;
    try {
      await w.page.goto(`${origin}/privacy/`);
      await heading(w.page).waitFor();
      // The page puts focus on its heading (so a screen reader starts there); the form comes next.
      expect(await focused()).toBe(en.heading);
      await k.press("Tab"); // the kinds: the chosen one (erasure)
      expect(await focused()).toBe("kind-0");
      await k.press("ArrowDown"); // access
      expect(await focused()).toBe("kind-1");
      await k.press("Tab");
      expect(await focused()).toBe("phone");
      await k.type(number.typed);
      await k.press("Enter");
      await w.page.locator("main h1", { hasText: en.verifyHeading }).waitFor();
      await k.press("Tab");
      expect(await focused()).toBe("code");
      await k.type(await code(host, number.e164));
      await k.press("Enter");
      await w.page.locator("main h1", { hasText: en.statusHeading }).waitFor();
      // An access request finishes at once here (the export is built): the tab let go of its key.
      expect((await storage(w)).sessionKeys).toEqual([]);
      const handle = { id: (await w.page.locator(".ref").textContent())! };
      const seen = await host.call("GET", `/v1/requests/${handle.id}`, {
        token: await host.token("privacy_officer"),
      });
      expect(seen.body.kind).toBe("access");
      expect(seen.body.verifiedAt).toBeDefined();
      await clean(w);
      await screenshot(w.page, "privacy-status-en");

      // Finished, so "Back to the privacy center"; then a new filing, forgotten before its code.
      for (let i = 0; i < 30 && (await focused()) !== en.back; i++) await k.press("Tab");
      await k.press("Enter");
      await w.page.locator("main h1", { hasText: en.heading }).waitFor();
      await k.press("Tab"); // erasure, the first kind
      await k.press("Tab");
      await k.type(number.typed);
      await k.press("Enter");
      await w.page.locator("main h1", { hasText: en.verifyHeading }).waitFor();
      expect((await storage(w)).session).toContain('"token"');

      // Tab to "Forget this request", Enter: a dialog with the safe choice focused; Tab, Enter confirms.
      for (let i = 0; i < 30 && (await focused()) !== en.forget; i++) await k.press("Tab");
      expect(await focused()).toBe(en.forget);
      await k.press("Enter");
      await w.page.locator("dialog[open] h2", { hasText: en.forgetTitle }).waitFor();
      expect(await focused()).toBe(en.dismiss);
      await expect(w.page.locator("dialog[open]").textContent()).resolves.toContain(en.forgetUndo);
      await clean(w);
      await screenshot(w.page, "privacy-forget-dialog-en");
      await k.press("Tab");
      expect(await focused()).toBe(en.confirm);
      await k.press("Enter");
      await w.page.locator("main h1", { hasText: en.heading }).waitFor();
      const after = await storage(w);
      expect(after.sessionKeys).toEqual([]);
      expect(after.local).toEqual([]);
      // A reload finds nothing to follow.
      await w.page.reload();
      await w.page.locator("main h1", { hasText: en.heading }).waitFor();
      await clean(w);
    } finally {
      await w.context.close();
    }
  });

  it("shows the person's consents after verification and withdraws one (confirmed, then with a new code)", async () => {
    const number = mobile98(data);
    const tenant = await seedTenantWith(host, [number.e164]);
    const granted = await host.call("POST", "/v1/consents/grants", {
      token: tenant.ownerToken,
      body: {
        subject: { whatsapp: number.e164 },
        purpose: "marketing_email",
        notice: { id: "notice-marketing-email", version: 1, language: "en" },
        affirmativeAction: { kind: "whatsapp_reply", at: host.runtime.app.ports.clock.now().toISOString() },
      },
    });
    expect(granted.status).toBe(201);
    const w = await openPage(browser, origin, { viewport: "desktop" });
    try {
      await w.page.goto(`${origin}/privacy/`);
      await heading(w.page).waitFor();
      await w.page.getByLabel(/^Access/).check();
      await w.page.getByLabel(en.phoneLabel, { exact: true }).fill(number.typed);
      await w.page.getByRole("button", { name: en.submit }).click();
      await w.page.locator("main h1", { hasText: en.verifyHeading }).waitFor();
      await w.page.getByLabel(en.codeLabel).fill(await code(host, number.e164));
      await w.page.getByRole("button", { name: en.verifySubmit }).click();
      const withdraw = w.page.getByRole("button", { name: /^Withdraw: marketing emails/ });
      await withdraw.waitFor();
      // The export: a link asked for on a press (it lives 15 minutes), with until when it works.
      await w.page.getByRole("button", { name: en.exportGet }).click();
      const link = w.page.getByRole("link", { name: en.exportLink });
      await link.waitFor();
      expect(await link.getAttribute("href")).toMatch(/^https?:\/\/.+/);
      await expect(w.page.locator(".export-out").textContent()).resolves.toMatch(/This link works until/);
      await clean(w);
      await screenshot(w.page, "privacy-consents-en");

      await withdraw.click();
      const dialog = w.page.locator("dialog[open]");
      await dialog.locator("h2").waitFor();
      await expect(dialog.textContent()).resolves.toContain(en.withdrawUndo);
      // A wrong number stays in the dialog, its message beside the field.
      await dialog.getByLabel(en.phoneLabel, { exact: true }).fill("12");
      await dialog.getByRole("button", { name: en.confirm }).click();
      await dialog.locator("#withdraw-phone-error").waitFor();
      await expect(
        dialog.getByLabel(en.phoneLabel, { exact: true }).getAttribute("aria-invalid"),
      ).resolves.toBe("true");
      await clean(w, [400]);
      await dialog.getByLabel(en.phoneLabel, { exact: true }).fill(number.typed);
      await dialog.getByRole("button", { name: en.confirm }).click();
      await w.page.locator("main h1", { hasText: en.verifyHeading }).waitFor();
      await w.page.getByLabel(en.codeLabel).fill(await code(host, number.e164));
      await w.page.getByRole("button", { name: en.verifySubmit }).click();
      await w.page.locator(".status", { hasText: en.statuses.completed! }).waitFor();
      await clean(w, [400]);

      const officer = await host.token("privacy_officer");
      const history = await host.call("POST", "/v1/consents/history", {
        token: officer,
        body: { subject: { whatsapp: number.e164 } },
      });
      expect(history.body.artefacts.map((a: { action: string }) => a.action)).toEqual(["grant", "withdraw"]);
    } finally {
      await w.context.close();
    }
  });
});
