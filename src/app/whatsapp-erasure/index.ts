/** What the rest of the service may use of src/app/whatsapp-erasure: everything else is this feature's own. */
export { whatsappErasureKind } from "./erasure-kind";
export { erasurePlan, targetAnonymisation } from "./plan";
export { reconcileWhatsAppErasures } from "./reconcile";
