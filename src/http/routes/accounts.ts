import { z } from "zod";
import { reactivateAccount } from "../../app/account";
import { getCertificate } from "../../app/account";
import { certificateProof } from "../../app/account";
import { CertificateAnchor, PROOF_FORMAT } from "../../domain/audit/certificate-proof";
import { staffRoleOf, standingOf } from "../../app/requests";
import { requestView } from "../../app/requests";
import { json, route } from "../route";
import { Problem } from "../schemas/problem";
import { TenantId } from "../schemas/common";
import { IdParams, ReasonBody, RequestView } from "../schemas/requests";

export const reactivateAccountRoute = route({
  name: "reactivateAccount",
  method: "POST",
  path: "v1/accounts/{tenantId}/reactivate",
  summary:
    "Reactivate a deactivated account inside its 30-day window: everything restored except API keys (support, privacy officer)",
  access: ["support", "privacy_officer"],
  params: z.object({ tenantId: TenantId }).strict(),
  body: ReasonBody,
  responses: {
    200: {
      description: "Reactivated; the erasure request is cancelled",
      schema: z.object({
        request: RequestView,
        restored: z.record(z.string(), z.number().int()),
        apiKeys: z.object({ revoked: z.number().int(), mustRegenerate: z.boolean(), message: z.string() }),
      }),
    },
    404: { description: "The account is not deactivated", schema: Problem },
    409: {
      description: "The 30-day window has ended, the purge started, or a legal hold applies",
      schema: Problem,
    },
  },
  async handler({ rt, caller, params, body }) {
    const result = await reactivateAccount(rt.app, caller, params.tenantId, body.reason);
    return json(200, {
      request: requestView(
        result.request,
        rt.app.ports.clock.now(),
        standingOf(caller),
        {},
        staffRoleOf(caller),
      ),
      restored: result.restored,
      apiKeys: {
        revoked: result.apiKeysRevoked,
        mustRegenerate: result.apiKeysRevoked > 0,
        message: "API keys stay revoked after reactivation: generate new keys in the dashboard.",
      },
    });
  },
});

const CertificateView = z
  .object({
    requestId: z.string(),
    scope: z.string(),
    issuedAt: z.string(),
    categories: z.array(
      z
        .object({ category: z.string(), label: z.string(), action: z.string(), count: z.number().int() })
        .loose(),
    ),
    backups: z
      .object({
        held: z.number().int(),
        note: z.string(),
        keyShreddedAt: z.string().optional(),
        /** Until then a point-in-time restore of the service's database could bring the destroyed key back. */
        residualUntil: z.string().optional(),
      })
      .loose(),
    auditHeadHash: z.string(),
    /** The anchor sealing this certificate and its chain: verify offline with GET …/certificate/proof. */
    anchor: CertificateAnchor,
  })
  .loose();

export const certificateRoute = route({
  name: "requestCertificate",
  method: "GET",
  path: "v1/requests/{id}/certificate",
  summary:
    "The deletion certificate: what was deleted, anonymised, retained and why (requester, owner, staff)",
  access: "optional",
  params: IdParams,
  responses: {
    200: { description: "The certificate", schema: CertificateView },
    403: { description: "Not the requester, the account's owner or staff", schema: Problem },
    404: { description: "No such request, or not yours", schema: Problem },
    409: { description: "The deletion has not finished yet", schema: Problem },
  },
  async handler({ rt, caller, params }) {
    const { id: _id, pk: _pk, docType: _t, ...certificate } = await getCertificate(rt.app, caller, params.id);
    return json(200, certificate);
  },
});

export const certificateProofRoute = route({
  name: "requestCertificateProof",
  method: "GET",
  path: "v1/requests/{id}/certificate/proof",
  summary:
    "The certificate with its audit chain (other events redacted to their hashes) and anchor: verify offline with `npm run verify-certificate -- <file>` (requester, owner, staff)",
  access: "optional",
  params: IdParams,
  responses: {
    200: {
      description: "The proof bundle",
      schema: z.object({
        format: z.literal(PROOF_FORMAT),
        certificate: CertificateView,
        // Legacy events are withheld: `{seq, prevHash, hash, withheld: true}`, no action.
        chain: z.array(
          z.object({ seq: z.number().int(), action: z.string().optional(), hash: z.string() }).loose(),
        ),
        anchor: z.object({ name: z.string(), sealedAt: z.string(), heads: z.array(z.unknown()) }).loose(),
      }),
    },
    403: { description: "Not the requester, the account's owner or staff", schema: Problem },
    404: { description: "No such request, or not yours", schema: Problem },
    409: { description: "The deletion has not finished yet", schema: Problem },
  },
  async handler({ rt, caller, params }) {
    return json(200, await certificateProof(rt.app, caller, params.id));
  },
});
