"""Powers over the RHV Manager: a migration that fails, a host that changes state, tokens that expire, and
reads that fail.

`POST /_sim/rhv/faults` with `{"collection": "vms", "status": 500, "count": N}` (a root collection of the
API: vms, hosts, clusters, datacenters, networks, vnicprofiles, events, ...; status 500-599, default 500;
count >= 1, default 1; optional "detail", the fault's words) makes the next N GETs under that collection
(`/vms`, `/vms/{id}/nics`, ...) answer as an engine whose backend failed: that status with a `<fault>`
(reason "Operation Failed", the detail), in XML or JSON as the client asked. Other collections keep
answering, which is how a test shows an APIC a partial inventory. The reply lists every armed fault;
bad input is a 400 naming what is wrong (count at most 1,000,000; names and the detail one line of at most
1024 characters). `DELETE /_sim/rhv/faults` clears them (so does a reset).
"""

from __future__ import annotations

from . import bp
from .replies import body, error, lab, number, reply, text

MAX_FAULT_COUNT = 1_000_000


@bp.route("/rhv/migration-failure", methods=["POST"])
def rhv_migration_failure():
    """The next migration (of the named VM, or any) fails: event 65/120 and the VM stays put."""
    data = body("vm", "error")
    vm = text(data, "vm", optional=True)
    reason = text(data, "error", default="Fatal error during migration")
    try:
        lab().rhv.inject_migration_failure(vm, reason)
    except (LookupError, ValueError) as exc:
        return error(str(exc))
    return reply({"armed": True, "vm": vm})


@bp.route("/rhv/host-status", methods=["POST"])
def rhv_host_status():
    """Force a host's status (e.g. non_operational), as a lost host would report."""
    data = body("host", "status")
    if not data.get("host") or not data.get("status"):
        return error('give {"host": NAME, "status": STATUS}')
    host, status = text(data, "host"), text(data, "status")
    try:
        lab().rhv.set_host_status(host, status)
    except (LookupError, ValueError) as exc:
        return error(str(exc))
    return reply({"host": host, "status": status})


@bp.route("/rhv/expire-tokens", methods=["POST"])
def rhv_expire_tokens():
    body()
    lab().rhv.expire_tokens()
    return reply({"expired": True})


@bp.route("/rhv/faults", methods=["POST"])
def rhv_faults():
    """Arm server errors on the next GETs of one collection; the reply is every fault still armed."""
    data = body("collection", "status", "count", "detail")
    if "collection" not in data:
        return error('give {"collection": NAME, "status": 500, "count": N}')
    count = data.get("count", 1)
    if isinstance(count, int) and count > MAX_FAULT_COUNT:  # the engine's own check refuses the rest
        number(data, "count", 1, MAX_FAULT_COUNT, whole=True, unit=" requests")
    if data.get("detail"):
        text(data, "detail")
    try:
        armed = lab().rhv.fail_reads(data["collection"], data.get("status", 500), count,
                                     **({"detail": data["detail"]} if "detail" in data else {}))
    except ValueError as exc:
        return error(str(exc))
    return reply({"armed": armed})


@bp.route("/rhv/faults", methods=["DELETE"])
def rhv_faults_clear():
    body()
    lab().rhv.clear_read_faults()
    return reply({"armed": {}})
