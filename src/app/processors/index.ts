/** What the rest of the service may use of src/app/processors: everything else is this feature's own. */
export { confirmByPartner, resolveTask } from "./confirm";
export {
  createProcessor,
  getProcessor,
  listProcessors,
  retireProcessor,
  staffView,
  updateProcessor,
} from "./register";
export { seedProcessors } from "./seed";
export { eventFor, fanOutToProcessors, type ProcessorEvent } from "./tasks";
export { runProcessorTasks } from "./timer";
export { outcomeOf, type ProcessorOutcome, processorOutcome, processorsView } from "./views";
