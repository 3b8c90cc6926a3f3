import { h, show } from "../../shared/dom";
import { staffCall } from "../staff-api";
import { words } from "../ui/format";
import { facts, failed } from "./common";

interface Entry {
  processorId: string;
  name: string;
  status: "active" | "retired";
  version: number;
  categories: string[];
  location: { country: string; crossBorder: boolean };
  contractReference: string;
  channel: { type: string };
  confirmWithin: string;
}

/** The processor register (`GET v1/processors`): who processes what, where, under which contract. */
export async function processorsView(main: HTMLElement, stale: () => boolean): Promise<void> {
  const res = await staffCall<{ audience: string; items: Entry[] }>("GET", "v1/processors");
  if (stale()) return;
  if (!res.ok) return show(main, ...failed("Processor register", res.problem));
  const items = res.body.items;
  show(
    main,
    h("h1", {}, "Processor register"),
    h("p", {}, "Each request's partner confirmations are on the request's page, overdue ones first."),
    items.length
      ? h(
          "ul",
          { class: "cards" },
          ...items.map((p) =>
            h(
              "li",
              { class: "card" },
              h("h2", { class: "card-title" }, `${p.name}${p.status === "retired" ? " (retired)" : ""}`),
              facts([
                ["Id", `${p.processorId} (version ${p.version})`],
                ["Data", p.categories.map(words).join(", ")],
                ["Where", `${p.location.country}${p.location.crossBorder ? " (outside India)" : ""}`],
                ["Told by", words(p.channel.type)],
                ["Must confirm within", p.confirmWithin],
                ["Contract", p.contractReference],
              ]),
            ),
          ),
        )
      : h("p", {}, "The register is empty."),
  );
}
