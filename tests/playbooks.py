"""Running the real ansible-playbook against a lab, the way both Ansible tests (cisco.aci, ovirt.ovirt) do.

Each run is hermetic (no inherited ANSIBLE_* settings, so the collections bundled with the pinned
ansible package are used; no user config; temp dirs under the test's tmp_path) and reports through
the `ansible.posix.json` stdout callback, which `PlaybookRun` reads task by task. A task's key is
the first word of its name ("01", "13b").
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from simulator.lab import Lab, LabOptions
from simulator.pytest_plugin import ansible_playbook

ANSIBLE_DIR = Path(__file__).resolve().parent / "ansible"
INVENTORY = ANSIBLE_DIR / "inventory.ini"
DETAIL_KEYS = ("msg", "error", "status", "response", "method", "url", "sent", "exception", "assertion")


class PlaybookRun:
    """One ansible-playbook run: rc, raw output and the per-task results from the json callback."""

    def __init__(self, proc: subprocess.CompletedProcess):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.results: dict[str, dict] = {}
        self.stats: dict = {}
        try:
            data = json.loads(self.stdout[self.stdout.index("{"):])
        except ValueError:
            return
        for play in data.get("plays", []):
            for task in play.get("tasks", []):
                name = task["task"]["name"]
                self.results[name.split(" ", 1)[0]] = task["hosts"].get("localhost", {}) | {"_name": name}
        self.stats = data.get("stats", {}).get("localhost", {})

    def summary(self) -> str:
        lines = [f"ansible-playbook rc={self.rc} stats={self.stats}"]
        for res in self.results.values():
            line = f"  {res['_name']}: changed={res.get('changed')} failed={res.get('failed', False)}"
            if res.get("failed") or res.get("unreachable"):
                details = {k: res.get(k) for k in DETAIL_KEYS if res.get(k) not in (None, "", {})}
                line += f"\n      {json.dumps(details, default=str)[:3000]}"
            lines.append(line)
        if not self.results:
            lines += ["--- stdout (not parseable as the json callback's output) ---", self.stdout[-20000:]]
        lines += ["--- stderr ---", self.stderr[-10000:]]
        return "\n".join(lines)

    def changed(self) -> set[str]:
        return {key for key, res in self.results.items() if res.get("changed")}

    def assert_ok(self, expected_tasks: list[str]) -> None:
        failed = [k for k, r in self.results.items() if r.get("failed") or r.get("unreachable")]
        assert self.rc == 0 and not failed, self.summary()
        assert list(self.results) == expected_tasks, self.summary()


def run_playbook(tmp_path: Path, run_name: str, playbook: Path, extra: dict, tags: str | None = None,
                 timeout: float = 900) -> PlaybookRun:
    """Run `playbook` with `extra` vars (plus this Python as the interpreter); keep its output in tmp_path."""
    proc = ansible_playbook(tmp_path, playbook, extra, inventory=str(INVENTORY), tags=tags, timeout=timeout)
    (tmp_path / f"{run_name}.stdout.json").write_text(proc.stdout)
    (tmp_path / f"{run_name}.stderr.txt").write_text(proc.stderr)
    return PlaybookRun(proc)


def run_on_fresh_lab(tmp_path: Path, run_name: str, playbook: Path, extra: dict | None = None) -> PlaybookRun:
    """Run `playbook` against a new HTTPS lab (admin / secret, as the playbooks log in), stopped afterwards:
    for tests that need only the run's results, not the lab's state after it."""
    lab = Lab(LabOptions(admin_password="secret"))
    srv = lab.start(tls_dir=tmp_path / "tls")
    try:
        return run_playbook(tmp_path, run_name, playbook, {"aci_port": srv.port, **(extra or {})})
    finally:
        lab.stop()
