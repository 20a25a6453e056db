"""The lab's CNI controller emulators (one per Pod running aci-containers-controller): what each is doing,
and a wait until they have synced what the cluster holds now, which tests and BDD steps use instead of
sleeping."""

from __future__ import annotations

from . import bp
from .replies import body, lab, number, reply

MAX_SETTLE_SECONDS = 120


def _emulators():
    return lab().cni


@bp.route("/cni", methods=["GET"])
def cni_status():
    emulators = _emulators()
    return reply({"emulators": emulators.status() if emulators else []})


@bp.route("/cni/settle", methods=["POST"])
def cni_settle():
    """{"timeout": seconds} (default 30, at most 120): waits until every emulator synced the cluster's latest
    change (or is waiting out a restart back-off); answers whether they did within the timeout."""
    timeout = number(body("timeout"), "timeout", 0, MAX_SETTLE_SECONDS, default=30, unit=" seconds")
    emulators = _emulators()
    if emulators is None:
        return reply({"settled": True, "emulators": []})
    lab().tick()
    settled = emulators.settle(timeout)
    return reply({"settled": settled, "emulators": emulators.status()})
