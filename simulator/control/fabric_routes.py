""""May A talk to B": the verdict of one flow against the zoning rules the leaves hold.

`POST /_sim/fabric/flow` with `{"from": A, "to": B, "proto": "tcp", "port": 443}` (optional `"sport"`, the
source port, and `"flags"`, TCP flags such as "est" or "syn,ack") answers the verdict document of
`simulator.apic.zoning.flow_verdict`: `verdict` (permit or deny), the deciding `rule` (its DN, priority,
action, direction, owning contract, subject, filter and entry, or the VRF's default rule), the enforcing
`leaf`, the two ends as they were classified (`from`, `to`) and the `reply` direction's verdict. A and B are
an endpoint's IP or MAC, a VM name, an EPG DN, an external EPG DN, or an external address. A real fabric has
no such question to ask (it answers only by sending traffic): this is a simulator power, and the
`acisim fabric flow` command asks it.

Bad input (an unknown key, a port outside 0..65535, an end the lab cannot place, a protocol it does not know)
is a 400 in the control API's {"error": ...} shape; the guard of the blueprint (admin credentials, own origin,
JSON bodies) applies as to every /_sim route.
"""

from __future__ import annotations

from ..apic.zoning import ZoningError, flow_verdict
from . import bp
from .replies import ControlError, body, lab, number, reply, text

MAX_PORT = 65535


@bp.route("/fabric/flow", methods=["POST"])
def fabric_flow():
    data = body("from", "to", "proto", "port", "sport", "flags")
    if "from" not in data or "to" not in data:
        raise ControlError('give {"from": A, "to": B, "proto": "tcp", "port": P} (A and B: an endpoint IP or MAC, '
                           "a VM name, an EPG DN or an external address)")
    source, destination = text(data, "from"), text(data, "to")
    proto = text(data, "proto", default="tcp")
    port = _port(data, "port")
    sport = _port(data, "sport")
    flags = text(data, "flags", optional=True)
    try:
        verdict = flow_verdict(lab().apic.store, source, destination, proto=proto, port=port, sport=sport,
                               tcp_flags=flags)
    except ZoningError as exc:
        raise ControlError(str(exc)) from None
    return reply(verdict)


def _port(data: dict, key: str) -> int | None:
    """A TCP/UDP port, or None when the key is absent or null (a protocol without ports, or any port)."""
    if data.get(key) is None:
        return None
    return int(number(data, key, 0, MAX_PORT, whole=True))
