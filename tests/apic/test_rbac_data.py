"""The RBAC data: the per-class privileges are the generator's output from the shared facts (current), and the
roles and package rules name only privileges the APIC has."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

from simulator.apic.rbac import ACCESS_FILE, ROLES_FILE, default_policy

REPO = Path(__file__).resolve().parents[2]
GENERATOR = REPO / "tools" / "gen_privileges.py"


def shared(*parts: str) -> Path:
    """A path under ../shared beside the clone (CI), else under /work/shared."""
    beside = REPO.parent.joinpath("shared", *parts)
    return beside if beside.exists() else Path("/work/shared").joinpath(*parts)


def test_the_class_privileges_are_the_generators_output(tmp_path):
    out = tmp_path / "access.json"
    subprocess.run([sys.executable, str(GENERATOR), str(shared("aci-catalog")), "-o", str(out)], check=True)
    assert out.read_text(encoding="utf-8") == ACCESS_FILE.read_text(encoding="utf-8"), \
        "rbac_class_access.json is stale: run tools/gen_privileges.py"


def test_the_generated_lists_are_the_meta_files_lists():
    facts = json.loads(shared("aci-catalog", "classes.json").read_text(encoding="utf-8"))
    classes = json.loads(ACCESS_FILE.read_text(encoding="utf-8"))["classes"]
    assert classes["fvTenant"][1] == ["admin"]
    assert classes["fvBD"] == [sorted(facts["fvBD"]["readAccess"]), sorted(facts["fvBD"]["writeAccess"])]


def test_an_unreadable_source_is_one_line_and_status_2(tmp_path):
    proc = subprocess.run([sys.executable, str(GENERATOR), str(tmp_path / "missing"), "-o", str(tmp_path / "o")],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_roles_and_rules_name_only_known_privileges():
    policy = default_policy()
    doc = yaml.safe_load(ROLES_FILE.read_text(encoding="utf-8"))
    known = policy.privileges
    for name, role in policy.roles.items():
        assert role.privileges <= known, name
    for package, access in policy.packages.items():
        assert access.read <= known and access.write <= known, package
    assert {"admin", "read-all", "tenant-admin", "aaa"} <= set(doc["roles"])
    assert policy.roles["read-all"].read_only
