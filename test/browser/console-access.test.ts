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
import {
  deactivatedAccount,
  focused,
  inPage,
  noHorizontalScroll,
  openView,
  shownActions,
  signInAsDemo,
  unexpectedErrors,
} from "./support/console";

if (!hasChromium) console.warn(NO_CHROMIUM);

/**
 * Who sees what in the staff console: signed out, only the sign-in; a pasted token is checked and kept in
 * this tab only; support sees exactly the actions the API's `allowedActions` gives its role (no legal hold),
 * on a phone-sized screen as on a desktop.
 */
describe.skipIf(!hasChromium)("the staff console: sign-in, roles, phone", () => {
  let host: TestHost;
  let browser: Browser;
  let origin: string;
  let account: { tenantId: string; id: string };
  beforeAll(async () => {
    host = await startTestHost();
    origin = new URL(host.url).origin;
    browser = await launchChromium();
    account = await deactivatedAccount(host);
  });
  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  it("signed out, the console shows only the sign-in, on any route; a bad token is refused beside the field", async () => {
    const w = await openPage(browser, origin, { viewport: "phone" });
    const { page } = w;
    try {
      await page.goto(`${origin}/console/#/requests/${encodeURIComponent(account.id)}`);
      await page.getByRole("heading", { level: 1, name: "Sign in to the privacy console" }).waitFor();
      await page.getByRole("button", { name: "Sign in (local demo)" }).waitFor();
      expect(await page.locator("nav").count()).toBe(0);
      expect(await page.locator("main").textContent()).not.toContain(account.id);
      expect(await inPage(page, "document.documentElement.lang")).toBe("en");
      expect(await axeViolations(page)).toEqual([]);
      await screenshot(page, "console-sign-in");

      const token = page.getByLabel("Staff token (JWT)");
      await token.fill("not a token");
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      // Beside the field (the live region says it too: the field's message is the one checked).
      await page.locator(".field-error", { hasText: "This is not a token" }).waitFor();
      expect(await token.getAttribute("aria-invalid")).toBe("true");
      const owner = await host.token("owner", account.tenantId);
      await token.fill(owner);
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await page.locator(".field-error", { hasText: "not a staff token" }).waitFor();
      expect(await axeViolations(page)).toEqual([]);
      expect(await inPage(page, "sessionStorage.length")).toBe(0);

      // A real staff token, pasted: kept in this tab's sessionStorage only, never in localStorage, a cookie or the URL.
      const support = await host.token("support");
      await token.fill(support);
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await page.getByRole("heading", { level: 1, name: "Queue" }).waitFor();
      expect(await page.locator("#role").textContent()).toBe("Support");
      const stored = await inPage(
        page,
        "({ session: Object.values(sessionStorage), local: localStorage.length, cookie: document.cookie, url: location.href })",
      );
      expect(stored).toEqual({ session: [support], local: 0, cookie: "", url: `${origin}/console/#/queue` });

      await page.getByRole("button", { name: "Sign out" }).click();
      await page.getByRole("heading", { level: 1, name: "Sign in to the privacy console" }).waitFor();
      expect(await inPage(page, "sessionStorage.length")).toBe(0);
      expect(await page.locator("nav").count()).toBe(0);
      expect(unexpectedErrors(w.errors)).toEqual([]);
      expect(w.offHost).toEqual([]);
    } finally {
      await w.context.close();
    }
  });

  it("a token the API no longer accepts (forged, expired, revoked) signs the tab out with a message", async () => {
    const w = await openPage(browser, origin, { viewport: "desktop" });
    const { page } = w;
    try {
      await page.goto(`${origin}/console/`);
      await page.getByRole("heading", { level: 1 }).waitFor();
      // Staff-shaped claims, a signature the API does not accept.
      const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
      const forged = `${b64({ alg: "HS256" })}.${b64({ sub: "x", role: "privacy_officer", exp: 4102444800 })}.c2ln`;
      await page.getByLabel("Staff token (JWT)").fill(forged);
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await page.getByRole("heading", { level: 1, name: "Sign in to the privacy console" }).waitFor();
      await page.locator("main .notice", { hasText: "Your sign-in has ended. Sign in again." }).waitFor();
      expect(await inPage(page, "sessionStorage.length")).toBe(0);
      expect(unexpectedErrors(w.errors, [401])).toEqual([]);
    } finally {
      await w.context.close();
    }
  });

  it("support, on a phone: exactly the actions the API allows its role (no legal hold), no officer-only menu", async () => {
    const w = await openPage(browser, origin, { viewport: "phone" });
    const { page } = w;
    try {
      await signInAsDemo(page, origin, "support");
      const menu = await page.locator("nav a").allTextContents();
      expect(menu).toEqual(["Queue", "Grievances", "Processors"]);
      await noHorizontalScroll(page);
      expect(await axeViolations(page)).toEqual([]);
      await screenshot(page, "console-queue-phone");

      await openView(page, `#/requests/${encodeURIComponent(account.id)}`, "Erasure request");
      const api = await host.call("GET", `/v1/requests/${account.id}`, {
        token: await host.token("support"),
      });
      expect(api.body.allowedActions).toEqual(["extend", "reactivate"]);
      expect(await shownActions(page)).toEqual(api.body.allowedActions);
      expect(await page.getByRole("button", { name: /legal hold/ }).count()).toBe(0);
      await noHorizontalScroll(page);
      expect(await axeViolations(page)).toEqual([]);
      await screenshot(page, "console-request-phone");

      // The reactivation dialog on a phone: what it does, that it cannot be undone, the requester's language.
      await page.getByRole("button", { name: "Reactivate account…" }).click();
      const dialog = page.getByRole("dialog", { name: "Reactivate the account" });
      expect(await dialog.textContent()).toMatch(/cannot be undone/);
      expect(await dialog.textContent()).toContain("The requester reads: Hindi");
      expect(await axeViolations(page)).toEqual([]);
      await screenshot(page, "console-dialog-phone");
      await page.keyboard.press("Escape");
      await dialog.waitFor({ state: "detached" });
      expect(await focused(page, "data-action")).toBe("reactivate");

      // An officer-only view typed into the address bar: the API refuses, the page says so in words.
      await openView(page, "#/breaches", "Breach register");
      expect(await page.locator("main .form-error").textContent()).toBe("Your role may not do this.");
      expect(await axeViolations(page)).toEqual([]);
      expect(unexpectedErrors(w.errors, [403])).toEqual([]);
      expect(w.offHost).toEqual([]);
    } finally {
      await w.context.close();
    }
  });

  it("the officer, on a phone: the same request offers the hold as well", async () => {
    const w = await openPage(browser, origin, { viewport: "phone" });
    const { page } = w;
    try {
      await signInAsDemo(page, origin, "privacy_officer");
      await openView(page, `#/requests/${encodeURIComponent(account.id)}`, "Erasure request");
      expect(await shownActions(page)).toEqual(["extend", "hold", "reactivate"]);
      await noHorizontalScroll(page);
      expect(unexpectedErrors(w.errors)).toEqual([]);
    } finally {
      await w.context.close();
    }
  });
});
