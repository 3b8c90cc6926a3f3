import { escapeHtml as esc } from "../../src/domain/html";
import type { SimulationReport } from "./report";

/**
 * simulation-report.html: one self-contained page (inline SVG and CSS, no script, no font, nothing fetched) that
 * shows at a glance whether every promise held: the verdict, deadline slack per kind over the run, requests open
 * per day, faults injected and recovered, then the promises one by one.
 */
const PALETTE = [
  "#2563eb",
  "#dc2626",
  "#16a34a",
  "#9333ea",
  "#ea580c",
  "#0891b2",
  "#ca8a04",
  "#db2777",
  "#4b5563",
  "#65a30d",
];
const W = 860;
const H = 280;
const M = { l: 56, r: 16, t: 16, b: 36 };

const fmt = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(1));

function axes(xMax: number, yMin: number, yMax: number, xLabel: string, yLabel: string): string {
  const x = (v: number) => M.l + (v / Math.max(1, xMax)) * (W - M.l - M.r);
  const y = (v: number) => H - M.b - ((v - yMin) / Math.max(1e-9, yMax - yMin)) * (H - M.t - M.b);
  const ticks: string[] = [];
  for (let i = 0; i <= 5; i++) {
    const xv = Math.round((xMax * i) / 5);
    const yv = yMin + ((yMax - yMin) * i) / 5;
    ticks.push(`<text x="${x(xv)}" y="${H - M.b + 16}" text-anchor="middle">${xv}</text>`);
    ticks.push(`<line x1="${M.l}" x2="${W - M.r}" y1="${y(yv)}" y2="${y(yv)}" class="grid"/>`);
    ticks.push(`<text x="${M.l - 6}" y="${y(yv) + 4}" text-anchor="end">${fmt(yv)}</text>`);
  }
  return `${ticks.join("")}<text x="${(W + M.l) / 2}" y="${H - 4}" text-anchor="middle">${esc(xLabel)}</text>
<text x="14" y="${(H - M.b) / 2}" transform="rotate(-90 14 ${(H - M.b) / 2})" text-anchor="middle">${esc(yLabel)}</text>`;
}

function scale(xMax: number, yMin: number, yMax: number) {
  return {
    x: (v: number) => M.l + (v / Math.max(1, xMax)) * (W - M.l - M.r),
    y: (v: number) => H - M.b - ((v - yMin) / Math.max(1e-9, yMax - yMin)) * (H - M.t - M.b),
  };
}

function slackChart(r: SimulationReport): string {
  const samples = r.slackSamples;
  if (samples.length === 0) return "<p>No deadline fell due.</p>";
  const kinds = Object.keys(r.slack);
  const days = samples.map((s) => s.slackHours / 24);
  const yMin = Math.min(0, ...days);
  const yMax = Math.max(1, ...days);
  const xMax = Math.max(...samples.map((s) => s.day), 1);
  const { x, y } = scale(xMax, yMin, yMax);
  const dots = samples
    .map((s) => {
      const c = PALETTE[kinds.indexOf(s.kind) % PALETTE.length];
      return `<circle cx="${x(s.day).toFixed(1)}" cy="${y(s.slackHours / 24).toFixed(1)}" r="3" fill="${c}" fill-opacity="0.7"><title>${esc(s.kind)}: ${fmt(s.slackHours)} h left (${esc(s.ref)})</title></circle>`;
    })
    .join("");
  const zero = `<line x1="${M.l}" x2="${W - M.r}" y1="${y(0)}" y2="${y(0)}" class="deadline"/>`;
  const legend = kinds
    .map((k, i) => `<span><i style="background:${PALETTE[i % PALETTE.length]}"></i>${esc(k)}</span>`)
    .join("");
  return `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="Deadline slack per kind">${axes(xMax, yMin, yMax, "day of the run", "days left at the deadline")}${zero}${dots}</svg><div class="legend">${legend}</div>`;
}

function openChart(r: SimulationReport): string {
  const rows = r.openPerDay;
  if (rows.length === 0) return "";
  const xMax = Math.max(1, rows.length - 1);
  const yMax = Math.max(1, ...rows.map((d) => Math.max(d.open, d.created)));
  const { x, y } = scale(xMax, 0, yMax);
  const line = (f: (d: (typeof rows)[number]) => number) =>
    rows.map((d, i) => `${i === 0 ? "M" : "L"}${x(i).toFixed(1)},${y(f(d)).toFixed(1)}`).join("");
  const settle = `<line x1="${x(r.simulated.trafficDays)}" x2="${x(r.simulated.trafficDays)}" y1="${M.t}" y2="${H - M.b}" class="settle"/>`;
  return `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="Requests open per day">${axes(xMax, 0, yMax, "day (traffic, then settling after the dashed line)", "requests")}${settle}
<path d="${line((d) => d.open)}" fill="none" stroke="${PALETTE[0]}" stroke-width="2"/><path d="${line((d) => d.created)}" fill="none" stroke="${PALETTE[2]}" stroke-width="1" stroke-dasharray="3 2"/></svg>
<div class="legend"><span><i style="background:${PALETTE[0]}"></i>open at the end of the day</span><span><i style="background:${PALETTE[2]}"></i>created that day</span></div>`;
}

