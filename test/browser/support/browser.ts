import { existsSync } from "node:fs";
import { mkdir, copyFile, readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

/**
 * Debian's Chromium driven by playwright-core: never a downloaded browser (`npx playwright install` is what
 * this repository does not do). `.ci/run` installs the package when it is missing; elsewhere the browser
 * tests are skipped with the message below.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM_PATH);
export const NO_CHROMIUM = `browser tests skipped: no Chromium at ${CHROMIUM_PATH}. Install Debian's package (apt-get install chromium) or set CHROMIUM_PATH; .ci/run installs it.`;

/** Without the background-networking flags Chromium calls Google's hosts at start; nothing may leave loopback. */
const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
  "--disable-features=Translate,OptimizationHints,MediaRouter",
];

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: FLAGS });
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Console errors and page errors seen (a CSP violation is one). */
  errors: string[];
  /** Requests the page tried to send anywhere but the host under test (each was refused). */
  offHost: string[];
}

/**
 * A fresh context (no storage shared with other tests) on a phone-sized or desktop viewport, whose requests
 * to anywhere but `origin` are refused and recorded, and whose console errors are recorded.
 */
export async function openPage(
  browser: Browser,
  origin: string,
  options: { viewport?: "phone" | "desktop"; locale?: string } = {},
): Promise<WatchedPage> {
  const context = await browser.newContext({
    viewport: options.viewport === "phone" ? { width: 375, height: 740 } : { width: 1280, height: 900 },
    locale: options.locale ?? "en-IN",
    timezoneId: "Asia/Kolkata",
    serviceWorkers: "block",
  });
  const errors: string[] = [];
  const offHost: string[] = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(`${origin}/`) || url.startsWith("data:")) return route.continue();
    offHost.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  return { page, context, errors, offHost };
}

const AXE_SOURCE = readFile(require.resolve("axe-core/axe.min.js"), "utf8");

/** axe-core's WCAG 2.0/2.1 A and AA rules on the page as it is now; returns the violations (rule: nodes). */
export async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol: the page's CSP (no inline script) does not apply to it.
  await page.evaluate(await AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (o: unknown) => Promise<AxeResults> } }).axe;
    const results = await axe.run({
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    });
    return results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
  return violations;
}
interface AxeResults {
  violations: { id: string; nodes: { target: string[] }[] }[];
}

const SHOTS = resolve(__dirname, "../../../.local-data/screenshots");
const README_SHOTS = resolve(__dirname, "../../../docs/screenshots");

/**
 * Every page's screenshot goes to .local-data/screenshots/; with UPDATE_SCREENSHOTS=1 the ones the README
 * shows are copied to docs/screenshots/ (so a plain test run never changes a tracked file).
 */
export async function screenshot(page: Page, name: string, { readme = false } = {}): Promise<string> {
  const file = join(SHOTS, `${name}.png`);
  await mkdir(dirname(file), { recursive: true });
  await page.screenshot({ path: file, fullPage: true });
  if (readme && process.env.UPDATE_SCREENSHOTS === "1") {
    await mkdir(README_SHOTS, { recursive: true });
    await copyFile(file, join(README_SHOTS, `${name}.png`));
  }
  return file;
}
