// The RHV inventory as the APIC imported it from a Red Hat VMM controller (comp/prov-Redhat): controllers,
// data centers (hvsLNode, the controller's logical switch), hosts (compHv), VMs (compVm) and the host each runs
// on (its compRsHv). Re-read when its subscription reports a change.

import { clear, dnLink, el, setText } from "./dom.js";
import { entryOf } from "./mo.js";

const INVENTORY = "comp/prov-Redhat";
const INVENTORY_CLASSES = "compCtrlr,hvsLNode,compHv,compVm,compRsHv";

export async function showInventory(apic, page, token) {
  page.show("rhv");
  const body = page.$("rhv-body");
  setText(page.$("rhv-error"), "");
  body.dataset.state = "loading";
  let answer;
  try {
    answer = await apic.mo(INVENTORY, { "query-target": "subtree", "target-subtree-class": INVENTORY_CLASSES,
                                        subscription: apic.socket !== null ? "yes" : "" });
  } catch (err) {
    if (page.isCurrent(token)) setText(page.$("rhv-error"), `The APIC refused the inventory query ${page.errorText(err)}`);
    return;
  }
  if (!page.isCurrent(token)) return;
  renderInventory(body, answer.imdata.map(entryOf));
  body.dataset.state = "shown";
  if (answer.subscriptionId) {
    // a host or VM changed: read the inventory again (no page reload); changes pushed during a read make one more
    let reading = false;
    let stale = false;
    page.subscribe(answer.subscriptionId, async () => {
      stale = true;
      if (reading) return;
      reading = true;
      try {
        while (stale && page.isCurrent(token)) {
          stale = false;
          const again = await apic.mo(INVENTORY, { "query-target": "subtree", "target-subtree-class": INVENTORY_CLASSES });
          if (page.isCurrent(token)) renderInventory(body, again.imdata.map(entryOf));
        }
      } catch (err) {
        if (page.isCurrent(token)) setText(page.$("rhv-error"), `The APIC refused the inventory query ${page.errorText(err)}`);
      } finally {
        reading = false;
      }
    });
  }
}

function under(dn, parent) {
  return dn.startsWith(parent + "/");
}

function renderInventory(body, entries) {
  clear(body);
  const of = (cls) => entries.filter((e) => e.cls === cls).map((e) => e.attrs);
  const controllers = of("compCtrlr");
  if (!controllers.length) {
    body.append(el("p", { id: "no-inventory" }, "The APIC holds no Red Hat controller inventory (no Red Hat VMM domain with a controller that synced)."));
    return;
  }
  const rels = of("compRsHv");
  for (const ctrlr of controllers) {
    const hosts = of("compHv").filter((h) => under(h.dn, ctrlr.dn));
    const hostByDn = new Map(hosts.map((h) => [h.dn, h]));
    const section = el("section", { class: "controller", dataset: { dn: ctrlr.dn } },
      el("h3", {}, `Controller ${ctrlr.name} `, dnLink(ctrlr.dn)),
      el("p", {}, `${ctrlr.model || ""} ${ctrlr.rev || ""} at ${ctrlr.hostOrIp || ""}:${ctrlr.port || ""}, domain ${ctrlr.domName || ""}, ${ctrlr.operSt || ""}`));
    const centers = of("hvsLNode").filter((d) => under(d.dn, ctrlr.dn));
    section.append(el("h4", {}, "Data centers"),
      el("ul", { class: "datacenters" }, centers.map((d) => el("li", {}, dnLink(d.dn, { class: "dn" }), ` ${d.name}`))));
    section.append(el("h4", {}, "Clusters"),
      el("p", { class: "clusters" }, "The APIC imports no cluster objects from a Red Hat controller; hosts and VMs are listed under the controller."));
    section.append(el("h4", {}, `Hosts (${hosts.length})`), el("table", { class: "list hosts" },
      el("thead", {}, el("tr", {}, ["name", "state", "management IP", "dn"].map((h) => el("th", {}, h)))),
      el("tbody", {}, hosts.map((h) => el("tr", { dataset: { name: h.name } },
        el("td", {}, h.name), el("td", {}, h.state || ""), el("td", {}, h.mgmtIp || ""), el("td", {}, dnLink(h.dn)))))));
    const vms = of("compVm").filter((v) => under(v.dn, ctrlr.dn));
    section.append(el("h4", {}, `VMs (${vms.length})`), el("table", { class: "list vms" },
      el("thead", {}, el("tr", {}, ["name", "state", "runs on", "dn"].map((h) => el("th", {}, h)))),
      el("tbody", {}, vms.map((v) => {
        const rel = rels.find((r) => r.dn === `${v.dn}/rshv`);
        const host = rel ? hostByDn.get(rel.tDn) : null;
        return el("tr", { dataset: { name: v.name } },
          el("td", {}, v.name), el("td", {}, v.state || ""),
          el("td", { class: "runs-on" }, host ? dnLink(host.dn, { class: "dn host-link" }) : rel ? rel.tDn : "(no host)",
            host ? ` ${host.name}` : ""),
          el("td", {}, dnLink(v.dn)));
      }))));
    body.append(section);
  }
}
