import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { noticeLanguages } from "../../src/domain/notices";
import { createPolicy, periodNames, periods, responsePeriods } from "../../src/domain/policy/periods";
import { publishedPolicy } from "../../src/domain/policy/published";
import { RequestKind } from "../../src/domain/requests/model";
import { PolicyView } from "../../src/http/routes/policy";
import { startTestHost, type TestHost } from "../support/host";

/** GET /api/v1/policy: what Rule 14(1) and (3) require published, generated from the periods module. */

const OVERRIDES = { usageRecords: "P60D", grievanceResolution: "P10D" };
const DPO = "dpo@callmissed.example";

describe("GET /api/v1/policy", () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost({
      RETENTION_OVERRIDES: JSON.stringify(OVERRIDES),
      DPO_CONTACT_EMAIL: DPO,
    });
  });
  afterAll(async () => {
    await host?.stop();
  });

  it("is public, matches its schema, and is exactly what the module generates", async () => {
    const res = await host.call("GET", "/v1/policy");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    expect(PolicyView.parse(res.body)).toEqual(res.body);
    expect(res.body).toEqual(publishedPolicy(createPolicy(OVERRIDES), { dpoContact: DPO }));
  });

  it("publishes every period with its ISO 8601 duration, default, basis and legal limits", async () => {
    const { body } = await host.call("GET", "/v1/policy");
    expect(body.periods.map((p: { name: string }) => p.name)).toEqual(periodNames);
    for (const name of periodNames) {
      const published = body.periods.find((p: { name: string }) => p.name === name);
      const def = periods[name] as { duration: string; basis: string; min?: string; max?: string };
      expect(published, name).toMatchObject({ default: def.duration, basis: def.basis });
      expect(published.min, name).toBe(def.min);
      expect(published.max, name).toBe(def.max);
      expect(published.duration, name).toBe((OVERRIDES as Record<string, string>)[name] ?? def.duration);
    }
  });

  it("publishes the periods in use: the overridden ones, as the service runs them", async () => {
    const { body } = await host.call("GET", "/v1/policy");
    const usage = body.periods.find((p: { name: string }) => p.name === "usageRecords");
    expect(usage).toMatchObject({ duration: "P60D", default: "P90D" });
    const grievance = body.requests.find((r: { kind: string }) => r.kind === "grievance");
    expect(grievance.answerWithin).toEqual({ period: "grievanceResolution", duration: "P10D" });
    expect(host.runtime.app.policy.periods.grievanceResolution.duration).toBe("P10D");

    // …and a grievance filed now is due in those 10 days.
    const filed = await host.call("POST", "/v1/requests", {
      body: {
        kind: "grievance",
        contact: { email: "asha@example.in" },
        details: { summary: "Too many messages" },
      },
    });
    expect(filed.status).toBe(201);
    expect(Date.parse(filed.body.dueAt) - Date.parse(filed.body.createdAt)).toBe(10 * 86_400_000);
  });

  it("publishes the channels, the identifiers per kind and the Grievance Officer's contact", async () => {
    const { body } = await host.call("GET", "/v1/policy");
    expect(body.channels.map((c: { channel: string }) => c.channel)).toEqual([
      "dashboard",
      "public",
      "email",
    ]);
    expect(body.channels.find((c: { channel: string }) => c.channel === "email").address).toBe(DPO);
    expect(body.channels.find((c: { channel: string }) => c.channel === "public")).toMatchObject({
      method: "POST",
      path: "/api/v1/requests",
    });
    expect(body.grievanceOfficer.email).toBe(DPO);
    expect(body.requests.map((r: { kind: string }) => r.kind)).toEqual(RequestKind.options);
    for (const r of body.requests) {
      expect(r.answerWithin.period).toBe(responsePeriods[r.kind as RequestKind]);
      expect(r.identifiers.length).toBeGreaterThan(0);
    }
    const erasure = body.requests.find((r: { kind: string }) => r.kind === "erasure");
    expect(erasure.identifiers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ channel: "dashboard", who: "the account owner" }),
        expect.objectContaining({ channel: "public", scope: "whatsapp_number" }),
        expect.objectContaining({ channel: "public", scope: "account" }),
      ]),
    );
    expect(body.languages).toEqual([...noticeLanguages]);
    expect(body.escalation.to).toBe("Data Protection Board of India");
  });

  it("appears in the OpenAPI document without security", async () => {
    const { body } = await host.call("GET", "/openapi.json");
    expect(body.paths["/api/v1/policy"].get).toMatchObject({ operationId: "policy", security: [] });
  });
});
