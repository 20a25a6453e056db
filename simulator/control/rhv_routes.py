"""Powers over the RHV Manager: a migration that fails, a host that changes state, tokens that expire, and
reads that fail.

`POST /_sim/rhv/faults` with `{"collection": "vms", "status": 500, "count": N}` (a root collection of the
API: vms, hosts, clusters, datacenters, networks, vnicprofiles, events, ...; status 500-599, default 500;
count >= 1, default 1; optional "detail", the fault's words) makes the next N GETs under that collection
(`/vms`, `/vms/{id}/nics`, ...) answer as an engine whose backend failed: that status with a `<fault>`
(reason "Operation Failed", the detail), in XML or JSON as the client asked. Other collections keep
answering, which is how a test shows an APIC a partial inventory. The reply lists every armed fault;
bad input is a 400 naming what is wrong. `DELETE /_sim/rhv/faults` clears them (so does a reset).
"""

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


@bp.route("/rhv/faults", methods=["POST"])
def rhv_faults():
    """Arm server errors on the next GETs of one collection; the reply is every fault still armed."""
    data = body()
    if "collection" not in data:
        return error('give {"collection": NAME, "status": 500, "count": N}')
    try:
        armed = lab().rhv.fail_reads(data["collection"], data.get("status", 500), data.get("count", 1),
                                     **({"detail": data["detail"]} if "detail" in data else {}))
    except ValueError as exc:
        return error(str(exc))
    return reply({"armed": armed})


@bp.route("/rhv/faults", methods=["DELETE"])
def rhv_faults_clear():
    lab().rhv.clear_read_faults()
    return reply({"armed": {}})
