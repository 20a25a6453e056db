"""Powers over the RHV Manager: a migration that fails, a host that changes state, tokens that expire."""

from __future__ import annotations

from . import bp
from .replies import body, error, lab, reply


@bp.route("/rhv/migration-failure", methods=["POST"])
def rhv_migration_failure():
    """The next migration (of the named VM, or any) fails: event 65/120 and the VM stays put."""
    data = body()
    try:
        lab().rhv.inject_migration_failure(data.get("vm"), data.get("error", "Fatal error during migration"))
    except (LookupError, ValueError) as exc:
        return error(str(exc))
    return reply({"armed": True, "vm": data.get("vm")})


@bp.route("/rhv/host-status", methods=["POST"])
def rhv_host_status():
    """Force a host's status (e.g. non_operational), as a lost host would report."""
    data = body()
    if not data.get("host") or not data.get("status"):
        return error('give {"host": NAME, "status": STATUS}')
    try:
        lab().rhv.set_host_status(data["host"], data["status"])
    except (LookupError, ValueError) as exc:
        return error(str(exc))
    return reply({"host": data["host"], "status": data["status"]})


@bp.route("/rhv/expire-tokens", methods=["POST"])
def rhv_expire_tokens():
    lab().rhv.expire_tokens()
    return reply({"expired": True})
