"""Filter entries as a leaf matches them, and the packets they are matched against.

Confirmed (VEC D1, D5; contract_parser `format_filter`/`port_to_str`): an entry's fields are etherT, prot,
sFromPort/sToPort/dFromPort/dToPort (numbers or the names http, https, dns, smtp, ftpData, pop3, rtsp;
`unspecified` = any; a range is inclusive), tcpRules (est, syn, ack, fin, rst, multi-valued), stateful,
applyToFrag, arpOpc, icmpv4T/icmpv6T; `unspecified`, empty or `any` match everything, otherwise equality or
from <= x <= to. A From port alone (To unspecified) is that one port (APIC fills To with From).

Inferred (VEC D5): `est` matches a packet with ACK or RST set; each other listed TCP flag must be set in the
packet; `stateful yes` makes the provider-to-consumer (reverse) rule match TCP only with ACK set. Choices of
this simulator: a flow whose port is not given matches only entries that leave that port unspecified; a
flow of protocol icmp without a type is an echo request (ping), its reply an echo reply; fragments are not
modelled (applyToFrag is kept on the leaf objects, never matched).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..mit.store import MO

PORT_NAMES = {"ftpData": 20, "ssh": 22, "smtp": 25, "dns": 53, "http": 80, "pop3": 110, "https": 443, "rtsp": 554}
PROTOCOLS = {"icmp": 1, "igmp": 2, "tcp": 6, "egp": 8, "igp": 9, "udp": 17, "icmpv6": 58, "eigrp": 88,
             "ospfigp": 89, "pim": 103, "l2tp": 115}
ANY = ("", "unspecified", "any", "0")
TCP, UDP, ICMP, ICMPV6 = 6, 17, 1, 58
FLAGS = ("syn", "ack", "fin", "rst")


class BadValue(ValueError):
    """A protocol, port or flag that no filter entry could name."""


def port_number(value: str) -> int | None:
    """A port field's number, None for unspecified."""
    if value in ANY:
        return None
    if value in PORT_NAMES:
        return PORT_NAMES[value]
    try:
        return int(value)
    except ValueError:
        raise BadValue(f"unknown port {value!r}") from None


def protocol_number(value: str) -> int | None:
    if value in ANY:
        return None
    if value in PROTOCOLS:
        return PROTOCOLS[value]
    try:
        return int(value)
    except ValueError:
        raise BadValue(f"unknown protocol {value!r}") from None


def _range(low: str, high: str) -> tuple[int, int] | None:
    lo, hi = port_number(low), port_number(high)
    if lo is None and hi is None:
        return None
    if lo is None:
        lo = 0
    if hi is None:
        hi = lo
    return (lo, hi) if lo <= hi else (hi, lo)


@dataclass(frozen=True)
class Packet:
    """One packet of a flow: ethertype (ipv4, ipv6, arp), IP protocol number, ports, TCP flags, ICMP type."""

    ethertype: str
    proto: int | None
    sport: int | None = None
    dport: int | None = None
    flags: frozenset[str] = frozenset()
    icmp: str = ""

    def reply(self) -> Packet:
        """The return packet: ports swapped, a TCP reply carries ACK, an echo is answered by an echo reply."""
        flags = self.flags | {"ack"} if self.proto == TCP else self.flags
        icmp = {"echo": "echo-rep", "echo-req": "echo-rep"}.get(self.icmp, self.icmp)
        return replace(self, sport=self.dport, dport=self.sport, flags=frozenset(flags), icmp=icmp)


