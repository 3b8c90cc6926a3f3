import { h } from "../../shared/dom";

/** One polite live region for the whole page: what an action did, or why it did not. */
let region: HTMLElement | undefined;

export function liveRegion(): HTMLElement {
  region ??= h("div", { class: "visually-hidden", "aria-live": "polite", role: "status", id: "live" });
  return region;
}

export function announce(text: string): void {
  const r = liveRegion();
  r.textContent = "";
  // A fresh text node after the clear, so a repeated message is announced again.
  window.setTimeout(() => (r.textContent = text), 50);
}
