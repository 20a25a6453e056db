"""The training-lab part of a scenario file, checked before a lab is built from it.

A training scenario is an ordinary scenario (topology, fixtures, rhv_inventory, kubernetes, redhat_vmm, ...:
simulator/lab.py) with these keys added:

    title: "A missing AEP"                      # one line
    story: |                                     # what the trainee is told, any length
      ...
    setup:                                       # optional: REST steps of the starting state that need the served
      - {system: apic, path: /api/mo/uni.json, body: {...}}   # lab (an address of its RHV Manager, ${rhv_host})
    goals:
      - id: aep                                  # [a-z0-9-], unique in the file
        title: The AEP kube-cluster exists       # one line
        check: {kind: apic_object, dn: uni/infra/attentp-kube-cluster}   # or a list of checks, all must pass
        hint: Fabric > Access Policies > ...     # text
    solution:
      text: |                                    # the solution as an instructor explains it
        ...
      steps:                                     # the same, as REST calls a test applies (simulator/training/steps.py)
        - {system: apic, method: POST, path: /api/mo/uni/infra.json, body: {...}}

Every problem is a `TrainingSchemaError` naming the file, the key path (`goals[2].check.kind`) and the problem
in one line. The check kinds and their keys are those of simulator/training/checks.py; the step keys those of
steps.py. A small validator of its own (no JSON-schema dependency): the shapes are few and the messages read
better in the lab's words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .checks import CHECK_KINDS
from .steps import SYSTEMS, Step, parse_step

TRAINING_KEYS = ("title", "story", "setup", "goals", "solution")
GOAL_KEYS = ("id", "title", "check", "hint")
SOLUTION_KEYS = ("text", "steps")
GOAL_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")


class TrainingSchemaError(ValueError):
    """A scenario file that is not a valid training lab: `FILE: KEY: problem`, one line."""

    def __init__(self, path: Path | str, key: str, problem: str):
        self.path, self.key, self.problem = str(path), key, problem
        super().__init__(f"{path}: {key}: {problem}" if key else f"{path}: {problem}")


@dataclass(frozen=True)
class Goal:
    id: str
    title: str
    checks: tuple[dict, ...]
    hint: str


@dataclass(frozen=True)
class LabSpec:
    """A training lab as its scenario file declares it."""

    path: Path
    name: str
    title: str
    story: str
    goals: tuple[Goal, ...]
    solution_text: str
    solution_steps: tuple[Step, ...]
    setup: tuple[Step, ...] = field(default=())

    def goal(self, goal_id: str) -> Goal | None:
        return next((g for g in self.goals if g.id == goal_id), None)

    def summary(self) -> dict:
        return {"name": self.name, "title": self.title, "file": str(self.path),
                "goals": [{"id": g.id, "title": g.title} for g in self.goals]}


def is_training(data: object) -> bool:
    """A scenario that declares goals is a training lab."""
    return isinstance(data, dict) and "goals" in data


def load_lab(path: Path | str) -> LabSpec:
    """The training lab of a scenario file; TrainingSchemaError for any problem (unreadable, bad YAML, bad keys)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TrainingSchemaError(path, "", "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TrainingSchemaError(path, "", f"cannot be read ({getattr(exc, 'strerror', None) or exc})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise TrainingSchemaError(path, "", f"not valid YAML (line {mark.line + 1}: {exc.problem or exc.context})") \
            from None
    except yaml.YAMLError as exc:
        raise TrainingSchemaError(path, "", f"not valid YAML ({type(exc).__name__})") from None
    return parse_lab(path, data)


def parse_lab(path: Path, data: object) -> LabSpec:
    if not isinstance(data, dict):
        raise TrainingSchemaError(path, "", f"a scenario is a YAML mapping, not {_kind(data)}")
    from ..lab import SCENARIO_KEYS

    unknown = sorted(set(map(str, data)) - SCENARIO_KEYS)
    if unknown:
        raise TrainingSchemaError(path, unknown[0], f"unknown scenario key (known: {', '.join(sorted(SCENARIO_KEYS))})")
    for key in ("title", "story", "goals", "solution"):
        if key not in data:
            raise TrainingSchemaError(path, key, "missing: a training lab has a title, a story, goals and a solution")
    name = data.get("name", path.stem)
    _line(path, "name", name)
    title = _line(path, "title", data["title"])
    story = _text(path, "story", data["story"])
    goals = data["goals"]
    if not isinstance(goals, list) or not goals:
        raise TrainingSchemaError(path, "goals", f"a non-empty list of goals, not {_kind(goals)}")
    parsed, seen = [], set()
    for index, goal in enumerate(goals):
        parsed.append(_goal(path, f"goals[{index}]", goal, seen))
    solution = data["solution"]
    if not isinstance(solution, dict):
        raise TrainingSchemaError(path, "solution", f"a mapping with text and steps, not {_kind(solution)}")
    _keys(path, "solution", solution, SOLUTION_KEYS, required=("text",))
    text = _text(path, "solution.text", solution["text"])
    steps = _steps(path, "solution.steps", solution.get("steps", []))
    setup = _steps(path, "setup", data.get("setup", []))
    return LabSpec(path, name, title, story, tuple(parsed), text, steps, setup)


def _goal(path: Path, key: str, goal: object, seen: set[str]) -> Goal:
    if not isinstance(goal, dict):
        raise TrainingSchemaError(path, key, f"a goal is a mapping of {', '.join(GOAL_KEYS)}, not {_kind(goal)}")
    _keys(path, key, goal, GOAL_KEYS, required=GOAL_KEYS)
    goal_id = goal["id"]
    if not isinstance(goal_id, str) or not GOAL_ID.fullmatch(goal_id):
        raise TrainingSchemaError(path, f"{key}.id", f"{goal_id!r} is not a goal id (lower-case letters, digits "
                                                     "and dashes, at most 63)")
    if goal_id in seen:
        raise TrainingSchemaError(path, f"{key}.id", f"{goal_id!r} is the id of another goal too")
    seen.add(goal_id)
    title = _line(path, f"{key}.title", goal["title"])
    hint = _text(path, f"{key}.hint", goal["hint"])
    given = goal["check"]
    checks = given if isinstance(given, list) else [given]
    if not checks:
        raise TrainingSchemaError(path, f"{key}.check", "an empty list: give at least one check")
    for index, check in enumerate(checks):
        _check(path, f"{key}.check" + (f"[{index}]" if isinstance(given, list) else ""), check)
    return Goal(goal_id, title, tuple(checks), hint)


def _check(path: Path, key: str, check: object) -> None:
    if not isinstance(check, dict):
        raise TrainingSchemaError(path, key, f"a check is a mapping with a kind, not {_kind(check)}")
    kind = check.get("kind")
    if kind not in CHECK_KINDS:
        raise TrainingSchemaError(path, f"{key}.kind", f"{'missing' if kind is None else repr(kind)}: a check kind "
                                                       f"is one of {', '.join(sorted(CHECK_KINDS))}")
    required, optional = CHECK_KINDS[kind].keys
    _keys(path, key, check, ("kind", *required, *optional), required=required)
    for name, value in check.items():
        expected = CHECK_KINDS[kind].types.get(name)
        if expected and not _typed(value, expected):
            raise TrainingSchemaError(path, f"{key}.{name}", f"must be {expected}, not {_kind(value)}")


def _typed(value: object, expected: str) -> bool:
    if expected == "text":
        return isinstance(value, str) and bool(value.strip())
    if expected == "a number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if expected == "a whole number":
        return isinstance(value, int) and not isinstance(value, bool)
    if expected == "true or false":
        return isinstance(value, bool)
    if expected == "a mapping":
        return isinstance(value, dict)
    if expected == "a list of texts":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return True


def _steps(path: Path, key: str, steps: object) -> tuple[Step, ...]:
    if not isinstance(steps, list):
        raise TrainingSchemaError(path, key, f"a list of steps, not {_kind(steps)}")
    parsed = []
    for index, step in enumerate(steps):
        try:
            parsed.append(parse_step(step, path.parent))
        except ValueError as exc:
            where, _, problem = str(exc).partition(": ")
            raise TrainingSchemaError(path, f"{key}[{index}]" + (f".{where}" if where else ""), problem) from None
    return tuple(parsed)


def _keys(path: Path, key: str, given: dict, known: tuple[str, ...], required: tuple[str, ...] = ()) -> None:
    unknown = sorted(set(map(str, given)) - set(known))
    if unknown:
        raise TrainingSchemaError(path, f"{key}.{unknown[0]}", f"unknown key (known: {', '.join(known)})")
    missing = [k for k in required if k not in given]
    if missing:
        raise TrainingSchemaError(path, f"{key}.{missing[0]}", "missing")


def _line(path: Path, key: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip() or "\n" in value.strip():
        raise TrainingSchemaError(path, key, f"one line of text, not {_kind(value)}")
    return value.strip()


def _text(path: Path, key: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise TrainingSchemaError(path, key, f"a text, not {_kind(value)}")
    return value.strip()


def _kind(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return "an empty text" if not value.strip() else ("several lines" if "\n" in value.strip() else "a text")
    return {bool: "true/false", int: "a number", float: "a number", list: "a list", dict: "a mapping"}.get(
        type(value), f"a {type(value).__name__}")


__all__ = ["Goal", "LabSpec", "SYSTEMS", "TrainingSchemaError", "is_training", "load_lab", "parse_lab"]