@dataclass(frozen=True)
class Entry:
    """A filter entry with its fields as the APIC holds them (strings)."""

    name: str
    etherT: str = "unspecified"
    prot: str = "unspecified"
    sFromPort: str = "unspecified"
    sToPort: str = "unspecified"
    dFromPort: str = "unspecified"
    dToPort: str = "unspecified"
    tcpRules: str = ""
    stateful: str = "no"
    applyToFrag: str = "no"
    arpOpc: str = "unspecified"
    icmpv4T: str = "unspecified"
    icmpv6T: str = "unspecified"

    FIELDS = ("etherT", "prot", "sFromPort", "sToPort", "dFromPort", "dToPort", "tcpRules", "stateful",
              "applyToFrag", "arpOpc", "icmpv4T", "icmpv6T")

    @classmethod
    def of(cls, mo: MO) -> Entry:
        return cls(mo.get("name") or mo.rn.removeprefix("e-"), **{f: mo.get(f) or _default(f) for f in cls.FIELDS})

    def attrs(self) -> dict[str, str]:
        return {f: getattr(self, f) for f in self.FIELDS}

    def reversed(self) -> Entry:
        """Source and destination ports swapped (the return rule of a subject with revFltPorts yes)."""
        return replace(self, sFromPort=self.dFromPort, sToPort=self.dToPort, dFromPort=self.sFromPort,
                       dToPort=self.sToPort)

    def is_any(self) -> bool:
        """Whether the entry matches every packet (the `default` filter's one entry)."""
        return self.etherT in ANY and self.prot in ANY and not self.tcpRules.strip(",") \
            and _range(self.sFromPort, self.sToPort) is None and _range(self.dFromPort, self.dToPort) is None

    def matches(self, packet: Packet, reverse_rule: bool = False) -> bool:
        """Whether the packet matches; `reverse_rule`: the entry sits on a provider-to-consumer rule of a
        contract (where `stateful yes` asks for ACK)."""
        ether = self.etherT
        if ether not in ANY:
            if ether == "ip":
                if packet.ethertype not in ("ipv4", "ipv6"):
                    return False
            elif ether != packet.ethertype:
                return False
        proto = protocol_number(self.prot)
        if proto is not None and proto != packet.proto:
            return False
        if packet.proto in (TCP, UDP):
            if not _in(_range(self.sFromPort, self.sToPort), packet.sport):
                return False
            if not _in(_range(self.dFromPort, self.dToPort), packet.dport):
                return False
        elif _range(self.sFromPort, self.sToPort) or _range(self.dFromPort, self.dToPort):
            return False
        if packet.proto == TCP:
            rules = {r for r in self.tcpRules.split(",") if r and r != "unspecified"}
            for rule in rules:
                if rule == "est":
                    if not packet.flags & {"ack", "rst"}:
                        return False
                elif rule not in packet.flags:
                    return False
            if reverse_rule and self.stateful == "yes" and "ack" not in packet.flags:
                return False
        icmp = self.icmpv4T if packet.proto == ICMP else self.icmpv6T if packet.proto == ICMPV6 else "unspecified"
        if icmp not in ANY and _icmp_name(icmp) != _icmp_name(packet.icmp):
            return False
        return True

    def specificity(self) -> tuple[int, int, int, int]:
        """Larger is more specific: destination port before source port (VEC D3), then protocol, ethertype."""
        return (_width(_range(self.dFromPort, self.dToPort)), _width(_range(self.sFromPort, self.sToPort)),
                int(self.prot not in ANY), int(self.etherT not in ANY))


def _icmp_name(value: str) -> str:
    return {"echo-req": "echo"}.get(value, value)


def _width(span: tuple[int, int] | None) -> int:
    return 0 if span is None else 65536 - (span[1] - span[0])


def _in(span: tuple[int, int] | None, port: int | None) -> bool:
    if span is None:
        return True
    return port is not None and span[0] <= port <= span[1]


def _default(field: str) -> str:
    return {"tcpRules": "", "stateful": "no", "applyToFrag": "no"}.get(field, "unspecified")


def packet_of(proto: str, sport: int | None, dport: int | None, tcp_flags: str | None, ethertype: str) -> Packet:
    """The first packet of a flow as a user names it; BadValue for what no packet can be."""
    name = (proto or "").strip().lower()
    if name in ("arp",):
        if sport is not None or dport is not None:
            raise BadValue("ARP has no ports")
        return Packet("arp", None)
    if name in ("ip", "any", ""):
        number = None
    elif name.isdigit():
        number = int(name)
        if not 0 <= number <= 255:
            raise BadValue(f"protocol number {number} is outside 0-255")
    elif name in PROTOCOLS:
        number = PROTOCOLS[name]
    else:
        raise BadValue(f"unknown protocol {proto!r} (tcp, udp, icmp, icmpv6, arp, ip or a number)")
    for label, port in (("port", dport), ("sport", sport)):
        if port is None:
            continue
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise BadValue(f"{label} {port!r} is not a port number 0-65535")
        if number not in (TCP, UDP):
            raise BadValue(f"{label} given for protocol {proto!r}: ports exist for tcp and udp only")
    flags: set[str] = set()
    if tcp_flags:
        if number != TCP:
            raise BadValue("TCP flags given for a protocol other than tcp")
        for flag in tcp_flags.replace("+", ",").split(","):
            flag = flag.strip().lower()
            if flag == "est":
                flags.add("ack")
            elif flag in FLAGS:
                flags.add(flag)
            elif flag:
                raise BadValue(f"unknown TCP flag {flag!r} (syn, ack, fin, rst, est)")
    elif number == TCP:
        flags = {"syn"}
    icmp = "echo" if number in (ICMP, ICMPV6) else ""
    return Packet(ethertype, number, sport, dport, frozenset(flags), icmp)
