"""The checks of a lab's goals: each reads the lab through a public API (clients.py) and answers None when the
goal's condition holds, else one sentence saying what is still wrong, in the words of the system that shows it.

A check is a mapping with a `kind` and that kind's keys (below); `says:` replaces the generated sentence with
the lab author's own. Expected attribute values are compared as the APIs give them (texts); a value written
`>=N` or `<=N` is compared as a number, `!=X` as "anything but X".

The kinds and where they look:
  apic_object     dn [class, attributes]      GET /api/mo/DN.json: the object exists (of that class, with those values)
  apic_absent     dn                          GET /api/mo/DN.json: the object does not exist
  apic_children   dn class names              the DN's children of the class include every name
  apic_count      path [class min max]        the objects a REST query answers, counted
  port_mtu        group min                   the L2 MTU policy a leaf access port policy group takes (fabricMtu)
  signed_request  user cert key|secret        a request signed with the key (a file, or a Secret's item) is accepted
  rhv_object      collection name [attributes] GET /ovirt-engine/api/COLLECTION?search=name=NAME
  rhv_vm_host     vm host [status]            the VM runs on the host
  rhv_host_network host network               the host has the logical network attached
  k8s_object      path [fields]               GET PATH of the Kubernetes API, fields by dotted path
  node_prepared   node                        GET /_sim/k8s/preparation: the node's preparation passed
  flow            from to [proto port verdict] POST /_sim/fabric/flow: the zoning rules' verdict
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

Wrong = str | None


@dataclass(frozen=True)
class CheckKind:
    run: Callable[..., Wrong]
    keys: tuple[tuple[str, ...], tuple[str, ...]]  # (required, optional)
    types: dict[str, str] = field(default_factory=dict)


CHECK_KINDS: dict[str, CheckKind] = {}


def kind(kind_name: str, required: tuple[str, ...], optional: tuple[str, ...] = (), /, **types: str):
    """Register a check kind: its required and optional keys, and the type of each key's value."""
    def register(run):
        CHECK_KINDS[kind_name] = CheckKind(run, (required, (*optional, "says")), {"says": "text", **types})
        return run
    return register


def run_check(clients, check: dict, base: Path) -> tuple[Wrong, Wrong]:
    """(the sentence to show, the generated detail) for one check; (None, None) when it holds."""
    wrong = CHECK_KINDS[check["kind"]].run(clients, check, base)
    if wrong is None:
        return None, None
    return check.get("says", wrong), wrong


# --- APIC ---------------------------------------------------------------------------------------------

def _mo(clients, dn: str) -> tuple[str, dict] | None:
    """(class, attributes) of the object at DN, or None when the APIC has none."""
    answer = clients.apic("GET", f"/api/mo/{quote(dn, safe='/[]-_.:')}.json")
    imdata = (answer.json() or {}).get("imdata", [])
    for item in imdata:
        cls, content = next(iter(item.items()))
        if cls != "error":
            return cls, content.get("attributes", {})
    return None


def _differences(found: dict, expected: dict) -> list[str]:
    wrong = []
    for name, want in expected.items():
        have = found.get(name)
        if not matches(have, want):
            wrong.append(f"{name} {repr(have) if have is not None else 'not set'}, not {want}")
    return wrong


def matches(have, want) -> bool:
    """`have` (a value an API gave) is what `want` (a lab file's expectation) asks for."""
    if isinstance(want, str) and want.startswith("!="):
        return have is None or str(have) != want[2:]
    if have is None:
        return False
    if isinstance(want, str) and want[:2] in (">=", "<=") and want[2:].strip().lstrip("-").isdigit():
        try:
            number = float(have)
        except (TypeError, ValueError):
            return False
        bound = float(want[2:])
        return number >= bound if want[:2] == ">=" else number <= bound
    if isinstance(want, bool):
        return str(have).lower() == str(want).lower()
    return str(have) == str(want)


@kind("apic_object", ("dn",), ("class", "attributes"), dn="text", **{"class": "text", "attributes": "a mapping"})
def apic_object(clients, check, base) -> Wrong:
    found = _mo(clients, check["dn"])
    if found is None:
        return f"The APIC has no object {check['dn']}."
    cls, attributes = found
    if check.get("class") and cls != check["class"]:
        return f"The APIC's {check['dn']} is a {cls}, not a {check['class']}."
    wrong = _differences(attributes, check.get("attributes") or {})
    return f"The APIC's {check['dn']} has {'; '.join(wrong)}." if wrong else None


@kind("apic_absent", ("dn",), dn="text")
def apic_absent(clients, check, base) -> Wrong:
    found = _mo(clients, check["dn"])
    return f"The APIC still has {check['dn']} ({found[0]})." if found else None


@kind("apic_children", ("dn", "class", "names"), dn="text", names="a list of texts", **{"class": "text"})
def apic_children(clients, check, base) -> Wrong:
    cls = check["class"]
    if _mo(clients, check["dn"]) is None:
        return f"The APIC has no object {check['dn']}."
    answer = clients.apic("GET", f"/api/mo/{quote(check['dn'], safe='/[]-_.:')}.json?query-target=children"
                                 f"&target-subtree-class={cls}")
    names = {next(iter(item.values()))["attributes"].get("name") for item in (answer.json() or {}).get("imdata", [])
             if cls in item}
    missing = [n for n in check["names"] if n not in names]
    if missing:
        return f"The APIC's {check['dn']} has no {cls} named {', '.join(missing)}."
    return None


