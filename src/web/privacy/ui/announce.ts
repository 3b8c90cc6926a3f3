/**
 * Says something to a screen reader without moving focus, through the page's polite live region
 * (index.html `#announce`). Cleared first so the same words said twice are announced twice.
 */
export function announce(message: string): void {
  const region = document.getElementById("announce");
  if (!region) return;
  region.textContent = "";
  window.setTimeout(() => {
    region.textContent = message;
  }, 50);
}
