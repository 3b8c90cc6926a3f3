import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createHttpServer } from "@vercel/cosmosdb-server";

export interface Emulator {
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * The Cosmos DB API in this process, plain HTTP on loopback. In-memory: its data ends with it.
 * Keep-alive as the real service does: without it the emulator answers `Connection: close` and every
 * SDK call pays a new TCP connection, which weighs each store round trip far above what Azure's does.
 */
export async function startCosmos(port: number): Promise<Emulator> {
  const server: Server = createHttpServer({ keepAlive: true });
  server.keepAliveTimeout = IDLE_CONNECTION_MS;
  answerQueryPlansCheaply(server);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${bound}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * How long the emulator keeps an idle connection open: longer than any test or local run is idle.
 * The Cosmos SDK's agent keeps idle sockets with no timeout of its own (@azure/cosmos
 * src/request/defaultAgent.ts), so Node's agent ignores the server's `Keep-Alive: timeout` hint
 * (keepSocketAlive in node's lib/_http_agent.js only ever lowers a timeout the agent has), and it never
 * retries a write that met a reset connection (retry/defaultRetryPolicy.ts: reads and queries only).
 * With Node's default of 5 s, a write sent on a socket the emulator was closing at that moment failed
 * with "socket hang up" on a busy 2-core CI machine. Real Cosmos closes idle connections too, and a
 * write it resets is retried there by whatever runs the use case again (the queue, the timers).
 */
const IDLE_CONNECTION_MS = 60 * 60_000;

/**
 * The SDK asks for a query plan beside the first page of every new query iterator (one per page where
 * a caller resumes from a continuation token). Azure's gateway computes a plan without touching the
 * data; this emulator knows no plan requests and runs the whole query instead, doubling the cost of
 * every paged read here. It runs every query itself, so the SDK never needs the plan (it uses one
 * only after the gateway refuses a query, or to resume a cross-partition token, which this emulator
 * never issues): a plan request is refused at once and the SDK carries on as it does after any
 * failed plan lookup.
 */
function answerQueryPlansCheaply(server: Server): void {
  const handlers = server.listeners("request") as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners("request");
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    if (String(req.headers["x-ms-cosmos-is-query-plan-request"]).toLowerCase() === "true") {
      req.resume();
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ code: "BadRequest", message: "This emulator computes no query plans." }));
      return;
    }
    for (const handle of handlers) handle.call(server, req, res);
  });
}

/** Azurite's well-known development account: public constants, not secrets. */
const AZURITE_ACCOUNT = "devstoreaccount1";
const AZURITE_KEY =
  "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/**
 * Azurite Blob as a child process, always with --disableTelemetry and on loopback only. The child
 * watches its stdin: when this process dies, however abruptly, the pipe closes and Azurite exits too,
 * so the port is free for the next start.
 */
export async function startAzurite(options: {
  port: number;
  location?: string;
}): Promise<Emulator & { connectionString: string }> {
  // Resolved from the project root: this file runs as CommonJS under tsx and as ESM under vitest.
  const main = createRequire(join(process.cwd(), "package.json")).resolve("azurite/dist/src/blob/main.js");
  const args = [
    "--blobHost",
    "127.0.0.1",
    "--blobPort",
    String(options.port),
    "--disableTelemetry",
    "--skipApiVersionCheck",
    "--loose",
    ...(options.location ? ["--location", options.location] : ["--inMemoryPersistence"]),
  ];
  const guard = `process.stdin.on("end",()=>process.exit(0));process.stdin.resume();process.argv=[process.argv[0],${JSON.stringify(main)},...${JSON.stringify(args)}];require(${JSON.stringify(main)});`;
  const child: ChildProcess = spawn(process.execPath, ["-e", guard], { stdio: ["pipe", "pipe", "pipe"] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /successfully listens on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m?.[1]) resolve(Number(m[1]));
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (c: Buffer) => (out += c.toString()));
    child.once("exit", (code) =>
      reject(new Error(`Azurite exited (${code}) before it listened:\n${out.slice(-2000)}`)),
    );
    setTimeout(
      () => reject(new Error(`Azurite did not start within 30 s:\n${out.slice(-2000)}`)),
      30_000,
    ).unref();
  });
  child.stdout?.removeAllListeners("data");
  child.stdout?.resume();
  child.stderr?.resume();
  const endpoint = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
  return {
    endpoint,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${endpoint};`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 5000).unref();
      }),
  };
}
