#!/usr/bin/env python3
"""Mutation testing of the APIC and RHV models with mutmut 3, on demand (`tox -e mutation`), never in CI.

Why a script and not a [tool.mutmut] section in the project: mutmut rewrites a `mutants/` tree beside the
sources and reads its config from the working directory, so the run happens in a throwaway copy of the
project where that config is written; the working tree, its pyproject.toml and its caches stay untouched.

    tools/mutation/run                              both packages, every module (hours on 2 cores)
    tools/mutation/run --package apic --module simulator/apic/aaa.py --module simulator/apic/codec.py
    tools/mutation/run --package rhv --module 'simulator/rhv/model/*'
    tools/mutation/run --keep /tmp/mut ...          keep (and reuse) the copy: mutmut resumes what it did
    tools/mutation/run --keep /tmp/mut --report-only ...   the report of that copy, even while it runs

Each package is mutated against its own fast tests only (the tests of the other package cannot kill its
mutants): tests/apic and tests/rhv without the files that run ansible-playbook (SLOW below), or the files
given with --tests. The script prints, per module, killed / total with the timeouts, the survivors and the
mutants no selected test reaches, then every surviving mutant's diff; the same report goes to
<copy>/mutation-report.txt.
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# The tests that can kill each package's mutants, chosen for speed: the files that run ansible-playbook
# (seconds per task, in a module fixture or a test) are left out whole, they belong to the full suite. The ovirtsdk4 tests stay: measured here
# they cost what the model tests cost (41 SDK tests in 59 s, 69 model tests in 122 s, on a loaded machine),
# and they are the only ones that reach placement and VM updates.
SLOW = {
    "apic": ["test_ansible_playbook.py", "test_catalog_cisco_aci.py", "test_child_order.py",
             "test_default_policies.py", "test_implicit_children.py", "test_node_registration.py",
             "test_normalisation_ansible.py", "test_password_history.py", "test_pools.py", "test_port_names.py",
             "test_vmm_redhat_domain.py"],
    "rhv": ["test_rhv_ansible.py"],
}
PACKAGES = {"apic": "simulator/apic", "rhv": "simulator/rhv"}
COPIED = ["fixtures", "tools", "scenarios", "features", "steps", "bench", "docs"]  # what tests may read
IGNORED = shutil.ignore_patterns(".git", ".tox", "mutants", "__pycache__", ".pytest_cache", ".ruff_cache",
                                 "*.egg-info", ".venv", "htmlcov")


def tests_of(package: str) -> list[str]:
    folder = ROOT / "tests" / package
    return sorted(
        f"tests/{package}/{path.name}" for path in folder.glob("test_*.py")
        if not any(fnmatch.fnmatch(path.name, slow) for slow in SLOW[package])
    )


def toml_list(items: list[str]) -> str:
    return json.dumps(items)  # a JSON list of strings is a TOML array


def configure(copy: Path, modules: list[str], tests: list[str], deselected: list[str]) -> None:
    """Append mutmut's config to the copy's pyproject.toml (the copy's only; mutmut reads it from there)."""
    pyproject = copy / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8").split("\n[tool.mutmut]\n")[0]
    config = "\n".join([
        "",
        "[tool.mutmut]",
        'source_paths = ["simulator"]',
        f"only_mutate = {toml_list(modules)}",
        f"also_copy = {toml_list(COPIED)}",
        f"pytest_add_cli_args_test_selection = {toml_list(tests)}",
        "pytest_add_cli_args = "
        + toml_list(["-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning"]
                    + [arg for test in deselected for arg in ("--deselect", test)]),
        "use_git_change_detection = false",  # the copy has no .git
        # a mutant's wall-clock limit is (its tests' time in the first run + constant) × multiplier: generous,
        # because a module fixture (a served lab with its TLS setup) is paid by whichever test runs first and
        # a loaded machine slows everything; a tight limit turns slow kills into false timeouts
        "timeout_multiplier = 10.0",
        "timeout_constant = 30.0",
        "",
    ])
    pyproject.write_text(text + config, encoding="utf-8")


def copy_project(target: Path) -> None:
    """A new copy of the project: its last commit (other sessions' half-done edits in a shared working tree
    must not break the run), with the working tree's tests/ over it (the tests being written for the run).
    In a kept copy only the tests are brought up to date: a rerun of the survivors with --mutant then runs
    the tests added since, against the sources as they were copied."""
    if not (target / "pyproject.toml").exists():
        target.mkdir(parents=True, exist_ok=True)
        if (ROOT / ".git").exists():
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", "HEAD"], check=True,
                                     capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
        else:
            shutil.copytree(ROOT, target, ignore=IGNORED, dirs_exist_ok=True, symlinks=True)
    shutil.copytree(ROOT / "tests", target / "tests", ignore=IGNORED, dirs_exist_ok=True, symlinks=True)


def environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}