@kind("apic_count", ("path",), ("class", "min", "max"), path="text", min="a whole number", max="a whole number",
      **{"class": "text"})
def apic_count(clients, check, base) -> Wrong:
    answer = clients.apic("GET", check["path"])
    if not answer.ok:
        return f"The APIC refused the query {check['path']} (HTTP {answer.status})."
    imdata = (answer.json() or {}).get("imdata", [])
    count = sum(1 for item in imdata if not check.get("class") or check["class"] in item)
    what = check.get("class", "object")
    if "min" in check and count < check["min"]:
        return f"The query {check['path']} finds {count} {what}, not at least {check['min']}."
    if "max" in check and count > check["max"]:
        names = [next(iter(item.values()))["attributes"].get("dn", "") for item in imdata][:3]
        return f"The query {check['path']} finds {count} {what} ({', '.join(names)}), not at most {check['max']}."
    return None


@kind("port_mtu", ("group", "min"), group="text", min="a whole number")
def port_mtu(clients, check, base) -> Wrong:
    """The L2 MTU of the ports of a leaf access port policy group: the fabricMtu of the l2InstPol its
    infraRsL2InstPol names (tDn, as the class catalog has it; none is uni/fabric/l2pol-default); 9000 when the
    APIC holds no such policy (the class's default fabricMtu in the catalog)."""
    group = f"uni/infra/funcprof/accportgrp-{check['group']}"
    if _mo(clients, group) is None:
        return f"The APIC has no access port policy group {group}."
    relation = _mo(clients, f"{group}/rsl2InstPol")
    target = (relation[1].get("tDn") if relation else "") or "uni/fabric/l2pol-default"
    name = target.rsplit("/l2pol-", 1)[-1]
    policy = _mo(clients, target)
    mtu = int(policy[1].get("fabricMtu", 9000)) if policy else 9000
    if mtu < check["min"]:
        return (f"The ports of policy group {check['group']} take the L2 MTU policy {name} of {mtu} bytes, "
                f"less than the {check['min']} the node needs.")
    return None


@kind("signed_request", ("user", "cert"), ("key", "secret"), user="text", cert="text", key="text", secret="text")
def signed_request(clients, check, base) -> Wrong:
    """A request signed as the user's certificate with a private key: a PEM file of the lab (`key`), or the item
    of a Kubernetes Secret (`secret: NAMESPACE/NAME/ITEM`, read over the Kubernetes API, as the CNI controller
    reads its Secret) is accepted by the APIC."""
    from werkzeug.test import Client

    from ..apic import signing

    if "secret" in check:
        key, where = _secret_item(clients, check["secret"])
        if key is None:
            return where
    elif "key" in check:
        key, where = (base / check["key"]).read_text(encoding="utf-8"), check["key"]
    else:
        return "The check names no key: give key (a file) or secret (NAMESPACE/NAME/ITEM)."
    dn = f"uni/userext/user-{check['user']}/usercert-{check['cert']}"
    path = f"/api/mo/uni/userext/user-{check['user']}.json"
    try:
        cookies = signing.sign_request(key, dn, "GET", path)
    except (ValueError, TypeError):
        return f"{where} holds no RSA private key in PEM form."
    answer = Client(clients.lab.apic_app(), use_cookies=False).get(path, headers={"Cookie": signing.cookie_header(cookies)})
    if answer.status_code != 200:
        text = answer.get_data(as_text=True)
        try:
            said = json.loads(text)["imdata"][0]["error"]["attributes"]["text"]
        except (ValueError, KeyError, IndexError, TypeError):
            said = text[:120]
        return f"The APIC refuses requests signed with the key of {where} as {dn} (HTTP {answer.status_code}: {said})."
    return None


def _secret_item(clients, named: str) -> tuple[str | None, str]:
    """(the text of a Secret's item, how to name it) or (None, the sentence saying why there is none)."""
    import base64

    namespace, _, rest = named.partition("/")
    name, _, item = rest.partition("/")
    answer = clients.k8s("GET", f"/api/v1/namespaces/{namespace}/secrets/{name}")
    where = f"the Secret {namespace}/{name} ({item})"
    if answer.status == 404:
        return None, f"The Kubernetes API has no Secret {name} in {namespace}."
    data = ((answer.json() or {}).get("data") or {}).get(item)
    if data is None:
        return None, f"The Secret {namespace}/{name} has no item {item}."
    try:
        return base64.b64decode(data).decode("utf-8"), where
    except (ValueError, UnicodeDecodeError):
        return None, f"The item {item} of the Secret {namespace}/{name} is not base64 of a text."


# --- RHV Manager -----------------------------------------------------------------------------------------

def _rhv_named(clients, collection: str, name: str) -> dict | None:
    answer = clients.rhv("GET", f"{collection}?search=name%3D{quote(name)}")
    items = (answer.json() or {}).get(collection.rstrip("s"), [])
    return next((item for item in items if item.get("name") == name), None)


