// Visore: the page's state and views. The view follows the location's hash (#q=..., #view=rhv, #view=lab),
// so links and the back button move between views without reloading the page; a query shown with live
// updates is subscribed (subscription=yes) and changed in place by the events of its subscription.

import { Apic, ApiError } from "./api.js";
import { clear, dnLink, el, hashOf, link, setText } from "./dom.js";
import { showLab } from "./labstatus.js";
import { applyChange, entryOf, isClassName, isRelationClass, moTable } from "./mo.js";
import { showInventory } from "./rhv.js";

const SUBSCRIPTION_REFRESH_MS = 30000; // subscriptions lapse after 60 s without subscriptionRefresh
const MAX_EVENTS = 200;

const apic = new Apic();
const $ = (id) => document.getElementById(id);
let view = { subscriptions: new Set(), onEvent: () => {} };
let timers = [];
let renderToken = 0; // a view answered after another view began is dropped

function show(...ids) {
  for (const id of ["login", "query", "rhv", "lab"]) $(id).hidden = !ids.includes(id);
  const loggedIn = apic.token !== null;
  $("nav").hidden = !loggedIn;
  $("session").hidden = !loggedIn;
  $("events").hidden = !loggedIn;
}

// What the other views' modules may use of this one.
const page = {
  $,
  show,
  errorText,
  isCurrent: (token) => token === renderToken,
  subscribe(id, onEvent) {
    view.subscriptions.add(String(id));
    view.onEvent = onEvent;
  },
};

function errorText(err) {
  return err instanceof ApiError ? `${err.status ? `HTTP ${err.status}` : ""}${err.code ? ` (code ${err.code})` : ""}: ${err.message}` : String(err);
}

// --- session -----------------------------------------------------------------------------------------
async function onLogin(event) {
  event.preventDefault();
  setText($("login-error"), "");
  try {
    await apic.login($("login-user").value, $("login-password").value);
  } catch (err) {
    setText($("login-error"), `Login failed ${errorText(err)}`);
    return;
  }
  $("login-password").value = "";
  setText($("who"), apic.user);
  startTimers();
  try {
    await apic.openSocket();
  } catch (err) {
    logEvent("socket", errorText(err));
  }
  if (!location.hash || location.hash === "#") location.hash = hashOf({ q: "fabricNode" });
  else route();
}

function startTimers() {
  stopTimers();
  const sessionMs = Math.max(15, Math.floor(apic.refreshSeconds / 3)) * 1000;
  timers.push(setInterval(refreshSession, sessionMs));
  timers.push(setInterval(refreshSubscriptions, SUBSCRIPTION_REFRESH_MS));
}

function stopTimers() {
  timers.forEach(clearInterval);
  timers = [];
}

// aaaRefresh; true when the session lives on.
async function refreshSession() {
  try {
    if (await apic.refresh()) await reconnect();
    return true;
  } catch (err) {
    logEvent("session", `aaaRefresh failed ${errorText(err)}`);
    return false;
  }
}

// subscriptionRefresh of the shown view's subscriptions; how many the APIC kept.
async function refreshSubscriptions() {
  let kept = 0;
  for (const id of view.subscriptions) {
    try {
      await apic.refreshSubscription(id);
      kept++;
    } catch (err) {
      logEvent("subscription", `refresh of ${id} failed ${errorText(err)}`);
    }
  }
  return kept;
}

// A new token or a dropped socket: open the socket again and ask the view again (its subscriptions died
// with the old socket).
async function reconnect() {
  apic.closeSocket();
  await apic.openSocket();
  route();
}

async function onLogout() {
  stopTimers();
  await apic.logout();
  view = { subscriptions: new Set(), onEvent: () => {} };
  clear($("event-log"));
  show("login");
}

function sessionLost(err) {
  stopTimers();
  setText($("login-error"), `The session ended ${errorText(err)}; log in again.`);
  show("login");
}

function socketState(state) {
  const node = $("live-state");
  node.dataset.state = state;
  node.className = state === "open" ? "live-on" : "live-off";
  setText(node, `live: ${state === "open" ? "connected" : state}`);
  if (state === "dropped" && apic.token !== null) onSocketDropped();
}

// The APIC closed the socket: the session may have ended (aaaRefresh then answers 403 and the page asks for a
// login) or the network dropped it (then a fresh socket, and the view asked again, after a pause).
async function onSocketDropped() {
  logEvent("socket", "the event websocket closed");
  try {
    await apic.refresh();
  } catch (err) {
    if (apic.token !== null) logEvent("session", `aaaRefresh failed ${errorText(err)}`);
    return;
  }
  setTimeout(() => {
    if (apic.token !== null && apic.socket === null) reconnect().catch((err) => logEvent("socket", errorText(err)));
  }, 2000);
}

