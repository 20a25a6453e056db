// Managed objects as Visore shows them: one attribute table per MO, the DN with links to its parent, children
// and faults, every DN-valued property (dn, tDn, *Dn) a link to that object and tCl a link to its class query;
// nested children (rsp-subtree) as nested tables. Live events change these tables in place.

import { classLink, clear, dnLink, el, link } from "./dom.js";

// APIC classes are camelCase with a lower-case package prefix (fvTenant, compVm); a DN has RNs (uni, tn-a).
export function isClassName(text) {
  return /^[a-z]+[A-Z][A-Za-z0-9]*$/.test(text);
}

// A relation (fvRsBd) or its reverse (fvRtBd): the prefix, then Rs or Rt, then the rest.
export function isRelationClass(cls) {
  return /^[a-z]+R[st][A-Z]/.test(cls);
}

export function entryOf(node) {
  const [cls] = Object.keys(node);
  return { cls, attrs: node[cls].attributes || {}, children: node[cls].children || [] };
}

// The parent of a DN: the text before its last slash outside brackets ("" for a top-level RN).
export function parentDn(dn) {
  let depth = 0;
  for (let i = dn.length - 1; i >= 0; i--) {
    const c = dn[i];
    if (c === "]") depth++;
    else if (c === "[") depth--;
    else if (c === "/" && depth === 0) return dn.slice(0, i);
  }
  return "";
}

function isDnProp(prop, value) {
  return value !== "" && (prop === "dn" || prop === "tDn" || /D[nN]$/.test(prop));
}

export function valueCell(prop, value) {
  const td = el("td", { dataset: { prop } });
  fillValue(td, prop, value);
  return td;
}

function fillValue(td, prop, value) {
  clear(td);
  if (isDnProp(prop, value)) td.append(dnLink(value));
  else if (prop === "tCl" && isClassName(value)) td.append(classLink(value));
  else td.append(String(value));
}

function attributeRow(prop, value) {
  return el("tr", { dataset: { prop } }, el("th", {}, prop), valueCell(prop, value));
}

function actions(dn) {
  const parent = parentDn(dn);
  return el("span", { class: "actions" },
    parent ? link("parent", { q: parent }, { class: "act-parent" }) : null,
    link("children", { q: dn, target: "children" }, { class: "act-children" }),
    link("subtree", { q: dn, rsp: "full" }, { class: "act-subtree" }),
    link("faults", { q: dn, faults: true }, { class: "act-faults" }));
}

// The attribute table of one MO (dn first, then the others by name), its children nested below.
export function moTable(node, dnOfParent = "") {
  const { cls, attrs, children } = entryOf(node);
  const dn = attrs.dn || (dnOfParent && attrs.rn ? `${dnOfParent}/${attrs.rn}` : "");
  const table = el("table", { class: "mo", dataset: { dn, cls } },
    el("caption", {}, classLink(cls), " ", dn ? dnLink(dn, { class: "dn caption-dn" }) : null, dn ? actions(dn) : null));
  const body = el("tbody");
  const props = Object.keys(attrs).filter((p) => p !== "dn").sort();
  if (dn) body.append(attributeRow("dn", dn));
  for (const prop of props) body.append(attributeRow(prop, attrs[prop]));
  table.append(body);
  if (!children.length) return table;
  const box = el("div", { class: "mo-box", dataset: { dn } }, table);
  const nested = el("div", { class: "nested" });
  for (const child of children) nested.append(moTable(child, dn));
  box.append(nested);
  return box;
}

// Apply one pushed change to the tables shown: modified props change in place (marked), a created MO is
// added, a deleted one struck through. Returns true when the change touched what is shown.
export function applyChange(container, node, accepts) {
  const { cls, attrs } = entryOf(node);
  const dn = attrs.dn;
  if (!dn) return false;
  const existing = [...container.querySelectorAll("table.mo")].find((t) => t.dataset.dn === dn);
  if (attrs.status === "deleted") {
    if (!existing) return false;
    existing.classList.add("deleted");
    existing.dataset.status = "deleted";
    return true;
  }
  if (attrs.status === "created" && (!existing || existing.dataset.status === "deleted")) {
    if (!accepts(cls, attrs)) return false;
    const fresh = moTable({ [cls]: { attributes: withoutEventProps(attrs) } });
    const table = fresh.matches("table") ? fresh : fresh.querySelector("table");
    table.classList.add("created");
    table.dataset.status = "created";
    if (existing) existing.replaceWith(fresh);
    else container.append(fresh);
    return true;
  }
  if (!existing) return false;
  const body = existing.tBodies[0];
  for (const [prop, value] of Object.entries(withoutEventProps(attrs))) {
    if (prop === "dn") continue;
    let row = [...body.rows].find((r) => r.dataset.prop === prop);
    if (!row) {
      row = attributeRow(prop, value);
      body.append(row);
    } else {
      fillValue(row.cells[1], prop, value);
    }
    row.cells[1].classList.add("changed");
  }
  existing.dataset.status = "modified";
  return true;
}

function withoutEventProps(attrs) {
  const out = { ...attrs };
  delete out.status;
  delete out.childAction;
  delete out.rn;
  return out;
}
