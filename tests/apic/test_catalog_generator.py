"""The generated APIC class catalog: reproducible from the shared facts, complete where the simulator needs it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
GENERATOR = REPO / "tools" / "gen_catalog.py"
OVERLAY = REPO / "tools" / "catalog_overlay"
CATALOG = REPO / "simulator" / "apic" / "mit" / "catalog.json"


def shared(*parts: str) -> Path:
    """A path under ../shared beside the clone (CI), else under /work/shared."""
    beside = REPO.parent.joinpath("shared", *parts)
    return beside if beside.exists() else Path("/work/shared").joinpath(*parts)


SOURCE = shared("aci-catalog")
TRACES = shared("research", "traces")

# Classes the recorded client traces post (apic-rest.md / acc-provision.md), the default fabric uses, and the
# Red Hat VMM object model (issue 10) writes.
REQUIRED = """
aaaUser aaaUserCert aaaUserDomain aaaUserRole dhcpInfraProvP firmwareCtrlrRunning fvAEPg fvAp fvBD fvRsBDToOut
fvRsBd fvRsCons fvRsCtx fvRsDomAtt fvRsProv fvSubnet fvTenant fvnsEncapBlk fvnsMcastAddrBlk fvnsMcastAddrInstP
fvnsVlanInstP infraAttEntityP infraGeneric infraProvAcc infraRsDomP infraRsFuncToEpg infraRsVlanNs infraSetPol
physDomP vmmCtrlrP vmmDomP vmmInjectedClusterDetails vmmInjectedClusterInfo vmmRsDomMcastAddrNs vmmSecP vzBrCP
vzEntry vzFilter vzInTerm vzOutTerm vzRsFiltAtt vzRsSubjFiltAtt vzSubj
polUni fabricTopology fabricPod fabricNode topSystem firmwareCtrlrFwStatusCont compUni compProv compCtrlr topInfo
infraInfra fabricInst aaaUserEp fvEpTags fvRsTenantMonPol vnsSvcCont qosCustomPol monEPGPol bgpInstPol bgpAsP
vmmProvP vmmInjectedCont fvCtx l3extOut l3extRsEctx l3extInstP
vmmEpPD compEpPD compEpPConn compRsDlPol compRsNicAdj compHpNic compRsHv hvsAdj hvsLNode hvsExtPol hvsRsEpPD
fvCEp fvIp fvReportingNode fvRsToNic fvRsHyper fvRsToVm fvRsVm fvRsCEpToPathEp troubleshootEpTransition
fvEpPCont fvEpP fvLocale fvDyPathAtt fvConnDef fvIfConn faultInst
""".split()

NOT_STORED = {"aaaLogin", "error"}  # a REST method and the error envelope, not MO classes


@pytest.fixture(scope="module")
def catalog() -> dict:
    return json.loads(CATALOG.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def classes(catalog: dict) -> dict:
    return catalog["classes"]


def main_table_classes() -> list[str]:
    """Class names of the README table "The classes that matter most"."""
    text = (SOURCE / "README.md").read_text(encoding="utf-8")
    table = text.split("## The classes that matter most", 1)[1]
    names = re.findall(r"^\| (\w+) \|", table, flags=re.MULTILINE)
    return [n for n in names if n != "class" and n not in NOT_STORED]


def trace_objects() -> tuple[dict[str, set[str]], set[str]]:
    """(class -> attribute names) of every MO in the request bodies, and the classes in the replies."""
    posted: dict[str, set[str]] = {}
    replied: set[str] = set()

    def walk(node, into) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item, into)
        elif isinstance(node, dict):
            for key, value in node.items():
                if isinstance(value, dict) and ("attributes" in value or "children" in value):
                    into(key, value.get("attributes") or {})
                    walk(value.get("children") or [], into)
                else:
                    walk(value, into)

    for path in sorted(TRACES.glob("*.jsonl")):
        if path.name.startswith("ovirt"):
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            body = record.get("body_json")
            if body is None and record.get("body"):
                body = json.loads(record["body"])
            walk(body, lambda cls, attrs: posted.setdefault(cls, set()).update(attrs))
            walk(record.get("resp") or record.get("resp_body"), lambda cls, attrs: replied.add(cls))
    return posted, replied - NOT_STORED


def assert_placed(classes: dict, name: str) -> None:
    assert name in classes, f"{name} missing from the catalog"
    facts = classes[name]
    assert facts["rn"], f"{name} has no rn"
    assert facts["parents"], f"{name} has no parents"
    for prop in facts["naming"]:
        assert facts["props"][prop]["access"] == "naming", f"{name}.{prop}"


# --------------------------------------------------------------------------------------- generation


def test_generator_reproduces_the_committed_catalog(tmp_path: Path) -> None:
    if not (SOURCE / "classes.json").exists():
        pytest.skip(
            f"shared class facts not found at {SOURCE} (expected ../shared/aci-catalog beside the clone)"
        )
    out = tmp_path / "catalog.json"
    run = subprocess.run(
        [sys.executable, str(GENERATOR), str(SOURCE), "--overlay", str(OVERLAY), "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert out.read_bytes() == CATALOG.read_bytes(), "catalog.json is stale: run python tools/gen_catalog.py"


def run_generator(tmp_path: Path, overlay: dict) -> dict:
    """The catalog the generator makes from the shared facts and `overlay` (classes only)."""
    if not (SOURCE / "classes.json").exists():
        pytest.skip(f"shared class facts not found at {SOURCE}")
    path, out = tmp_path / "overlay.yaml", tmp_path / "catalog.json"
    path.write_text(yaml.safe_dump({"classes": overlay}), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, str(GENERATOR), str(SOURCE), "--overlay", str(path), "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return json.loads(out.read_text(encoding="utf-8"))["classes"]


def test_add_parents_extends_the_source_list_and_parents_replaces_it(tmp_path: Path) -> None:
    added = run_generator(tmp_path, {"faultInst": {"why": "test", "addParents": ["compHv", "fvAp"]}})
    source = json.loads((SOURCE / "classes.json").read_text(encoding="utf-8"))
    expected = sorted(set(source["faultInst"]["containedBy"]) | {"compHv"})
    assert added["faultInst"]["parents"] == expected  # fvAp, already a source parent, is not repeated
    replaced = run_generator(
        tmp_path, {"faultInst": {"why": "test", "parents": ["fvTenant"], "addParents": ["compHv"]}}
    )
    assert replaced["faultInst"]["parents"] == ["compHv", "fvTenant"]


def committed_overlay() -> dict:
    """The overlay folder's topic files merged (the generator refuses an entry found in two files)."""
    merged: dict = {"classes": {}, "implicitChildren": {}}
    for file in sorted(OVERLAY.glob("*.yaml")):
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        for section, entries in merged.items():
            entries.update(data.get(section) or {})
    return merged


