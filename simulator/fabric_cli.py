"""`acisim fabric flow`: may A talk to B on this port, and which rule says so, asked of a running lab.

The command is a client of the lab's control API (`POST /_sim/fabric/flow`, simulator/control/fabric_routes.py):
it logs in with the lab admin's credentials (HTTP Basic, the `acisim serve` defaults unless given) and prints
the verdict, the deciding rule in the line style of the leaves' contract_parser.py
(`[prio:ruleId] [vrf:...] action proto src-epg(pcTag) dst-epg(pcTag) [dst-l4] [contract:DN]`), the leaf that
enforces it and the verdict of the reply direction; with `--json` the control API's document, one JSON object.
A real APIC has no such question (a fabric answers it only by sending traffic): the command needs the simulator.

Exit status, so a script can test the verdict (`if acisim fabric flow ...; then`):
  0  permit
  1  deny
  2  an invalid option value (one line on stderr naming the option), or a lab that refuses the request (one
     line with the lab's own message: an unknown endpoint, a wrong password)
  3  a lab that cannot be reached (one line naming the URL)
"""

from __future__ import annotations

import argparse
import json
import sys

from .control_client import LabRefused, LabUnreachable, add_lab_options, ask, one_line

PERMIT, DENY, REFUSED, UNREACHABLE = 0, 1, 2, 3
PROTOCOLS = "tcp, udp, icmp, icmpv6, arp, ip or an IP protocol number 0 to 255"


def add_parser(sub):
    """The `fabric` command and its `flow` subcommand."""
    fabric = sub.add_parser("fabric", help="ask the fabric of a running lab")
    commands = fabric.add_subparsers(dest="fabric_command", required=True)
    flow = commands.add_parser("flow", help="may A talk to B: the verdict, the rule that decides, the leaf",
                               description="Exit status: 0 permit, 1 deny, 2 an invalid option or a request the "
                                           "lab refuses, 3 a lab that cannot be reached.")
    flow.add_argument("--from", dest="source", required=True, type=one_line("--from"),
                      help="endpoint IP or MAC, VM name, EPG DN, external EPG DN or external address")
    flow.add_argument("--to", dest="destination", required=True, type=one_line("--to"), help="as --from")
    flow.add_argument("--proto", default="tcp", type=one_line("--proto"), help=f"{PROTOCOLS} (default tcp)")
    flow.add_argument("--port", type=l4_port, help="destination port (0 to 65535)")
    flow.add_argument("--sport", type=l4_port, help="source port (0 to 65535; default any)")
    flow.add_argument("--flags", type=one_line("--flags"), help="TCP flags of the packet, e.g. syn or est")
    add_lab_options(flow, "acisim serve")
    flow.add_argument("--json", action="store_true", help="print the verdict as one JSON object")
    return flow


def l4_port(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = -1
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"invalid port value: {text!r} (0 to 65535)")
    return number


def run(args) -> int:
    ask_for = {"from": args.source, "to": args.destination, "proto": args.proto, "port": args.port}
    ask_for.update({key: value for key, value in (("sport", args.sport), ("flags", args.flags)) if value is not None})
    try:
        document = ask(args, "POST", "/_sim/fabric/flow", "the flow", body=ask_for)
        if document.get("verdict") not in ("permit", "deny"):
            raise LabRefused(f"the lab at {args.apic_url} answered the flow without a verdict: {str(document)[:200]}")
    except LabUnreachable as exc:
        return _fail(UNREACHABLE, str(exc))
    except LabRefused as exc:
        return _fail(REFUSED, str(exc))
    print(json.dumps(document) if args.json else describe(document, args))
    return PERMIT if document["verdict"] == "permit" else DENY


def describe(document: dict, args) -> str:
    """The verdict as a network engineer reads it: verdict, rule line, leaf, reply."""
    flow = f"{args.proto}" + (f"/{args.port}" if args.port is not None else "")
    lines = [f"{document['verdict']}: {args.source} -> {args.destination} {flow}"]
    rule = document.get("rule") or {}
    lines.append(f"  rule   {rule_line(rule)}")
    if rule.get("contract"):
        subject = str(rule.get("subject") or "").rsplit("/subj-", 1)[-1]
        parts = [f"contract {rule['contract']}", *([f"subject {subject}"] if subject else []),
                 *(f"{key} {rule[key]}" for key in ("filter", "entry") if rule.get(key))]
        lines.append(f"         {', '.join(parts)}")
    elif rule.get("default"):
        lines.append("         the VRF's default rule (no contract permits the flow)")
    if document.get("leaf"):
        lines.append(f"  leaf   {document['leaf']}")
    reply = document.get("reply") or {}
    if reply.get("verdict"):
        on = f" on {reply['leaf']}" if reply.get("leaf") else ""
        lines.append(f"  reply  {reply['verdict']} by {rule_line(reply.get('rule') or {})}{on}")
    return "\n".join(lines)


def rule_line(rule: dict) -> str:
    """The rule as contract_parser.py prints it (the zoning core's own `text` when it gives one)."""
    if rule.get("text"):
        return str(rule["text"])
    head = f"[{rule.get('prio', '?')}:{rule.get('id', '?')}] {rule.get('action', '?')}"
    ends = f"{rule.get('sPcTag', 'any')} -> {rule.get('dPcTag', 'any')}"
    tail = f" [contract:{rule['contract']}]" if rule.get("contract") else ""
    return f"{head} {ends}{tail} ({rule.get('dn', 'no DN')})"


def _fail(status: int, message: str) -> int:
    print(f"acisim fabric flow: error: {' '.join(message.split())}", file=sys.stderr)
    return status
