import { describe, expect, it } from "vitest";
import { platformInventory } from "../../src/domain/inventory/platform-inventory";
import {
  deactivationEffects,
  REAPPLY_HANDLERS,
  requestDecisions,
} from "../../src/domain/inventory/lasting-decisions";
import { RequestKind, RequestStatus, StoredScope } from "../../src/domain/requests/model";

/**
 * The one list of decisions that outlive a backup (issue 14): every request kind in every scope the
 * model knows, and every effect of deactivation that reactivation does not undo, says how a restore
 * honours it. Enumerated from the model's zod enums and the inventory, so a kind, scope or inventory
 * entry added without an entry fails here (and, for kinds and scopes, at compile time).
 */

const scopes = StoredScope.options.map((o) => o.shape.type.value);

describe("decisions that outlive a backup", () => {
  it("has an entry for every request kind in every scope, and nothing else", () => {
    const expected = RequestKind.options.flatMap((kind) => scopes.map((scope) => `${kind}:${scope}`));
    expect(scopes).toEqual(["account", "whatsapp_number", "contact"]);
    for (const key of expected) expect(requestDecisions, key).toHaveProperty([key]);
    expect(Object.keys(requestDecisions).sort()).toEqual(expected.sort());
  });

  it("names every deactivation effect reactivation leaves in place, re-applied by a handler", () => {
    const lasting = platformInventory.filter(
      (e) => e.onDeactivation && !e.onDeactivation.restoreOnReactivation,
    );
    expect(lasting.map((e) => e.category)).toContain("api_keys");
    for (const e of lasting) {
      const entry = deactivationEffects[e.category];
      expect(entry, e.category).toBeDefined();
      expect(entry).toMatchObject({ how: "reapplied", handlers: expect.arrayContaining(["key_revocation"]) });
    }
    // And names nothing the inventory does not revoke for good.
    for (const category of Object.keys(deactivationEffects))
      expect(lasting.map((e) => e.category)).toContain(category);
  });

  it("says how and why for each entry; a re-applied one names known handlers; refusals name real statuses", () => {
    for (const [key, honoured] of Object.entries({ ...requestDecisions, ...deactivationEffects })) {
      expect(honoured.why.length, key).toBeGreaterThan(20);
      if (honoured.how !== "reapplied") continue;
      expect(honoured.handlers.length, key).toBeGreaterThan(0);
      for (const h of [...honoured.handlers, ...(honoured.whileOpen?.handlers ?? [])])
        expect(REAPPLY_HANDLERS, key).toContain(h);
      if (honoured.whileOpen) expect(honoured.whileOpen.why.length, key).toBeGreaterThan(20);
      for (const status of Object.keys(honoured.refusedWhile ?? {}))
        expect(RequestStatus.options, key).toContain(status);
    }
  });

  it("re-applies the decisions the issue names: erasures of both kinds, corrections, withdrawals, revocations", () => {
    for (const key of [
      "erasure:whatsapp_number",
      "erasure:account",
      "correction:account",
      "correction:whatsapp_number",
      "consent_withdrawal:account",
      "consent_withdrawal:whatsapp_number",
    ] as const)
      expect(requestDecisions[key].how, key).toBe("reapplied");
    // An open or finished account erasure refuses the restore rather than bring deleted data back.
    const account = requestDecisions["erasure:account"];
    expect(account.how === "reapplied" && Object.keys(account.refusedWhile ?? {}).sort()).toEqual(
      ["completed", "deactivated", "on_hold", "purged", "purging"].sort(),
    );
    // One whose deactivation began while the restore ran has every deactivation effect applied again.
    expect(account).toMatchObject({ whileOpen: { handlers: ["deactivation"] } });
    // Every handler is named by some entry: none runs unlisted, none is dead.
    const named = Object.values({ ...requestDecisions, ...deactivationEffects }).flatMap((h) =>
      h.how === "reapplied" ? [...h.handlers, ...(h.whileOpen?.handlers ?? [])] : [],
    );
    expect([...new Set(named)].sort()).toEqual([...REAPPLY_HANDLERS].sort());
    // Nominations live in the service's own store: no backup holds or restores them; the answer names them.
    expect(requestDecisions["nomination:account"]).toMatchObject({ how: "outside_backup", listed: true });
  });
});