function faultChart(r: SimulationReport): string {
  const kinds = Object.entries(r.faults);
  const max = Math.max(1, ...kinds.map(([, f]) => f.injected));
  const rowH = 22;
  const h = kinds.length * rowH + 20;
  const x0 = 190;
  const width = W - x0 - 60;
  const bars = kinds
    .map(([kind, f], i) => {
      const yy = 10 + i * rowH;
      const wi = (f.injected / max) * width;
      const wr = (f.recovered / max) * width;
      return `<text x="${x0 - 8}" y="${yy + 14}" text-anchor="end">${esc(kind)}</text>
<rect x="${x0}" y="${yy + 2}" width="${wi.toFixed(1)}" height="16" fill="#fecaca"/><rect x="${x0}" y="${yy + 2}" width="${wr.toFixed(1)}" height="16" fill="#16a34a"/>
<text x="${x0 + Math.max(wi, 2) + 6}" y="${yy + 14}">${f.recovered}/${f.injected}${f.injected ? ` · ${esc(Object.keys(f.by).join(", "))}` : ""}</text>`;
    })
    .join("");
  return `<svg viewBox="0 0 ${W} ${h}" role="img" aria-label="Faults injected and recovered">${bars}</svg>
<div class="legend"><span><i style="background:#16a34a"></i>recovered</span><span><i style="background:#fecaca"></i>injected, not recovered</span></div>`;
}

export function reportHtml(r: SimulationReport): string {
  const verdict = r.held
    ? `<div class="verdict ok">Every promise held: ${r.promisesHeld} of ${r.promisesChecked}</div>`
    : `<div class="verdict bad">Broken: ${r.brokenPromises.map(esc).join(", ")}</div>`;
  const totalRequests = Object.values(r.requests).reduce((a, b) => a + b, 0);
  const injected = Object.values(r.faults).reduce((a, f) => a + f.injected, 0);
  const recovered = Object.values(r.faults).reduce((a, f) => a + f.recovered, 0);
  const slackRows = Object.entries(r.slack)
    .map(
      ([k, s]) =>
        `<tr><td>${esc(k)}</td><td>${s.count}</td><td class="${s.worstHours < 0 ? "bad" : ""}">${fmt(s.worstHours)} h</td><td>${fmt(s.medianHours)} h</td></tr>`,
    )
    .join("");
  const promiseRows = r.promises
    .map(
      (p) =>
        `<tr><td>${p.held ? "✔" : "✘"}</td><td>${esc(p.promise)}</td><td>${p.checked}</td><td>${p.broken.slice(0, 5).map(esc).join("<br>")}</td></tr>`,
    )
    .join("");
  const costRows = [
    ...Object.entries(r.cost.timers).map(([name, c]) => [`timer ${name}`, c] as const),
    ...Object.entries(r.cost.deliveries).map(([name, c]) => [`queue ${name}`, c] as const),
  ]
    .map(([name, c]) => `<tr><td>${esc(name)}</td><td>${c.runs}</td><td>${c.seconds}</td></tr>`)
    .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Compliance simulation: ${r.held ? "every promise held" : "broken promises"}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:900px;color:#111827;padding:0 12px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 6px}
.verdict{font-size:18px;font-weight:600;padding:10px 14px;border-radius:6px;margin:12px 0}
.ok{background:#dcfce7;color:#14532d}.bad{background:#fee2e2;color:#7f1d1d}
.figures{display:flex;gap:12px;flex-wrap:wrap}.figures div{background:#f3f4f6;border-radius:6px;padding:8px 12px}
.figures b{display:block;font-size:20px}
svg{width:100%;height:auto;font-size:11px}svg text{fill:#374151}.grid{stroke:#e5e7eb}
.deadline{stroke:#dc2626;stroke-dasharray:4 3}.settle{stroke:#9ca3af;stroke-dasharray:5 4}
.legend span{margin-right:14px;font-size:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
table{border-collapse:collapse;width:100%;font-size:13px}td,th{border-bottom:1px solid #e5e7eb;padding:4px 6px;text-align:left;vertical-align:top}
td.bad{color:#b91c1c;font-weight:600}
</style></head><body>
<h1>Compliance simulation</h1>
<div>Seed ${r.seed} · ${r.tenants} tenants · ${r.simulated.trafficDays} days of traffic, ${r.simulated.settleDays} of settling · ${r.runSeconds} s</div>
${verdict}
<div class="figures"><div><b>${totalRequests}</b>requests and actions</div><div><b>${r.promisesHeld}/${r.promisesChecked}</b>promises held</div>
<div><b>${recovered}/${injected}</b>faults recovered</div><div><b>${r.chainsVerified}</b>audit chains verified</div><div><b>${r.backupSets}</b>backup sets</div></div>
<h2>Deadline slack per kind</h2><p>Each dot is one deadline: how much time was left when the work was done. Below the red line is late.</p>
${slackChart(r)}
<table><tr><th>kind</th><th>deadlines</th><th>worst slack</th><th>median slack</th></tr>${slackRows}</table>
<h2>Requests open per day</h2>${openChart(r)}
<h2>Faults injected and recovered</h2>${faultChart(r)}
<h2>Promises</h2><table><tr><th></th><th>promise</th><th>cases</th><th>broken (first five)</th></tr>${promiseRows}</table>
<h2>Where the run's time went</h2><p>${r.cost.clockMoves} clock moves took ${r.cost.moveSeconds} s; the checks ${r.cost.checkSeconds} s. Timers run on their schedules.</p>
<table><tr><th>timer or queue</th><th>runs</th><th>seconds</th></tr>${costRows}</table>
</body></html>
`;
}
