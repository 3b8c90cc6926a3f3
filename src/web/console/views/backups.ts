import { h, show } from "../../shared/dom";
import { staffCall, seg } from "../staff-api";
import { confirmAction } from "../ui/dialog";
import { field } from "../ui/field";
import { when, words } from "../ui/format";
import { announce } from "../ui/live";
import { facts, failed } from "./common";

interface BackupSet {
  id: string;
  takenAt: string;
  expiresAt: string;
  status: "writing" | "active" | "rotated";
  tenants: number;
  records: number;
  bytes: number;
  rotatedAt?: string;
}
interface Restored {
  tenantId: string;
  restored: Record<string, number>;
  reapplied: unknown[];
  skippedPastRetention: number;
}

/**
 * The backup sets (`GET v1/backups`): when each was taken and when it rotates out; taking one now
 * (`POST v1/backups`) and restoring one tenant from an active set (`POST v1/backups/{id}/restore`), each
 * behind its confirmation.
 */
export async function backupsView(main: HTMLElement, stale: () => boolean): Promise<void> {
  const res = await staffCall<{ items: BackupSet[] }>("GET", "v1/backups");
  if (stale()) return;
  if (!res.ok) return show(main, ...failed("Backups", res.problem));
  const result = h("div", { id: "restore-result" });
  const reload = () => backupsView(main, stale);
  const take = h(
    "button",
    {
      type: "button",
      "data-action": "take-backup",
      onclick: async () => {
        const done = await confirmAction({
          title: "Take a backup now",
          does: "Writes a new encrypted backup set of every tenant, alongside the scheduled ones.",
          undo: "It need not be undone: the set rotates out on its date like any other.",
          confirmLabel: "Take backup",
          run: () => staffCall("POST", "v1/backups", undefined, { idempotent: true }),
        });
        if (done === undefined) return;
        announce("The backup has started.");
        await reload();
      },
    },
    "Take a backup now…",
  );
  show(
    main,
    h("h1", {}, "Backups"),
    h("p", {}, "Sets rotate out on their expiry date; erased data leaves the backups when its set does."),
    take,
    result,
    res.body.items.length
      ? h(
          "ul",
          { class: "cards" },
          ...res.body.items.map((s) =>
            h(
              "li",
              { class: "card" },
              h("h2", { class: "card-title" }, `Set ${s.id}`),
              facts([
                ["Status", words(s.status)],
                ["Taken", when(s.takenAt)],
                [s.status === "rotated" ? "Rotated" : "Rotates out", when(s.rotatedAt ?? s.expiresAt)],
                ["Holds", `${s.tenants} tenants, ${s.records} records, ${Math.ceil(s.bytes / 1024)} KiB`],
              ]),
              s.status === "active" ? restoreButton(s, result) : null,
            ),
          ),
        )
      : h("p", {}, "No backup sets yet."),
  );
}

function restoreButton(s: BackupSet, result: HTMLElement): HTMLElement {
  return h(
    "button",
    {
      type: "button",
      class: "danger",
      "data-action": "restore",
      onclick: async () => {
        const tenant = field("tenantId", "Tenant to restore", { hint: "The account's id, t-…" });
        const done = await confirmAction<Restored>({
          title: `Restore a tenant from the set of ${when(s.takenAt)}`,
          does: "Writes the tenant's records back as they were in this set, then re-applies every decision recorded since (erasures, corrections, consent withdrawals, revocations).",
          undo: "It cannot be undone: records changed since the set was taken are replaced.",
          fields: [{ field: tenant, required: "Give the tenant's id." }],
          confirmLabel: "Restore",
          danger: true,
          run: () =>
            staffCall<Restored>(
              "POST",
              `v1/backups/${seg(s.id)}/restore`,
              { tenantId: tenant.value() },
              { idempotent: true },
            ),
        });
        if (done === undefined) return;
        const total = Object.values(done.restored).reduce((a, b) => a + b, 0);
        result.replaceChildren(
          h(
            "p",
            { class: "notice", role: "status" },
            `Restored ${total} records of ${done.tenantId}; ${done.reapplied.length} later decisions re-applied; ${done.skippedPastRetention} left out (past retention).`,
          ),
        );
      },
    },
    "Restore a tenant…",
  );
}
