"""The real ansible-playbook as an engineer runs it, hermetic (simulator.pytest_plugin.ansible_playbook),
with each task's result read from the `ansible.posix.json` callback's output."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from simulator.pytest_plugin import ansible_playbook

PLAYBOOKS = Path(__file__).resolve().parent / "playbooks"
TIMEOUT = 600


@dataclass
class PlaybookRun:
    rc: int
    stdout: str
    stderr: str

    @property
    def tasks(self) -> dict[str, dict]:
        """Task name → its result on localhost; empty when the output is not the json callback's."""
        try:
            data = json.loads(self.stdout[self.stdout.index("{"):])
        except ValueError:
            return {}
        return {task["task"]["name"]: task["hosts"].get("localhost", {})
                for play in data.get("plays", []) for task in play.get("tasks", [])}

    def said(self) -> str:
        lines = [f"ansible-playbook exit {self.rc}"]
        for name, result in self.tasks.items():
            lines.append(f"  {name}: changed={result.get('changed')} failed={result.get('failed', False)} "
                         f"{json.dumps({k: result.get(k) for k in ('msg', 'error', 'status') if result.get(k)})}")
        return "\n".join(lines + ["--- stderr", self.stderr[-5000:]] + ([] if self.tasks else ["--- stdout",
                                                                                              self.stdout[-5000:]]))


def run_playbook(workdir: Path, playbook: str, extra: dict) -> PlaybookRun:
    """Run steps/support/playbooks/`playbook` on localhost with `extra` vars, in `workdir`."""
    done = ansible_playbook(workdir, PLAYBOOKS / playbook, extra, timeout=TIMEOUT)
    return PlaybookRun(done.returncode, done.stdout, done.stderr)
