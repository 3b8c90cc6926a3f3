/** What the rest of the service may use of src/app/stores: everything else is this feature's own. */
export { platformRecords } from "./platform-records";
export { type AppendOnly, buildStores, type Stores } from "./stores";
