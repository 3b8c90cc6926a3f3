/** What the rest of the service may use of src/app/kinds: everything else is this feature's own. */
export { buildKinds } from "./registry";
