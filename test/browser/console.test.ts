import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestHost, type TestHost } from "../support/host";
import {
  axeViolations,
  hasChromium,
  launchChromium,
  NO_CHROMIUM,
  openPage,
  screenshot,
  type WatchedPage,
} from "./support/browser";
import {
  breachBody,
  deactivatedAccount,
  fileGrievance,
  focused,
  inPage,
  openView,
  processorEntry,
  shownActions,
  signInAsDemo,
  timeline,
  unexpectedErrors,
} from "./support/console";

if (!hasChromium) console.warn(NO_CHROMIUM);

/**
 * The staff console in Chromium, as the privacy officer works it (issue 21): the SLA queue, a request's
 * deadline extended and a legal hold placed and released, a grievance assigned (by keyboard alone),
 * answered and resolved, each seen in the audit timeline; bad input shown beside its field; the breach
 * register's live 72-hour clock; backups restored after a confirmation; the processor register; a
 * finished erasure's printable certificate. axe finds nothing on any view or open dialog.
 */
describe.skipIf(!hasChromium)("the staff console, as the privacy officer", () => {
  let host: TestHost;
  let browser: Browser;
  let origin: string;
  let w: WatchedPage;
  let page: Page;
  let overdueGrievance: string;
  let grievance: string;
  let account: { tenantId: string; id: string };
  let restorable: string;

  const axe = async () => expect(await axeViolations(page)).toEqual([]);

  beforeAll(async () => {
    host = await startTestHost();
    origin = new URL(host.url).origin;
    browser = await launchChromium();
    const officer = await host.token("privacy_officer");
    expect((await host.call("POST", "/v1/processors", { token: officer, body: processorEntry })).status).toBe(
      201,
    );
    overdueGrievance = await fileGrievance(host, "kavya.r@example.in", "Messages after I opted out.");
    await host.call("POST", "/_dev/clock", { body: { advance: "P16D" } });
    const seeded = await host.call("POST", "/_dev/seed", { body: { conversations: 1 } });
    restorable = seeded.body.tenantId as string;
    account = await deactivatedAccount(host);
    grievance = await fileGrievance(host, "arjun.m@example.in", "A business keeps my number after deletion.");
    const now = (await host.call("GET", "/v1/sla", { token: officer })).body.now as string;
    const discovered = new Date(Date.parse(now) - 3_600_000).toISOString();
    expect(
      (await host.call("POST", "/v1/breaches", { token: officer, body: breachBody(discovered) })).status,
    ).toBe(201);
    expect((await host.call("POST", "/v1/backups", { token: officer })).status).toBe(202);
    w = await openPage(browser, origin, { viewport: "desktop" });
    page = w.page;
    await signInAsDemo(page, origin, "privacy_officer");
  });
  afterAll(async () => {
    await w?.context.close();
    await browser?.close();
    await host?.stop();
  });

  it("the queue: most urgent first, overdue said in words, filtered by kind and status", async () => {
    expect(await page.locator("#role").textContent()).toBe("Privacy officer");
    const first = page.locator(".queue .card").first();
    expect(await first.locator("a").getAttribute("href")).toBe(
      `#/requests/${encodeURIComponent(overdueGrievance)}`,
    );
    expect(await first.textContent()).toMatch(/Overdue by 1 d/);
    expect(await first.textContent()).toContain("⚠ Overdue");
    await axe();
    await screenshot(page, "console-queue", { readme: true });

    await page.getByLabel("Kind").selectOption("grievance");
    await page.locator(".queue .card-title", { hasText: "Breach" }).waitFor({ state: "detached" });
    expect(await page.locator(".queue .card").count()).toBe(2);
    await page.getByLabel("Kind").selectOption("");
    await page.locator(".queue .card-title", { hasText: "Breach" }).waitFor();
    await page.getByLabel("Status").selectOption("deactivated");
    const titles = await page.locator(".queue .card-title").allTextContents();
    expect(titles).toEqual([`Erasure · ${account.id.slice(0, 10)}`]);
    await page.getByLabel("Status").selectOption("");
    await page.getByLabel("Overdue only").check();
    await expect.poll(() => page.locator(".queue .card").count()).toBe(1);
    await axe();
    await page.getByLabel("Overdue only").uncheck();
  });

  it("a request: the officer extends its deadline (bad input shown beside the field), holds and releases it; each in the audit timeline", async () => {
    await page.locator(`a[href="#/requests/${encodeURIComponent(account.id)}"]`).click();
    await page.getByRole("heading", { level: 1, name: "Erasure request" }).waitFor();
    expect(page.url()).toBe(`${origin}/console/#/requests/${encodeURIComponent(account.id)}`);
    const api = await host.call("GET", `/v1/requests/${account.id}`, {
      token: await host.token("privacy_officer"),
    });
    expect(await shownActions(page)).toEqual(api.body.allowedActions);
    expect(await shownActions(page)).toEqual(["extend", "hold", "reactivate"]);
    expect(await page.locator("#chain-verdict").textContent()).toMatch(/^✓ The chain verifies/);
    await axe();
    await screenshot(page, "console-request");

    // Extend: empty, then a day in the past, then a good one.
    const opener = page.getByRole("button", { name: "Extend deadline…" });
    await opener.click();
    const dialog = page.getByRole("dialog", { name: "Extend the deadline" });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain("The requester reads: Hindi");
    expect(await dialog.textContent()).toContain("cannot be undone");
    await dialog.getByRole("button", { name: "Extend deadline" }).click();
    const dateInput = dialog.getByLabel("New deadline (day)");
    await dialog.getByText("Choose the new deadline.").waitFor();
    expect(await dateInput.getAttribute("aria-invalid")).toBe("true");
    const describedBy = (await dateInput.getAttribute("aria-describedby"))!.split(" ");
    expect(await page.locator(`[id="${describedBy.at(-1)}"]`).textContent()).toBe("Choose the new deadline.");
    await axe();
    await screenshot(page, "console-dialog-errors");

    await dateInput.fill("2020-01-01");
    await dialog.getByLabel("Reason for the extension").fill("वकील से पुष्टि की प्रतीक्षा");
    await dialog.getByRole("button", { name: "Extend deadline" }).click();
    await dialog.locator(".field-error", { hasText: /must be after/ }).waitFor();
    expect(await dialog.locator(".field-error:not([hidden])").count()).toBe(1);
    expect(await dateInput.getAttribute("aria-invalid")).toBe("true");

    const due = new Date(Date.parse(api.body.dueAt) + 5 * 86_400_000 + 5.5 * 3_600_000);
    await dateInput.fill(due.toISOString().slice(0, 10));
    await dialog.getByRole("button", { name: "Extend deadline" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByRole("heading", { level: 1, name: "Erasure request" }).waitFor();
    await page.locator(".events .event-action", { hasText: /^extend deadline$/ }).waitFor();
    expect(await page.locator(".extensions").textContent()).toContain("वकील से पुष्टि की प्रतीक्षा");

    // Hold, then release.
    await page.getByRole("button", { name: "Place legal hold…" }).click();
    const hold = page.getByRole("dialog", { name: "Place a legal hold" });
    expect(await hold.textContent()).toContain("It can be undone: release the hold");
    await hold.getByLabel("Reason for the hold").fill("Court order CS/118/2026");
    await hold.getByRole("button", { name: "Place hold" }).click();
    await page.locator("#request-status", { hasText: "on hold" }).waitFor();
    expect(await timeline(page)).toContain("hold");
    expect(await shownActions(page)).toEqual(["extend", "release"]);

    await page.getByRole("button", { name: "Release hold…" }).click();
    const release = page.getByRole("dialog", { name: "Release the legal hold" });
    await axe();
    await screenshot(page, "console-dialog-release");
    await release.getByLabel("Reason for the release").fill("Order vacated");
    await release.getByRole("button", { name: "Release hold" }).click();
    await page.locator("#request-status", { hasText: "deactivated" }).waitFor();
    expect(await timeline(page)).toEqual(expect.arrayContaining(["extend deadline", "hold", "release"]));
    expect(unexpectedErrors(w.errors, [400])).toEqual([]);
    expect(w.offHost).toEqual([]);
  });

  it("a grievance: assigned by keyboard alone, answered and resolved, each in the audit timeline", async () => {
    await openView(page, "#/grievances", "Grievances");
    expect(await page.locator(".cards").textContent()).toContain("A business keeps my number");
    await axe();
    await screenshot(page, "console-grievances");
    await page.locator(`a[href="#/requests/${encodeURIComponent(grievance)}"]`).click();
    await page.getByRole("heading", { level: 1, name: "Grievance request" }).waitFor();
    expect(await shownActions(page)).toEqual(["reject", "extend", "assign", "respond", "resolve"]);

    // Keyboard only: Tab to "Assign…", Enter, type, Enter.
    await page.locator("main h1").focus();
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press("Tab");
      if ((await focused(page, "data-action")) === "assign") break;
    }
    expect(await focused(page, "data-action")).toBe("assign");
    await page.keyboard.press("Enter");
    const assign = page.getByRole("dialog", { name: "Assign the grievance" });
    await assign.waitFor();
    expect(await focused(page, "name")).toBe("assignee");
    await page.keyboard.type("priya.support");
    await page.keyboard.press("Enter");
    await page.locator("#assignee", { hasText: "priya.support" }).waitFor();
    expect(await timeline(page)).toContain("assign");

    await page.getByRole("button", { name: "Respond…" }).click();
    const respond = page.getByRole("dialog", { name: "Answer the complainant" });
    await respond
      .getByLabel("Answer to the complainant")
      .fill("We have asked the business to delete your number.");
    await respond.getByRole("button", { name: "Send answer" }).click();
    await respond.waitFor({ state: "detached" });
    await page.locator(".events .event-action", { hasText: /^respond$/ }).waitFor();

    await page.getByRole("button", { name: "Resolve…" }).click();
    const resolve = page.getByRole("dialog", { name: "Resolve the grievance" });
    await resolve.getByLabel("Resolution").fill("The business deleted your number on 2 March.");
    await axe();
    await resolve.getByRole("button", { name: "Resolve" }).click();
    await page.locator("#request-status", { hasText: "completed" }).waitFor();
    expect(await timeline(page)).toEqual(expect.arrayContaining(["assign", "respond", "complete"]));
    expect(await shownActions(page)).toEqual([]);
    await axe();
  });

  it("the breach register: the Board's 72-hour clock counts down live; recording the report asks first", async () => {
    await openView(page, "#/breaches", "Breach register");
    const timer = page.getByRole("timer");
    const before = await timer.textContent();
    expect(before).toMatch(/^Board report due in (70|71) h \d\d min \d\d s$/);
    await expect.poll(() => timer.textContent(), { timeout: 5_000 }).not.toBe(before);
    await axe();
    await screenshot(page, "console-breaches");
    const opener = page.getByRole("button", { name: "Record the Board report…" });
    await opener.click();
    const dialog = page.getByRole("dialog", { name: "Record the Board report" });
    expect(await dialog.textContent()).toContain("It cannot be undone");
    await axe();
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "detached" });
    expect(await focused(page, "data-action")).toBe("board-report");

    // Registering one from the console: the API's field message beside the field, then the clock starts.
    await page.getByRole("button", { name: "Register a breach…" }).click();
    const register = page.getByRole("dialog", { name: "Register a breach" });
    const now = (await host.call("GET", "/v1/sla", { token: await host.token("privacy_officer") })).body.now;
    const istTwoHoursAgo = new Date(Date.parse(now) + 3.5 * 3_600_000).toISOString().slice(0, 16);
    await register.getByLabel("When we became aware of it (IST)").fill(istTwoHoursAgo);
    await register
      .getByLabel("What happened")
      .fill("A misconfigured bucket exposed call recordings for an hour.");
    await register.getByLabel("Data involved").fill("Call Recordings");
    await register.getByLabel("People affected (estimate)").fill("40");
    await register.getByLabel("Likely consequences for them").fill("Someone may have heard your calls.");
    await register.getByLabel("What we have done").fill("We closed the bucket and rotated its keys.");
    await register
      .getByLabel("What people can do to protect themselves")
      .fill("Be wary of callers citing your calls.");
    await register.getByRole("button", { name: "Register breach" }).click();
    const categories = register.getByLabel("Data involved");
    await register.locator(".field-error", { hasText: "a category of the data inventory" }).waitFor();
    expect(await categories.getAttribute("aria-invalid")).toBe("true");
    await axe();
    await screenshot(page, "console-dialog-breach-errors");
    await categories.fill("audio_recordings, transcripts");
    await register.getByRole("button", { name: "Register breach" }).click();
    await register.waitFor({ state: "detached" });
    await expect.poll(() => page.getByRole("timer").count()).toBe(2);
    expect(await page.getByRole("timer").first().textContent()).toMatch(/^Board report due in (69|70) h/);
    expect(unexpectedErrors(w.errors, [400])).toEqual([]);
  });

  it("backups: sets with their rotation dates; a tenant restored only after the confirmation", async () => {
    await openView(page, "#/backups", "Backups");
    expect(await page.locator(".cards").textContent()).toMatch(/Rotates out/);
    await axe();
    await screenshot(page, "console-backups");
    await page.getByRole("button", { name: "Restore a tenant…" }).first().click();
    const dialog = page.getByRole("dialog", { name: /Restore a tenant/ });
    expect(await dialog.textContent()).toContain("It cannot be undone");
    await axe();
    await dialog.getByLabel("Tenant to restore").fill(restorable);
    await dialog.getByRole("button", { name: "Restore" }).click();
    await page.locator("#restore-result", { hasText: `records of ${restorable}` }).waitFor();
  });

  it("the processor register", async () => {
    await openView(page, "#/processors", "Processor register");
    expect(await page.locator(".cards").textContent()).toContain("Chat Archive Ltd");
    await axe();
    await screenshot(page, "console-processors");
  });

  it("back and forward follow the hash, which carries ids only", async () => {
    await page.goBack();
    await page.getByRole("heading", { level: 1, name: "Backups" }).waitFor();
    await page.goForward();
    await page.getByRole("heading", { level: 1, name: "Processor register" }).waitFor();
    expect(page.url()).not.toMatch(/@|%40|\+91|arjun|kavya/);
  });

  it("a finished erasure: its certificate, printable on its own", async () => {
    await host.call("POST", "/_dev/clock", { body: { advance: "P31D" } });
    await openView(page, `#/requests/${encodeURIComponent(account.id)}`, "Erasure request");
    // Purged; it completes once the partner told of it confirms (here by email, recorded by the officer).
    await page.locator("#request-status", { hasText: "purged" }).waitFor();
    expect(await page.locator(".partners").textContent()).toContain("Waiting for confirmation");
    await page.getByRole("button", { name: "Record Chat Archive Ltd's emailed confirmation…" }).click();
    const dialog = page.getByRole("dialog", { name: "Record Chat Archive Ltd's confirmation" });
    await dialog.getByLabel("The partner's reply").fill("Deleted on our side, ticket 4471.");
    await axe();
    await dialog.getByRole("button", { name: "Record confirmation" }).click();
    await page.locator(".partners", { hasText: "Confirmed" }).waitFor();
    // The backup taken before the deletion still holds the account: the erasure completes when it rotates out.
    await host.call("POST", "/_dev/clock", { body: { advance: "P40D" } });
    await page.reload();
    await page.locator("#request-status", { hasText: "completed" }).waitFor();
    const certificate = page.locator("section.certificate");
    expect(await certificate.textContent()).toContain(`Request ${account.id}`);
    expect(await page.locator(".partners").textContent()).toMatch(/Chat Archive Ltd.*Confirmed .* by staff/);
    await axe();
    await screenshot(page, "console-certificate");
    await inPage(page, 'document.body.classList.add("print-certificate")');
    await page.emulateMedia({ media: "print" });
    expect(await page.locator("#top").isVisible()).toBe(false);
    expect(await page.locator("section.timeline").isVisible()).toBe(false);
    expect(await certificate.isVisible()).toBe(true);
    await screenshot(page, "console-certificate-print");
    await page.emulateMedia({ media: "screen" });
    expect(unexpectedErrors(w.errors, [400])).toEqual([]);
    expect(w.offHost).toEqual([]);
  });
});
