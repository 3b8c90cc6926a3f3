import { refuseFraming } from "../shared/frame-guard";
import { h, show } from "../shared/dom";

if (refuseFraming()) show(document.getElementById("main")!, h("h1", {}, "Privacy console"));
