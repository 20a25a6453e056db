"""The catalog places every class the Kubernetes-side clients name, and the fabric state the coming VMM, endpoint,
contract and Kubernetes work writes.

A class the catalog lacks is answered 400 "unresolved class" before the client writes anything, so the clients'
own code is read: the installed acc-provision 6.1.1.7 (Python and its templates), the real aci-containers
controller (Go: its class list is derived once by tools/aci_containers_classes.py into data/, as CI has no mirror),
and our emulator of that controller (simulator/cni). A string counts as a class where the code uses it as one: an
object payload key (`{"X": {"attributes": ...}}`, `("X", OrderedDict([("attributes", ...)]))`), an object
builder's class (`aci_obj("X", ...)`, `Mo("X", ...)`), a reply read (`reply["X"]["attributes"]`), a URL or filter
(`class/X.json`, `target-subtree-class=`, `rsp-subtree-class=`, `eq(X.attr`). Two weaker uses (`"X" in reply`, a
comma list of names) count only for names of a known APIC package that no class has as a property, so attribute
names (`tDn`, `ipLearning`) and DN fragments (`rsTenantMonPol`) are never reported.

The fabric state (leaf zoning rules, LLDP/vPC/endpoint tables, VMM inventory, endpoints, graph instances) is
operational: a class query answers 200 with nothing in a new lab, and a client's POST is refused as a real APIC
refuses writing a non-configurable class.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import acc_provision
import pytest
import yaml
from rest_session import ApicRest

from simulator.lab import Lab, LabOptions

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

REPO = Path(__file__).resolve().parents[2]
CATALOG = REPO / "simulator" / "apic" / "mit" / "catalog.json"
ACC_PROVISION = Path(acc_provision.__file__).resolve().parent
CONTROLLER_CLASSES = Path(__file__).with_name("data") / "aci_containers_classes.txt"
EMULATOR = REPO / "simulator" / "cni"
OVERLAY = REPO / "tools" / "catalog_overlay" / "fabric_state.yaml"

# REST methods whose replies name themselves like classes; they are not stored objects.
NOT_STORED = {"aaaLogin", "aaaRefresh", "aaaLogout", "webtokenSession"}
# Names a client uses that no public source places (rn and parent unknown): each is reported, and the test
# fails once the catalog has it, so the entry goes when someone places the class.
UNPLACED = {
    "vmmnInjectedClusterDetails": "a misspelling in the controller's child-class table (apic_metadata.go, children of "
                                  "vmmInjectedClusterInfo); the real class is vmmInjectedClusterDetails",
    "vmmInjectedClusterSubnet": "only in the controller's child-class table (children of vmmInjectedClusterInfo); "
                                "no public source shows its rn",
    "opflexIDEp": "the controller's class query with eq(opflexIDEp.containerName,...) (services.go, OpenStack); "
                  "no public source shows its DN",
}

# The fabric state's classes with the properties ../shared/research/vmm-endpoints-contracts.md names (groups A-E),
# `prop:kind` where the kind is stated by a source.
FABRIC_STATE = {
    "compCtrlr": "operSt hostOrIp rootContName domName vendor model ser apiVer rev scope mode",
    "compRsHv": "tDn:dn",
    "compRsDlPol": "tDn:dn",
    "compEpPConn": "epgPKey encap portDn:dn hostDn:dn",
    "compEpPD": "epgPKey encap",
    "compRsNicAdj": "tDn:dn",
    "hvsExtPol": "name startEncap descr",
    "hvsRsEpPD": "tDn:dn",
    "fvReportingNode": "id createTs:date lcC",
    "fvRsHyper": "tDn:dn isBootstrapUpd",
    "fvRsToVm": "tDn:dn isBootstrapUpd",
    "fvRsVm": "tDn:dn",
    "fvRsToNic": "tDn:dn",
    "fvLocale": "id",
    "vnsLDevCtx": "ctrctNameOrLbl graphNameOrLbl nodeNameOrLbl",
    "vnsLIfCtx": "connNameOrLbl",
    "vmmInjectedHost": "name",
    "vmmInjectedNs": "name",
    "vmmInjectedDepl": "name",
    "vmmInjectedReplSet": "name",
    "vmmInjectedSvc": "name",
    "vmmInjectedContGrp": "name",
    "compHv": "name oid state mgmtIp guid type countUplink availAdminSt availOperSt enteringMaintenance",
    "compVm": "name oid state guid uuid cfgdOs os template type",
    "compVNic": "mac name oid ip operSt adapterType addressType guid",
    "compHpNic": "mac ip name oid",
    "compMgmtNic": "mac ip oid",
    "hvsAdj": "ifId nbrKey",
    "hvsLNode": "oid name",
    "hvsVNode": "oid name",
    "vmmEpPD": "epgPKey encap primaryEncap allocMode encapMode idConsumerDn:dn",
    "fvDyPathAtt": "targetDn",
    "fvIfConn": "encap addr",
    "fvEpP": "epgPKey pcTag scopeId",
    "troubleshootEpTransition": "id action date:date ip mac encap path tenant ap epg esg ctx subj:dn",
    "fvCEp": "mac encap baseEpgDn:dn bdDn:dn vrfDn:dn esgUsegDn:dn fabricPathDn:dn contName hostingServer id lcC "
             "mcastAddr name reportingControllerName uuid vmmSrc",
    "fvIp": "addr baseEpgDn:dn bdDn:dn createTs:date encap esgUsegDn:dn fabricPathDn:dn flags vrfDn:dn",
    "fvRsCEpToPathEp": "tDn:dn tCl lcC state forceResolve",
    "fvRsToEpIpTag": "tDn:dn",
    "fvPrimaryEncap": "primaryEncap",
    "faultInst": "code cause rule severity type subject domain changeSet lc delegated descr",
    "actrlInst": "",
    "actrlScope": "id",
    "actrlRule": "id fltId action:bitmask direction:enum operSt:enum sPcTag dPcTag scopeId type:enum prio:enum "
                 "markDscp qosGrp",
    "actrlFlt": "id",
    "actrlEntry": "name applyToFrag:enum arpOpc:enum dFromPort dToPort etherT:enum icmpv4T:enum icmpv6T:enum prot "
                  "sFromPort sToPort stateful:enum tcpRules:bitmask matchDscp:enum",
    "actrlRsToEpgConn": "tDn:dn",
    "actrlRuleHit5min": "ingrPktsCum egrPktsCum ingrPktsLast egrPktsLast pktsCum pktsLast",
    "vzRuleOwner": "creatorDn:dn tag action direction prio type",
    "vzObservableRuleOwner": "",
    "vzTrCreatedBy": "",
    "actrlRsToRedirDestGrp": "tDn:dn",
    "actrlRsToCopyDestGrp": "tDn:dn",
    "fvnsEncapBlkDef": "from to",
    "fvStPathAtt": "pathName",
    "fvExtStPathAtt": "pathName extChId",
    "fvAttEntityPathAtt": "pathName",
    "lldpIf": "id portDesc",
    "lldpAdjEp": "sysName sysDesc portDesc chassisIdV portIdV mgmtIp",
    "cdpIf": "id locDesc",
    "cdpAdjEp": "sysName portId platId ver devId",
    "l3Ctx": "name pcTag scope",
    "vlanCktEp": "encap epgDn:dn name id fabEncap pcTag",
    "l2RsPathDomAtt": "tDn:dn",
    "epmMacEp": "addr flags ifId pcTag createTs:date",
    "epmIpEp": "addr flags ifId pcTag createTs:date",
    "epmRsMacEpToIpEpAtt": "tDn:dn",
    "vpcDom": "id peerSt operSt",
    "vpcIf": "id accBndlGrpDn:dn fabricPathDn:dn localOperSt remoteOperSt",
    "opflexODev": "compHvDn ctrlrName devId devType domName encap fabricPathDn hostName id ip isSecondary lNodeDn "
                  "mac state operSt transitionStatus vmmCtrlrPKey uuid",
    "vnsGraphInst": "ctrctDn graphDn ctrctName graphName configSt:enum",
    "vnsNodeInst": "funcType:enum isCopy:enum routingMode:enum ctxName name",
    "vnsLegVNode": "id",
    "vnsEPgDef": "name encap fabEncap",
}

SYS = "topology/pod-1/node-101/sys"
INV = "comp/prov-Kubernetes/ctrlr-[kube]-kube"
HV = f"{INV}/hv-node-1"
EPG = "uni/tn-t/ap-a/epg-e"
CEP = f"{EPG}/cep-00:1A:4A:16:01:51"
PATH = "topology/pod-1/paths-101/pathep-[eth1/1]"
RULE = f"{SYS}/actrl/scope-2523136/rule-2523136-s-16398-d-16394-f-default"
CTX = f"{SYS}/ctx-[vxlan-2523136]"
VLAN = f"{CTX}/bd-[vxlan-15007704]/vlan-[vlan-101]"
DYATT = f"uni/epp/fv-[{EPG}]/node-101/dyatt-[{PATH}]"
GRAPH = "uni/tn-t/GraphInst_C-[uni/tn-t/brc-c]-G-[uni/tn-t/AbsGraph-g]-S-[uni/tn-t/ctx-v]"
# (class, an object's DN, its parent's class): the controller (a system write) makes the parent, a client then
# POSTs the object. A graph instance's children are left out: the lab renders graph instances from the contracts
# and drops one nothing backs, so a hand-made parent does not stay (tests/apic/test_service_graph.py covers them).
CONTROLLER_ONLY = [
    ("actrlInst", f"{SYS}/actrl", "topSystem"),
    ("actrlScope", f"{SYS}/actrl/scope-2523136", "actrlInst"),
    ("actrlRule", RULE, "actrlScope"),
    ("actrlFlt", f"{SYS}/actrl/filt-default", "actrlInst"),
    ("actrlEntry", f"{SYS}/actrl/filt-default/ent-default", "actrlFlt"),
    ("vzRuleOwner", f"{RULE}/own-[{CTX}]-tag-vrf", "actrlRule"),
    ("actrlRsToEpgConn", f"{RULE}/rstoEpgConn-[uni/tn-t/brc-c]", "actrlRule"),
    ("actrlRuleHit5min", f"{RULE}/CDactrlRuleHit5min", "actrlRule"),
    ("vzObservableRuleOwner", f"{RULE}/oown-[uni/tn-t/brc-c]", "actrlRule"),
    ("vzTrCreatedBy", f"{RULE}/trCreatedBy-[uni/tn-t/taboo-x]", "actrlRule"),
    ("actrlRsToRedirDestGrp", f"{RULE}/rstoRedirDestGrp", "actrlRule"),
    ("actrlRsToCopyDestGrp", f"{RULE}/rstoCopyDestGrp", "actrlRule"),
    ("lldpIf", f"{SYS}/lldp/inst/if-[eth1/1]", "lldpInst"),
    ("lldpAdjEp", f"{SYS}/lldp/inst/if-[eth1/1]/adj-1", "lldpIf"),
    ("cdpIf", f"{SYS}/cdp/inst/if-[eth1/1]", "cdpInst"),
    ("cdpAdjEp", f"{SYS}/cdp/inst/if-[eth1/1]/adj-1", "cdpIf"),
    ("vpcDom", f"{SYS}/vpc/inst/dom-1", "vpcInst"),
    ("vpcIf", f"{SYS}/vpc/inst/dom-1/if-345", "vpcDom"),
    ("l3Ctx", CTX, "topSystem"),
    ("vlanCktEp", VLAN, "l2BD"),
    ("l2RsPathDomAtt", f"{VLAN}/rspathDomAtt-[{PATH}]", "vlanCktEp"),
    ("epmMacEp", f"{VLAN}/db-ep/mac-00:00:40:01:01:01", "epmDb"),
    ("epmIpEp", f"{CTX}/db-ep/ip-[10.1.1.101]", "epmDb"),
    ("epmRsMacEpToIpEpAtt", f"{VLAN}/db-ep/mac-00:00:40:01:01:01/rsmacEpToIpEpAtt-[{CTX}/db-ep/ip-[10.1.1.101]]",
     "epmMacEp"),
    ("compHv", HV, "compCtrlr"),
    ("compVm", f"{INV}/vm-vm-1", "compCtrlr"),
    ("compVNic", f"{INV}/vm-vm-1/vnic-00:1A:4A:16:01:51", "compVm"),
    ("compHpNic", f"{HV}/hpnic-eth0", "compHv"),
    ("compMgmtNic", f"{HV}/mgmtnic-vmk0", "compHv"),
    ("hvsAdj", f"{HV}/adj-[leaf-101]-[eth1/1]", "compHv"),
    ("hvsLNode", f"{INV}/sw-InsiemeLSOid", "compCtrlr"),
    ("hvsVNode", f"{HV}/sw-dvs-1", "compHv"),
    ("vmmEpPD", f"uni/vmmp-Kubernetes/dom-kube/eppd-[{EPG}]", "vmmDomP"),
    ("fvnsEncapBlkDef", "uni/vmmp-Kubernetes/dom-kube/vlannsdef-[pool]-dynamic/deffrom-[vlan-100]-to-[vlan-199]",
     "fvnsVlanInstDef"),
    ("fvEpP", f"uni/epp/fv-[{EPG}]", "fvEpPCont"),
    ("fvDyPathAtt", DYATT, "fvLocale"),
    ("fvIfConn", f"{DYATT}/conndef/conn-[vlan-100]-[0.0.0.0]", "fvConnDef"),
    ("fvStPathAtt", f"uni/epp/fv-[{EPG}]/node-101/stpathatt-[eth1/2]", "fvLocale"),
    ("fvExtStPathAtt", f"uni/epp/fv-[{EPG}]/node-101/extstpathatt-[eth1/3]-extchid-110", "fvLocale"),
    ("fvAttEntityPathAtt", f"uni/epp/fv-[{EPG}]/node-101/attEntitypathatt-[aep]", "fvLocale"),
    ("troubleshootEpTransition", f"epts-[{CEP}]-1", "topRoot"),
    ("fvRsCEpToPathEp", f"{CEP}/rscEpToPathEp-[{PATH}]", "fvCEp"),
    ("fvRsToEpIpTag", f"{CEP}/ip-[10.0.0.5]/rstoEpIpTag", "fvIp"),
    ("fvPrimaryEncap", f"{CEP}/primaryEncap-[vlan-200]", "fvCEp"),
    ("faultInst", f"{HV}/fault-F606391", "compHv"),
    ("vnsGraphInst", GRAPH, "fvTenant"),
    ("infraRtAttEntP", "uni/infra/attentp-aep/rtattEntP-[uni/infra/funcprof/accportgrp-pg]", "infraAttEntityP"),
]

# ------------------------------------------------------------------------------------------ extraction

CLASS_SHAPE = re.compile(r"^[a-z][a-z0-9]*[A-Z][A-Za-z0-9]*$")
PACKAGE = re.compile(r"^[a-z][a-z0-9]*?(?=[A-Z])")
IN_TEXT = (
    re.compile(r"class/([A-Za-z0-9]+)\.json"),
    re.compile(r"(?:target|rsp)-subtree-class=([A-Za-z0-9,]+)"),
    re.compile(r"\b(?:eq|ne|lt|le|gt|ge|bw|wcard|anybit|allbits)\(([a-z][A-Za-z0-9]*)\."),
)
PAYLOAD_KEYS = {"attributes", "children"}
MO_BUILDERS = {"aci_obj", "Mo"}  # acc-provision's apic_provision.aci_obj, the emulator's simulator.cni.mo.Mo
TEMPLATE_PAYLOAD = (  # a template's object as JSON (`"X": {"attributes"`) or YAML (`X:` then `attributes:`)
    re.compile(r'"([A-Za-z0-9]+)"\s*:\s*\{\s*"(?:attributes|children)"'),
    re.compile(r"^(\s*)([A-Za-z0-9]+):\s*\n\1\s+(?:attributes|children):", flags=re.MULTILINE),
)


class Vocabulary:
    """Tells a class from another camelCase string in a weak context: APIC package prefixes and property names,
    both from the catalog (a class the catalog lacks still belongs to a known package)."""

    def __init__(self, classes: dict):
        self.packages = {m.group(0) for name in classes if (m := PACKAGE.match(name))}
        self.properties = {p for facts in classes.values() for p in facts["props"]}

    def plausible(self, name: str) -> bool:
        m = PACKAGE.match(name)
        return bool(CLASS_SHAPE.match(name) and m and m.group(0) in self.packages and name not in self.properties)


def text_classes(text: str) -> set[str]:
    found: set[str] = set()
    for pattern in IN_TEXT:
        for hit in pattern.findall(text):
            found.update(name for name in hit.split(",") if CLASS_SHAPE.match(name))
    return found


def _const(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _is_payload_body(node: ast.AST) -> bool:
    """`{"attributes": ...}` or `OrderedDict([("attributes", ...), ...])`."""
    if isinstance(node, ast.Dict):
        return any(_const(k) in PAYLOAD_KEYS for k in node.keys if k is not None)
    if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], (ast.List, ast.Tuple)):
        return any(isinstance(e, ast.Tuple) and e.elts and _const(e.elts[0]) in PAYLOAD_KEYS for e in node.args[0].elts)
    return False


def python_classes(source: str, vocabulary: Vocabulary) -> set[str]:
    strong: set[str] = set()
    weak: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Dict):
            strong.update(_const(k) for k, v in zip(node.keys, node.values, strict=True)
                          if k is not None and _const(k) and _is_payload_body(v))
        elif isinstance(node, ast.Tuple) and len(node.elts) == 2 and _const(node.elts[0]):
            if _is_payload_body(node.elts[1]):
                strong.add(_const(node.elts[0]))
        elif isinstance(node, ast.Call) and node.args and _const(node.args[0]):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name in MO_BUILDERS:
                strong.add(_const(node.args[0]))
        elif isinstance(node, ast.Subscript) and _const(node.slice) in PAYLOAD_KEYS:
            if isinstance(node.value, ast.Subscript) and _const(node.value.slice):
                strong.add(_const(node.value.slice))
        elif isinstance(node, ast.Compare) and _const(node.left):
            if any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops):
                weak.add(_const(node.left))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            strong |= text_classes(node.value)
            if "," in node.value:
                weak.update(node.value.split(","))
        elif isinstance(node, ast.JoinedStr):
            strong |= text_classes("".join(v.value if isinstance(v, ast.Constant) else "\0" for v in node.values))
    return {n for n in strong if CLASS_SHAPE.match(n)} | {n for n in weak if vocabulary.plausible(n)}


def template_classes(text: str) -> set[str]:
    found = text_classes(text)
    found.update(m.group(1) for m in TEMPLATE_PAYLOAD[0].finditer(text))
    found.update(m.group(2) for m in TEMPLATE_PAYLOAD[1].finditer(text))
    return {n for n in found if CLASS_SHAPE.match(n)}


def package_classes(root: Path, vocabulary: Vocabulary) -> tuple[dict[str, set[str]], int]:
    """(class -> the files naming it, how many files were read) for the Python modules and templates under root."""
    found: dict[str, set[str]] = {}
    read = 0
    for path in sorted(root.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts or path.name.startswith("test_"):
            continue
        if path.suffix == ".py":
            names = python_classes(path.read_text(encoding="utf-8"), vocabulary)
        elif path.suffix in (".yaml", ".yml", ".json", ".j2"):
            names = template_classes(path.read_text(encoding="utf-8"))
        else:
            continue
        read += 1
        for name in names:
            found.setdefault(name, set()).add(str(path.relative_to(root)))
    return found, read


def controller_classes() -> dict[str, set[str]]:
    lines = CONTROLLER_CLASSES.read_text(encoding="utf-8").splitlines()
    return {parts[0]: set(parts[1:]) for line in lines if line and not line.startswith("#") for parts in [line.split()]}


# ------------------------------------------------------------------------------------------ checks


def placement_problems(classes: dict, names: dict[str, set[str]]) -> list[str]:
    """One line per named class the catalog lacks, or has without an rn, parents or its naming properties."""
    problems = []
    for name, where in sorted(names.items()):
        if name in NOT_STORED or name in UNPLACED:
            continue
        facts = classes.get(name)
        if facts is None:
            problems.append(f"{name}: not in the catalog (named in {', '.join(sorted(where))})")
            continue
        missing = [p for p in facts["naming"] if p not in facts["props"]]
        if facts["rn"] is None or not facts["parents"] or missing:
            problems.append(f"{name}: rn {facts['rn']!r}, parents {facts['parents']}, naming props missing {missing}")
    return problems


@pytest.fixture(scope="module")
def classes() -> dict:
    return json.loads(CATALOG.read_text(encoding="utf-8"))["classes"]


@pytest.fixture(scope="module")
def vocabulary(classes) -> Vocabulary:
    return Vocabulary(classes)


def test_every_class_acc_provision_names_is_placed(classes, vocabulary):
    names, read = package_classes(ACC_PROVISION, vocabulary)
    assert read > 40, f"acc-provision's modules and templates were not found under {ACC_PROVISION}"
    # the classes the recorded acc-provision traces post and read, so the extraction itself is checked
    assert {"fvTenant", "vmmInjectedClusterDetails", "infraRsFuncToEpg", "firmwareCtrlrRunning", "tagAnnotation",
            "l3extRsNodeL3OutAtt", "vmmUsrCustomAggr", "ndPfxPol", "fvAp"} <= set(names)
    assert placement_problems(classes, names) == []


def test_every_class_the_aci_containers_controller_names_is_placed(classes):
    names = controller_classes()
    assert CONTROLLER_CLASSES.read_text(encoding="utf-8").startswith("# APIC classes the aci-containers controller")
    assert {"opflexODev", "vmmInjectedSvc", "vnsLDevCtx", "hostprotPol", "vpcIf", "lldpIf", "fvRtCtx"} <= set(names)
    assert placement_problems(classes, names) == []


def test_every_class_the_controller_emulator_names_is_placed(classes, vocabulary):
    names, read = package_classes(EMULATOR, vocabulary)
    assert read > 5
    assert {"vmmInjectedHost", "hostprotRemoteIp", "vnsAbsGraph", "tagAnnotation", "fvRtEctx"} <= set(names)
    assert placement_problems(classes, names) == []


def test_the_extraction_reports_attribute_names_and_dn_fragments_as_no_class(vocabulary):
    source = '''
data = {"fvBD": {"attributes": {"ipLearning": "no", "tDn": "x"}}}
if "rsTenantMonPol" not in dn and "fvAp" in reply and "tnFvBDName" in attrs: pass
path = f"/api/mo/{dn}.json?query-target=subtree&target-subtree-class=fvRtCtx,fvRtEctx"
reply["imdata"][0]["aaaLogin"]["attributes"]["token"]
fields = "name,descr,ipLearning"
'''
    assert python_classes(source, vocabulary) == {"fvBD", "fvAp", "fvRtCtx", "fvRtEctx", "aaaLogin"}


def test_unplaced_names_are_still_unplaced(classes):
    """A class placed since this list was written must leave it (and be checked like the others)."""
    assert [name for name in UNPLACED if name in classes] == []


def test_fabric_state_classes_are_placed_with_the_properties_the_research_names(classes):
    problems = placement_problems(classes, {name: {"research"} for name in FABRIC_STATE})
    for name, spec in FABRIC_STATE.items():
        props = classes.get(name, {}).get("props", {})
        for item in spec.split():
            prop, _, kind = item.partition(":")
            if prop not in props:
                problems.append(f"{name}.{prop}: missing")
            elif kind and props[prop]["kind"] != kind:
                problems.append(f"{name}.{prop}: kind {props[prop]['kind']}, the research says {kind}")
    assert problems == []


def test_the_controller_only_classes_are_not_configurable_and_this_overlay_keeps_them_read_only(classes):
    """Every property of the classes fabric_state.yaml places is read-only (its other classes' facts live elsewhere)."""
    mine = (yaml.safe_load(OVERLAY.read_text(encoding="utf-8")).get("classes") or {})
    loose = [f"{name}: configurable" for name, _dn, _parent in CONTROLLER_ONLY if classes[name]["configurable"]]
    for name, _dn, _parent in CONTROLLER_ONLY:
        if name in mine:
            loose += [f"{name}.{p}: {classes[name]['props'][p]['access']}" for p in mine[name].get("props") or {}
                      if classes[name]["props"][p]["access"] not in ("ro", "naming")]
    assert loose == []


# ------------------------------------------------------------------------------------------ over REST


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """A new lab nobody has written to: the fabric state's class queries answer nothing."""
    lab = Lab(LabOptions(admin_password="secret"))
    lab.start(tls_dir=tmp_path_factory.mktemp("tls"))
    try:
        yield ApicRest(lab.apic_server.url, "secret")
    finally:
        lab.stop()


@pytest.fixture(scope="module")
def controller_lab(tmp_path_factory):
    """A lab whose controller makes the parents of the objects a client then tries to create."""
    lab = Lab(LabOptions(admin_password="secret"))
    lab.start(tls_dir=tmp_path_factory.mktemp("tls"))
    try:
        yield lab, ApicRest(lab.apic_server.url, "secret")
    finally:
        lab.stop()


@pytest.mark.parametrize("cls", sorted(FABRIC_STATE))
def test_a_class_query_of_the_fabric_state_answers_nothing_in_a_new_lab(fresh, cls):
    r = fresh.get(f"/api/class/{cls}.json")
    assert r.status_code == 200, r.text
    assert r.json() == {"totalCount": "0", "imdata": []}


def _parent(dn: str) -> str:
    depth, cut = 0, -1
    for i, ch in enumerate(dn):
        depth += {"[": 1, "]": -1}.get(ch, 0)
        if ch == "/" and depth == 0:
            cut = i
    return dn[:cut] if cut > 0 else ""


@pytest.mark.parametrize(("cls", "dn", "parent_cls"), CONTROLLER_ONLY, ids=[c for c, _, _ in CONTROLLER_ONLY])
def test_a_client_cannot_create_the_fabric_state(controller_lab, cls, dn, parent_cls):
    lab, client = controller_lab
    parent = _parent(dn)
    if parent and not client.imdata(f"/api/mo/{parent}.json"):
        lab.apic.system_post(parent, {parent_cls: {"attributes": {}}})
    r = client.post(dn, {cls: {"attributes": {}}})
    assert r.status_code == 400, r.text
    assert r.json()["imdata"][0]["error"]["attributes"]["text"] == (
        f"Cannot create object of non-configurable class {cls}: {dn}")
    assert client.imdata(f"/api/mo/{dn}.json") == []
    assert client.imdata(f"/api/class/{cls}.json", **{"query-target-filter": f'eq({cls}.dn,"{dn}")'}) == []
