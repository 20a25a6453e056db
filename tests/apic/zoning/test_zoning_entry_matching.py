"""Filter entry matching (VEC D5): ethertype, protocol, inclusive port ranges, TCP flags, stateful."""

from __future__ import annotations

import pytest
from zoning_builders import Fabric, ap, bd, cons, contract, entry, epg, filt, prov, subj, tenant, vrf

from simulator.apic.zoning.entries import Entry, packet_of

C, P = "uni/tn-t/ap-a/epg-c", "uni/tn-t/ap-a/epg-p"


def with_entry(**attrs) -> Fabric:
    f = Fabric()
    f.post(tenant("t", vrf(), bd(), filt("f", entry("e", **attrs)), contract("k", subj("s", "f")),
                  ap("a", epg("c", cons("k")), epg("p", prov("k")))))
    return f


@pytest.mark.parametrize(("port", "says"), [(999, "deny"), (1000, "permit"), (1500, "permit"), (2000, "permit"),
                                            (2001, "deny")])
def test_a_destination_port_range_is_inclusive(port, says):
    assert with_entry(etherT="ip", prot="tcp", dFromPort="1000", dToPort="2000").says(C, P, "tcp", port) == says


def test_a_source_port_range_and_a_named_port():
    f = with_entry(etherT="ip", prot="tcp", sFromPort="1024", sToPort="65535", dFromPort="https", dToPort="https")
    assert f.says(C, P, "tcp", 443, sport=40000) == "permit"
    assert f.says(C, P, "tcp", 443, sport=80) == "deny"
    assert f.says(C, P, "tcp", 443) == "deny"  # no source port given: an entry that names one does not match


def test_the_protocol_and_the_ethertype():
    udp = with_entry(etherT="ip", prot="udp", dFromPort="53", dToPort="53")
    assert udp.says(C, P, "udp", 53) == "permit" and udp.says(C, P, "tcp", 53) == "deny"
    ip = with_entry(etherT="ip")
    assert ip.says(C, P, "icmp") == "permit" and ip.says(C, P, "tcp", 22) == "permit"
    assert ip.says(C, P, "arp") == "permit"  # ARP is permitted by the implicit implarp rule, not by this entry
    assert ip.verdict(C, P, "arp")["rule"]["fltId"] == "implarp"
    ipv6 = with_entry(etherT="ipv6")
    assert ipv6.says(C, P, "tcp", 22) == "deny"


def test_tcp_rules_est_matches_only_packets_with_ack():
    f = with_entry(etherT="ip", prot="tcp", dFromPort="22", dToPort="22", tcpRules="est")
    assert f.says(C, P, "tcp", 22) == "deny"  # a SYN
    assert f.says(C, P, "tcp", 22, tcp_flags="ack") == "permit"
    assert f.says(C, P, "tcp", 22, tcp_flags="rst") == "permit"


def test_stateful_asks_for_ack_on_the_provider_to_consumer_rule_only():
    f = with_entry(etherT="ip", prot="tcp", dFromPort="22", dToPort="22", stateful="yes")
    assert f.says(C, P, "tcp", 22) == "permit"
    assert f.verdict(C, P, "tcp", 22, sport=5000)["reply"]["verdict"] == "permit"  # the reply carries ACK
    assert f.says(P, C, "tcp", sport=22, port=5000) == "deny"  # a SYN back from the server's port
    assert f.says(P, C, "tcp", sport=22, port=5000, tcp_flags="ack") == "permit"


def test_entry_matching_unit():
    e = Entry("e", etherT="ip", prot="tcp", dFromPort="80", dToPort="90", tcpRules="syn")
    assert e.matches(packet_of("tcp", None, 85, "syn", "ipv4"))
    assert not e.matches(packet_of("tcp", None, 85, "ack", "ipv4"))
    assert not e.matches(packet_of("udp", None, 85, None, "ipv4"))
    assert e.reversed().sFromPort == "80" and e.reversed().dFromPort == "unspecified"
    assert Entry("any").is_any() and not e.is_any()
