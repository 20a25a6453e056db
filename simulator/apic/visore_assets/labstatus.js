// The lab's status from its control API (/_sim, the lab admin's alone): what the lab holds (/_sim/info), its
// clock, its fault rules (/_sim/faults), its event log (/_sim/events: the newest 50 changes asked of the lab,
// newest first) and its training lab (GET /_sim/training: title, story, goals; each goal
// checked with POST /_sim/training/check: passed, or what is still wrong), else "no lab scenario" (the 404 of a
// lab served without one). A refusal (a user who is not an admin) is shown as the control API words it.

import { clear, el, setText } from "./dom.js";

const asked = (apic, path, method) => apic.control(path, method).catch((err) => ({ status: 0, body: { error: String(err) } }));
const said = (answer) => `${answer.status}: ${(answer.body && answer.body.error) || "no answer"}`;

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
  const [info, clock, faults, events, training] = await Promise.all(["info", "clock", "faults", "events", "training"].map(
    (path) => asked(apic, path)));
  if (!page.isCurrent(token)) return;
  if (info.status !== 200) {
    setText(page.$("lab-error"), `The control API answered ${said(info)}`);
    body.dataset.state = "refused";
    return;
  }
  body.append(el("h3", {}, "Lab"), keyValues("lab-info", info.body));
  if (clock.status === 200) {
    const when = new Date(Number(clock.body.now) * 1000);
    body.append(el("h3", {}, "Clock"), el("p", { id: "lab-clock" },
      `${Number.isNaN(when.getTime()) ? clock.body.now : when.toISOString()} (${clock.body.frozen ? "frozen" : "running"})`));
  }
  if (faults.status === 200 && Array.isArray(faults.body.faults)) {
    body.append(el("h3", {}, `Fault rules (${faults.body.faults.length})`), el("ul", { id: "lab-faults" },
      faults.body.faults.map((rule) => el("li", {}, flatten(rule).map(([k, v]) => `${k}=${v}`).join(" ")))));
  }
  if (events.status === 200 && Array.isArray(events.body.events)) {
    const newest = events.body.events.slice(-50).reverse();
    body.append(el("h3", {}, `Event log (${events.body.events.length})`), el("table", { id: "lab-events", class: "list" },
      el("thead", {}, el("tr", {}, ["time", "action", "status", "user", "detail"].map((h) => el("th", {}, h)))),
      el("tbody", {}, newest.map((e) => el("tr", { dataset: { id: String(e.id) } },
        [e.time, e.action, String(e.status), e.user, e.detail].map((v) => el("td", {}, v)))))));
  }
  body.append(el("h3", {}, "Training lab"));
  if (training.status === 404) {
    body.append(el("p", { id: "lab-scenario-none" }, "no lab scenario"));
  } else if (training.status !== 200) {
    body.append(el("p", { class: "error" }, `GET /_sim/training answered ${said(training)}`));
  } else {
    const { goals, story, ...rest } = training.body;
    body.append(keyValues("lab-scenario", rest), el("p", { id: "lab-story", class: "story" }, story || ""));
    const results = el("div", { id: "lab-goals", dataset: { state: "loading" } });
    const again = el("button", { type: "button", id: "lab-check" }, "Check the goals");
    again.addEventListener("click", () => checkGoals(apic, page, token, results));
    body.append(el("h4", {}, `Goals (${(goals || []).length})`), again, results);
    await checkGoals(apic, page, token, results);
  }
  if (page.isCurrent(token)) body.dataset.state = "shown";
}

// POST /_sim/training/check: every goal, passed or what is still wrong.
async function checkGoals(apic, page, token, results) {
  results.dataset.state = "loading";
  const check = await asked(apic, "training/check", "POST");
  if (!page.isCurrent(token)) return;
  clear(results);
  if (check.status !== 200) {
    results.append(el("p", { class: "error" }, `POST /_sim/training/check answered ${said(check)}`));
  } else {
    results.append(el("p", { id: "lab-passed" }, `${check.body.passed_goals} of ${check.body.goals.length} goals passed`),
      el("table", { class: "list" },
        el("thead", {}, el("tr", {}, ["goal", "title", "passed", "what is still wrong"].map((h) => el("th", {}, h)))),
        el("tbody", {}, check.body.goals.map((g) => el("tr", { dataset: { goal: g.id, passed: String(g.passed) } },
          el("td", {}, g.id), el("td", {}, g.title), el("td", { class: g.passed ? "passed" : "failed" }, g.passed ? "yes" : "no"),
          el("td", {}, [g.wrong, g.detail].filter(Boolean).join(" — ")))))));
  }
  results.dataset.state = "shown";
}
