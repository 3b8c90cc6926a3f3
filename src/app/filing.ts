import type { RequestKind, StoredScope } from "../domain/requests/model";
import type { OnBehalfOf } from "../domain/requests/on-behalf";

/** A request as filed (POST /requests, or staff entering one that arrived by email), nothing stored yet. */
export interface Filing {
  kind: RequestKind;
  scope?: { type: "account"; tenantId: string } | { type: "whatsapp_number"; phone: string };
  contact?: { email?: string; phone?: string };
  language?: string;
  details?: Record<string, unknown>;
  /** Staff entering a request that arrived by email: the mail's reference. */
  channel?: "email";
  messageRef?: string;
  /** A nominee filing for the principal (src/app/rights/on-behalf.ts): held for staff review. */
  onBehalfOf?: OnBehalfOf;
}

/** Who a filing is about: its subject's partition, where its notices go, and whether it is proved already. */
export interface FilingSubject {
  scope: StoredScope;
  pk: string;
  tenantId?: string;
  contact?: { channel: "email" | "whatsapp"; address: string };
  /** The caller proved control of the subject with their JWT (an account's owner): no code is needed. */
  verifiedByToken: boolean;
}
