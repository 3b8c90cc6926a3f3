/** What the rest of the service may use of src/app/idempotency: one Idempotency-Key mechanism for every creating POST. */
export { CLAIM_OUTLIVES_CALL_MS, DEFAULT_TTL_HOURS, KEY_REUSED_TYPE } from "./record";
export {
  callerScope,
  type Idempotent,
  type IdempotencyKey,
  type IdempotencyOptions,
  withIdempotency,
} from "./with-idempotency";
