import type { ProcessorInput } from "../../domain/processors/register";
import { AlreadyExistsError } from "../../ports/document-store";
import type { AppContext } from "../context";
import { firstVersion } from "./register";

/**
 * The local demo register. The Privacy Policy §4 names no partner ("we do not publish partner or
 * sub-processor names"), so these are the kinds of partner the policies do mention, under descriptive
 * names: the WhatsApp Business Platform numbers are connected through (Data Deletion Instructions), the
 * "authorised payment gateway" (§1) and the provider of "transactional emails" (§2). They use email and a
 * Service Bus topic, which the local outbox and topic stand-in record, so `npm start` sends nothing out.
 */
const DEMO: { processorId: string; input: ProcessorInput }[] = [
  {
    processorId: "whatsapp-platform",
    input: {
      name: "WhatsApp Business Platform (Meta)",
      purpose: "Delivering WhatsApp messages and media of the businesses' agents",
      categories: ["conversations", "messages", "audio_recordings", "whatsapp_identifiers"],
      location: { country: "US" },
      contractReference: "DPA-2025-WA-01",
      channel: {
        type: "email",
        contactName: "Platform privacy desk",
        address: "privacy-desk@partner.example",
      },
      confirmWithin: "PT72H",
      tenants: "all",
    },
  },
  {
    processorId: "payment-gateway",
    input: {
      name: "Authorised payment gateway",
      purpose: "Card, UPI and net-banking payments; payment status and receipts",
      categories: ["payments"],
      location: { country: "IN" },
      contractReference: "DPA-2025-PG-02",
      channel: { type: "email", contactName: "Merchant compliance", address: "compliance@gateway.example" },
      confirmWithin: "P7D",
      tenants: "all",
    },
  },
  {
    processorId: "email-delivery",
    input: {
      name: "Transactional email provider",
      purpose: "Sending OTPs, receipts and security alerts",
      categories: ["account", "team_members"],
      location: { country: "IN" },
      contractReference: "DPA-2025-EM-03",
      channel: { type: "service_bus_topic", topic: "partner-email-delivery" },
      confirmWithin: "PT48H",
      tenants: "all",
    },
  },
];

/** Writes the demo entries that are not there yet (create-only: a restart changes nothing). */
export async function seedProcessors(app: AppContext): Promise<number> {
  const now = app.ports.clock.now().toISOString();
  let created = 0;
  for (const { processorId, input } of DEMO) {
    const entry = firstVersion(processorId, input, now);
    try {
      await app.stores.processors.create(entry);
      created++;
    } catch (e) {
      if (!(e instanceof AlreadyExistsError)) throw e;
    }
  }
  return created;
}
