"""A training scenario file is checked before a lab is built from it: every problem is one line naming the file,
the key path and what is wrong (simulator/training/schema.py)."""

from __future__ import annotations

import pytest
import yaml

from simulator.training import TrainingSchemaError, load_lab

GOOD = {
    "name": "tiny",
    "title": "A tiny lab",
    "story": "Create the tenant t1.",
    "goals": [{"id": "tenant", "title": "The tenant t1 exists", "hint": "POST fvTenant.",
               "check": {"kind": "apic_object", "dn": "uni/tn-t1"}}],
    "solution": {"text": "POST it.", "steps": [{"system": "apic", "path": "/api/mo/uni.json",
                                                "body": {"fvTenant": {"attributes": {"name": "t1"}}}}]},
}


def write(tmp_path, data, name="lab.yaml"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data), encoding="utf-8")
    return path


def edited(change):
    data = yaml.safe_load(yaml.safe_dump(GOOD))
    change(data)
    return data


def refused(tmp_path, data) -> TrainingSchemaError:
    path = write(tmp_path, data)
    with pytest.raises(TrainingSchemaError) as caught:
        load_lab(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and "\n" not in message, message
    return caught.value


def test_a_good_file_is_a_lab_with_its_goals_and_steps(tmp_path):
    spec = load_lab(write(tmp_path, GOOD))
    assert spec.name == "tiny" and spec.title == "A tiny lab"
    assert [g.id for g in spec.goals] == ["tenant"]
    assert spec.goals[0].checks == ({"kind": "apic_object", "dn": "uni/tn-t1"},)
    assert spec.solution_steps[0].method == "POST" and spec.solution_steps[0].system == "apic"
    assert spec.summary()["goals"] == [{"id": "tenant", "title": "The tenant t1 exists"}]


@pytest.mark.parametrize("change, key, words", [
    (lambda d: d.pop("title"), "title", "missing"),
    (lambda d: d.pop("goals"), "goals", "missing"),
    (lambda d: d.update(goals=[]), "goals", "a non-empty list of goals"),
    (lambda d: d.update(goals="tenant"), "goals", "not a text"),
    (lambda d: d.update(title="two\nlines"), "title", "one line of text, not several lines"),
    (lambda d: d.update(story=""), "story", "a text, not an empty text"),
    (lambda d: d.update(trainer="me"), "trainer", "unknown scenario key"),
    (lambda d: d["goals"][0].pop("hint"), "goals[0].hint", "missing"),
    (lambda d: d["goals"][0].update(colour="red"), "goals[0].colour", "unknown key (known: id, title, check, hint)"),
    (lambda d: d["goals"][0].update(id="Tenant One"), "goals[0].id", "is not a goal id"),
    (lambda d: d["goals"].append(dict(d["goals"][0])), "goals[1].id", "the id of another goal too"),
    (lambda d: d["goals"][0].update(check={"kind": "telepathy"}), "goals[0].check.kind",
     "'telepathy': a check kind is one of"),
    (lambda d: d["goals"][0].update(check={"dn": "uni/tn-t1"}), "goals[0].check.kind", "missing: a check kind"),
    (lambda d: d["goals"][0].update(check={"kind": "apic_object"}), "goals[0].check.dn", "missing"),
    (lambda d: d["goals"][0].update(check=[{"kind": "apic_object", "dn": "uni/tn-t1"},
                                           {"kind": "flow", "from": "a", "to": "b", "port": "http"}]),
     "goals[0].check[1].port", "must be a whole number, not a text"),
    (lambda d: d["goals"][0].update(check={"kind": "apic_object", "dn": "uni/tn-t1", "attributes": "x"}),
     "goals[0].check.attributes", "must be a mapping"),
    (lambda d: d["goals"][0].update(check=[]), "goals[0].check", "an empty list"),
    (lambda d: d.update(solution="do it"), "solution", "a mapping with text and steps"),
    (lambda d: d["solution"].pop("text"), "solution.text", "missing"),
    (lambda d: d["solution"]["steps"][0].update(system="vcenter"), "solution.steps[0].system",
     "'vcenter' is not a system of the lab (apic, rhv, k8s, sim)"),
    (lambda d: d["solution"]["steps"][0].update(method="FETCH"), "solution.steps[0].method", "is not one of"),
    (lambda d: d["solution"]["steps"][0].pop("path"), "solution.steps[0].path", "one line of text"),
    (lambda d: d["solution"]["steps"][0].update(timeout=3), "solution.steps[0].timeout", "unknown key"),
    (lambda d: d["solution"]["steps"].append({"system": "apic", "replay": "nowhere.jsonl"}),
     "solution.steps[1].replay", "no such file"),
    (lambda d: d.update(setup=[{"system": "apic"}]), "setup[0].path", "one line of text"),
])
def test_a_problem_names_the_file_the_key_and_what_is_wrong(tmp_path, change, key, words):
    error = refused(tmp_path, edited(change))
    assert error.key == key, str(error)
    assert words in error.problem, str(error)
    assert str(error) == f"{error.path}: {key}: {error.problem}"


def test_a_file_that_is_not_yaml_says_its_line(tmp_path):
    error = refused(tmp_path, "title: [unclosed\n")
    assert "not valid YAML (line 2" in error.problem, str(error)


def test_a_file_that_is_a_list_is_refused(tmp_path):
    assert "a scenario is a YAML mapping, not a list" in refused(tmp_path, "- a\n- b\n").problem


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(TrainingSchemaError, match="no such file"):
        load_lab(tmp_path / "none.yaml")


def test_the_lab_part_is_checked_by_the_lab_as_before(tmp_path):
    """A training file is a scenario: `acisim serve --scenario` takes it (its lab keys), and a bad lab key is still
    the scenario's error."""
    from simulator.lab import LabOptions

    path = write(tmp_path, GOOD)
    LabOptions().apply_scenario(path)
    bad = write(tmp_path, {**GOOD, "fixtures": ["missing.yaml"]}, "bad.yaml")
    with pytest.raises(ValueError, match="no such file"):
        LabOptions().apply_scenario(bad)
