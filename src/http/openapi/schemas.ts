import { isDeepStrictEqual } from "node:util";
import { z } from "zod";

type Json = Record<string, unknown>;

const rewriteRefs = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      k === "$ref" && typeof v === "string"
        ? v.replace(/^#\/\$defs\//, "#/components/schemas/")
        : rewriteRefs(v),
    ]),
  );
};

/**
 * zod's own JSON Schema (2020-12, which OpenAPI 3.1 uses) with every schema named by `.meta({ id })` moved
 * to `components.schemas` and referenced from there: zod puts them in `$defs` of each converted schema,
 * so they are hoisted and the references rewritten. A name is one shape: the same id converted to two
 * different schemas (input and output of a coercing schema) is an error, not a silent overwrite.
 */
export class SchemaComponents {
  readonly schemas: Record<string, Json> = {};

  of(schema: z.ZodType, io: "input" | "output"): Json {
    const converted = z.toJSONSchema(schema, { io, unrepresentable: "any", target: "draft-2020-12" }) as Json;
    const { $schema: _dialect, $defs, ...rest } = converted;
    for (const [id, def] of Object.entries(($defs ?? {}) as Record<string, Json>)) {
      const shaped = rewriteRefs(def) as Json;
      const known = this.schemas[id];
      if (known && !isDeepStrictEqual(known, shaped))
        throw new Error(`Schema id "${id}" names two different shapes (as ${io}): give each its own id.`);
      this.schemas[id] = shaped;
    }
    return rewriteRefs(rest) as Json;
  }
}
