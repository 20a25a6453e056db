"""The catalog knows every class the pinned cisco.aci 2.13.0 modules name, with the RN formats they build.

A module's own read names its class, its RN and its `child_classes` (sent as `rsp-subtree-class`): one
class the catalog lacks and the APIC simulator answers 400 "unresolved class" before the module writes
anything (issue 12). So the classes are read from the INSTALLED collection's source with `ast`, in the
contexts where the modules put class names, never by a list kept by hand:

* the value of a keyword argument, assignment or dict key whose name ends in `class`, `classes` or
  `class_name` (aci_class, child_classes, parent_class, attribute_class, `class`, ...);
* payload keys: `X=dict(attributes=...)` and `{"X": {"attributes": ...}}` (or `children=`);
* a dict key whose value is a dict giving its `rn` (constants.SWITCH_CONFIG_FORMAT_MAP);
* the values of the `*_LABEL_MAPPING` dicts of module_utils/constants.py (provider=/consumer= map to the
  label classes aci_epg_to_contract posts as children);
* the key a module reads from an answer: `aci.existing[0].get("X")`, `aci.imdata[0].get("X")` (answers are
  keyed by class);
* class names inside strings: `rsp-subtree-class=` / `target-subtree-class=` (and those keys in a query
  dict), `class/X.json` URLs, and filters such as `eq(X.attr,"v")`.

Only strings shaped like an APIC class name (lower-case package, then an upper-case letter) count, so
attribute names given as values elsewhere (arpFlood, ipLearning) are never taken for classes.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import ansible_collections.cisco.aci as cisco_aci
import pytest
from playbooks import ANSIBLE_DIR, run_on_fresh_lab
from rest_session import ApicRest

from simulator.apic.mit.catalog import default_catalog
from simulator.apic.mit.dn import DnError, RnFormat
from simulator.lab import Lab, LabOptions

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

PLUGINS = Path(next(iter(cisco_aci.__path__))) / "plugins"
SOURCES = sorted((PLUGINS / "modules").glob("*.py")) + sorted((PLUGINS / "module_utils").glob("*.py"))

CLASS_SHAPE = re.compile(r"^[a-z][a-z0-9]*[A-Z][A-Za-z0-9]*$")
CLASS_NAME_KEY = re.compile(r"(class|classes|class_name)$", re.IGNORECASE)
NOT_CLASS_NAME_KEY = {"__metaclass__"}
SUBTREE_KEYS = ("rsp-subtree-class", "target-subtree-class")
IN_STRING = (
    re.compile(r"(?:rsp|target)-subtree-class=([A-Za-z0-9,]+)"),
    re.compile(r"class/([A-Za-z0-9]+)\.(?:json|xml)"),
    re.compile(r"\b(?:eq|ne|lt|gt|le|ge|bw|wcard|anybit|allbits)\(\s*([A-Za-z][A-Za-z0-9]*)\."),
)
RN_KEYS = (("aci_class", "aci_rn"), ("aci_class", "aci_mo"), ("class", "rn"), ("class_name", "rn"),
           ("attribute_class", "rn_format"), ("epg_class", "epg_rn"))
LEVELS = ("root_class", *(f"subclass_{n}" for n in range(1, 7)))
PLACEHOLDER = re.compile(r"\{[^}]*\}")

# A module that labels an object with the wrong class name. The name never reaches the APIC: a 4-level
# construct_url (module_utils/aci.py `_construct_url_4`) sends the object's class and only the RNs of its
# parents, never a parent's aci_class; the RN each builds is the real class's, so the RN is checked against it.
SLIPS = {
    ("mgmtInb", "aci_static_node_mgmt_address.py"): "mgmtInB",  # its EPG parent, rn inb-{0}
    ("mgmtOob", "aci_static_node_mgmt_address.py"): "mgmtOoB",  # its EPG parent, rn oob-{0}
    ("fvAEPg", "aci_esg_to_contract.py"): "fvESg",  # its ESG parent, rn esg-{0}
}


# ----------------------------------------------------------------------------------------- extraction


def _strings(node: ast.AST) -> Iterator[str]:
    """The string literals a value can evaluate to (lists, conditionals, concatenations)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        for elt in node.elts:
            yield from _strings(elt)
    elif isinstance(node, ast.IfExp):
        yield from _strings(node.body)
        yield from _strings(node.orelse)
    elif isinstance(node, ast.BinOp):
        yield from _strings(node.left)
        yield from _strings(node.right)


