import type { Problem } from "../../shared/api";
import { h } from "../../shared/dom";
import { problemMessage } from "../ui/problem";

/** A view's heading and the message that replaces its content when its data could not be read. */
export function failed(title: string, problem: Problem): Node[] {
  return [h("h1", {}, title), h("p", { class: "form-error" }, problemMessage(problem))];
}

export const loading = (title: string): Node[] => [
  h("h1", {}, title),
  h("p", { "aria-busy": "true" }, "Loading…"),
];

/** A term/definition list from pairs; empty definitions are left out. */
export function facts(pairs: [string, Node | string | undefined][]): HTMLDListElement {
  return h(
    "dl",
    { class: "facts" },
    ...pairs.flatMap(([k, v]) => (v === undefined || v === "" ? [] : [h("dt", {}, k), h("dd", {}, v)])),
  );
}

/** "Overdue" in words and a mark, never by colour alone. */
export const overdueMark = () => h("span", { class: "badge overdue" }, "⚠ Overdue");

/** The cleanup a view leaves behind (a running countdown); the router calls it on leaving. */
export type Cleanup = () => void;
