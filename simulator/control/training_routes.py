"""The lab's training side over the control API: the active lab, its goals checked, hints, the solution, a reset.

    GET  /_sim/training                  the lab: name, title, story, goals (id, title)
    POST /_sim/training/check            every goal: passed, or one sentence of what is still wrong
    GET  /_sim/training/hint[?goal=ID]   the hint of a goal (without one: of the first goal not passed yet)
    GET  /_sim/training/solution         the solution's text and its REST steps
    POST /_sim/training/reset            back to the scenario's starting state (its files and setup steps)

Like every /_sim route it is the lab admin's (access.py): a trainee's APIC account (not an admin) is refused
with 403, so a trainee can check nothing through it and cannot reset the lab, read the solution or its hints
here; the instructor (or `acisim lab ...` with the admin's credentials) can. A lab served without a training
scenario answers 404 saying so. simulator/training holds the model; this module only translates.
"""

from __future__ import annotations

from flask import request

from ..training.steps import StepFailed
from . import bp
from .replies import ControlError, body, lab, reply


def _training():
    training = getattr(lab(), "training", None)
    if training is None:
        raise ControlError("this lab runs no training scenario (start one with: acisim lab start NAME)", 404)
    return training


@bp.route("/training", methods=["GET"])
def training_status():
    return reply(_training().status())


@bp.route("/training/check", methods=["POST"])
def training_check():
    body()
    return reply(_training().check())


@bp.route("/training/hint", methods=["GET"])
def training_hint():
    training = _training()
    unknown = sorted(set(request.args) - {"goal"})
    if unknown:
        raise ControlError(f"unknown query parameter {unknown[0]!r} (GET /_sim/training/hint takes goal)")
    goal = request.args.get("goal")
    if goal is not None and training.spec.goal(goal) is None:
        known = ", ".join(g.id for g in training.spec.goals)
        raise ControlError(f"the lab {training.spec.name} has no goal {goal[:80]!r} (its goals: {known})", 404)
    return reply(training.hint(goal))


@bp.route("/training/solution", methods=["GET"])
def training_solution():
    return reply(_training().solution())


@bp.route("/training/reset", methods=["POST"])
def training_reset():
    body()
    training = _training()
    try:
        training.reset()
    except StepFailed as exc:
        raise ControlError(f"the lab was reset, but a setup step failed: {exc}", 500) from None
    return reply({"reset": True, **training.check()})
