import { z } from "zod";
import type { AppContext } from "../context";
import { AuditLog } from "../audit";
import { alertPrivacyOfficer } from "../requests";
import { BREACH_ID, BreachStore } from "./model";

/**
 * Reminders to the privacy officer, 24 and 48 hours after a breach's discovery, while the Board report
 * (due at 72 hours) is not filed. They travel as scheduled messages on the shared `request-timers`
 * queue (`{type:"breach_reminder", breachId, hours}`, dispatched by src/app/timers/request-timers.ts)
 * and the rights timer sends any whose message was lost. Idempotent: each reminder goes once, and none
 * once the report is filed.
 */
export const BreachReminderMessage = z
  .object({
    type: z.literal("breach_reminder"),
    breachId: z.string().regex(BREACH_ID),
    hours: z.number().int().min(1).max(72),
  })
  .strict();

export type ReminderOutcome =
  "sent" | "already_sent" | "already_reported" | "breach_not_found" | "unknown_reminder";

export async function remindBreach(
  app: AppContext,
  breachId: string,
  hours: number,
  source: "timer" | "reconcile",
): Promise<ReminderOutcome> {
  const store = new BreachStore(app);
  const found = await store.find(breachId);
  if (!found) return "breach_not_found";
  const breach = found.doc;
  if (breach.state !== "open") return "already_reported";
  const reminder = breach.reminders.find((r) => r.hours === hours);
  if (!reminder) return "unknown_reminder";
  if (reminder.sentAt) return "already_sent";
  const now = app.ports.clock.now();
  await alertPrivacyOfficer(app, {
    template: "breach_report_reminder",
    breachId,
    hours,
    dueAt: breach.boardDueAt,
    hoursLeft: Math.floor((Date.parse(breach.boardDueAt) - now.getTime()) / 3_600_000),
  });
  await store.update(breachId, (doc) => {
    doc.reminders = doc.reminders.map((r) =>
      r.hours === hours ? { ...r, sentAt: r.sentAt ?? now.toISOString() } : r,
    );
    return doc;
  });
  await new AuditLog(app).append(breachId, {
    actor: { kind: "system" },
    action: "board_report_reminder",
    data: { hours, source },
  });
  return "sent";
}

/** For the rights timer: reminders whose time has come on open breaches and that never went out. */
export async function reconcileBreachReminders(app: AppContext): Promise<{ open: number; sent: number }> {
  const now = app.ports.clock.now().getTime();
  const open = await new BreachStore(app).list({ openOnly: true });
  let sent = 0;
  for (const breach of open) {
    for (const r of breach.reminders) {
      if (r.sentAt || r.skipped || Date.parse(r.at) > now) continue;
      if ((await remindBreach(app, breach.id, r.hours, "reconcile")) === "sent") sent++;
    }
  }
  return { open: open.length, sent };
}
