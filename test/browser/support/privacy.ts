import type { Page } from "playwright-core";
import { expect } from "vitest";
import type { TestHost } from "../../support/host";
import { latestCode } from "../../support/outbox";
import type { TestData } from "../../support/generators";
import { axeViolations, type WatchedPage } from "./browser";

/** The privacy center's key in sessionStorage (src/web/privacy/handle.ts). */
export const HANDLE_KEY = "privacy-center.request";

/** A mobile of the 98 series, so it can be typed the way people do: `098xxx xxxxx`. */
export function mobile98(data: TestData): { e164: string; typed: string } {
  for (;;) {
    const e164 = data.mobile();
    if (e164.startsWith("+9198")) return { e164, typed: `0${e164.slice(3, 8)} ${e164.slice(8)}` };
  }
}

/** A tenant whose contacts include `numbers` (so an erasure of the number has something to erase). */
export async function seedTenantWith(host: TestHost, numbers: string[]) {
  const res = await host.call("POST", "/_dev/seed", {
    body: {
      members: 0,
      apiKeys: 0,
      bots: 0,
      knowledgeBaseFiles: 0,
      payments: 0,
      usageRecords: 0,
      conversations: 1,
      messagesPerConversation: 2,
      contacts: numbers,
    },
  });
  expect(res.status).toBe(201);
  return res.body as { tenantId: string; ownerToken: string };
}

export const code = (host: TestHost, e164: string) => latestCode(host, e164);

/** What the tab keeps: sessionStorage's handle, and that nothing went to localStorage, a cookie or the URL. */
export async function storage(w: WatchedPage) {
  // A string, run in the page: this file is type-checked without the DOM's types.
  const kept = (await w.page.evaluate(
    `({ session: sessionStorage.getItem(${JSON.stringify(HANDLE_KEY)}), sessionKeys: Object.keys(sessionStorage), local: Object.keys(localStorage) })`,
  )) as { session: string | null; sessionKeys: string[]; local: string[] };
  const cookies = await w.context.cookies();
  return { ...kept, cookies, url: w.page.url() };
}

/**
 * No axe violation, no console or CSP error, no request off the host: asserted on every state shown.
 * `answered` lists the refusals the state expects (Chromium logs each 4xx answer to a fetch as a console
 * error, "Failed to load resource"); those, and only those, are not errors of the page.
 */
export async function clean(w: WatchedPage, answered: number[] = []): Promise<void> {
  expect(await axeViolations(w.page)).toEqual([]);
  const expected = (e: string) =>
    answered.some((status) =>
      e.startsWith(`Failed to load resource: the server responded with a status of ${status} `),
    );
  expect(w.errors.filter((e) => !expected(e))).toEqual([]);
  expect(w.offHost).toEqual([]);
}

export const heading = (page: Page) => page.locator("main h1");
