"""Which step definition answers which step: two definitions must never compete for one step.

pytest-bdd turns each step definition into a fixture named after its parser's text; two modules
that define the same text register the same fixture name, and the one registered last silently
wins. Two different parsers that both match a step of a feature (a `parse` pattern and a regex, say)
are resolved just as silently. The suite checks both when it collects, and fails naming the
modules, so a new step module cannot shadow another's step without anyone noticing.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from types import ModuleType

import pytest
from pytest_bdd.scenario import scenario_wrapper_template_registry
from pytest_bdd.steps import StepFunctionContext, StepNamePrefix, step_function_context_registry


@dataclass(frozen=True)
class StepDefinition:
    module: str
    function: str
    context: StepFunctionContext

    @property
    def kind(self) -> str:
        return self.context.type or "step"

    @property
    def text(self) -> str:
        return self.context.parser.name

    def where(self) -> str:
        return f"{self.module}.{self.function}"

    def matches(self, kind: str, text: str) -> bool:
        return self.context.type in (None, kind) and bool(self.context.parser.is_matching(text))


def step_definitions(modules: Iterable[ModuleType]) -> list[StepDefinition]:
    """Every step definition the modules registered (pytest-bdd puts one fixture per decorator in
    the defining module's namespace)."""
    found = []
    for module in modules:
        for name, value in vars(module).items():
            if not name.startswith(StepNamePrefix.step_def.value):
                continue
            wrapped = getattr(value, "_get_wrapped_function", None)  # pytest's fixture definition
            context = step_function_context_registry.get(wrapped() if wrapped else value)
            if context is not None:
                found.append(StepDefinition(module.__name__, context.step_func.__name__, context))
    return found


def duplicated_texts(definitions: list[StepDefinition]) -> list[str]:
    """One line per step text defined more than once for the same kind (given/when/then)."""
    by_text: dict[tuple[str, str], list[StepDefinition]] = defaultdict(list)
    for definition in definitions:
        by_text[(definition.kind, definition.text)].append(definition)
    return [f"the {kind} step {text!r} is defined by {' and by '.join(d.where() for d in found)}"
            for (kind, text), found in sorted(by_text.items()) if len(found) > 1]


def ambiguous_steps(definitions: list[StepDefinition], steps: Iterable[tuple[str, str, str]]) -> list[str]:
    """One line per feature step (kind, text, where) that more than one definition matches."""
    problems = []
    for kind, text, where in steps:
        found = [d for d in definitions if d.matches(kind, text)]
        if len(found) > 1:
            problems.append(f"{where}: the {kind} step {text!r} is matched by "
                            f"{' and by '.join(d.where() for d in found)}")
    return sorted(set(problems))


def feature_steps(items: Iterable[pytest.Item]) -> Iterator[tuple[str, str, str]]:
    """(kind, text, where) of every step of the collected scenarios, outlines filled in."""
    for item in items:
        template = scenario_wrapper_template_registry.get(getattr(item, "function", None))
        if template is None:
            continue
        callspec = getattr(item, "callspec", None)
        scenario = template.render(callspec.params.get("_pytest_bdd_example", {}) if callspec else {})
        for step in scenario.steps:
            yield step.type, step.name, f"{template.feature.rel_filename}:{step.line_number}"


def check_collection(module_names: Iterable[str], items: list[pytest.Item]) -> None:
    """Stop the run (a usage error, exit status 4) when two step definitions compete for one step."""
    definitions = step_definitions(sys.modules[name] for name in module_names)
    problems = duplicated_texts(definitions) + ambiguous_steps(definitions, feature_steps(items))
    if problems:
        raise pytest.UsageError("step definitions compete for the same steps:\n  " + "\n  ".join(problems))
