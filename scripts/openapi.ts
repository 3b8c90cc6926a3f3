import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { openApiDocument } from "../src/http/openapi";
import { allRoutes } from "../src/http/routes";

/**
 * Writes docs/openapi.json: the document Azure serves (no dev routes), for linting and for clients to
 * generate from. test/unit/openapi.test.ts fails when the file and the code disagree.
 */
export const openApiText = () => `${JSON.stringify(openApiDocument(allRoutes(false)), null, 2)}\n`;

if (require.main === module) {
  const file = join(__dirname, "..", "docs", "openapi.json");
  writeFileSync(file, openApiText());
  console.log(`wrote ${file}`);
}
