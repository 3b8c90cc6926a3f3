import { z } from "zod";
import { getExportLink } from "../../app/export";
import { json, route } from "../route";
import { Problem } from "../schemas/problem";
import { IdParams } from "../schemas/requests";

export const ExportLinkView = z
  .object({
    url: z.string().describe("Read-only link to the package (one blob), valid 15 minutes"),
    expiresAt: z.string().describe("When the link stops working"),
    availableUntil: z.string().describe("When the package is deleted (7 days after it was ready)"),
    bytes: z.number().int(),
    sha256: z.string().describe("SHA-256 of the ZIP; manifest.json inside lists every file's"),
  })
  .loose();

export const exportLinkRoute = route({
  name: "requestExport",
  method: "GET",
  path: "v1/requests/{id}/export",
  summary: "A short-lived read-only download link to an access request's export (requester or account owner)",
  access: "optional",
  params: IdParams,
  responses: {
    200: { description: "The link", schema: ExportLinkView },
    401: { description: "Neither a bearer token nor X-Request-Token", schema: Problem },
    403: { description: "Not the requester or the account owner", schema: Problem },
    404: { description: "No such request, not yours, or not an access request", schema: Problem },
    409: { description: "The export is not ready yet (progress in the problem)", schema: Problem },
    410: {
      description: "The export expired and was deleted; the problem says how to ask again",
      schema: Problem,
    },
  },
  async handler({ rt, caller, params }) {
    return json(200, await getExportLink(rt.app, caller, params.id), { "cache-control": "no-store" });
  },
});
