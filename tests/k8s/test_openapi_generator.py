"""simulator/k8s/openapi/definitions.json is reproducible from the pinned kubernetes-validate package."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GENERATOR = REPO / "tools" / "gen_k8s_openapi.py"
DEFINITIONS = REPO / "simulator" / "k8s" / "openapi" / "definitions.json"
PIN = "kubernetes-validate==1.37.0"


def test_generator_reproduces_the_committed_definitions(tmp_path: Path) -> None:
    if importlib.util.find_spec("kubernetes_validate") is None:
        pytest.fail(f"kubernetes-validate is not installed: pip install {PIN}")
    out = tmp_path / "definitions.json"
    run = subprocess.run([sys.executable, str(GENERATOR), "-o", str(out)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert out.read_bytes() == DEFINITIONS.read_bytes(), "definitions.json is stale: run python tools/gen_k8s_openapi.py"


def test_definitions_are_small_and_name_their_source() -> None:
    data = json.loads(DEFINITIONS.read_text(encoding="utf-8"))
    assert data["generatedBy"] == "tools/gen_k8s_openapi.py"
    assert data["kubernetesVersion"] == "1.32"
    assert data["source"].startswith(PIN)
    assert DEFINITIONS.stat().st_size < 300 * 1024
    for kind in data["kinds"]:
        gvks = data["definitions"][kind["definition"]]["x-kubernetes-group-version-kind"]
        assert {"group": kind["group"], "version": kind["version"], "kind": kind["kind"]} in gvks
        assert kind["listDefinition"] in data["definitions"]


def test_the_definitions_keep_no_descriptions_and_only_v2_refs() -> None:
    text = DEFINITIONS.read_text(encoding="utf-8")
    assert '"description":' not in text.replace('"description":{"type":"string"}', "")
    assert "#/$defs/" not in text and '"null"' not in text
