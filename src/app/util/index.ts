/** What the rest of the service may use of src/app/util: everything else is this feature's own. */
export { firstNonEmptyPage, queryAll, queryFirst, queryPages } from "./paging";
export { forEachLimit } from "./pool";
