/**
 * `npm run verify-certificate -- <proof.json> [--anchor <anchor-blob-copy>]`: checks a deletion certificate's
 * proof bundle (GET /api/v1/requests/{id}/certificate/proof, saved to a file) offline — nothing but the files
 * given is read. The checks are src/domain/audit/certificate-proof.ts `verifyProof`.
 *
 * Exit 0 "valid" means the bundle is internally consistent: the certificate, its chain and its anchor agree.
 * That alone does not rule out a bundle built from scratch (own events, own anchor), so the anchor's SHA-256
 * is printed to compare with the blob of that name in the immutable `audit-anchors` container; `--anchor`
 * compares a copy of that blob here (exit 1 when it differs). Exit 1 names every failed check; exit 2 when a
 * file cannot be read.
 */
import { readFileSync } from "node:fs";
import { verifyProof } from "../src/domain/audit/certificate-proof";
import { cliArgs } from "./cli-args";

const USAGE = "usage: npm run verify-certificate -- <proof.json> [--anchor <copy of the anchor blob>]";

function parseCli(argv: string[]): { proof: string; anchor?: string } | undefined {
  const args = cliArgs(argv, 1, ["anchor"]);
  if (!args) return undefined;
  return { proof: args.positionals[0]!, ...(args.options.anchor ? { anchor: args.options.anchor } : {}) };
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    console.error(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}

function main(argv: string[]): number {
  const args = parseCli(argv);
  if (!args) {
    console.error(USAGE);
    return 2;
  }
  const text = read(args.proof);
  // The anchor copy is compared byte for byte: its SHA-256 is the stored blob's.
  const storedAnchor = args.anchor === undefined ? undefined : read(args.anchor);
  if (text === undefined || (args.anchor !== undefined && storedAnchor === undefined)) return 2;
  let bundle: unknown;
  try {
    bundle = JSON.parse(text);
  } catch (e) {
    console.error(`cannot read ${args.proof}: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
  const result = verifyProof(bundle, storedAnchor);
  if (!result.valid) {
    console.error("REFUSED: the certificate does not verify");
    for (const p of result.problems) console.error(`- ${p}`);
    console.error(`anchorCheckedAgainstStore: ${result.anchorCheckedAgainstStore}`);
    return 1;
  }
  const { anchor } = result;
  console.log(
    `valid: the bundle is internally consistent: certificate of ${result.requestId}, sealed in anchor ${anchor.name} (${anchor.sealedAt}) at event ${anchor.seq}`,
  );
  console.log(`anchorCheckedAgainstStore: ${result.anchorCheckedAgainstStore}`);
  console.log(`anchorSha256: ${anchor.sha256}`);
  console.log(
    result.anchorCheckedAgainstStore
      ? `The anchor is byte for byte the copy given: valid holds if that copy is the blob ${anchor.name} of the immutable \`audit-anchors\` container.`
      : `NOT CHECKED against the anchor record: a bundle built from scratch is consistent too. Compare anchorSha256 with the SHA-256 of the blob ${anchor.name} in the immutable \`audit-anchors\` container, or run again with --anchor <a copy of that blob>.`,
  );
  if (result.withheld > 0)
    console.log(
      `withheldEvents: ${result.withheld} (written before events could be redacted: linked by the next event's prevHash, their own content not checked)`,
    );
  console.log(
    "This is the newest version of the certificate as of the anchor; a later version would be sealed in a later anchor.",
  );
  return 0;
}

process.exitCode = main(process.argv.slice(2));
