/**
 * The pages never run inside another site's frame (clickjacking): where the host sends
 * `frame-ancestors 'none'` the browser already refuses; a static host that cannot send headers relies on
 * this. The body stays hidden (app.css) until the page knows it is on top.
 */
export function refuseFraming(): boolean {
  if (window.top !== window.self) {
    document.documentElement.replaceChildren();
    return false;
  }
  document.documentElement.classList.add("unframed");
  return true;
}
