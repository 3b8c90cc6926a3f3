import type { Ports } from "../../ports";
import type { Notifier } from "../../ports/notifier";
import { meteredAnchors, meteredBlobs } from "./metered-blobs";
import { meteredDocuments } from "./metered-documents";
import type { OperationMeter } from "./operation-meter";

function meteredNotifier(inner: Notifier, meter: OperationMeter): Notifier {
  const deadLetters = inner.deadLetters;
  return {
    send(notification) {
      meter.count("bus.sent");
      return inner.send(notification);
    },
    ...(deadLetters
      ? {
          deadLetters: {
            async drop(max: number) {
              const dropped = await deadLetters.drop(max);
              meter.count("bus.received", dropped);
              return dropped;
            },
          },
        }
      : {}),
  };
}

/**
 * The same ports, each call counted on `meter` (the composition root wraps every profile's ports, so
 * Azure and the local host count alike). The clock is not a store and is left as it is.
 */
export function meteredPorts(ports: Ports, meter: OperationMeter): Ports {
  return {
    clock: ports.clock,
    documents: meteredDocuments(ports.documents, meter),
    blobs: meteredBlobs(ports.blobs, meter),
    scheduler: {
      schedule(message) {
        meter.count("bus.scheduled");
        return ports.scheduler.schedule(message);
      },
      cancel(queue, ticket) {
        meter.count("bus.cancelled");
        return ports.scheduler.cancel(queue, ticket);
      },
    },
    notifier: meteredNotifier(ports.notifier, meter),
    keys: {
      wrap(dataKey) {
        meter.count("keyvault.wrap");
        return ports.keys.wrap(dataKey);
      },
      unwrap(wrapped) {
        meter.count("keyvault.unwrap");
        return ports.keys.unwrap(wrapped);
      },
    },
    anchors: meteredAnchors(ports.anchors, meter),
    processors: {
      send(target, message) {
        // A topic is a Service Bus send; a webhook is the partner's HTTP endpoint, not a store.
        if (target.type === "service_bus_topic") meter.count("bus.sent");
        return ports.processors.send(target, message);
      },
      secretOf: (processorId) => ports.processors.secretOf(processorId),
    },
  };
}
