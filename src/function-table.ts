import { allRoutes } from "./http/routes";
import type { HttpRoute } from "./http/route";
import type { QueueName } from "./ports/scheduler";
import type { Runtime } from "./runtime";
import { accountPurgeQueue, reconcileTimer } from "./triggers/account";
import {
  backupRotationQueue,
  backupTimer,
  reconcileBackupsTimer,
  retentionSweepTimer,
} from "./triggers/backups";
import { reconcileExportsTimer } from "./triggers/export";
import { requestTimersQueue } from "./triggers/request-timers";
import { rightsSweepTimer } from "./triggers/rights";
import { verificationSweepTimer } from "./triggers/verification";
import { reconcileWhatsAppErasuresTimer } from "./triggers/whatsapp-erasure";

export interface QueueFunction {
  trigger: "queue";
  name: string;
  queue: QueueName;
  /** Validates the message body itself (zod) and acts idempotently: delivery is at least once. */
  handle(rt: Runtime, body: unknown, meta: { messageId: string; deliveryCount: number }): Promise<void>;
}

export interface TimerFunction {
  trigger: "timer";
  name: string;
  /** NCRONTAB with seconds, as the Functions timer trigger reads it. */
  schedule: string;
  handle(rt: Runtime): Promise<void>;
}

export type FunctionEntry =
  { trigger: "http"; name: string; route: HttpRoute } | QueueFunction | TimerFunction;

const queueFunctions: QueueFunction[] = [accountPurgeQueue, requestTimersQueue, backupRotationQueue];
const timerFunctions: TimerFunction[] = [
  reconcileTimer,
  reconcileExportsTimer,
  reconcileWhatsAppErasuresTimer,
  verificationSweepTimer,
  rightsSweepTimer,
  backupTimer,
  reconcileBackupsTimer,
  retentionSweepTimer,
];

/**
 * The function table (DESIGN §2), defined once: functions/ registers it with `@azure/functions`, the
 * local host serves the same entries. Dev-only routes are left out of the Azure table.
 */
export function functionTable(options: { includeDev: boolean }): FunctionEntry[] {
  return [
    ...allRoutes(options.includeDev).map((route) => ({ trigger: "http" as const, name: route.name, route })),
    ...queueFunctions,
    ...timerFunctions,
  ];
}
