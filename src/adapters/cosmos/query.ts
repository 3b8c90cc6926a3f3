import type { SqlParameter, SqlQuerySpec } from "@azure/cosmos";
import type { Condition, QuerySpec } from "../../ports/document-store";

const FIELD = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/**
 * Bracket notation (`c["a"]["b"]`): dot notation is a syntax error when a segment is one of Cosmos SQL's
 * reserved words (`value`, `order`, `top`, …). The regex above keeps quotes out of the segments.
 */
function path(field: string): string {
  if (!FIELD.test(field)) throw new Error(`not a queryable field path: ${field}`);
  return `c${field
    .split(".")
    .map((s) => `["${s}"]`)
    .join("")}`;
}

/** Structured conditions to parameterised Cosmos SQL: values never enter the query text. */
export function toSql(spec: Pick<QuerySpec, "where" | "orderBy" | "select">, count = false): SqlQuerySpec {
  const parameters: SqlParameter[] = [];
  const param = (value: SqlParameter["value"]) => {
    const name = `@p${parameters.length}`;
    parameters.push({ name, value });
    return name;
  };
  const clause = (c: Condition): string => {
    switch (c.op) {
      case "defined":
        return `IS_DEFINED(${path(c.field)})`;
      case "undefined":
        return `NOT IS_DEFINED(${path(c.field)})`;
      case "in":
        return c.value.length === 0
          ? "false"
          : `${path(c.field)} IN (${c.value.map((v) => param(v)).join(", ")})`;
      default:
        return `${path(c.field)} ${c.op} ${param(c.value)}`;
    }
  };
  const where = spec.where?.length ? ` WHERE ${spec.where.map(clause).join(" AND ")}` : "";
  if (count) return { query: `SELECT VALUE COUNT(1) FROM c${where}`, parameters };
  // A nested field is projected through its top-level field: `SELECT c.a.b` would name the result `b`
  // and lose the document's shape, so a caller reading `doc.a.b` would find nothing.
  const topLevel = (field: string) => path(field) && field.split(".")[0]!;
  const projection = spec.select
    ? [...new Set(["id", ...spec.select.map(topLevel)])].map(path).join(", ")
    : "*";
  const order = spec.orderBy
    ? ` ORDER BY ${path(spec.orderBy.field)} ${spec.orderBy.direction === "desc" ? "DESC" : "ASC"}`
    : "";
  return { query: `SELECT ${projection} FROM c${where}${order}`, parameters };
}