def failing_before_mutation(copy: Path, tests: list[str], deselected: list[str]) -> list[str]:
    """The selected tests that fail on the unmutated copy: mutmut needs a green run to start from, and a
    test that fails anyway kills nothing. They are deselected and named in the report."""
    leave_out = [arg for test in deselected for arg in ("--deselect", test)]
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rf", *tests, *leave_out],
                         cwd=copy, env=environment(), capture_output=True, text=True)
    return sorted({line.split()[1] for line in run.stdout.splitlines() if line.startswith("FAILED ")})


def mutmut(copy: Path, *args: str, capture: bool = False) -> str:
    command = [sys.executable, "-m", "mutmut", *args]
    if capture:
        return subprocess.run(command, cwd=copy, env=environment(), check=True, capture_output=True,
                              text=True).stdout
    with open(copy / "mutmut-run.log", "a", encoding="utf-8") as log:  # its spinner is no reading matter
        done = subprocess.run(command, cwd=copy, env=environment(), stdout=log, stderr=subprocess.STDOUT)
    if done.returncode:
        raise SystemExit(f"mutmut {' '.join(args)} failed ({done.returncode}): see {copy / 'mutmut-run.log'}")
    return ""


def survivors_of(copy: Path) -> list[str]:
    """The mutants of the copy's last run that no test killed (survived, or reached by no test)."""
    lines = mutmut(copy, "results", "--all", "true", capture=True).splitlines()
    return [name.strip() for name, _, status in (line.rpartition(": ") for line in lines)
            if status.strip() in ("survived", "no tests")]


def keep_verdicts(copy: Path, tests: list[str]) -> None:
    """mutmut 3 forgets every verdict when the test selection changes (it cannot know that the new selection
    only adds tests). Adding tests cannot revive a killed mutant, so the stored selection's fingerprint is set
    to the new one: mutmut then collects the new tests' coverage alone and reruns the mutants it is named.
    (The fingerprint is mutmut 3.8's: sha256 of the selection's repr, 12 hex digits.)"""
    stats_file = copy / "mutants" / "mutmut-stats.json"
    stats = json.loads(stats_file.read_text(encoding="utf-8"))
    digest = hashlib.sha256(repr(tuple(tests)).encode()).hexdigest()[:12]
    stats.setdefault("config_fingerprint", {})["test_selection"] = digest
    stats_file.write_text(json.dumps(stats, indent=4), encoding="utf-8")


def module_of(mutant: str) -> str:
    """simulator.apic.aaa.x_Aaa__login__mutmut_3 → simulator/apic/aaa.py"""
    parts = mutant.split(".")
    path = [p for p in parts if not p.startswith(("x_", "x\u01c1"))]
    return "/".join(path) + ".py"


def report(copy: Path, package: str, tests: list[str], deselected: list[str]) -> tuple[str, Counter]:
    lines = [line.strip() for line in mutmut(copy, "results", "--all", "true", capture=True).splitlines()]
    by_module: dict[str, Counter] = defaultdict(Counter)
    survivors: list[str] = []
    for line in lines:
        name, sep, status = line.rpartition(": ")
        if not sep:
            continue
        by_module[module_of(name)][status] += 1
        if status == "survived":
            survivors.append(name)
    total = Counter()
    out = [f"== {package}: tests {' '.join(tests)}",
           *([f"deselected (by --deselect, or failing before any mutation): {' '.join(deselected)}"]
             if deselected else []),
           f"{'module':48} {'killed':>7} {'timeout':>7} {'survived':>8} {'no tests':>8} {'other':>5} "
           f"{'not checked':>11} {'total':>6} score"]
    for module in sorted(by_module):
        c = by_module[module]
        total.update(c)
        out.append(row(module, c))
    out.append(row("all", total))
    if survivors:
        out.append(diffs(copy, survivors))
    return "\n".join(out), total


