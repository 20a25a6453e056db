"""The engine's network filters: libvirt nwfilters a vNIC profile can name, as data.

Every engine ships the same list (ovirt-engine's dbscripts fill the `network_filter` table at
install: vdsm-no-mac-spoofing for 3.2 clusters, libvirt's standard filters for 3.6, and
block-file-sharing for 4.5). The ids of the filters made with `uuid_generate_v1()` differ per
install; here they derive from the name. vdsm-no-mac-spoofing keeps the id a recorded engine
shows (../shared/research/ovirt-samples/vnicprofiles.xml): it is the default filter a new
profile gets unless the request carries an empty <network_filter/>.
"""

from __future__ import annotations

from dataclasses import dataclass

from .entities import DEFAULT_NETWORK_FILTER_ID, stable_id


@dataclass(frozen=True)
class NetworkFilter:
    id: str
    name: str
    major: int
    minor: int


def _filter(name: str, version: str, filter_id: str | None = None) -> NetworkFilter:
    major, minor = (int(part) for part in version.split("."))
    return NetworkFilter(filter_id or stable_id("network_filter", name), name, major, minor)


STANDARD = [
    _filter("vdsm-no-mac-spoofing", "3.2", DEFAULT_NETWORK_FILTER_ID),
    *(_filter(name, "3.6") for name in (
        "allow-arp", "allow-dhcp", "allow-dhcp-server", "allow-incoming-ipv4", "allow-ipv4", "clean-traffic",
        "no-arp-ip-spoofing", "no-arp-mac-spoofing", "no-arp-spoofing", "no-ip-multicast", "no-ip-spoofing",
        "no-mac-broadcast", "no-mac-spoofing", "no-other-l2-traffic", "no-other-rarp-traffic", "qemu-announce-self",
        "qemu-announce-self-rarp")),
    _filter("block-file-sharing", "4.5", "c0f956c2-e2a2-43b9-a14c-24ceb2fd1af4"),
]

NETWORK_FILTERS: dict[str, NetworkFilter] = {f.id: f for f in STANDARD}


def supported_by(major: int, minor: int) -> list[NetworkFilter]:
    """The filters a cluster of this compatibility version can use (GetAllSupportedNetworkFiltersByVersion)."""
    return [f for f in STANDARD if (f.major, f.minor) <= (major, minor)]
