"""The suite refuses step definitions that compete for one step, naming both modules."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import types
from pathlib import Path

from steps.support.registry import ambiguous_steps, duplicated_texts, step_definitions

ROOT = Path(__file__).resolve().parents[1]


def step_module(name: str, source: str) -> types.ModuleType:
    """A module whose step decorators run in its own namespace, as an imported step module's do."""
    module = types.ModuleType(name)
    exec(compile("from pytest_bdd import given, parsers, then, when\n" + textwrap.dedent(source), name, "exec"),
         module.__dict__)
    return module


def test_the_same_step_text_in_two_modules_is_named_with_both():
    one = step_module("steps.one", '''
        @given("the fabric is up")
        def fabric_up(): pass
    ''')
    two = step_module("steps.two", '''
        @given("the fabric is up")
        def fabric_ready(): pass

        @then("the fabric is up")
        def fabric_still_up(): pass
    ''')
    assert duplicated_texts(step_definitions([one, two])) == [
        "the given step 'the fabric is up' is defined by steps.one.fabric_up and by steps.two.fabric_ready"]


def test_the_same_step_text_twice_in_one_module_is_caught():
    module = step_module("steps.one", '''
        @when("I check the lab")
        def check(): pass

        @when("I check the lab")
        def check_again(): pass
    ''')
    assert duplicated_texts(step_definitions([module])) == [
        "the when step 'I check the lab' is defined by steps.one.check and by steps.one.check_again"]


def test_two_parsers_matching_one_feature_step_are_caught():
    one = step_module("steps.one", '''
        @then(parsers.parse('the VM "{vm}" is up'))
        def vm_up(vm): pass
    ''')
    two = step_module("steps.two", '''
        @then(parsers.re(r'the VM "(?P<vm>[^"]+)" is (still )?up'))
        def vm_still_up(vm): pass
    ''')
    definitions = step_definitions([one, two])
    assert duplicated_texts(definitions) == []
    steps = [("then", 'the VM "vm1" is up', "rhv.feature:7"), ("then", 'the VM "vm1" is still up', "rhv.feature:9"),
             ("given", 'the VM "vm1" is up', "rhv.feature:3")]
    assert ambiguous_steps(definitions, steps) == [
        "rhv.feature:7: the then step 'the VM \"vm1\" is up' is matched by steps.one.vm_up and by steps.two.vm_still_up"]


def test_the_suite_defines_each_step_once():
    from steps import conftest

    modules = [sys.modules[name] for name in conftest.STEP_MODULES]
    assert duplicated_texts(step_definitions(modules)) == []


def test_a_run_with_competing_step_modules_stops_at_collection(tmp_path):
    """The hook the suite's conftest runs, in a project of its own: the run fails before any test."""
    (tmp_path / "features").mkdir()
    (tmp_path / "features" / "lab.feature").write_text(textwrap.dedent('''
        Feature: Lab
          Scenario: Up
            Given the fabric is up
    '''))
    for name in ("dup_one", "dup_two"):
        (tmp_path / f"{name}.py").write_text('from pytest_bdd import given\n\n\n@given("the fabric is up")\n'
                                             f'def {name}_step():\n    pass\n')
    (tmp_path / "conftest.py").write_text(textwrap.dedent('''
        from steps.support.registry import check_collection

        pytest_plugins = ["dup_one", "dup_two"]


        def pytest_collection_modifyitems(items):
            check_collection(pytest_plugins, items)
    '''))
    (tmp_path / "test_lab.py").write_text('from pytest_bdd import scenarios\n\nscenarios("features/lab.feature")\n')
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path),
                           "-c", "/dev/null", str(tmp_path)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120,
                          env={"PYTHONPATH": f"{ROOT}:{tmp_path}", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 4, done.stdout + done.stderr
    assert "the given step 'the fabric is up' is defined by dup_one.dup_one_step and by dup_two.dup_two_step" \
        in done.stderr, done.stdout + done.stderr
    assert "passed" not in done.stdout
