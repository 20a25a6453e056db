"""A running training lab: the lab built from a training scenario, its goals checked, its hints and solution,
and a reset back to the starting state.

The starting state is the scenario's (topology, fixtures, RHV inventory, Kubernetes nodes, fault rules, ... as
`LabOptions.apply_scenario` reads them) plus its `setup` steps, sent once the lab's servers run (they may name
the served RHV Manager). A reset is the lab's own (every system back to its boot state with the scenario's
files, fault rules removed) followed by the scenario's fault rules and the setup steps again. Checks and steps go through the lab's public APIs (clients.py).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from .checks import run_check
from .clients import LabClients
from .schema import LabSpec, load_lab
from .steps import apply_steps


class Training:
    """The training side of a lab: `spec` (the scenario's goals) on `lab` (a simulator.lab.Lab)."""

    def __init__(self, spec: LabSpec, lab):
        self.spec = spec
        self.lab = lab
        self.clients = LabClients(lab)

    def start(self) -> None:
        """The setup steps of the starting state (the lab's servers already run when they name them)."""
        apply_steps(self.spec.setup, self.clients, self.spec.path.parent)

    def reset(self) -> None:
        """The lab's reset (which also removes every fault rule), the scenario's fault rules again, the setup."""
        self.lab.reset()
        faults = getattr(self.lab, "faults", None)
        if faults is not None and self.lab.options.faults:
            faults.load([replace(rule) for rule in self.lab.options.faults])
        self.clients = LabClients(self.lab)  # sessions of the old state ended with it
        self.start()

    def status(self) -> dict:
        return {**self.spec.summary(), "story": self.spec.story}

    def check(self) -> dict:
        """Every goal: passed, or the sentence saying what is still wrong (the first failing check's)."""
        self.lab.tick()
        results = []
        for goal in self.spec.goals:
            wrong = detail = None
            for check in goal.checks:
                wrong, detail = run_check(self.clients, check, self.spec.path.parent)
                if wrong is not None:
                    break
            result = {"id": goal.id, "title": goal.title, "passed": wrong is None}
            if wrong is not None:
                result["wrong"] = wrong
                if detail != wrong:
                    result["detail"] = detail
            results.append(result)
        return {"name": self.spec.name, "passed": all(r["passed"] for r in results),
                "passed_goals": sum(r["passed"] for r in results), "goals": results}

    def hint(self, goal_id: str | None = None) -> dict:
        """The hint of one goal; without a goal, the first goal not passed yet (or every hint once all pass)."""
        if goal_id is not None:
            goal = self.spec.goal(goal_id)
            if goal is None:
                raise KeyError(goal_id)
            return {"hints": [{"id": goal.id, "title": goal.title, "hint": goal.hint}]}
        failing = [r["id"] for r in self.check()["goals"] if not r["passed"]]
        goals = [self.spec.goal(failing[0])] if failing else list(self.spec.goals)
        return {"hints": [{"id": g.id, "title": g.title, "hint": g.hint} for g in goals]}

    def solution(self) -> dict:
        return {"name": self.spec.name, "text": self.spec.solution_text,
                "steps": [step.as_json() for step in self.spec.solution_steps]}

    def apply_solution(self) -> int:
        """Send the solution's steps (what tests and instructors use); the number of requests sent."""
        sent = apply_steps(self.spec.solution_steps, self.clients, self.spec.path.parent)
        self.lab.tick()
        return sent


def build_options(scenario: Path):
    """The LabOptions of a training scenario (its lab part, as `acisim serve --scenario` takes it)."""
    from ..lab import LabOptions

    options = LabOptions()
    options.apply_scenario(Path(scenario))
    return options


def open_lab(scenario: Path, serve: bool = True, tls_dir: Path | None = None, host: str = "127.0.0.1"):
    """A Lab of `scenario` with its Training attached (`lab.training`), served on free ports of `host` when
    `serve` (the RHV integration reaches the RHV Manager over its REST API), the setup steps applied."""
    from ..lab import Lab

    spec = load_lab(scenario)
    lab = Lab(build_options(scenario))
    try:
        if serve:
            lab.start(host, tls_dir=tls_dir)
            lab.start_rhv(host, tls_dir=tls_dir)
            lab.start_k8s(host, tls_dir=tls_dir)
        lab.training = Training(spec, lab)
        lab.training.start()
    except BaseException:
        lab.stop()
        raise
    return lab
