import { runProcessorTasks } from "../app/processors";
import { invocationOf, type TimerFunction } from "../function-types";

/**
 * Every 15 minutes: the service partners' clock (docs/processors.md). Notices that failed are sent again,
 * the one reminder goes out before a task's deadline, and a task past its deadline is marked overdue with
 * an error-level `processor_task_overdue` line (ids only) the alert in infra/modules/alerts.bicep fires on.
 */
export const processorTasksTimer: TimerFunction = {
  trigger: "timer",
  name: "processorTasks",
  schedule: "0 */15 * * * *",
  async handle(rt, invocation) {
    await runProcessorTasks(rt.app, invocationOf(rt, "processorTasks", invocation));
  },
};