def test_the_committed_overlay_adds_the_inventory_to_the_fault_parents(classes: dict) -> None:
    overlay = committed_overlay()["classes"]["faultInst"]
    assert "parents" not in overlay and overlay["addParents"] == ["compCtrlr", "compHv", "fabricNode"]
    assert {"compCtrlr", "compHv", "fvAEPg", "fvTenant", "vmmDomP"} <= set(classes["faultInst"]["parents"])


def test_catalog_is_compact_and_names_its_sources(catalog: dict) -> None:
    assert catalog["generatedBy"] == "tools/gen_catalog.py"
    assert {"meta", "go-client", "ansible", "acc-provision"} <= set(catalog["sources"])
    assert CATALOG.stat().st_size < 4 * 1024 * 1024


def test_an_overlay_that_makes_a_naming_property_read_only_is_refused(tmp_path: Path) -> None:
    if not (SOURCE / "classes.json").exists():
        pytest.skip(f"shared class facts not found at {SOURCE}")
    path, out = tmp_path / "overlay.yaml", tmp_path / "catalog.json"
    overlay = {"fvTenant": {"why": "test", "props": {"name": {"access": "ro"}}}}
    path.write_text(yaml.safe_dump({"classes": overlay}), encoding="utf-8")
    command = [sys.executable, str(GENERATOR), str(SOURCE), "--overlay", str(path), "-o", str(out)]
    run = subprocess.run(command, capture_output=True, text=True, check=False)
    assert run.returncode == 1
    assert "fvTenant: naming property 'name' must have access naming" in run.stderr


