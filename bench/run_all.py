"""Run every benchmark in its own process and print a summary of the targets.

    python bench/run_all.py [--quick] [--json PATH] [--only NAME ...]

Each benchmark prints its own table as it runs; the summary lists every target as met or missed.
Missed targets are reported, not failures: the exit status is non-zero only when a benchmark
crashes or reports wrong answers.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _common as c

BENCHMARKS = (
    "get_mo_throughput", "class_query_filter", "memory_per_mo", "rhv_list_vms", "nodeprep_lab_cycle", "state_writes",
    "rhv_vmm_import", "cni_converge", "serving", "fuzz_apic", "fuzz_rhv", "scale", "zoning",
)


def main() -> int:
    p = c.parser("Run all benchmarks and summarise their targets.")
    p.add_argument("--only", nargs="+", choices=BENCHMARKS, help="run only these benchmarks")
    args = p.parse_args()
    names = args.only or BENCHMARKS

    summary: list[tuple] = []
    docs: dict[str, dict] = {}
    failed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="acisim-bench-") as tmp:
        for name in names:
            out = Path(tmp) / f"{name}.json"
            cmd = [sys.executable, str(c.BENCH_DIR / f"{name}.py"), "--json", str(out)]
            if args.quick:
                cmd.append("--quick")
            print(flush=True)
            start = time.perf_counter()
            rc = subprocess.run(cmd, check=False).returncode
            wall = time.perf_counter() - start
            if rc != 0 or not out.exists():
                failed.append(name)
                summary.append((name, "-", "-", "-", f"FAILED (exit {rc})", f"{wall:.1f}"))
                continue
            doc = json.loads(out.read_text(encoding="utf-8"))
            doc["wall_s"] = wall
            docs[name] = doc
            for t in doc["targets"]:
                summary.append(
                    (
                        name,
                        t["name"],
                        c.fmt_value(t["value"], t["unit"]),
                        f"{t['comparison']} {t['goal']:g} {t['unit']}".strip(),
                        "met" if t["met"] else "MISSED",
                        f"{wall:.1f}",
                    )
                )

    print("\n== summary" + (" (quick)" if args.quick else ""))
    print(c.table(("benchmark", "target", "measured", "goal", "status", "wall s"), summary))
    missed = sum(1 for row in summary if row[4] == "MISSED")
    print(f"\n{len(summary) - len(failed)} targets: {missed} missed; {len(failed)} benchmark(s) failed")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(
            json.dumps({"machine": c.machine(), "quick": args.quick, "results": docs}, indent=2) + "\n",
            encoding="utf-8",
        )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
