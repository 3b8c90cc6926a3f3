import { z } from "zod";
import { normaliseWhatsAppNumber } from "../../domain/subject";

export const TenantId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, "a tenant id: letters, digits, '-' or '_', at most 64");

/** A phone number as people write it (spaces, +91, a leading 0); it must normalise to a valid E.164 number. */
export const Phone = z
  .string()
  .min(5, "a WhatsApp number with country code")
  .max(32)
  .refine(
    (s) => normaliseWhatsAppNumber(s) !== undefined,
    "not a valid WhatsApp number (use the country code, e.g. +91 98123 45678)",
  );
