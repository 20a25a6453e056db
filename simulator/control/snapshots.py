"""Named snapshots of the whole lab (APIC tree, RHV engine, Kubernetes API server, clock): take, list, restore, delete.

Kept in the lab's state file when it has one (they survive a restart), in memory otherwise.
"""

from __future__ import annotations

from ..persist import SnapshotError, StateError
from . import bp
from .replies import body, error, lab, reply


@bp.route("/snapshots", methods=["GET"])
def list_snapshots():
    return reply({"snapshots": lab().state.snapshots()})


@bp.route("/snapshots", methods=["POST"])
def take_snapshot():
    """{"name": NAME}: the lab as it is now, under that name (409 when the name is taken)."""
    try:
        return reply(lab().state.take(body("name").get("name")), 201)
    except SnapshotError as exc:
        return error(str(exc), exc.status)


@bp.route("/snapshots/<name>/restore", methods=["POST"])
def restore_snapshot(name: str):
    body()
    try:
        return reply(lab().state.restore(name))
    except SnapshotError as exc:
        return error(str(exc), exc.status)
    except StateError as exc:
        return error(f"snapshot {name!r} cannot be restored: {exc}", 409)


@bp.route("/snapshots/<name>", methods=["DELETE"])
def delete_snapshot(name: str):
    body()
    try:
        return reply(lab().state.delete(name))
    except SnapshotError as exc:
        return error(str(exc), exc.status)
