"""bench/cni_converge.py runs small through its command line and reports what it counted.

The benchmark is run as a user runs it (a subprocess with its options and --json) on a small synthetic
cluster (4 namespaces, 12 pods, 2 services, 2 nodes): it exits 0 (its own checks held: the APIC holds an
injected object per node, namespace, pod and service and a device per node; the resync wrote nothing),
and its JSON report has the counts and the shape run_all.py and readers rely on. No figure is compared
with a goal: timings are not asserted anywhere.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SIZES = {"--namespaces": "4", "--pods": "12", "--services": "2", "--nodes": "2"}


def test_the_cni_bench_converges_the_cluster_and_reports_its_counts(tmp_path):
    report = tmp_path / "report.json"
    args = [arg for pair in SIZES.items() for arg in pair]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "cni_converge.py"), *args, "--json", str(report)],
                         capture_output=True, text=True, env=env, timeout=300, check=False)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]

    doc = json.loads(report.read_text(encoding="utf-8"))
    assert doc["benchmark"] == "cni_converge"
    assert set(doc["machine"]) >= {"python", "platform", "cpus"}
    figures = doc["figures"]
    assert figures["errors"] == []
    assert figures["sizes"] == {"namespaces": 4, "pods": 12, "services": 2, "nodes": 2}
    assert figures["tls_verified"] is True
    (one,) = figures["rounds"]

    converge = one["converge"]
    posts = converge["by_method"]["POST"]
    # a host and a host protection policy per node, then one object per namespace, deployment,
    # replica set, pod and service, plus the cluster-wide ones (static policies, service BD, device)
    assert posts >= 2 * 2 + 4 + 2 + 2 + 12 + 2
    assert converge["posted"] == posts and converge["deleted"] == 0
    assert converge["by_method"]["socket"] == 1
    assert converge["requests"] == sum(converge["by_method"].values())
    assert set(converge["by_method"]) == {"GET", "POST", "socket"}
    assert converge["start"]["by_method"].get("POST", 0) == 0  # the startup only reads
    assert converge["posted_mos"] > posts  # every object carries its tagAnnotation child
    assert converge["apic_mos_added"] >= converge["posted_mos"]

    resync = one["resync"]
    assert set(resync["by_method"]) == {"GET"}
    assert (resync["posted"], resync["deleted"], resync["posted_mos"]) == (0, 0, 0)

    plain = one["plain"]
    assert plain["by_method"] == {"POST": posts} and plain["posted_mos"] == 2 * posts
    halves = (plain["before_converge"], plain["after_converge"])
    assert [h["by_method"] for h in halves] == [{"POST": h["requests"]} for h in halves]
    assert sum(h["requests"] for h in halves) == posts and halves[0]["requests"] > 0
    assert one["request_ratio"] == converge["requests"] / posts
    assert one["wall_ratio"] > 0

    assert doc["figures"]["median"]["extra_requests"] == converge["requests"] - posts
    assert [t["name"] for t in doc["targets"]] == ["converge / plain signed POSTs, wall",
                                                   "converge requests besides its POSTs"]
    assert all(isinstance(t["met"], bool) for t in doc["targets"])
    assert "converge / plain" in run.stdout
