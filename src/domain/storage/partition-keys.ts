/**
 * The partition keys of the service's own containers, spelled here and nowhere else: a request, its job
 * and its audit trail are found by these, so two spellings of one subject would be two subjects.
 *
 * - `tenant:<tenant id>`: an account and everything under it;
 * - `wa:<keyed hash of the number>`: a WhatsApp number (a person, possibly messaged by many tenants);
 * - `contact:<keyed hash of the address>`: someone known only by a contact address (a grievance);
 * - `breach:<breach id>`: one personal data breach and its notices;
 * - `idem:<keyed hash>`: one Idempotency-Key of one caller.
 *
 * Pure: the hashes are made by the caller (src/domain/subject.ts), never here.
 */
export const tenantPartition = (tenantId: string) => `tenant:${tenantId}`;
export const numberPartition = (numberHash: string) => `wa:${numberHash}`;
export const contactPartition = (contactHash: string) => `contact:${contactHash}`;
export const breachPartition = (breachId: string) => `breach:${breachId}`;
export const idempotencyPartition = (keyHash: string) => `idem:${keyHash}`;
