"""The registry's promise: whatever the engine advertises answers. Every `<link>` and every reference
(any element with an href: a VM's `<cluster>`, a data center's `<mac_pool>`, a cluster's
`<scheduling_policy>`, a filter's `<scheduling_policy_unit>`) of every entity of the default inventory,
followed from the API root down, answers something other than a 404; every advertised action answers
something other than a 404; and a method a real resource does not take is a 405 with the engine's
<fault>, never an empty answer."""

from __future__ import annotations

import xml.etree.ElementTree as ET

API = "/ovirt-engine/api"
XML = {"Content-Type": "application/xml"}


def walk(engine) -> tuple[set[str], dict[str, list[str]]]:
    """Every href reachable from the API root through any element that carries one (links, references,
    collection items), and each entity's action hrefs (collected, not followed)."""
    s = engine.session()
    seen: set[str] = set()
    actions: dict[str, list[str]] = {}
    todo = [(API, "the API root")]
    while todo:
        href, source = todo.pop()
        if href in seen:
            continue
        seen.add(href)
        r = s.get(engine.url + href)
        assert r.status_code != 404, f"{href} is advertised by {source} but answers 404"
        assert r.status_code == 200, f"{href}: HTTP {r.status_code} {r.text[:300]}"
        document = ET.fromstring(r.content)
        verbs = {lk for group in document.iter("actions") for lk in group}
        for element in document.iter():
            for child in element:
                if child.tag == "actions":
                    actions[element.get("href")] = [lk.get("href") for lk in child.findall("link")]
                elif child.get("href") and "{" not in child.get("href") and child not in verbs:
                    todo.append((child.get("href"), f"<{child.tag}> in {href}"))
    return seen, actions


def test_every_link_of_every_entity_answers(engine):
    seen, actions = walk(engine)
    host1 = engine.rhv.find("hosts", "host1")
    vm1 = engine.rhv.find("vms", "vm1")
    for expected in (f"{API}/hosts/{host1.id}/statistics", f"{API}/hosts/{host1.id}/networkattachments",
                     f"{API}/vms/{vm1.id}/nics", f"{API}/disks", f"{API}/storagedomains",
                     f"{API}/hosts/{host1.id}/nics/{host1.nics[0].id}/linklayerdiscoveryprotocolelements"):
        assert expected in seen, expected
    assert len(seen) > 100


def test_every_reference_of_every_entity_answers(engine):
    """References that are not `<link>`s are followed too: the MAC pool every data center and cluster names,
    the scheduling policy of every cluster and the policy units its filters, weights and balance name."""
    seen, _actions = walk(engine)
    dc = engine.rhv.find("data_centers", "Default")
    cluster = engine.rhv.find("clusters", "Default")
    for expected in (f"{API}/macpools/{dc.mac_pool_id}", f"{API}/schedulingpolicies/{cluster.scheduling_policy_id}",
                     f"{API}/schedulingpolicies/{cluster.scheduling_policy_id}/weights",
                     f"{API}/schedulingpolicyunits/38440000-8cf0-14bd-c43e-10b96e4ef00a",
                     f"{API}/users/{engine.rhv.caller().user_id}", f"{API}/templates/{engine.rhv.find('vms', 'vm1').template_id}"):
        assert expected in seen, expected


def test_only_implemented_actions_are_advertised_and_each_answers(engine):
    _seen, actions = walk(engine)
    vm1 = engine.rhv.find("vms", "vm1")
    host1 = engine.rhv.find("hosts", "host1")
    verbs = {href: sorted(h.rsplit("/", 1)[1] for h in hrefs) for href, hrefs in actions.items()}
    assert verbs[f"{API}/vms/{vm1.id}"] == ["cancelmigration", "migrate", "reboot", "shutdown", "start", "stop"]
    assert verbs[f"{API}/hosts/{host1.id}"] == ["activate", "commitnetconfig", "deactivate", "refresh",
                                                "setupnetworks"]
    s = engine.session()
    for hrefs in actions.values():
        for href in hrefs:
            r = s.post(engine.url + href, data="<action/>", headers=XML)
            assert r.status_code not in (404, 405, 500), f"{href}: HTTP {r.status_code} {r.text[:300]}"
            assert r.text.startswith("<?xml") and "<action>" in r.text, href


def test_a_method_a_resource_does_not_take_is_a_fault(engine):
    s = engine.session()
    vm1 = engine.rhv.find("vms", "vm1")
    for method, path in (("PUT", "/vms"), ("DELETE", "/vms"), ("POST", f"/vms/{vm1.id}"), ("PUT", "/datacenters"),
                         ("DELETE", f"/vms/{vm1.id}/nics"), ("GET", f"/vms/{vm1.id}/start"), ("POST", "/disks")):
        r = s.request(method, f"{engine.url}{API}{path}", data="<x/>", headers=XML)
        assert r.status_code == 405, (method, path, r.status_code)
        fault = ET.fromstring(r.content)
        assert fault.tag == "fault" and fault.findtext("reason") == "Method Not Allowed", (method, path)
        assert fault.findtext("detail"), (method, path)


def test_what_is_not_there_is_still_a_bare_404(engine):
    s = engine.session()
    vm1 = engine.rhv.find("vms", "vm1")
    for path in (f"/vms/{vm1.id}/suspend", f"/hosts/{engine.rhv.find('hosts', 'host1').id}/fence", "/nosuch"):
        r = s.post(f"{engine.url}{API}{path}", data="<action/>", headers=XML)
        assert (r.status_code, r.content) == (404, b""), path
