"""bench/zoning.py runs with --quick through its command line and reports what it counted.

The benchmark is run as a user runs it (a subprocess with --quick and --json): it exits 0 (its own check held:
every consumer-to-provider flow on one of its contract's ports was permitted by a contract rule), and its JSON
report has the sizes, the verdict counts and the rules per leaf that run_all.py and readers rely on. No figure
is compared with a goal: timings are not asserted anywhere.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_zoning_bench_answers_right_and_reports_its_counts(tmp_path):
    report = tmp_path / "report.json"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "zoning.py"), "--quick", "--json", str(report)],
                         capture_output=True, text=True, env=env, timeout=300, check=False)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]

    doc = json.loads(report.read_text(encoding="utf-8"))
    assert doc["benchmark"] == "zoning" and doc["quick"] is True
    figures = doc["figures"]
    assert figures["size"] == {"epgs": 100, "contracts": 50, "entries": 1000, "vrfs": 3, "leaves": 20}
    assert figures["wrong"] == 0
    assert figures["verdicts"]["permit"] >= 20 and sum(figures["verdicts"].values()) == 60, figures["verdicts"]
    per_leaf = figures["rules_per_leaf"]
    assert 0 < per_leaf["min"] <= per_leaf["median"] <= per_leaf["max"] < per_leaf["total"], per_leaf
    assert figures["change_to_full_ratio"] > 0
    assert [t["name"] for t in doc["targets"]] == ["one contract change / full recompute", "verdicts per second"]
