"""The real ansible-playbook as an engineer runs it, hermetic: no inherited ANSIBLE_* settings (so the
collections bundled with the pinned ansible package answer), no user config, temp dirs of its own, and the
`ansible.posix.json` callback so a step can read each task's result."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from simulator.pytest_plugin import client_tool

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
    home = workdir / "ansible-home"
    for folder in (home / "local-tmp", home / "remote-tmp"):
        folder.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env.update(HOME=str(home), ANSIBLE_LOCAL_TEMP=str(home / "local-tmp"), ANSIBLE_REMOTE_TEMP=str(home / "remote-tmp"),
               ANSIBLE_STDOUT_CALLBACK="ansible.posix.json", ANSIBLE_RETRY_FILES_ENABLED="False",
               ANSIBLE_NOCOLOR="1", ANSIBLE_LOCALHOST_WARNING="False", ANSIBLE_INVENTORY_UNPARSED_WARNING="False")
    command = [client_tool("ansible-playbook", "ansible==12.3.0"), "-i", "localhost,", str(PLAYBOOKS / playbook),
               "-e", json.dumps({**extra, "ansible_python_interpreter": sys.executable})]
    done = subprocess.run(command, cwd=home, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    return PlaybookRun(done.returncode, done.stdout, done.stderr)
