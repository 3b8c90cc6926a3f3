import { z } from "zod";

export const TenantId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, "a tenant id: letters, digits, '-' or '_', at most 64");

export const Phone = z.string().min(5, "a WhatsApp number with country code").max(32);
