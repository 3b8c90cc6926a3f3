import { app, type InvocationContext } from "@azure/functions";
import { invocationContextLogger } from "../src/adapters/logging/invocation-context";
import type { FunctionEntry } from "../src/function-table";
import { functionTable } from "../src/function-table";
import type { Runtime } from "../src/runtime";
import { getRuntime } from "./runtime";

type QueueApp = Pick<typeof app, "serviceBusQueue">;

/**
 * Service Bus queue triggers. A thrown handler means redelivery, then dead-letter after the queue's
 * max delivery count; reconciliation finishes what dead-lettered.
 */
export function registerQueues(
  target: QueueApp,
  table: FunctionEntry[],
  runtime: () => Promise<Runtime>,
): void {
  for (const fn of table) {
    if (fn.trigger !== "queue") continue;
    target.serviceBusQueue(fn.name, {
      connection: "ServiceBusConnection",
      queueName: fn.queue,
      handler: async (message: unknown, ctx: InvocationContext) => {
        const meta = ctx.triggerMetadata ?? {};
        await fn.handle(
          await runtime(),
          message,
          { messageId: String(meta.messageId ?? ""), deliveryCount: Number(meta.deliveryCount ?? 1) },
          { invocationId: ctx.invocationId, log: invocationContextLogger(ctx) },
        );
      },
    });
  }
}

registerQueues(app, functionTable({ includeDev: false }), getRuntime);
