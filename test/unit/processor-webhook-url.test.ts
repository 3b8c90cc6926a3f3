import { describe, expect, it } from "vitest";
import { productionWebhookProblem } from "../../src/app/processors/webhook-url";

/** A production webhook is https to a name or a public address: never a way into our own network. */
describe("productionWebhookProblem", () => {
  it.each([
    "https://hooks.partner.example/dpdp",
    "https://8.8.8.8/hook",
    "https://172.32.0.1/hook",
    "https://[2001:db8::1]/hook",
  ])("accepts %s", (url) => {
    expect(productionWebhookProblem(url)).toBeUndefined();
  });

  it.each([
    ["http://hooks.partner.example/dpdp", /https/],
    ["http://127.0.0.1:8080/hook", /https/],
    ["https://localhost/hook", /this machine/],
    ["https://127.0.0.1/hook", /loopback/],
    ["https://0x7f.1/hook", /loopback/],
    ["https://[::1]/hook", /loopback/],
    ["https://169.254.169.254/latest/meta-data", /link-local/],
    ["https://10.1.2.3/hook", /private/],
    ["https://172.20.0.1/hook", /private/],
    ["https://192.168.1.1/hook", /private/],
    ["https://100.64.1.1/hook", /private/],
    ["https://[fe80::1]/hook", /private/],
    ["https://[fd00::1]/hook", /private/],
    ["https://[::ffff:10.0.0.1]/hook", /private/],
    ["https://0.0.0.0/hook", /private/],
  ])("refuses %s", (url, why) => {
    expect(productionWebhookProblem(url)).toMatch(why);
  });
});