def _items(node: ast.AST) -> dict[str, ast.AST]:
    """The literal keys of a `dict(...)` call or a `{...}` display with their values."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
        return {kw.arg: kw.value for kw in node.keywords if kw.arg}
    if isinstance(node, ast.Dict):
        return {k.value: v for k, v in zip(node.keys, node.values, strict=True)
                if isinstance(k, ast.Constant) and isinstance(k.value, str)}
    return {}


def _named_values(node: ast.AST) -> Iterator[tuple[str, ast.AST]]:
    """(name, value) of keyword arguments, simple assignments and literal dict keys."""
    if isinstance(node, ast.keyword) and node.arg:
        yield node.arg, node.value
    elif isinstance(node, ast.Assign):
        for target in node.targets:
            if isinstance(target, ast.Name):
                yield target.id, node.value
    elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
        yield node.target.id, node.value
    elif isinstance(node, ast.Dict):
        yield from _items(node).items()


def _reads_an_answer(node: ast.AST) -> bool:
    """`aci.existing[n]` or `aci.imdata[n]`: one MO of an APIC answer, a dict keyed by its class."""
    return isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) \
        and node.value.attr in ("existing", "imdata")


def classes_in(tree: ast.AST) -> Iterator[tuple[str, str]]:
    """(class name, context) for every class name the source uses."""
    for node in ast.walk(tree):
        for name, value in _named_values(node):
            if CLASS_NAME_KEY.search(name) and name not in NOT_CLASS_NAME_KEY:
                for text in _strings(value):
                    yield text, name
            if name in SUBTREE_KEYS:
                for text in _strings(value):
                    for part in text.split(","):
                        yield part, name
            body = _items(value)
            if "attributes" in body or "children" in body:
                yield name, "payload"
            elif "rn" in body:
                yield name, "rn mapping"
            if name.endswith("_LABEL_MAPPING") and isinstance(node, ast.Assign):
                for label_class in _items(value).values():
                    yield from ((text, name) for text in _strings(label_class))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" \
                and node.args and _reads_an_answer(node.func.value):
            yield from ((text, "answer key") for text in _strings(node.args[0]))
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            for pattern in IN_STRING:
                for match in pattern.finditer(node.value):
                    for part in match.group(1).split(","):
                        yield part, "string"


def rn_pairs(tree: ast.AST) -> Iterator[tuple[str, str]]:
    """(class, RN template) for each literal pair such as dict(aci_class="fvTenant", aci_rn="tn-{0}")."""
    for node in ast.walk(tree):
        body = _items(node)
        for class_key, rn_key in RN_KEYS:
            pair = _literal_pair(body.get(class_key), body.get(rn_key))
            if pair:
                yield pair


def _literal_pair(cls: ast.AST | None, rn: ast.AST | None) -> tuple[str, str] | None:
    """(class, RN template) when both are literals; `"tn-{0}".format(x)` counts as the template."""
    if isinstance(rn, ast.Call) and isinstance(rn.func, ast.Attribute) and rn.func.attr == "format":
        rn = rn.func.value
    if isinstance(cls, ast.Constant) and isinstance(rn, ast.Constant) and isinstance(rn.value, str):
        return cls.value, rn.value
    return None


def url_chains(tree: ast.AST) -> Iterator[list[tuple[str, str]]]:
    """The (class, RN template) levels of each construct_url call whose levels are all literal pairs."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "construct_url":
            levels = {kw.arg: kw.value for kw in node.keywords if kw.arg in LEVELS}
            pairs = [_literal_pair(_items(levels[k]).get("aci_class"), _items(levels[k]).get("aci_rn"))
                     for k in LEVELS if k in levels]
            if pairs and all(pairs):
                yield pairs


def _last_rn(template: str) -> str:
    """The last RN of a relative DN template ("infra/funcprof/accportgrp-{0}"): `/` inside [] is kept."""
    depth, start = 0, 0
    for pos, char in enumerate(template):
        depth += {"[": 1, "]": -1}.get(char, 0)
        if char == "/" and depth == 0:
            start = pos + 1
    return template[start:]


