"""Node preparation as the fabric sees it: each Kubernetes node's verdict, and changing it.

`GET /_sim/k8s/preparation` lists every node: {"nodes": [{"node", "address", "prepared", "reason",
"infra_ip", "source"}]}. `POST /_sim/k8s/preparation` takes either the node-prep lab's report
(`acisim nodeprep lab check --json`, with "addresses": {NODE: {"ip", "tep"}}): each of its nodes is
matched to the lab's Kubernetes node with that node-subnet address, passes when its checks all did and
takes the report's TEP as its infra address; or a plain verdict {"node": NAME, "passed": bool,
"reason": "..."}. `DELETE /_sim/k8s/preparation` forgets what was reported: every node back to the
scenario's verdict and infra address. The lab settles before the answer, so the APIC and kubectl already
show the result.
Bad input is a 400, an unknown node or a report matching none a 404, each one line.
"""

from __future__ import annotations

from ..opflex import PreparationError
from . import bp
from .replies import ControlError, body, error, lab, reply


def _listing() -> dict:
    return {"nodes": [p.as_json() for p in lab().opflex.preparation.all()]}


@bp.route("/k8s/preparation", methods=["GET"])
def k8s_preparation():
    return reply(_listing())


@bp.route("/k8s/preparation", methods=["POST"])
def k8s_prepare():
    try:
        data = body(any_keys=True)  # Preparations checks a report's and a verdict's keys
    except ControlError as exc:
        return error("give a node-prep lab report (acisim nodeprep lab check --json) or "
                     f'{{"node": NAME, "passed": true|false, "reason": "..."}} ({exc})')
    preparation = lab().opflex.preparation
    try:
        if "nodes" in data:
            changed, unmatched = preparation.apply_report(data)
        else:
            changed, unmatched = [preparation.declare(data)], []
    except PreparationError as exc:
        return error(str(exc), exc.status)
    lab().tick()
    return reply({"changed": [p.as_json() for p in changed], "unmatched": unmatched, **_listing()})


@bp.route("/k8s/preparation", methods=["DELETE"])
def k8s_forget_preparation():
    body()
    lab().opflex.preparation.reset()
    lab().tick()
    return reply(_listing())
