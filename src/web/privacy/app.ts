import { call } from "../shared/api";
import { h, show } from "../shared/dom";
import { refuseFraming } from "../shared/frame-guard";

interface Policy {
  dataFiduciary: string;
}

async function start() {
  const main = document.getElementById("main")!;
  const policy = await call<Policy>("GET", "v1/policy");
  show(main, h("h1", {}, "Privacy center"), policy.ok ? h("p", {}, policy.body.dataFiduciary) : null);
}

if (refuseFraming()) void start();