def test_an_overlay_folder_is_merged_and_a_class_in_two_of_its_files_is_refused(tmp_path: Path) -> None:
    if not (SOURCE / "classes.json").exists():
        pytest.skip(f"shared class facts not found at {SOURCE}")
    folder = tmp_path / "overlay"
    folder.mkdir()
    entry = {"why": "test", "props": {"descr": {"default": "x"}}}
    (folder / "a.yaml").write_text(yaml.safe_dump({"classes": {"fvTenant": entry}}), encoding="utf-8")
    (folder / "b.yaml").write_text(yaml.safe_dump({"classes": {"fvCtx": entry}}), encoding="utf-8")
    out = tmp_path / "catalog.json"
    command = [sys.executable, str(GENERATOR), str(SOURCE), "--overlay", str(folder), "-o", str(out)]
    run = subprocess.run(command, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    merged = json.loads(out.read_text(encoding="utf-8"))["classes"]
    assert merged["fvTenant"]["props"]["descr"]["default"] == "x" == merged["fvCtx"]["props"]["descr"]["default"]
    (folder / "b.yaml").write_text(yaml.safe_dump({"classes": {"fvTenant": entry}}), encoding="utf-8")
    run = subprocess.run(command, capture_output=True, text=True, check=False)
    assert run.returncode == 1
    assert "overlay classes.fvTenant: in both a.yaml and b.yaml" in run.stderr


def test_every_overlay_entry_says_why() -> None:
    overlay = committed_overlay()
    entries = {**overlay["classes"], **overlay["implicitChildren"]}
    assert entries
    assert all(str(entry.get("why", "")).strip() for entry in entries.values())


# ----------------------------------------------------------------------------------------- coverage


def test_topRoot_is_the_root(classes: dict) -> None:
    assert classes["topRoot"]["rn"] == ""
    assert classes["topRoot"]["parents"] == []
    assert classes["polUni"]["rn"] == "uni"
    assert classes["polUni"]["parents"] == ["topRoot"]


def test_main_table_classes_are_placed(classes: dict) -> None:
    if not (SOURCE / "README.md").exists():
        pytest.skip(f"shared class facts not found at {SOURCE}")
    names = main_table_classes()
    assert len(names) > 70
    for name in names:
        assert_placed(classes, name)


@pytest.mark.parametrize("name", REQUIRED)
def test_required_class_is_placed(classes: dict, name: str) -> None:
    assert_placed(classes, name)


def test_trace_classes_and_attributes_are_known(classes: dict) -> None:
    if not TRACES.exists():
        pytest.skip(f"recorded traces not found at {TRACES}")
    posted, replied = trace_objects()
    assert "infraSetPol" in posted and "vmmInjectedClusterDetails" in posted
    for name, attrs in posted.items():
        assert_placed(classes, name)
        missing = attrs - set(classes[name]["props"])
        assert not missing, f"{name} lacks posted attributes {sorted(missing)}"
    for name in replied:
        assert_placed(classes, name)


def test_superclasses_resolve(classes: dict) -> None:
    for name, facts in classes.items():
        for sup in facts["super"]:
            assert sup in classes, f"{name} names unknown superclass {sup}"


def test_implicit_children_are_real_children(catalog: dict, classes: dict) -> None:
    implicit = catalog["implicitChildren"]
    assert [c["cls"] for c in implicit["fvTenant"]] == ["fvEpTags", "fvRsTenantMonPol", "vnsSvcCont"]
    assert implicit["fvAEPg"] == [{"cls": "fvRsCustQosPol", "attrs": {"tnQosCustomPolName": ""}}]
    for parent, children in implicit.items():
        for child in children:
            facts = classes[child["cls"]]
            assert facts["rn"] and parent in facts["parents"]
            assert set(child["attrs"]) <= set(facts["props"])


# ------------------------------------------------------------------------------------------ facts


def test_fvTenant(classes: dict) -> None:
    tenant = classes["fvTenant"]
    assert tenant["rn"] == "tn-{name}"
    assert tenant["naming"] == ["name"]
    assert tenant["parents"] == ["polUni"]
    assert tenant["complete"] is True
    assert "polDom" in tenant["super"]
    assert tenant["props"]["name"]["regex"]
    assert tenant["props"]["descr"]["access"] == "config"
    assert tenant["props"]["dn"]["access"] == "ro"


def test_fvBD_defaults_come_from_meta(classes: dict) -> None:
    props = classes["fvBD"]["props"]
    assert props["arpFlood"]["default"] == "no"
    assert props["ipLearning"]["default"] == "yes"  # meta stores the Bool raw ("true")
    assert props["mac"]["default"] == "00:22:BD:F8:19:FF"
    assert props["arpFlood"]["kind"] == "enum" and props["arpFlood"]["values"] == ["no", "yes"]


def test_named_and_explicit_relations(classes: dict) -> None:
    assert classes["fvRsDomAtt"]["rn"] == "rsdomAtt-[{tDn}]"
    assert classes["fvRsDomAtt"]["props"]["tDn"]["access"] == "naming"
    assert classes["fvRsBd"]["relation"] == {"to": "fvBD", "kind": "named", "targetProp": "tnFvBDName"}
    assert classes["infraRsDomP"]["relation"]["kind"] == "explicit"
    assert classes["infraRsDomP"]["relation"]["targetProp"] == "tDn"
    rel = classes["vzRsSubjFiltAtt"]  # no meta file: relation props are synthesised
    assert rel["relation"] == {"to": "vzFilter", "kind": "named", "targetProp": "tnVzFilterName"}
    assert rel["props"]["tnVzFilterName"]["access"] == "naming"
    assert rel["props"]["tDn"]["access"] == "ro"
    assert rel["props"]["tType"]["default"] == "name"
    assert rel["props"]["state"]["default"] == "unformed"
    assert "descr" not in rel["props"] and "nameAlias" not in rel["props"]


def test_vlan_pool_naming(classes: dict) -> None:
    pool = classes["fvnsVlanInstP"]
    assert pool["rn"] == "vlanns-[{name}]-{allocMode}"
    assert pool["naming"] == ["name", "allocMode"]
    assert set(pool["props"]["allocMode"]["values"]) == {"static", "dynamic"}
    assert classes["fvnsEncapBlk"]["rn"] == "from-[{from}]-to-[{to}]"


def test_non_meta_defaults_from_the_overlay(classes: dict) -> None:
    subnet = classes["fvSubnet"]
    assert subnet["complete"] is False
    assert subnet["props"]["scope"]["default"] == "private"
    assert subnet["props"]["scope"]["kind"] == "bitmask"
    assert subnet["props"]["ctrl"]["default"] == "nd"
    assert subnet["props"]["ip"]["access"] == "naming"
    assert subnet["props"]["userdom"] == {**subnet["props"]["userdom"], "access": "ro", "default": ":all:"}
    assert subnet["props"]["uid"]["default"] == "0"
    assert subnet["props"]["lcOwn"]["default"] == "local"
    assert classes["vzBrCP"]["props"]["scope"]["default"] == "context"
    assert classes["aaaUser"]["props"]["pwd"]["secure"] is True


def test_property_facts_follow_the_contract(classes: dict) -> None:
    kinds = {"string", "enum", "bitmask", "number", "dn", "mac", "ip", "date", "other"}
    access = {"naming", "config", "create-only", "ro", "implicit"}
    for name, facts in classes.items():
        assert facts["parents"] == sorted(facts["parents"])
        for prop, spec in facts["props"].items():
            where = f"{name}.{prop}"
            assert spec["kind"] in kinds and spec["access"] in access, where
            assert isinstance(spec["default"], str), where
            if spec["kind"] in ("enum", "bitmask"):
                assert spec.get("values"), where
            assert spec.get("secure", True) is True, where
    # numbers may carry named special values (a BD's MTU is a number or "inherit")
    assert "inherit" in classes["fvBD"]["props"]["mtu"]["values"]
