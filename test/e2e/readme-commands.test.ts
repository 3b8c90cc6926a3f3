import { execFile, execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkedFetch } from "../support/contract";
import { startTestHost, type TestHost } from "../support/host";

/**
 * Every command in the README works when pasted as written: the blocks marked `<!-- readme-example -->`
 * run, in order and sharing their shell variables, against a started local host. With `curl` on PATH
 * each command runs in bash with the real curl (and the real `node -pe` of its pipes); without it, the
 * curl arguments are parsed and replayed with fetch, so the test is real on a machine either way. Every
 * HTTP answer must be 2xx, and each step must show what the README says it shows.
 */

const README_BASE = "http://localhost:7071/api";
const root = join(__dirname, "..", "..");

/** The marked blocks, each a list of commands (continuation lines joined, blank lines dropped). */
function readmeExamples(markdown: string): string[][] {
  const blocks = [...markdown.matchAll(/<!-- readme-example -->\s*\n```sh\n([\s\S]*?)\n```/g)];
  return blocks.map((m) =>
    m[1]!
      .replace(/\\\n\s*/g, "")
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith("#")),
  );
}

type Vars = Record<string, string>;
type Token = { word: string } | { pipe: true };

/** POSIX-shell words of one command: quotes, `\`-escapes, `$NAME` / `${NAME}` expansion, and `|`. */
function shellWords(command: string, vars: Vars): Token[] {
  const tokens: Token[] = [];
  let word = "";
  let inWord = false;
  const expand = (at: number): [string, number] => {
    const m = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/.exec(command.slice(at));
    if (!m) return ["$", at + 1];
    const name = (m[1] ?? m[2])!;
    if (!(name in vars)) throw new Error(`the README uses $${name} before setting it`);
    return [vars[name]!, at + m[0].length];
  };
  for (let i = 0; i < command.length;) {
    const c = command[i]!;
    if (c === " " || c === "\t") {
      if (inWord) tokens.push({ word });
      word = "";
      inWord = false;
      i++;
    } else if (c === "|") {
      if (inWord) tokens.push({ word });
      tokens.push({ pipe: true });
      word = "";
      inWord = false;
      i++;
    } else if (c === "'") {
      const end = command.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unclosed ' in: ${command}`);
      word += command.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      inWord = true;
      i++;
      while (command[i] !== '"') {
        if (i >= command.length) throw new Error(`unclosed " in: ${command}`);
        if (command[i] === "\\" && /["\\$`]/.test(command[i + 1] ?? "")) {
          word += command[i + 1];
          i += 2;
        } else if (command[i] === "$") {
          const [value, next] = expand(i);
          word += value;
          i = next;
        } else word += command[i++];
      }
      i++;
    } else if (c === "$") {
      const [value, next] = expand(i);
      word += value;
      inWord = true;
      i = next;
    } else if (c === "\\") {
      word += command[i + 1] ?? "";
      inWord = true;
      i += 2;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) tokens.push({ word });
  return tokens;
}

/** `NAME=$(…)`, `NAME=value` or a bare command. */
function parseCommand(line: string): { assign?: string; substitution: boolean; body: string } {
  const sub = /^([A-Za-z_][A-Za-z0-9_]*)=\$\((.*)\)$/.exec(line);
  if (sub) return { assign: sub[1]!, substitution: true, body: sub[2]! };
  const plain = /^([A-Za-z_][A-Za-z0-9_]*)=(\S+)$/.exec(line);
  if (plain) return { assign: plain[1]!, substitution: false, body: plain[2]! };
  return { substitution: true, body: line };
}

interface Outcome {
  /** What the command printed (for `NAME=$(…)`: the value NAME holds). */
  output: string;
  /** HTTP status of every curl call in it. */
  statuses: number[];
}

/** The curl arguments the README may use, as a fetch; anything else fails the test (keep the README plain). */
async function replayCurl(args: string[]): Promise<{ status: number; text: string }> {
  let method: string | undefined;
  let body: string | undefined;
  let url: string | undefined;
  const headers = new Headers();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "-s" || a === "-sS" || a === "--silent") continue;
    else if (a === "-X" || a === "--request") method = args[++i];
    else if (a === "-H" || a === "--header") {
      const h = args[++i]!;
      const colon = h.indexOf(":");
      headers.append(h.slice(0, colon).trim(), h.slice(colon + 1).trim());
    } else if (a === "-d" || a === "--data" || a === "--data-raw") {
      body = args[++i];
      // curl's default for -d: a form, which the API refuses (415) unless a content type is given.
      if (!headers.has("content-type")) headers.set("content-type", "application/x-www-form-urlencoded");
    } else if (!a.startsWith("-") && url === undefined) url = a;
    else throw new Error(`the README's curl uses ${a}, which this replay does not know`);
  }
  if (!url) throw new Error("a curl without a URL");
  const res = await checkedFetch(url.includes("://") ? url : `http://${url}`, {
    method: method ?? (body === undefined ? "GET" : "POST"),
    headers,
    body,
  });
  return { status: res.status, text: await res.text() };
}

