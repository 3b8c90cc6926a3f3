import type { ProcessorNotice, ProcessorTask } from "../../domain/processors/task";
import type { AppContext } from "../context";

/** Where a partner's signed confirmation goes (the public route, docs/processors.md). */
export const callbackUrl = (app: AppContext, taskId: string) =>
  `${(app.settings.publicBaseUrl ?? "http://localhost:7071").replace(/\/+$/, "")}/api/v1/processor-tasks/${encodeURIComponent(taskId)}/confirmation`;

/** The notice: the task, what kind of request, which categories, whose (an id or a keyed hash), by when. */
export function noticeOf(
  app: AppContext,
  task: ProcessorTask,
  type: ProcessorNotice["type"],
): ProcessorNotice {
  return {
    type,
    taskId: task.id,
    kind: task.kind,
    categories: task.categories,
    subject: task.subject,
    deadline: task.deadline,
    callbackUrl: callbackUrl(app, task.id),
    issuedAt: app.ports.clock.now().toISOString(),
  };
}

const WHAT: Record<ProcessorTask["kind"], string> = {
  erasure: "erase the data principal's personal data you process for us (DPDP Act 2023 s.8(7))",
  consent_withdrawal: "stop processing the data principal's personal data on the withdrawn consent (s.6(6))",
  correction: "correct the data principal's personal data you hold from us (s.12)",
};

function emailText(notice: ProcessorNotice): string {
  const subject =
    notice.subject.type === "tenant"
      ? `CallMissed account (tenant id) ${notice.subject.tenantId}`
      : `WhatsApp number, as its keyed hash ${notice.subject.numberHash}`;
  return [
    notice.type === "processor_task.reminder" ? "Reminder: your confirmation is still due." : "",
    `Task ${notice.taskId}: please ${WHAT[notice.kind]}.`,
    `Data categories: ${notice.categories.join(", ")}.`,
    `Subject: ${subject}.`,
    `Confirm by ${notice.deadline}: reply to this email quoting the task id (our privacy officer records your reply), or send a signed confirmation to ${notice.callbackUrl}.`,
  ]
    .filter(Boolean)
    .join("\n");
}

/**
 * Sends one notice (or reminder) to the partner by the task's channel. The message id is stable per task
 * and type, so a retry is recognisable as the same message. Throws when it was not accepted.
 */
export async function sendToPartner(
  app: AppContext,
  task: ProcessorTask,
  type: ProcessorNotice["type"],
): Promise<void> {
  const notice = noticeOf(app, task, type);
  const id = `${task.id}:${type === "processor_task.notice" ? "notice" : "reminder"}`;
  const channel = task.channel;
  if (channel.type === "email") {
    await app.ports.notifier.send({
      id,
      channel: "email",
      to: channel.address,
      language: "en",
      template: "processor_task",
      subject: `${type === "processor_task.reminder" ? "Reminder: " : ""}CallMissed data principal request ${task.id}`,
      text: emailText(notice),
      requestId: task.requestId,
      createdAt: notice.issuedAt,
    });
    return;
  }
  const body = JSON.stringify(notice);
  await app.ports.processors.send(
    channel.type === "webhook"
      ? { type: "webhook", url: channel.url, processorId: task.processorId }
      : { type: "service_bus_topic", topic: channel.topic },
    { id, body },
  );
}
