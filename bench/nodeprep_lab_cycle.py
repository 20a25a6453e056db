"""A node-preparation lab's up / check / down cycle for 2 and for 8 nodes, side by side (root).

Each round builds a lab of 2 and one of 8 nodes from fixtures/acc-provision/mykube-vxlan.yaml (the
order alternates from round to round), checks it and takes it down, timing each phase. The figures
are per-phase medians over the rounds, and the ratio of the 8-node cycle to the 2-node cycle (how
far the parallel DHCP and checks keep the cost below 4x), plus the marginal cost of one node.

Checks (a failure exits non-zero): every check passes in every lab, and nothing is left behind.

Targets: an 8-node cycle <= 2.5 x a 2-node cycle; a 2-node cycle <= 5 s.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import _common as c

sys.path.insert(0, str(c.ROOT))

from simulator.nodeprep.netns_lab import NodePrepLab  # noqa: E402

CONFIG = c.ROOT / "fixtures" / "acc-provision" / "mykube-vxlan.yaml"
SIZES = (2, 8)
TARGET_RATIO = 2.5
TARGET_SMALL_S = 5.0


def cycle(nodes: int, workdir: Path) -> dict[str, float]:
    lab = NodePrepLab(CONFIG, nodes, f"abn{os.getpid() % 10000}s{nodes}", workdir)
    times = {}
    start = time.perf_counter()
    try:
        lab.up()
        times["up"] = time.perf_counter() - start
        mark = time.perf_counter()
        report = lab.check()
        times["check"] = time.perf_counter() - mark
    finally:
        mark = time.perf_counter()
        problems = lab.down() + lab.leftovers()
        times["down"] = time.perf_counter() - mark
    if not report.ok or problems:
        raise SystemExit(f"{nodes}-node lab: failures {report.failures()}, left behind {problems}")
    times["cycle"] = times["up"] + times["check"] + times["down"]
    return times


def main() -> int:
    args = c.parser(__doc__.splitlines()[0]).parse_args()
    if os.geteuid() != 0:
        print("nodeprep_lab_cycle: needs root (network namespaces)", file=sys.stderr)
        return 2
    c.banner("node-prep lab cycle, 2 and 8 nodes", args.quick)
    rounds = 2 if args.quick else 5
    samples: dict[int, list[dict[str, float]]] = {n: [] for n in SIZES}
    ratios = []
    with tempfile.TemporaryDirectory(prefix="acisim-bench-nodeprep-") as tmp:
        for number in range(rounds):
            order = SIZES if number % 2 == 0 else tuple(reversed(SIZES))
            this_round = {n: cycle(n, Path(tmp) / f"r{number}n{n}") for n in order}
            for n, times in this_round.items():
                samples[n].append(times)
            ratios.append(this_round[8]["cycle"] / this_round[2]["cycle"])
    phases = ("up", "check", "down", "cycle")
    medians = {n: {p: c.median(s[p] for s in samples[n]) for p in phases} for n in SIZES}
    rows = [(f"{n} nodes", *(medians[n][p] for p in phases), c.spread([s["cycle"] for s in samples[n]]))
            for n in SIZES]
    print(c.table(("lab", "up s", "check s", "down s", "cycle s", "cycle min..max"), rows))
    ratio = c.median(ratios)
    per_node = (medians[8]["cycle"] - medians[2]["cycle"]) / 6
    print(f"8-node / 2-node cycle: {ratio:.2f}x (median of {rounds} rounds); one more node adds {per_node:.2f} s")
    figures = {"medians_s": {str(n): medians[n] for n in SIZES}, "ratio_8_to_2": ratio, "per_node_s": per_node,
               "rounds": rounds}
    targets = [c.target("8-node cycle / 2-node cycle", ratio, TARGET_RATIO, "x", False),
               c.target("2-node up/check/down cycle", medians[2]["cycle"], TARGET_SMALL_S, "s", False)]
    c.report_targets(args, "nodeprep_lab_cycle", figures, targets)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