/** One command without curl: each pipeline stage is curl (replayed with fetch) or node (run for real). */
async function runWithFetch(line: string, vars: Vars): Promise<Outcome> {
  const { assign, substitution, body } = parseCommand(line);
  if (!substitution) {
    const value = shellWords(body, vars).map((t) => ("word" in t ? t.word : "|"))[0]!;
    vars[assign!] = value;
    return { output: value, statuses: [] };
  }
  const stages: string[][] = [[]];
  for (const t of shellWords(body, vars)) {
    if ("pipe" in t) stages.push([]);
    else stages.at(-1)!.push(t.word);
  }
  let input = "";
  const statuses: number[] = [];
  for (const [program, ...args] of stages) {
    if (program === "curl") {
      const res = await replayCurl(args);
      statuses.push(res.status);
      input = res.text;
    } else if (program === "node") {
      input = execFileSync(process.execPath, args, { input, encoding: "utf8" });
    } else throw new Error(`the README runs ${program}, which this replay does not know`);
  }
  const output = assign ? input.replace(/\n+$/, "") : input;
  if (assign) vars[assign] = output;
  return { output, statuses };
}

const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/**
 * One command in bash with the real curl; each curl reports its status on stderr, out of the pipes' way.
 * Asynchronous: the host answering it runs in this process.
 */
async function runWithCurl(line: string, vars: Vars): Promise<Outcome> {
  const { assign } = parseCommand(line);
  const script = [
    `curl() { command curl -w '%{stderr}HTTP %{http_code}\\n' "$@"; }`,
    ...Object.entries(vars).map(([k, v]) => `${k}=${quote(v)}`),
    line,
    ...(assign ? [`printf '%s' "$${assign}"`] : []),
  ].join("\n");
  const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (resolve, reject) => {
      const child = execFile(
        "bash",
        ["-c", script],
        { encoding: "utf8", timeout: 60_000 },
        (error, stdout, stderr) =>
          resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr }),
      );
      child.on("error", reject);
    },
  );
  if (run.code !== 0) throw new Error(`bash exited ${run.code} on: ${line}\n${run.stderr}`);
  const statuses = [...run.stderr.matchAll(/^HTTP (\d{3})$/gm)].map((m) => Number(m[1]));
  if (assign) vars[assign] = run.stdout;
  return { output: run.stdout, statuses };
}

const json = (text: string) => JSON.parse(text) as Record<string, unknown>;

