// The lab's status from its control API (/_sim, the lab admin's alone): what the lab holds, its clock, and
// its training-lab scenario with goals and event log where the lab has such a route (GET /_sim/lab), else
// "no lab scenario". A refusal (a user who is not an admin) is shown as the control API words it.

import { clear, el, setText } from "./dom.js";

function flatten(value, prefix = "") {
  if (value === null || typeof value !== "object") return [[prefix, value === null ? "null" : String(value)]];
  const rows = [];
  for (const [key, inner] of Object.entries(value)) rows.push(...flatten(inner, prefix ? `${prefix}.${key}` : key));
  return rows.length ? rows : [[prefix, Array.isArray(value) ? "[]" : "{}"]];
}

function keyValues(id, data) {
  return el("table", { id, class: "list" }, el("tbody", {}, flatten(data).map(([k, v]) =>
    el("tr", { dataset: { key: k } }, el("th", {}, k), el("td", {}, v)))));
}

export async function showLab(apic, page, token) {
  page.show("lab");
  const body = clear(page.$("lab-body"));
  setText(page.$("lab-error"), "");
  body.dataset.state = "loading";
  const [info, clock, scenario] = await Promise.all(["info", "clock", "lab"].map((path) => apic.control(path).catch(
    (err) => ({ status: 0, body: { error: String(err) } }))));
  if (!page.isCurrent(token)) return;
  if (info.status !== 200) {
    setText(page.$("lab-error"), `The control API answered ${info.status}: ${(info.body && info.body.error) || "no answer"}`);
    body.dataset.state = "refused";
    return;
  }
  body.append(el("h3", {}, "Lab"), keyValues("lab-info", info.body));
  if (clock.status === 200) {
    const when = new Date(Number(clock.body.now) * 1000);
    body.append(el("h3", {}, "Clock"), el("p", { id: "lab-clock" },
      `${Number.isNaN(when.getTime()) ? clock.body.now : when.toISOString()} (${clock.body.frozen ? "frozen" : "running"})`));
  }
  body.append(el("h3", {}, "Scenario"));
  if (scenario.status === 200 && scenario.body) {
    const { goals, events, ...rest } = scenario.body;
    body.append(keyValues("lab-scenario", rest));
    if (Array.isArray(goals)) {
      body.append(el("h4", {}, "Goals"), el("ul", { id: "lab-goals" }, goals.map((g) => el("li", {},
        typeof g === "object" && g ? flatten(g).map(([k, v]) => `${k}: ${v}`).join(", ") : String(g)))));
    }
    if (Array.isArray(events)) {
      body.append(el("h4", {}, "Event log"), el("ol", { id: "lab-events" }, events.map((e) => el("li", {},
        typeof e === "object" && e ? flatten(e).map(([k, v]) => `${k}: ${v}`).join(", ") : String(e)))));
    }
  } else {
    body.append(el("p", { id: "lab-scenario-none" }, "no lab scenario"));
  }
  body.dataset.state = "shown";
}