def scan() -> tuple[dict[str, set[str]], set[tuple[str, str, str]], list[tuple[list[tuple[str, str]], str]]]:
    """{class: {module file (context), ...}}, {(class, rn template, module file)} and the construct_url
    chains [([(class, rn template), ...], module file)] of the collection."""
    found: dict[str, set[str]] = {}
    rns: set[tuple[str, str, str]] = set()
    chains: list[tuple[list[tuple[str, str]], str]] = []
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for name, context in classes_in(tree):
            if CLASS_SHAPE.match(name):
                found.setdefault(name, set()).add(f"{path.name} ({context})")
        rns.update((cls, rn, path.name) for cls, rn in rn_pairs(tree))
        chains.extend((chain, path.name) for chain in url_chains(tree))
    return found, rns, chains


@pytest.fixture(scope="module")
def scanned() -> tuple:
    return scan()


# -------------------------------------------------------------------------------------------- checks


def test_the_scan_reads_the_installed_collection(scanned):
    found, rns, _ = scanned
    assert (PLUGINS / "modules" / "aci_l3out.py").is_file()
    # contexts that must keep working: a child class, a constants mapping value, a payload key, a filter
    assert "eigrpExtP" in found and "vzProvSubjLbl" in found and "pimBDFilterPol" in found
    assert "aci_config_snapshot.py (answer key)" in found["configJobCont"]
    assert any("string" in where for where in found["fvTenant"])
    assert ("fvTenant", "tn-{0}", "aci_tenant.py") in rns
    assert not {"arpFlood", "ipLearning", "tnFvCtxName", "tnVzBrCPName"} & set(found)


def test_every_class_the_modules_name_is_in_the_catalog(scanned):
    found, _, _ = scanned
    catalog = default_catalog()
    missing = []
    for cls, where in sorted(found.items()):
        files = {w.split(" ", 1)[0] for w in where}
        if cls in catalog or all(SLIPS.get((cls, f)) in catalog for f in files):
            continue
        missing.append(f"{cls}: {', '.join(sorted(where)[:3])}")
    assert not missing, f"{len(missing)} classes the cisco.aci modules name are not in the catalog:\n" + \
        "\n".join(missing)


def test_slips_are_still_in_the_modules(scanned):
    """The exceptions above stay honest: each names a class its module still carries, and its real class."""
    found, rns, _ = scanned
    for (cls, module), real in SLIPS.items():
        assert any(w.startswith(module) for w in found.get(cls, ())), (cls, module)
        assert real in default_catalog() and any(c == cls and m == module for c, _, m in rns), (cls, module)


def _sample(template: str) -> str:
    """The template with each placeholder filled by a distinct plain value."""
    count = iter(range(100))
    return PLACEHOLDER.sub(lambda _: f"s{next(count)}", template)


def rn_fits(module_rn: str, catalog_rn: RnFormat) -> bool:
    """True when the RN a module builds is one the catalog's RN format resolves to the same naming values.

    The same literal text with placeholders in the same places fits. So does a module placeholder
    wrapped in brackets the format lacks: the APIC reads `lifp-[x]` as `lifp-x` (issue 12, a naming value
    may be bracketed). Two other module habits fit when the sample RNs agree: a fixed part written into
    the template ("hports-{0}-typ-range", "nodeblk-blk{0}-{0}") parses with the format, and one module
    value that carries several naming parts ("vlanns-{0}" given "[pool]-static") or a parent path prefix
    ("{0}addr-[{1}]") matches the format's own sample.
    """
    module_norm, catalog_norm = PLACEHOLDER.sub("{}", module_rn), PLACEHOLDER.sub("{}", catalog_rn.text)
    if module_norm in (catalog_norm, catalog_norm.replace("{}", "[{}]")) or \
            module_norm.replace("[{}]", "{}") == catalog_norm:
        return True
    values = catalog_rn.parse(_sample(module_rn))
    if values is not None and not any(v.startswith("[") and v.endswith("]") for v in values.values()):
        return True
    pattern = "".join(".*" if part == "{}" else re.escape(part) for part in re.split(r"(\{\})", module_norm))
    return re.fullmatch(pattern, _sample(catalog_rn.text)) is not None


def test_module_rn_templates_match_the_catalog(scanned):
    _, rns, _ = scanned
    catalog = default_catalog()
    wrong = []
    for cls, template, module in sorted(rns):
        cls = SLIPS.get((cls, module), cls)
        if cls not in catalog:
            continue
        meta = catalog.get(cls)
        rn = _last_rn(template)
        if rn.endswith("-") and "{" not in rn:
            rn += "{}"  # a prefix the module appends the name to (constants.ACI_CLASS_MAPPING "rscons-")
        if meta.rn is None:
            wrong.append(f"{cls}: {module} builds {rn!r}, the catalog has no rn")
        elif "{" in rn and not rn_fits(rn, meta.rn) or "{" not in rn and meta.rn.parse(rn) is None:
            wrong.append(f"{cls}: {module} builds {rn!r}, the catalog has {meta.rn.text!r}")
    assert not wrong, f"{len(wrong)} RN mismatches:\n" + "\n".join(wrong)


