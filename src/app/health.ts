import type { Ports } from "../ports";

const TIMEOUT_MS = 5000;

async function check(probe: () => Promise<void>): Promise<"ok" | "failing"> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("timeout")), TIMEOUT_MS);
      }),
    ]);
    return "ok";
  } catch {
    return "failing";
  } finally {
    clearTimeout(timer);
  }
}

/** Liveness plus a round trip to each store the service cannot work without. */
export async function health(ports: Ports) {
  const [cosmos, blob] = await Promise.all([
    check(() => ports.documents.ping()),
    check(() => ports.blobs.ping()),
  ]);
  const status = cosmos === "ok" && blob === "ok" ? "ok" : "degraded";
  return { status, checks: { cosmos, blob }, time: ports.clock.now().toISOString() } as const;
}
