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
import warnings
from urllib.parse import urlsplit

PERMIT, DENY, REFUSED, UNREACHABLE = 0, 1, 2, 3
DEFAULT_URL = "https://127.0.0.1:8443"  # acisim serve's APIC
TIMEOUT = 30.0
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
    flow.add_argument("--apic-url", type=lab_url, default=DEFAULT_URL,
                      help=f"the lab's APIC (default {DEFAULT_URL}, as acisim serve starts it)")
    flow.add_argument("--user", default="admin", type=one_line("--user"), help="the lab's admin user (default admin)")
    flow.add_argument("--password", default="cisco123", help="the admin's password (default cisco123)")
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


def one_line(option: str):
    def check(text: str) -> str:
        if not text or "\n" in text or "\r" in text or len(text) > 1024:
            raise argparse.ArgumentTypeError(f"invalid value {text[:60]!r}: one line of 1 to 1024 characters")
        return text
    check.__name__ = option.lstrip("-")
    return check


def lab_url(text: str) -> str:
    """http(s)://host[:port] of the lab's APIC, without a path."""
    try:
        parts = urlsplit(text.strip())
        parts.port  # noqa: B018 (raises ValueError for a port out of range)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"invalid URL {text!r}: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path.strip("/") or parts.query:
        raise argparse.ArgumentTypeError(f"invalid URL {text!r}: give http(s)://HOST[:PORT] of the lab's APIC")
    return f"{parts.scheme}://{parts.netloc}"


def run(args) -> int:
    import requests
    from urllib3.exceptions import InsecureRequestWarning

    warnings.filterwarnings("ignore", category=InsecureRequestWarning)  # the lab's self-signed certificate
    ask = {"from": args.source, "to": args.destination, "proto": args.proto, "port": args.port}
    ask.update({key: value for key, value in (("sport", args.sport), ("flags", args.flags)) if value is not None})
    url = f"{args.apic_url}/_sim/fabric/flow"
    with requests.Session() as http:
        http.trust_env = False  # REQUESTS_CA_BUNDLE would override verify=False; no proxy for a lab
        try:
            answer = http.post(url, json=ask, auth=(args.user, args.password), verify=False, timeout=TIMEOUT)
        except requests.RequestException as exc:
            return _fail(UNREACHABLE, f"the lab at {args.apic_url} cannot be reached: {_reason(exc)}")
    document = _document(answer)
    if answer.status_code != 200 or document is None or document.get("verdict") not in ("permit", "deny"):
        message = document.get("error") if isinstance(document, dict) else None
        if message is None and answer.status_code == 404:
            message = "it has no control route /_sim/fabric/flow (is it an acisim lab, and recent enough?)"
        return _fail(REFUSED, f"the lab at {args.apic_url} refused the flow (HTTP {answer.status_code}): "
                              f"{message or answer.text[:200] or 'no answer'}")
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


def _document(answer) -> dict | None:
    try:
        found = answer.json()
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def _reason(exc: Exception) -> str:
    """What went wrong, in a few words (requests' own message is a long chain of wrapped errors)."""
    text = str(exc)
    for marker, said in (("Connection refused", "connection refused"), ("timed out", "timed out"),
                         ("Name or service not known", "unknown host"), ("SSL", "a TLS error")):
        if marker in text:
            return said
    return type(exc).__name__


def _fail(status: int, message: str) -> int:
    print(f"acisim fabric flow: error: {' '.join(message.split())}", file=sys.stderr)
    return status