function logEvent(kind, text) {
  const log = $("event-log");
  const now = new Date().toISOString().slice(11, 19);
  log.prepend(el("li", { class: `ev-${kind}` }, `${now} ${kind} ${text}`));
  while (log.children.length > MAX_EVENTS) log.lastElementChild.remove();
}

function onSocketEvent(message) {
  const ids = (message.subscriptionId || []).map(String);
  for (const node of message.imdata || []) {
    const { cls, attrs } = entryOf(node);
    logEvent(attrs.status || "event", `${cls} ${attrs.dn || ""}`);
  }
  if (ids.some((id) => view.subscriptions.has(id))) view.onEvent(message);
}

// --- routing -----------------------------------------------------------------------------------------
function params() {
  return new URLSearchParams(location.hash.replace(/^#/, ""));
}

function route() {
  if (apic.token === null) {
    show("login");
    return;
  }
  const p = params();
  renderToken++;
  view = { subscriptions: new Set(), onEvent: () => {} };
  if (p.get("view") === "rhv") return showInventory(apic, page, renderToken);
  if (p.get("view") === "lab") return showLab(apic, page, renderToken);
  return showQuery(p, renderToken);
}

// --- the query view ------------------------------------------------------------------------------------
function fillForm(p) {
  $("q").value = p.get("q") || "";
  $("filter").value = p.get("filter") || "";
  $("prop").value = p.get("prop") || "";
  $("op").value = p.get("op") || "eq";
  $("val1").value = p.get("val1") || "";
  $("val2").value = p.get("val2") || "";
  $("target").value = p.get("target") || "self";
  $("rsp").value = p.get("rsp") || "no";
  $("faults").checked = p.get("faults") === "1";
  $("live").checked = p.get("live") !== "0";
}

// The query-target-filter of a view: the one written whole, else one built from Property, Op and Val (a
// class query's class names the property: eq(fvCEp.contName,"vm1")).
function filterOf(p) {
  const raw = (p.get("filter") || "").trim();
  if (raw) return raw;
  const prop = (p.get("prop") || "").trim();
  if (!prop) return "";
  const cls = isClassName(p.get("q") || "") ? p.get("q") : "";
  if (!cls) throw new Error('a Property filter needs a class: give a class in "Class or DN", or write the whole filter (eq(fvAEPg.name,"web"))');
  const values = [p.get("val1") || "", p.get("val2") || ""].filter((v, i) => i === 0 || v !== "");
  if (values.some((v) => v.includes('"'))) throw new Error("a filter value cannot hold a double quote");
  return `${p.get("op") || "eq"}(${cls}.${prop},${values.map((v) => `"${v}"`).join(",")})`;
}

function onQuery(event) {
  event.preventDefault();
  setText($("query-error"), "");
  const q = $("q").value.trim();
  if (!q) {
    setText($("query-error"), "give a class (fvTenant) or a DN (uni/tn-common)");
    return;
  }
  const filter = $("filter").value.trim();
  const prop = filter ? "" : $("prop").value.trim();
  const next = hashOf({ q, filter, prop, op: prop && $("op").value !== "eq" ? $("op").value : "",
                        val1: prop ? $("val1").value : "", val2: prop ? $("val2").value : "",
                        target: $("target").value === "self" ? "" : $("target").value,
                        rsp: $("rsp").value === "no" ? "" : $("rsp").value, faults: $("faults").checked,
                        live: $("live").checked ? "" : "0" });
  if (next === location.hash) route();
  else location.hash = next;
}

function queryOptions(p, live) {
  return {
    "query-target-filter": filterOf(p),
    "query-target": p.get("target") || "",
    "rsp-subtree": p.get("rsp") || "",
    "rsp-subtree-include": p.get("faults") === "1" ? "faults" : "",
    subscription: live ? "yes" : "",
  };
}

async function showQuery(p, token) {
  show("query");
  fillForm(p);
  const q = p.get("q") || "";
  const live = p.get("live") !== "0" && apic.socket !== null;
  const results = clear($("results"));
  const extra = clear($("object-extra"));
  setText($("count"), "");
  setText($("query-url"), "");
  setText($("query-error"), "");
  results.dataset.subscriptionId = "";
  results.dataset.state = "loading";
  if (!q) {
    results.dataset.state = "empty";
    return;
  }
  const isClass = isClassName(q);
  let options;
  try {
    options = queryOptions(p, live);
  } catch (err) {
    setText($("query-error"), err.message);
    results.dataset.state = "error";
    return;
  }
  let answer;
  try {
    answer = isClass ? await apic.cls(q, options) : await apic.mo(q, options);
  } catch (err) {
    if (token !== renderToken) return;
    setText($("query-error"), `The APIC refused the query ${errorText(err)}`);
    results.dataset.state = "error";
    return;
  }
  if (token !== renderToken) return;
  setText($("query-url"), `GET ${answer.url}`);
  setText($("count"), `${answer.totalCount} object${answer.totalCount === "1" ? "" : "s"}`);
  for (const node of answer.imdata) results.append(moTable(node));
  if (answer.subscriptionId) {
    results.dataset.subscriptionId = answer.subscriptionId;
    page.subscribe(answer.subscriptionId, (message) => {
      for (const node of message.imdata || []) applyChange(results, node, (cls) => !isClass || cls === q);
    });
  }
  results.dataset.state = "shown";
  if (!isClass && (p.get("target") || "self") === "self" && answer.imdata.length) {
    await objectExtras(q, extra, token);
  }
}

// An object's children, its relations (to their targets) and its faults, below its attribute table.
async function objectExtras(dn, extra, token) {
  let children;
  let faulted;
  try {
    [children, faulted] = await Promise.all([
      apic.mo(dn, { "query-target": "children" }),
      apic.mo(dn, { "rsp-subtree-include": "faults" }),
    ]);
  } catch (err) {
    if (token === renderToken) setText($("query-error"), `children or faults unreadable ${errorText(err)}`);
    return;
  }
  if (token !== renderToken) return;
  const entries = children.imdata.map(entryOf);
  const relations = entries.filter((e) => isRelationClass(e.cls));
  extra.append(el("h3", {}, `Relations (${relations.length})`));
  extra.append(el("table", { id: "relations", class: "list" },
    el("thead", {}, el("tr", {}, el("th", {}, "class"), el("th", {}, "relation"), el("th", {}, "state"), el("th", {}, "target"))),
    el("tbody", {}, relations.map((r) => el("tr", { dataset: { cls: r.cls } },
      el("td", {}, link(r.cls, { q: r.cls })),
      el("td", {}, dnLink(r.attrs.dn)),
      el("td", {}, r.attrs.state || ""),
      el("td", { class: "target" }, r.attrs.tDn ? dnLink(r.attrs.tDn, { class: "dn relation-target" }) : "(no target)"))))));
  extra.append(el("h3", {}, `Children (${entries.length})`));
  extra.append(el("table", { id: "children", class: "list" },
    el("thead", {}, el("tr", {}, el("th", {}, "class"), el("th", {}, "dn"))),
    el("tbody", {}, entries.map((c) => el("tr", { dataset: { cls: c.cls } },
      el("td", {}, link(c.cls, { q: c.cls })), el("td", {}, dnLink(c.attrs.dn)))))));
  const faults = faulted.imdata.length ? entryOf(faulted.imdata[0]).children.map(entryOf)
    .filter((f) => f.cls === "faultInst" || f.cls === "faultDelegate") : [];
  extra.append(el("h3", {}, `Faults (${faults.length})`));
  extra.append(el("table", { id: "faults-table", class: "list" },
    el("thead", {}, el("tr", {}, ["code", "severity", "lifecycle", "cause", "description", "dn"].map((h) => el("th", {}, h)))),
    el("tbody", {}, faults.map((f) => el("tr", { dataset: { code: f.attrs.code || "" } },
      el("td", {}, f.attrs.code || ""),
      el("td", { class: `severity-${f.attrs.severity || ""}` }, f.attrs.severity || ""),
      el("td", {}, f.attrs.lc || ""),
      el("td", {}, f.attrs.cause || ""),
      el("td", {}, f.attrs.descr || ""),
      el("td", {}, f.attrs.dn ? dnLink(f.attrs.dn) : `${dn}/${f.attrs.rn || ""}`))))));
}

// --- start ---------------------------------------------------------------------------------------------------
function start() {
  apic.onEvent = onSocketEvent;
  apic.onSocketState = socketState;
  apic.onSessionLost = sessionLost;
  $("login-form").addEventListener("submit", onLogin);
  $("query-form").addEventListener("submit", onQuery);
  $("logout").addEventListener("click", onLogout);
  window.addEventListener("hashchange", route);
  show("login");
  // the timers' work on demand, from the browser's console (or a test that moves the lab's clock)
  window.visore = Object.freeze({ refreshSession, refreshSubscriptions });
  document.body.dataset.ready = "1";
}

start();