def _field(document, dotted: str):
    for part in dotted.split("."):
        if isinstance(document, list) and part.isdigit() and int(part) < len(document):
            document = document[int(part)]
        elif isinstance(document, dict):
            document = document.get(part)
        else:
            return None
    return document


@kind("rhv_object", ("collection", "name"), ("attributes",), collection="text", name="text", attributes="a mapping")
def rhv_object(clients, check, base) -> Wrong:
    found = _rhv_named(clients, check["collection"], check["name"])
    what = check["collection"].rstrip("s")
    if found is None:
        return f"The RHV Manager has no {what} named {check['name']}."
    wrong = [f"{k} {_field(found, k)!r}, not {v}" for k, v in (check.get("attributes") or {}).items()
             if not matches(_field(found, k), v)]
    return f"The {what} {check['name']} of the RHV Manager has {'; '.join(wrong)}." if wrong else None


@kind("rhv_vm_host", ("vm", "host"), ("status",), vm="text", host="text", status="text")
def rhv_vm_host(clients, check, base) -> Wrong:
    vm = _rhv_named(clients, "vms", check["vm"])
    host = _rhv_named(clients, "hosts", check["host"])
    if vm is None or host is None:
        return f"The RHV Manager has no {'VM' if vm is None else 'host'} named " \
               f"{check['vm'] if vm is None else check['host']}."
    on = (vm.get("host") or {}).get("id")
    status = check.get("status", "up")
    if on != host["id"] or vm.get("status") != status:
        where = next((h["name"] for h in (clients.rhv("GET", "hosts").json() or {}).get("host", [])
                      if h.get("id") == on), "no host")
        return f"The VM {check['vm']} is {vm.get('status')} on {where}, not {status} on {check['host']}."
    return None


@kind("rhv_host_network", ("host", "network"), host="text", network="text")
def rhv_host_network(clients, check, base) -> Wrong:
    host = _rhv_named(clients, "hosts", check["host"])
    network = _rhv_named(clients, "networks", check["network"])
    if host is None or network is None:
        return f"The RHV Manager has no {'host' if host is None else 'logical network'} named " \
               f"{check['host'] if host is None else check['network']}."
    attachments = (clients.rhv("GET", f"hosts/{host['id']}/networkattachments").json() or {}).get(
        "network_attachment", [])
    if not any((a.get("network") or {}).get("id") == network["id"] for a in attachments):
        return f"The host {check['host']} has no NIC carrying the logical network {check['network']}."
    return None


# --- Kubernetes and the lab --------------------------------------------------------------------------------

@kind("k8s_object", ("path",), ("fields",), path="text", fields="a mapping")
def k8s_object(clients, check, base) -> Wrong:
    answer = clients.k8s("GET", check["path"])
    if answer.status == 404:
        return f"The Kubernetes API has no {check['path']}."
    document = answer.json() or {}
    wrong = [f"{k} {_field(document, k)!r}, not {v}" for k, v in (check.get("fields") or {}).items()
             if not matches(_field(document, k), v)]
    return f"The Kubernetes API's {check['path']} has {'; '.join(wrong)}." if wrong else None


@kind("node_prepared", ("node",), node="text")
def node_prepared(clients, check, base) -> Wrong:
    nodes = (clients.sim("GET", "/_sim/k8s/preparation").json() or {}).get("nodes", [])
    node = next((n for n in nodes if n.get("node") == check["node"]), None)
    if node is None:
        return f"The cluster has no node {check['node']}."
    if not node.get("prepared"):
        return f"The node checks of {check['node']} have not passed: {node.get('reason') or 'no reason given'}."
    return None


@kind("flow", ("from", "to"), ("proto", "port", "verdict"), **{"from": "text", "to": "text", "proto": "text",
                                                                "port": "a whole number", "verdict": "text"})
def flow(clients, check, base) -> Wrong:
    ask = {"from": check["from"], "to": check["to"], "proto": check.get("proto", "tcp"), "port": check.get("port")}
    answer = clients.sim("POST", "/_sim/fabric/flow", ask)
    document = answer.json() or {}
    shown = f"{_end(check['from'])} -> {_end(check['to'])} {ask['proto']}" + (
        f"/{ask['port']}" if ask["port"] is not None else "")
    if not answer.ok:
        return f"The fabric cannot tell the verdict of {shown}: {document.get('error', answer.text[:120])}."
    want = check.get("verdict", "permit")
    if document.get("verdict") != want:
        rule = document.get("rule") or {}
        why = f"by the contract {rule['contract']}" if rule.get("contract") else "by the VRF's default rule"
        return f"The fabric's verdict on {shown} is {document.get('verdict')} {why}, not {want}."
    return None


def _end(given: str) -> str:
    """An end of a flow as a sentence names it: an EPG DN as `EPG tenant/ap/epg`, anything else as given."""
    match = re.fullmatch(r"uni/tn-([^/]+)/ap-([^/]+)/epg-([^/]+)", given)
    return f"EPG {'/'.join(match.groups())}" if match else given
