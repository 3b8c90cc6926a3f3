import { createHmac, randomInt } from "node:crypto";
import { constantTimeEqual } from "../../domain/crypto";
import { verificationRules } from "../../domain/policy/periods";
import type { RequestDoc } from "../../domain/requests/model";
import type { AppContext } from "../context";
import { notifyRequester } from "./notify";

const codeHash = (key: Buffer, requestId: string, code: string) =>
  createHmac("sha256", key).update(`${requestId}:${code}`).digest("base64url");

export function codeMatches(app: AppContext, doc: RequestDoc, code: string): boolean {
  const stored = doc.verification?.codeHash;
  return stored !== undefined && constantTimeEqual(stored, codeHash(app.keys.code, doc.id, code));
}

/** A fresh 6-digit code on the document (as a keyed hash only); returns the code to send. */
export function armCode(app: AppContext, doc: RequestDoc, now: Date): string {
  const code = String(randomInt(0, 10 ** verificationRules.codeDigits)).padStart(
    verificationRules.codeDigits,
    "0",
  );
  doc.verification = {
    wrongAttempts: doc.verification?.wrongAttempts ?? 0,
    sentAt: doc.verification?.sentAt ?? [],
    ...(doc.verification?.lockedUntil ? { lockedUntil: doc.verification.lockedUntil } : {}),
    ...(doc.verification?.reminderSentAt ? { reminderSentAt: doc.verification.reminderSentAt } : {}),
    codeHash: codeHash(app.keys.code, doc.id, code),
    expiresAt: app.policy.deadline(now, "verificationCodeValidity").toISOString(),
  };
  return code;
}

export async function sendCode(app: AppContext, doc: RequestDoc, code: string): Promise<boolean> {
  const minutes = Math.round(app.policy.periodMs(app.ports.clock.now(), "verificationCodeValidity") / 60_000);
  return notifyRequester(app, doc, { template: "verification_code", code, minutes, kind: doc.kind });
}