def _rns(template: str) -> list[str]:
    """The RNs of a relative DN template, split at `/` outside brackets."""
    out, depth, start = [], 0, 0
    for pos, char in enumerate(template):
        depth += {"[": 1, "]": -1}.get(char, 0)
        if char == "/" and depth == 0:
            out.append(template[start:pos])
            start = pos + 1
    return out + [template[start:]]


def chain_dn(chain: list[tuple[str, str]], module: str) -> tuple[str, list[tuple[int, str]]] | None:
    """A DN built the way the module builds its URL (each level's own RN from the catalog's format with
    sample values, the RNs a template puts before it as written), with the class expected at each level."""
    catalog = default_catalog()
    rns: list[str] = []
    expected: list[tuple[int, str]] = []
    for cls, template in chain:
        cls = SLIPS.get((cls, module), cls)
        *before, own = _rns(template)
        if not CLASS_SHAPE.match(cls):  # a module's own label for a container ("infra", "fabric")
            rns.extend(_sample(rn) for rn in (*before, own))
            continue
        if cls not in catalog or catalog.get(cls).rn is None:
            return None  # reported by the class and RN checks
        rns.extend(_sample(rn) for rn in before)
        rns.append(_sample(catalog.get(cls).rn.text) if "{" in own else own)
        expected.append((len(rns) - 1, cls))
    return "uni/" + "/".join(rns), expected


def test_module_url_chains_resolve_in_the_catalog(scanned):
    """Each construct_url chain names a DN whose every level the catalog places under the level above."""
    _, _, chains = scanned
    catalog = default_catalog()
    wrong = set()
    for chain, module in chains:
        built = chain_dn(chain, module)
        if built is None:
            continue
        dn, expected = built
        try:
            path = catalog.resolve_dn(dn)
        except DnError as exc:
            wrong.add(f"{module}: {' > '.join(c for c, _ in chain)}: {exc}")
            continue
        for pos, cls in expected:
            if not catalog.is_a(path[pos + 1][0].name, cls):
                wrong.add(f"{module}: {dn} level {pos + 1} resolves to {path[pos + 1][0].name}, not {cls}")
    assert not wrong, f"{len(wrong)} module URLs the catalog does not resolve:\n" + "\n".join(sorted(wrong))


def test_rn_fits_tells_formats_apart():
    """The RN comparison accepts the module habits it documents and nothing looser."""
    catalog = default_catalog()
    assert rn_fits("tn-{0}", catalog.get("fvTenant").rn)
    assert rn_fits("lifp-[{0}]", catalog.get("l3extLIfP").rn)
    assert rn_fits("vlanns-{0}", catalog.get("fvnsVlanInstP").rn)
    assert rn_fits("hports-{0}-typ-range", catalog.get("infraHPortS").rn)
    assert not rn_fits("esg-{0}", catalog.get("fvAEPg").rn)
    assert not rn_fits("ctx-{0}", catalog.get("fvTenant").rn)
    assert not rn_fits("rsctx-{0}", catalog.get("fvRsCtx").rn)


# -------------------------------------------------------------------------------- the classes, served
# For each class issue 12 names: the parents to post first, the module's own read of the parent (path and
# query as the module builds them), the DN and body a client posts, and what the APIC answers back.
TENANT = {"fvTenant": {"attributes": {"name": "t"}, "children": [
    {"l3extOut": {"attributes": {"name": "o"}}},
    {"vzBrCP": {"attributes": {"name": "c"}}},
    {"fvBD": {"attributes": {"name": "b"}, "children": [{"pimBDP": {"attributes": {}}}]}},
    {"fvAp": {"attributes": {"name": "a"}, "children": [{"fvAEPg": {"attributes": {"name": "e"}, "children": [
        {"fvRsProv": {"attributes": {"tnVzBrCPName": "c"}}},
        {"fvRsCons": {"attributes": {"tnVzBrCPName": "c"}}}]}}]}}]}}
