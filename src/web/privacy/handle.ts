/**
 * The requester's handle (the request id and its X-Request-Token) is kept only as long as the tab needs
 * it: in this tab's sessionStorage (never localStorage, a cookie or the URL), removed when the request is
 * finished or the person presses "Forget this request". While a finished request is still on screen the
 * handle lives in memory only, and is gone with the page.
 */
export interface Handle {
  id: string;
  token: string;
}

const KEY = "privacy-center.request";
let inMemory: Handle | undefined;

export function currentHandle(): Handle | undefined {
  if (inMemory) return inMemory;
  try {
    const parsed: unknown = JSON.parse(sessionStorage.getItem(KEY) ?? "null");
    if (
      parsed &&
      typeof parsed === "object" &&
      typeof (parsed as Handle).id === "string" &&
      typeof (parsed as Handle).token === "string"
    ) {
      inMemory = { id: (parsed as Handle).id, token: (parsed as Handle).token };
    }
  } catch {
    inMemory = undefined;
  }
  return inMemory;
}

export function keepHandle(handle: Handle): void {
  inMemory = handle;
  sessionStorage.setItem(KEY, JSON.stringify(handle));
}

/** The request is finished: the tab stops keeping the key; this page may still show what it holds. */
export function releaseHandle(): void {
  sessionStorage.removeItem(KEY);
}

/** "Forget this request": gone from storage and from memory. */
export function forgetHandle(): void {
  sessionStorage.removeItem(KEY);
  inMemory = undefined;
}
