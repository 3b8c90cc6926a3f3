import { Agent, request } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Emulator, startCosmos } from "../../src/local/emulators";

/**
 * The embedded Cosmos emulator must not close an idle connection the SDK may be about to reuse: the
 * SDK's agent keeps idle sockets without a timeout and does not retry a write on a reset connection,
 * so Node's default 5 s server-side idle timeout failed a write now and then on a busy machine
 * ("socket hang up"). The emulator's answers say `Connection: keep-alive` without a timeout, so the
 * only evidence is a connection still open after Node's default would have closed it.
 */
let cosmos: Emulator;
beforeAll(async () => {
  cosmos = await startCosmos(0);
});
afterAll(() => cosmos.stop());

function get(agent: Agent): Promise<{ status: number | undefined; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(`${cosmos.endpoint}/`, { agent }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode, reused: req.reusedSocket }));
    });
    req.on("error", reject);
    req.end();
  });
}

it("keeps an idle connection open past Node's 5 s default (6 s with its grace), and answers on it", async () => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let closedByServer = false;
  agent.on("free", (socket) => socket.once("end", () => (closedByServer = true)));
  expect((await get(agent)).status).toBe(200);
  await sleep(7_000); // Node closes at its timeout plus a 1 s grace
  expect(closedByServer).toBe(false);
  expect(await get(agent)).toEqual({ status: 200, reused: true });
  agent.destroy();
}, 20_000);