ACCESS = [  # posted to their own DNs, as the modules do
    ("uni/infra/vsanns-[p]-static", {"fvnsVsanInstP": {"attributes": {"name": "p", "allocMode": "static"}}}),
    ("uni/infra/funcprof/accportgrp-g", {"infraAccPortGrp": {"attributes": {"name": "g"}}}),
    ("uni/infra/funcprof/accbundle-g", {"infraAccBndlGrp": {"attributes": {"name": "g", "lagT": "link"}}}),
    ("uni/infra/funcprof/spaccportgrp-g", {"infraSpAccPortGrp": {"attributes": {"name": "g"}}}),
]
EPG = "uni/tn-t/ap-a/epg-e"
L3OUT_READ = "bgpExtP,eigrpExtP,l3extRsEctx,l3extRsL3DomAtt,ospfExtP,pimExtP"  # aci_l3out's (its integration test)
BD_READ = ",".join(sorted("""fvRsCtx fvRsIgmpsn fvRsBDToNdP fvRsBdToEpRet fvRsBDToProfile fvRsMldsn igmpIfP igmpRsIfPol
    fvAccP fvRsABDPolMonPol fvRsBDToFhs pimBDP pimBDFilterPol pimBDSrcFilterPol pimBDDestFilterPol
    rtdmcRsFilterToRtMapPol""".split()))  # aci_bd's child_classes on 6.x
PORT_READ = ",".join(sorted("""infraRsAttEntP infraRsCdpIfPol infraRsFcIfPol infraRsHIfPol infraRsL2IfPol
    infraRsL2PortSecurityPol infraRsLacpPol infraRsLldpIfPol infraRsMcpIfPol infraRsMonIfInfraPol
    infraRsQosEgressDppIfPol infraRsQosIngressDppIfPol infraRsQosPfcIfPol infraRsQosSdIfPol infraRsStormctrlIfPol
    infraRsStpIfPol infraRsSynceEthIfPol infraRsOpticsIfPol""".split()))  # aci_interface_policy_leaf_policy_group's
BNDL_READ = PORT_READ.replace("infraRsOpticsIfPol,", "").replace("infraRsSynceEthIfPol", "infraRsSynceEthIfPolBndlGrp")
SPINE_READ = "infraRsAttEntP,infraRsCdpIfPol,infraRsHIfPol,infraRsLinkFlapPol,infraRsMacsecIfPol"
FILTER = "uni/tn-t/BD-b/pimbdp/pimbdfilterp"
LABEL_DEFAULTS = {"tag": "yellow-green", "isComplement": "no", "descr": ""}
SERVED = [  # class, parent to read, its rsp-subtree-class, DN, attributes posted, attributes answered
    ("eigrpExtP", "uni/tn-t/out-o", L3OUT_READ, "uni/tn-t/out-o/eigrpExtP", {"asn": "1"}, {"asn": "1"}),
    ("vzProvLbl", f"{EPG}/rsprov-c", "vzProvLbl,vzProvSubjLbl", f"{EPG}/rsprov-c/provlbl-l", {"name": "l"},
     LABEL_DEFAULTS),
    ("vzProvSubjLbl", f"{EPG}/rsprov-c", "vzProvLbl,vzProvSubjLbl", f"{EPG}/rsprov-c/provsubjlbl-s", {"name": "s"},
     LABEL_DEFAULTS),
    ("vzConsLbl", f"{EPG}/rscons-c", "vzConsLbl,vzConsSubjLbl", f"{EPG}/rscons-c/conslbl-l", {"name": "l"},
     LABEL_DEFAULTS),
    ("vzConsSubjLbl", f"{EPG}/rscons-c", "vzConsLbl,vzConsSubjLbl", f"{EPG}/rscons-c/conssubjlbl-s", {"name": "s"},
     LABEL_DEFAULTS),
    ("fvnsVsanEncapBlk", "uni/infra/vsanns-[p]-static", "fvnsVsanEncapBlk",
     "uni/infra/vsanns-[p]-static/vsanfrom-[vsan-20]-to-[vsan-40]", {"from": "vsan-20", "to": "vsan-40"},
     {"from": "vsan-20", "to": "vsan-40", "allocMode": "inherit"}),
    ("pimBDFilterPol", "uni/tn-t/BD-b", BD_READ, FILTER, {}, {}),
    ("pimBDSrcFilterPol", "uni/tn-t/BD-b", BD_READ, f"{FILTER}/pimbdsrcfilterp", {}, {}),
    ("pimBDDestFilterPol", "uni/tn-t/BD-b", BD_READ, f"{FILTER}/pimbddestfilterp", {}, {}),
    ("infraRsSynceEthIfPol", "uni/infra/funcprof/accportgrp-g", PORT_READ,
     "uni/infra/funcprof/accportgrp-g/rssynceEthIfPol", {"tnSynceEthIfPolName": "se"}, {"tnSynceEthIfPolName": "se"}),
    ("infraRsOpticsIfPol", "uni/infra/funcprof/accportgrp-g", PORT_READ,
     "uni/infra/funcprof/accportgrp-g/rsopticsIfPol", {"tDn": "uni/infra/zr-x"}, {"tDn": "uni/infra/zr-x"}),
    ("infraRsSynceEthIfPolBndlGrp", "uni/infra/funcprof/accbundle-g", BNDL_READ,
     "uni/infra/funcprof/accbundle-g/rssynceEthIfPolBndlGrp", {"tnSynceEthIfPolName": "se"},
     {"tnSynceEthIfPolName": "se"}),
    ("infraRsLinkFlapPol", "uni/infra/funcprof/spaccportgrp-g", SPINE_READ,
     "uni/infra/funcprof/spaccportgrp-g/rslinkFlapPol", {"tnFabricLinkFlapPolName": "lf"},
     {"tnFabricLinkFlapPolName": "lf"}),
]


