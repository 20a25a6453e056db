"""bench/rhv_vmm_import.py runs small through its command line and reports what it measured.

The benchmark is run as a user runs it (a subprocess with its options and --json), on a small generated
inventory (2 data centers, 4 clusters, 6 hosts, 40 VMs): it exits 0 (its own check that every
controller's compVm oids are the VM ids ovirtsdk4 lists for its data center held), and its JSON report
has the shape run_all.py and readers rely on. No figure is compared with a goal: timings are not
asserted anywhere.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SIZES = {"--data-centers": "2", "--clusters": "4", "--hosts": "6", "--vms": "40"}


def test_the_import_bench_finds_every_vm_and_reports_its_figures(tmp_path):
    report = tmp_path / "report.json"
    args = [arg for pair in SIZES.items() for arg in pair]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "rhv_vmm_import.py"), *args, "--rounds", "1", "--migrations", "1",
         "--json", str(report)],
        capture_output=True, text=True, env=env, timeout=300, check=False)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]

    doc = json.loads(report.read_text(encoding="utf-8"))
    assert doc["benchmark"] == "rhv_vmm_import"
    assert set(doc["machine"]) >= {"python", "platform", "cpus"}
    figures = doc["figures"]
    assert figures["errors"] == []
    assert figures["sizes"] == {"data_centers": 2, "clusters": 4, "hosts": 6, "vms": 40, "leaves": 4, "seed": 1}

    imported = figures["import"]
    assert (imported["vms"], imported["controllers"], imported["rounds"]) == (40, 2, 1)
    assert set(imported["median_s"]) == {"import", "sdk list", "sdk sync"}
    assert set(imported["ratios"]) == {"import / sdk list", "import / sdk sync"}
    assert all(ratio > 0 for ratio in imported["ratios"].values())
    assert len(imported["advances"]) == len(imported["busy_ticks"]) == 1
    assert imported["apic_mos_per_vm"] >= 2  # at least a compVm and its compVNic
    assert imported["traced_bytes_per_vm"] > 0

    moves = figures["migration"]
    if moves["available"]:
        (one,) = moves["moves"]
        assert set(one) == {"vm", "to", "wall_s", "lab_s", "advances", "last_advance_s", "idle_advance_s"}
        assert one["lab_s"] > 0
    else:
        assert moves["reason"]

    names = [t["name"] for t in doc["targets"]]
    assert names[:2] == ["import / sdk list of the same VMs", "memory per imported VM (tracemalloc)"]
    assert all(isinstance(t["met"], bool) for t in doc["targets"])
    assert "import / sdk list" in run.stdout
