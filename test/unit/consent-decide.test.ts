import { describe, expect, it } from "vitest";
import { type ConsentArtefact, decide, relevantTo } from "../../src/domain/consent/artefact";
import { noticeShown, PURPOSE_DEFINITIONS, PURPOSES } from "../../src/domain/consent/purposes";
import { FIXED_EPOCH } from "../support/generators";

/** The validation's decision (src/domain/consent/artefact.ts): the latest act decides, a lapse is no consent. */

const at = (minutes: number) => new Date(FIXED_EPOCH.getTime() + minutes * 60_000).toISOString();
let seq = 0;
function artefact(
  action: "grant" | "withdraw",
  minutes: number,
  extra: Partial<ConsentArtefact> = {},
): ConsentArtefact {
  return {
    id: `ca-${++seq}`,
    pk: "wa:h",
    docType: "consent-artefact",
    action,
    principal: { type: "whatsapp", numberHash: "h" },
    purpose: "whatsapp_messaging",
    channel: "dashboard",
    recordedBy: { kind: "owner", ref: "r" },
    effectiveAt: at(minutes),
    recordedAt: at(minutes),
    ...extra,
  };
}
const now = new Date(at(1_000));

describe("decide", () => {
  it("no artefact: denied, no consent, nothing relied on", () => {
    expect(decide([], "analytics", now)).toEqual({ decision: "denied", reason: "no_consent" });
  });

  it("the latest act decides: grant, withdraw, renew", () => {
    const g = artefact("grant", 1);
    const w = artefact("withdraw", 2);
    const r = artefact("grant", 3, { renews: g.id });
    expect(decide([g], "whatsapp_messaging", now)).toMatchObject({ decision: "allowed", artefact: g });
    expect(decide([w, g], "whatsapp_messaging", now)).toMatchObject({ reason: "withdrawn", artefact: w });
    expect(decide([r, w, g], "whatsapp_messaging", now)).toMatchObject({ decision: "allowed", artefact: r });
  });

  it("a withdrawal at the same instant as a grant wins: in doubt, no consent", () => {
    const g = artefact("grant", 5);
    const w = artefact("withdraw", 5);
    expect(decide([w, g], "whatsapp_messaging", now).decision).toBe("denied");
    expect(decide([g, w], "whatsapp_messaging", now).decision).toBe("denied");
  });

  it("a grant past its expiry is denied as expired, with the grant; one act in the future is not yet counted", () => {
    const g = artefact("grant", 1, { expiresAt: at(999) });
    expect(decide([g], "whatsapp_messaging", now)).toMatchObject({ reason: "expired", artefact: g });
    const later = artefact("withdraw", 2_000);
    const live = artefact("grant", 1, { expiresAt: at(5_000) });
    expect(decide([live, later], "whatsapp_messaging", now)).toMatchObject({
      decision: "allowed",
      artefact: live,
    });
  });

  it("another purpose never counts", () => {
    expect(decide([artefact("grant", 1)], "analytics", now).decision).toBe("denied");
  });

  it("a business sees grants to it and the person's withdrawals, not grants to another business", () => {
    const toA = artefact("grant", 1, { tenantId: "a" });
    const toB = artefact("grant", 2, { tenantId: "b" });
    const withdrawn = artefact("withdraw", 3);
    expect(relevantTo([toA, toB, withdrawn], "a")).toEqual([toA, withdrawn]);
    expect(decide(relevantTo([toA, toB], "b"), "whatsapp_messaging", now)).toMatchObject({ artefact: toB });
    expect(relevantTo([toA, toB, withdrawn], undefined)).toHaveLength(3);
  });
});

describe("purposes and notices", () => {
  it("the existing purposes keep their names; training third-party AI models is principal-only", () => {
    expect(PURPOSES).toEqual(
      expect.arrayContaining([
        "marketing_email",
        "analytics",
        "whatsapp_messaging",
        "third_party_ai_training",
      ]),
    );
    expect(PURPOSES.filter((p) => PURPOSE_DEFINITIONS[p].principalOnly)).toEqual(["third_party_ai_training"]);
  });

  it("every purpose has a description and notice text in English and Hindi", () => {
    for (const p of PURPOSES) {
      const d = PURPOSE_DEFINITIONS[p];
      for (const l of ["en", "hi"] as const) {
        expect(d.description[l].length, `${p} ${l}`).toBeGreaterThan(20);
        expect(d.notice.text[l].length, `${p} ${l}`).toBeGreaterThan(20);
      }
    }
  });

  it("the notice shown is hashed from the text held; another version or notice is refused", () => {
    const shown = noticeShown("analytics", { id: "notice-analytics", version: 1, language: "hi" });
    expect(shown).toMatchObject({ language: "hi", sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(noticeShown("analytics", { id: "notice-analytics", version: 2, language: "en" })).toHaveProperty(
      "problem",
    );
    expect(
      noticeShown("analytics", { id: "notice-marketing-email", version: 1, language: "en" }),
    ).toHaveProperty("problem");
  });
});