@pytest.fixture(scope="module")
def apic(tmp_path_factory) -> Iterator[ApicRest]:
    """One lab with the parents of every served class (the tests post distinct objects, so they share it)."""
    lab = Lab(LabOptions(admin_password="secret"))
    lab.start(tls_dir=tmp_path_factory.mktemp("tls"))
    try:
        client = ApicRest(lab.apic_server.url)
        client.post_ok("uni/tn-t", TENANT)
        for dn, body in ACCESS:
            client.post_ok(dn, body)
        client.post_ok(FILTER, {"pimBDFilterPol": {"attributes": {}}})
        yield client
    finally:
        lab.stop()


def _subtree_classes(mo: dict) -> Iterator[tuple[str, dict]]:
    for cls, body in mo.items():
        yield cls, body["attributes"]
        for child in body.get("children", ()):
            yield from _subtree_classes(child)


@pytest.mark.parametrize(("cls", "parent", "subtree", "dn", "posted", "answered"), SERVED, ids=[c[0] for c in SERVED])
def test_the_module_read_and_a_post_of_the_class_work(apic, cls, parent, subtree, dn, posted, answered):
    params = {"rsp-subtree": "full", "rsp-subtree-class": subtree}
    assert apic.get(f"/api/mo/{parent}.json", **params).status_code == 200
    apic.post_ok(dn, {cls: {"attributes": posted}})
    [mo] = apic.imdata(f"/api/mo/{dn}.json")
    attrs = mo[cls]["attributes"]
    assert attrs["dn"] == dn and {k: attrs.get(k) for k in answered} == answered
    [tree] = apic.imdata(f"/api/mo/{parent}.json", **params)
    assert (cls, dn.rsplit("/", 1)[1]) in {(c, a.get("rn")) for c, a in _subtree_classes(tree)}, tree


# -------------------------------------------------------------------------------------- the real client
PLAYBOOK = ANSIBLE_DIR / "catalog_cisco_aci.yml"
TASKS = [f"{n:02d}" for n in range(1, 21)]
CHANGED = {"01", "02", "03", "06", "08", "09", "10", "11", "14", "16", "19"}


@pytest.mark.slow
def test_aci_l3out_and_aci_epg_to_contract_with_labels(tmp_path):
    run = run_on_fresh_lab(tmp_path, "catalog", PLAYBOOK)
    run.assert_ok(TASKS)
    assert run.changed() == CHANGED, run.summary()
    [l3out] = run.results["05"]["current"]
    assert {c: a["asn"] for c, a in _subtree_classes(l3out) if c == "eigrpExtP"} == {"eigrpExtP": "1"}
    for task, relation, labels in (("13", "fvRsProv", ("vzProvLbl", "vzProvSubjLbl")),
                                   ("18", "fvRsCons", ("vzConsLbl", "vzConsSubjLbl"))):
        found = {c: a.get("name") for mo in run.results[task]["current"] for c, a in _subtree_classes(mo)}
        assert relation in found, run.summary()
        assert {c: found.get(c) for c in labels} == dict(zip(labels, ("cat_contract_label", "cat_subject_label"),
                                                             strict=True)), run.summary()
