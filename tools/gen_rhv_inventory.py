#!/usr/bin/env python3
"""Generate a large RHV inventory (fixtures/rhv format) with Faker and a seed.

    python tools/gen_rhv_inventory.py --seed 42 --data-centers 2 --clusters 4 --hosts 50 --vms 1000 \\
        -o /tmp/rhv-large.yaml

The same seed gives the same file: names come from a seeded Faker, addresses, MACs and fabric
cabling are counted out in order, so ids (derived from names by the loader) are stable too.
Every host's first NIC records the leaf and port it is cabled to (leaves 101.. of the default
fabric, round robin), which the APIC integration uses to place endpoints.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path

import yaml
from faker import Faker


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class _Unique:
    """Names from Faker, made unique with a counter when Faker repeats itself."""

    def __init__(self):
        self.seen: set[str] = set()

    def __call__(self, name: str) -> str:
        candidate, n = name, 2
        while candidate in self.seen:
            candidate, n = f"{name}-{n}", n + 1
        self.seen.add(candidate)
        return candidate


def generate(seed: int = 0, data_centers: int = 2, clusters: int = 4, hosts: int = 50, vms: int = 1000,
             leaves: int = 4, networks: int = 3, up_ratio: float = 0.7) -> dict:
    if min(data_centers, clusters, hosts, leaves) < 1 or clusters < data_centers or hosts < clusters:
        raise ValueError("need at least one data center, a cluster per data center and a host per cluster")
    fake = Faker()
    fake.seed_instance(seed)
    rng = random.Random(seed)
    unique = _Unique()
    dcs = []
    for d in range(data_centers):
        dc_name = unique("dc-" + _slug(fake.city()))
        app_networks = [{"name": unique(f"app-{_slug(fake.word())}"), "vlan": 100 + d * 100 + n,
                         "description": fake.catch_phrase()} for n in range(networks)]
        dcs.append({"name": dc_name, "description": f"{fake.company()} data center",
                    "networks": [{"name": "ovirtmgmt", "description": "Management Network", "management": True},
                                 *app_networks],
                    "clusters": [], "_domain": fake.domain_name()})
    cluster_list = []
    for c in range(clusters):
        dc = dcs[c % data_centers]
        cluster = {"name": unique(f"{dc['name']}-{_slug(fake.word())}"),
                   "networks": [n["name"] for n in dc["networks"][1:]], "hosts": [], "vms": []}
        dc["clusters"].append(cluster)
        cluster_list.append((dc, cluster))
    for h in range(hosts):
        dc, cluster = cluster_list[h % clusters]
        name = unique(f"rhvh-{_slug(fake.last_name())}-{h + 1:03d}")
        address = f"10.{dcs.index(dc)}.{h // 250}.{h % 250 + 10}"
        leaf, port = 101 + h % leaves, f"eth1/{h // leaves + 1}"
        cluster["hosts"].append({
            "name": name, "address": address,
            "nics": [{"name": "eno1", "mac": _mac(0x001A4A, h), "ip": f"{address}/16", "network": "ovirtmgmt",
                      "uplink": {"leaf": leaf, "port": port}}],
        })
    for v in range(vms):
        dc, cluster = cluster_list[v % clusters]
        name = unique(f"{_slug(fake.word())}-{_slug(fake.word())}-{v + 1:04d}")
        app = dc["networks"][1 + v % networks] if networks else dc["networks"][0]
        vm = {"name": name, "memory_mb": rng.choice([1024, 2048, 4096, 8192]), "cpus": rng.choice([1, 2, 4]),
              "fqdn": f"{name}.{dc['_domain']}", "status": "up" if rng.random() < up_ratio else "down",
              "nics": [{"name": "nic1", "profile": app["name"], "mac": _mac(0x566F1A, 0x10000 + v),
                        "ips": [f"10.{100 + dcs.index(dc)}.{v // 250}.{v % 250 + 2}"]}]}
        if vm["status"] == "up":
            vm["host"] = cluster["hosts"][(v // clusters) % len(cluster["hosts"])]["name"]
        cluster["vms"].append(vm)
    for dc in dcs:
        del dc["_domain"]
    return {"data_centers": dcs}


def _mac(oui: int, n: int) -> str:
    value = (oui << 24) | (n & 0xFFFFFF)
    raw = f"{value:012x}"
    return ":".join(raw[i:i + 2] for i in range(0, 12, 2))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-centers", type=int, default=2)
    parser.add_argument("--clusters", type=int, default=4)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--vms", type=int, default=1000)
    parser.add_argument("--leaves", type=int, default=4, help="fabric leaves the hosts are cabled to (101..)")
    parser.add_argument("--networks", type=int, default=3, help="VLAN-backed VM networks per data center")
    parser.add_argument("-o", "--output", type=Path, help="the YAML file to write (default: stdout)")
    args = parser.parse_args(argv)
    data = generate(args.seed, args.data_centers, args.clusters, args.hosts, args.vms, args.leaves, args.networks)
    header = (f"# generated by tools/gen_rhv_inventory.py --seed {args.seed} --data-centers {args.data_centers} "
              f"--clusters {args.clusters} --hosts {args.hosts} --vms {args.vms} --leaves {args.leaves} "
              f"--networks {args.networks}\n")
    text = header + yaml.safe_dump(data, sort_keys=False, default_flow_style=None, width=120)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
