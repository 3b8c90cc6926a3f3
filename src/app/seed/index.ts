/** What the rest of the service may use of src/app/seed: everything else is this feature's own. */
export { SeedOptions, type SeedResult, seedTenant } from "./seed-tenant";