def diffs(copy: Path, mutants: list[str]) -> str:
    """`mutmut show` of every mutant, in one process (mutmut takes a second or two to start)."""
    script = "import sys\nfrom mutmut.__main__ import show\nfor name in sys.argv[1:]:\n    show.callback(name)\n"
    return subprocess.run([sys.executable, "-c", script, *mutants], cwd=copy, env=environment(), check=True,
                          capture_output=True, text=True).stdout.rstrip()


def row(label: str, c: Counter) -> str:
    """Killed mutants (timeouts count as killed) over the checked ones; a mutant no selected test reaches
    ("no tests") counts as not killed, one not yet run ("not checked") is left out of the score."""
    n = sum(c.values())
    checked = n - c["not checked"]
    other = checked - c["killed"] - c["timeout"] - c["survived"] - c["no tests"]
    score = (c["killed"] + c["timeout"]) / checked if checked else 0.0
    return (f"{label:48} {c['killed']:7} {c['timeout']:7} {c['survived']:8} {c['no tests']:8} {other:5} "
            f"{c['not checked']:11} {n:6} {score:6.1%}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--package", choices=[*PACKAGES, "all"], default="all")
    parser.add_argument("--module", action="append", default=[],
                        help="a module (or glob) to mutate, e.g. simulator/apic/aaa.py; default: the whole package")
    parser.add_argument("--tests", action="append", default=[],
                        help="a test file to run instead of the package's fast tests (repeat for more)")
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--deselect", action="append", default=[],
                        help="a test id to leave out of the selected files, e.g. the one ansible-playbook test of a "
                             "file of REST tests (repeat for more)")
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip the first plain run that finds (and deselects) tests failing without mutation")
    parser.add_argument("--mutant", action="append", default=[],
                        help="run only the mutants matching this name or glob (mutmut's own filter)")
    parser.add_argument("--rerun-survivors", action="store_true",
                        help="with --keep: run again only the mutants that survived (or that no test reached) in "
                             "the copy's last run, with the --tests given now (those of the last run and the new "
                             "ones); the killed keep their verdicts")
    parser.add_argument("--report-only", action="store_true",
                        help="with --keep: print the report of the copy's last (or still running) run, run nothing")
    parser.add_argument("--keep", type=Path, help="the copy's folder, kept after the run (reused if it exists)")
    args = parser.parse_args()

    packages = list(PACKAGES) if args.package == "all" else [args.package]
    for package in packages:
        modules = [m for m in args.module if m.startswith(PACKAGES[package] + "/")] or (
            [] if args.module else [f"{PACKAGES[package]}/*"])
        if not modules:
            continue
        tests = [t for t in args.tests if t.startswith(f"tests/{package}/")] or tests_of(package)
        copy = args.keep / package if args.keep else Path(tempfile.mkdtemp(prefix=f"acisim-mutation-{package}-"))
        if args.report_only:
            print(report(copy, package, tests, [])[0], flush=True)
            continue
        copy_project(copy)
        chosen = [t for t in args.deselect if t.startswith(f"tests/{package}/")]
        deselected = chosen + ([] if args.no_baseline else failing_before_mutation(copy, tests, chosen))
        names = list(args.mutant)
        if args.rerun_survivors:
            names += survivors_of(copy)
            if not names:
                print(f"no surviving mutant in {copy}", flush=True)
                continue
        configure(copy, modules, tests, deselected)
        if args.rerun_survivors:
            keep_verdicts(copy, tests)
        print(f"mutation run of {', '.join(modules)} in {copy} (log: mutmut-run.log)", flush=True)
        mutmut(copy, "run", "--max-children", str(args.max_children), *names)
        text, _ = report(copy, package, tests, deselected)
        (copy / "mutation-report.txt").write_text(text + "\n", encoding="utf-8")
        print(text, flush=True)
        if not args.keep:
            print(f"(the copy is left in {copy} for `python -m mutmut show/browse` there; remove it when done)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