/** What each step of the README shows, as it says (matched on the command's text). */
const EXPECTED: { step: RegExp; check: (o: Outcome, vars: Vars) => void }[] = [
  { step: /^API=/, check: (_, v) => expect(v.API).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api$/) },
  {
    step: /\/health"$/,
    check: (o) =>
      expect(json(o.output)).toMatchObject({ status: "ok", checks: { cosmos: "ok", blob: "ok" } }),
  },
  { step: /^PO=/, check: (_, v) => expect(v.PO).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/) },
  { step: /^TENANT=/, check: (_, v) => expect(v.TENANT).toMatch(/^t-[\w-]+$/) },
  {
    step: /inventory\?tenantId=/,
    check: (o) => {
      const inv = json(o.output) as { categories: { category: string; records: number }[]; total: number };
      expect(inv.categories.find((c) => c.category === "messages")?.records).toBe(6);
      expect(inv.total).toBeGreaterThan(6);
    },
  },
  {
    step: /^REQ=/,
    check: (_, v) =>
      expect(json(v.REQ!)).toMatchObject({
        kind: "erasure",
        status: "pending_verification",
        requestToken: expect.any(String),
      }),
  },
  { step: /^ID=/, check: (_, v) => expect(v.ID).toMatch(/^r-/) },
  { step: /^RT=/, check: (_, v) => expect(v.RT!.length).toBeGreaterThan(20) },
  { step: /^CODE=/, check: (_, v) => expect(v.CODE).toMatch(/^\d{6}$/) },
  {
    step: /\/verification"/,
    check: (o, v) =>
      expect(json(o.output)).toMatchObject({ id: v.ID, status: expect.not.stringMatching(/pending/) }),
  },
  {
    step: /\/requests\/\$ID"$/,
    check: (o, v) => expect(json(o.output)).toMatchObject({ id: v.ID, kind: "erasure", status: "completed" }),
  },
  {
    step: /\/certificate"$/,
    check: (o, v) => {
      const cert = json(o.output);
      expect(cert).toMatchObject({ requestId: v.ID });
      expect(JSON.stringify(cert)).toMatch(/messages/);
    },
  },
];

const curlOnPath = spawnSync("curl", ["--version"], { encoding: "utf8" }).status === 0;
const blocks = readmeExamples(readFileSync(join(root, "README.md"), "utf8"));

describe("the README's example commands", () => {
  it("are marked, and every step has its expectation", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    const lines = blocks.flat();
    for (const line of lines)
      expect(
        EXPECTED.some((e) => e.step.test(line)),
        line,
      ).toBe(true);
    for (const e of EXPECTED)
      expect(
        lines.some((line) => e.step.test(line)),
        String(e.step),
      ).toBe(true);
    // Every body is sent as JSON: curl's default form type answers 415.
    for (const line of lines.filter((l) => / -d /.test(l)))
      expect(line, "a body needs its content type").toMatch(/content-type: application\/json/);
  });

  it("the replay sends what curl sends: without a content type a JSON body is refused", async () => {
    const host = await startTestHost();
    try {
      const bare = await replayCurl([
        "-s",
        "-X",
        "POST",
        `${host.url}/_dev/token`,
        "-d",
        '{"role":"support"}',
      ]);
      expect(bare.status).toBe(415);
    } finally {
      await host.stop();
    }
  });

  const modes = [
    { name: "replayed with fetch", run: runWithFetch },
    ...(curlOnPath ? [{ name: "with the real curl", run: runWithCurl }] : []),
  ];
  for (const mode of modes) {
    describe(mode.name, () => {
      let host: TestHost;
      beforeAll(async () => {
        // As `npm start` runs: the socket's address is the client's (no front end in between).
        host = await startTestHost({ TRUSTED_PROXY_HOPS: "1" });
      });
      afterAll(async () => {
        await host?.stop();
      });

      it("every command answers 2xx and shows what the README says", async () => {
        const vars: Vars = {};
        for (const line of blocks.flat()) {
          const pasted = line.replaceAll(README_BASE, host.url);
          const outcome = await mode.run(pasted, vars);
          if (/\bcurl\b/.test(line)) expect(outcome.statuses.length, line).toBeGreaterThan(0);
          for (const status of outcome.statuses)
            expect(status, `${line}\n${outcome.output}`).toBeLessThan(300);
          for (const status of outcome.statuses) expect(status, line).toBeGreaterThanOrEqual(200);
          for (const e of EXPECTED.filter((x) => x.step.test(line))) e.check(outcome, vars);
        }
      });
    });
  }
});
