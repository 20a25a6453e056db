"""Importing a generated RHV inventory into the APIC's Red Hat VMM domain, against listing the same VMs
with ovirtsdk4 in the same run; how long an endpoint's path takes to follow a live migration; the
memory each imported VM costs.

One lab (lab clock: a ManualClock that moves only by POST /_sim/clock/advance) holds a generated RHV
inventory (tools/gen_rhv_inventory.py, by default 2 data centers, 4 clusters, 50 hosts, 1,000 VMs with
a NIC each, most of them up) and a generated fabric file whose `cabling:` list plugs every host NIC into
a leaf port, so each host NIC hears its leaf over LLDP. The APIC and the RHV Manager are served over
plain HTTP (the APIC reaches the lab's own engine over http when it is served so). Each round runs, in
an order that alternates from round to round:

  import    one REST POST of a new vmmDomP with its credential and a vmmCtrlrP per data center (the
            lab's own RHV Manager, rootContName = the data center), then reads of the compVm count
            under each comp/prov-Redhat/ctrlr-[dom]-name, with one /_sim/clock/advance of 1 s between
            reads, until every VM of every data center is there; wall time, clock advances and lab
            ticks that applied something are counted
  sdk list  `vms_service().list(search='datacenter="DC"', follow="nics,reported_devices")` per data
            center through a logged-in ovirtsdk4.Connection: the same VMs, as the sync asks for them
  sdk sync  what one sync reads, through the SDK: per data center the hosts with their NICs and LLDP
            TLVs and the VMs as above, plus /networks and /vnicprofiles

and gives the ratios import / sdk list and import / sdk sync; the figures are their medians. Memory:
the RSS difference around each import (after a gc) per imported VM, and one more import under
tracemalloc (the bytes still allocated afterwards, per VM).

Migration: a tenant's EPG is associated with the last round's domain (fvRsDomAtt); once the data
center has the logical network the association creates, a few up VMs get a NIC on its vNIC profile
(ovirtsdk4), and each is live-migrated (ovirtsdk4 `migrate()`) while the clock advances 1 s a step.
Measured per VM: from the advance in whose tick the engine's migration job finished to the first
read of the VM's fvCEp whose fvRsCEpToPathEp names the leaf port of the new host: wall time, clock
advances and lab seconds. Where the lab cannot do this yet (no association, network or endpoint), the
figure is "not available" with the reason; nothing is made up.

Checks (exit 1 when wrong): every import ends with the compVm oids of each controller equal to the
VM ids the SDK lists for its data center; the SDK lists every VM of the generated inventory.
"""

from __future__ import annotations

import gc
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import _common as c
import yaml

sys.path.insert(0, str(c.ROOT / "tools"))

USER, PASSWORD = "admin@internal", "redhat123"
APIC_LOGIN = {"aaaUser": {"attributes": {"name": "admin", "pwd": "cisco123"}}}
START = 1_800_000_000.0
POOL = "uni/infra/vlanns-[bench-rhv]-dynamic"
PROVIDER = "uni/vmmp-Redhat"
TENANT, AP, EPG = "bench", "rhv", "web"
EPG_DN = f"uni/tn-{TENANT}/ap-{AP}/epg-{EPG}"
STEP_S = 1.0  # lab seconds per clock advance
LEAF_PORTS = 54
TARGET_IMPORT_RATIO = 3.0
TARGET_BYTES_PER_VM = 3 * 2048.0  # memory_per_mo's 2 KiB per MO, for the compVm, compRsHv and compVNic of a VM
TARGET_MOVE_WALL_S = 2.0


def options():
    p = c.parser(__doc__.splitlines()[0])
    p.add_argument("--data-centers", type=int, default=2)
    p.add_argument("--clusters", type=int, default=4)
    p.add_argument("--hosts", type=int, help="default 50 (10 with --quick)")
    p.add_argument("--vms", type=int, help="default 1,000 (200 with --quick)")
    p.add_argument("--leaves", type=int, default=4, help="leaves of the generated fabric (54 ports each)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--controllers", type=int, choices=(1, 2), default=2,
                   help="1: a controller for the first data center only; 2: one per data center (at most 2)")
    p.add_argument("--rounds", type=int, help="import/list rounds (default 5, 2 with --quick)")
    p.add_argument("--migrations", type=int, help="VMs migrated for the path measurement (default 5, 2 quick)")
    args = p.parse_args()
    args.hosts = args.hosts or (10 if args.quick else 50)
    args.vms = args.vms or (200 if args.quick else 1000)
    args.rounds = args.rounds or (2 if args.quick else 5)
    args.migrations = args.migrations or (2 if args.quick else 5)
    return args


def wait_steps() -> int:
    """Clock advances after which whatever a sync does has happened: a full resync period and an event poll."""
    from simulator.apic.managers.vmm_redhat import RedhatVmmSettings

    settings = RedhatVmmSettings()
    return int((settings.resync_seconds + settings.event_poll_seconds) / STEP_S) + 1


# --- the generated lab -------------------------------------------------------------------------------
def write_lab_files(tmp: Path, args) -> tuple[Path, Path, dict[str, str]]:
    """The inventory and fabric files; returns their paths and host name -> the path DN its NIC is on."""
    from gen_rhv_inventory import generate

    if args.hosts > args.leaves * LEAF_PORTS:
        raise SystemExit(f"{args.hosts} hosts need more than {args.leaves} leaves of {LEAF_PORTS} ports")
    inventory = generate(seed=args.seed, data_centers=args.data_centers, clusters=args.clusters,
                         hosts=args.hosts, vms=args.vms)
    hosts = [h for dc in inventory["data_centers"] for cl in dc["clusters"] for h in cl["hosts"]]
    cabling, paths = [], {}
    for index, host in enumerate(hosts):
        leaf, port = 101 + index % args.leaves, f"eth1/{index // args.leaves + 1}"
        for nic in host["nics"]:
            cabling.append({"server": host["name"], "nic": nic["name"], "leaf": leaf, "port": port})
        paths[host["name"]] = f"topology/pod-1/paths-{leaf}/pathep-[{port}]"
    fabric = {"fabric": {"pods": 1, "controllers": 1, "spines": 2, "leaves": args.leaves}, "cabling": cabling}
    inventory_file, fabric_file = tmp / "rhv-inventory.yaml", tmp / "fabric.yaml"
    inventory_file.write_text(yaml.safe_dump(inventory, sort_keys=False), encoding="utf-8")
    fabric_file.write_text(yaml.safe_dump(fabric, sort_keys=False), encoding="utf-8")
    return inventory_file, fabric_file, paths


@dataclass
class Bench:
    """The served lab and its clients: an APIC session (requests), an ovirtsdk4 connection."""

    lab: object
    apic_url: str
    rhv: object
    session: object
    connection: object
    host_paths: dict[str, str]
    data_centers: list[str] = field(default_factory=list)
    expected: dict[str, set[str]] = field(default_factory=dict)  # data center -> the VM ids the SDK lists
    busy_ticks: int = 0
    limit: int = field(default_factory=wait_steps)  # clock advances to wait for a sync's effect at most

    def post(self, dn: str, body: dict) -> None:
        r = self.session.post(f"{self.apic_url}/api/mo/{dn}.json", json=body, timeout=120)
        r.raise_for_status()

    def get(self, path: str, **params: str) -> list[dict]:
        r = self.session.get(f"{self.apic_url}{path}", params=params, timeout=120)
        r.raise_for_status()
        return r.json()["imdata"]

    def advance(self) -> float:
        r = self.session.post(f"{self.apic_url}/_sim/clock/advance", json={"seconds": STEP_S}, timeout=120)
        r.raise_for_status()
        return r.json()["now"]

    def apic_objects(self) -> int:
        r = self.session.get(f"{self.apic_url}/_sim/info", timeout=60)
        r.raise_for_status()
        return r.json()["apic"]["objects"]

    def vm_count(self, inventory_dn: str) -> int:
        (count,) = self.get(f"/api/mo/{inventory_dn}.json", **{
            "query-target": "children", "target-subtree-class": "compVm", "rsp-subtree-include": "count"})
        return int(count["moCount"]["attributes"]["count"])


def build(tmp: Path, args) -> Bench:
    import ovirtsdk4 as sdk
    import requests

    from simulator.clock import ManualClock
    from simulator.lab import Lab, LabOptions

    inventory_file, fabric_file, host_paths = write_lab_files(tmp, args)
    lab = Lab(LabOptions(topology=fabric_file, rhv_inventory=inventory_file, rhv_admin_password=PASSWORD),
              clock=ManualClock(START))
    apic, rhv = lab.start(tls=False), lab.start_rhv(tls=False)
    session = requests.Session()
    session.trust_env = False
    session.auth = (lab.options.admin_user, lab.options.admin_password)  # /_sim is the lab admin's
    session.post(f"{apic.url}/api/aaaLogin.json", json=APIC_LOGIN, timeout=30).raise_for_status()
    connection = sdk.Connection(url=f"{rhv.url}/ovirt-engine/api", username=USER, password=PASSWORD)
    bench = Bench(lab, apic.url, rhv, session, connection, host_paths)
    count_busy_ticks(bench)
    bench.data_centers = sorted(dc.name for dc in connection.system_service().data_centers_service().list())
    bench.data_centers = bench.data_centers[:args.controllers]
    bench.post("uni/infra", {"infraInfra": {"attributes": {}, "children": [
        {"fvnsVlanInstP": {"attributes": {"name": "bench-rhv", "allocMode": "dynamic"}, "children": [
            {"fvnsEncapBlk": {"attributes": {"from": "vlan-1000", "to": "vlan-1999"}}}]}}]}})
    return bench


def count_busy_ticks(bench: Bench) -> None:
    """Count the lab's ticks that applied something (every request and advance ticks the lab)."""
    lab = bench.lab
    tick = lab.tick

    def counted(wait: bool = True) -> int:
        applied = tick(wait)
        if applied:
            bench.busy_ticks += 1
        return applied

    lab.tick = counted


# --- (a) the import ------------------------------------------------------------------------------------
def controller_names(bench: Bench) -> list[str]:
    return [f"engine{i + 1}" for i in range(len(bench.data_centers))]


def inventory_dns(bench: Bench, domain: str) -> list[str]:
    return [f"comp/prov-Redhat/ctrlr-[{domain}]-{name}" for name in controller_names(bench)]


def domain_body(bench: Bench, domain: str) -> dict:
    dom_dn = f"{PROVIDER}/dom-{domain}"
    ctrlrs = [{"vmmCtrlrP": {"attributes": {"name": name, "hostOrIp": bench.rhv.host, "port": str(bench.rhv.port),
                                            "rootContName": dc, "mode": "rhev", "scope": "rhev"},
                             "children": [{"vmmRsAcc": {"attributes": {"tDn": f"{dom_dn}/usracc-cred"}}}]}}
              for name, dc in zip(controller_names(bench), bench.data_centers, strict=True)]
    return {"vmmDomP": {"attributes": {"name": domain, "mode": "rhev"}, "children": [
        {"infraRsVlanNs": {"attributes": {"tDn": POOL}}},
        {"vmmUsrAccP": {"attributes": {"name": "cred", "usr": USER, "pwd": PASSWORD}}}, *ctrlrs]}}


def run_import(bench: Bench, domain: str, errors: list[str]) -> dict:
    """POST the domain and its controllers, then read and step the clock until every VM is under comp."""
    dns = inventory_dns(bench, domain)
    wanted = [len(bench.expected[dc]) for dc in bench.data_centers]
    body = domain_body(bench, domain)
    ticks_before, steps = bench.busy_ticks, 0
    start = time.perf_counter()
    bench.post(f"{PROVIDER}/dom-{domain}", body)
    while [bench.vm_count(dn) for dn in dns] != wanted:
        if steps == bench.limit:
            errors.append(f"import {domain}: not every compVm after {bench.limit} clock advances")
            break
        bench.advance()
        steps += 1
    wall = time.perf_counter() - start
    for dn, dc in zip(dns, bench.data_centers, strict=True):
        oids = {mo["compVm"]["attributes"]["oid"] for mo in bench.get(f"/api/mo/{dn}.json", **{
            "query-target": "children", "target-subtree-class": "compVm"})}
        if oids != bench.expected[dc]:
            errors.append(f"import {domain}: {dn} has {len(oids)} compVm, not the {len(bench.expected[dc])} "
                          f"VMs of {dc}")
    return {"wall_s": wall, "advances": steps, "busy_ticks": bench.busy_ticks - ticks_before}


def retire(bench: Bench, domain: str) -> None:
    """Delete a measured domain's controllers, so that their resyncs and polls stay out of later rounds."""
    for name in controller_names(bench):
        bench.post(f"{PROVIDER}/dom-{domain}/ctrlr-{name}", {"vmmCtrlrP": {"attributes": {"status": "deleted"}}})


def sdk_list(bench: Bench) -> int:
    vms = bench.connection.system_service().vms_service()
    return sum(len(vms.list(search=f'datacenter="{dc}"', follow="nics,reported_devices"))
               for dc in bench.data_centers)


def sdk_sync_reads(bench: Bench) -> int:
    system = bench.connection.system_service()
    listed = 0
    for dc in bench.data_centers:
        system.hosts_service().list(search=f'datacenter="{dc}"',
                                    follow="nics.link_layer_discovery_protocol_elements")
        listed += len(system.vms_service().list(search=f'datacenter="{dc}"', follow="nics,reported_devices"))
    system.networks_service().list()
    system.vnic_profiles_service().list()
    return listed


def timed(fn, *args) -> tuple[float, object]:
    gc.collect()
    start = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - start, out


def measure_imports(bench: Bench, rounds: int, errors: list[str]) -> dict:
    vm_total = sum(len(ids) for ids in bench.expected.values())
    run_import(bench, "warmup", errors)  # first SSO login, first use of every code path
    retire(bench, "warmup")
    samples: dict[str, list] = {"import": [], "sdk list": [], "sdk sync": [], "rss_per_vm": [], "mos_per_vm": []}
    rows = []
    for r in range(rounds):
        order = ("import", "sdk list", "sdk sync") if r % 2 == 0 else ("sdk sync", "sdk list", "import")
        row = {}
        for case in order:
            if case == "import":
                objects, rss = bench.apic_objects(), c.rss_bytes()
                elapsed, row["import"] = timed(run_import, bench, f"round{r + 1}", errors)
                gc.collect()
                samples["rss_per_vm"].append((c.rss_bytes() - rss) / vm_total)
                samples["mos_per_vm"].append((bench.apic_objects() - objects) / vm_total)
            else:
                elapsed, listed = timed(sdk_list if case == "sdk list" else sdk_sync_reads, bench)
                if listed != vm_total:
                    errors.append(f"{case}: listed {listed} VMs, not {vm_total}")
            samples[case].append(elapsed)
        rows.append(row["import"])
        if r < rounds - 1:
            retire(bench, f"round{r + 1}")
    traced = traced_import(bench, errors, vm_total)
    ratios = {
        "import / sdk list": [i / s for i, s in zip(samples["import"], samples["sdk list"], strict=True)],
        "import / sdk sync": [i / s for i, s in zip(samples["import"], samples["sdk sync"], strict=True)],
    }
    return {
        "vms": vm_total,
        "controllers": len(bench.data_centers),
        "rounds": rounds,
        "median_s": {k: c.median(samples[k]) for k in ("import", "sdk list", "sdk sync")},
        "samples_s": {k: samples[k] for k in ("import", "sdk list", "sdk sync")},
        "ratios": {k: c.median(v) for k, v in ratios.items()},
        "ratios_per_round": ratios,
        "advances": [row["advances"] for row in rows],
        "busy_ticks": [row["busy_ticks"] for row in rows],
        "rss_bytes_per_vm": c.median(samples["rss_per_vm"]),
        "apic_mos_per_vm": c.median(samples["mos_per_vm"]),
        "traced_bytes_per_vm": traced["current"],
        "traced_peak_bytes_per_vm": traced["peak"],
    }


def traced_import(bench: Bench, errors: list[str], vm_total: int) -> dict:
    """One more import under tracemalloc: what stays allocated (and the peak) per VM."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        run_import(bench, "traced", errors)
        gc.collect()
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    retire(bench, "traced")
    return {"current": (current - before) / vm_total, "peak": (peak - before) / vm_total}


# --- (b) migration end -> the endpoint's new path --------------------------------------------------------
class NotAvailable(Exception):
    """What the lab cannot do yet for the path measurement, in one line."""


def measure_moves(bench: Bench, domain: str, migrations: int) -> dict:
    try:
        profile = epg_profile(bench, domain)
        moves = [move(bench, vm, mac) for vm, mac in endpoint_vms(bench, profile, migrations)]
    except NotAvailable as exc:
        return {"available": False, "reason": str(exc)}
    return {"available": True, "moves": moves,
            "median_wall_s": c.median(m["wall_s"] for m in moves),
            "median_lab_s": c.median(m["lab_s"] for m in moves),
            "median_advances": c.median(m["advances"] for m in moves)}


def epg_profile(bench: Bench, domain: str) -> str:
    """Associate the EPG with the domain; the id of the vNIC profile of the logical network it becomes."""
    dom_dn = f"{PROVIDER}/dom-{domain}"
    bench.post("uni", {"fvTenant": {"attributes": {"name": TENANT}, "children": [
        {"fvCtx": {"attributes": {"name": "vrf"}}},
        {"fvBD": {"attributes": {"name": "bd"}, "children": [{"fvRsCtx": {"attributes": {"tnFvCtxName": "vrf"}}}]}},
        {"fvAp": {"attributes": {"name": AP}, "children": [
            {"fvAEPg": {"attributes": {"name": EPG}, "children": [
                {"fvRsBd": {"attributes": {"tnFvBDName": "bd"}}},
                {"fvRsDomAtt": {"attributes": {"tDn": dom_dn, "resImedcy": "immediate"}}}]}}]}}]}})
    eppd = bench.get(f"/api/mo/{dom_dn}/eppd-[{EPG_DN}].json")
    if not eppd:
        raise NotAvailable(f"no vmmEpPD {dom_dn}/eppd-[{EPG_DN}] after the EPG's fvRsDomAtt "
                           "(the EPG -> logical network association is not in this build)")
    name = eppd[0]["vmmEpPD"]["attributes"]["name"]
    system = bench.connection.system_service()
    dc_id = system.data_centers_service().list(search=f'name="{bench.data_centers[0]}"')[0].id
    for _ in range(bench.limit):
        networks = [n for n in system.networks_service().list() if n.name == name and n.data_center.id == dc_id]
        if networks:
            profiles = [p for p in system.vnic_profiles_service().list() if p.network.id == networks[0].id]
            if profiles:
                return profiles[0].id
        bench.advance()
    raise NotAvailable(f"data center {bench.data_centers[0]} has no logical network {name!r} with a vNIC "
                       f"profile after {bench.limit} clock advances")


def endpoint_vms(bench: Bench, profile_id: str, count: int) -> list[tuple[str, str]]:
    """Give `count` up VMs of the first data center a NIC on the EPG's profile; (VM id, MAC) once each
    has its fvCEp with a path."""
    import ovirtsdk4.types as types

    system = bench.connection.system_service()
    vms = system.vms_service()
    hosts_per_cluster = Counter(h.cluster.id for h in system.hosts_service().list(search="status=up"))
    chosen = sorted((vm for vm in vms.list(search=f'datacenter="{bench.data_centers[0]}" and status=up')
                     if hosts_per_cluster[vm.cluster.id] > 1), key=lambda v: v.name)
    if not chosen:
        raise NotAvailable(f"no up VM of {bench.data_centers[0]} is in a cluster of two or more hosts")
    out = []
    for vm in chosen[:count]:
        nic = vms.vm_service(vm.id).nics_service().add(
            types.Nic(name="nic-epg", vnic_profile=types.VnicProfile(id=profile_id)))
        out.append((vm.id, nic.mac.address.upper()))
    for _ in range(bench.limit):
        if all(cep_paths(bench, mac) for _, mac in out):
            return out
        bench.advance()
    raise NotAvailable(f"no fvCEp with an fvRsCEpToPathEp under {EPG_DN} for the VM NICs on its network "
                       f"after {bench.limit} clock advances (endpoints are not in this build)")


def cep_paths(bench: Bench, mac: str) -> set[str]:
    return {mo["fvRsCEpToPathEp"]["attributes"]["tDn"] for mo in bench.get(
        f"/api/mo/{EPG_DN}/cep-{mac}.json", **{"query-target": "children",
                                                "target-subtree-class": "fvRsCEpToPathEp"})}


def move(bench: Bench, vm_id: str, mac: str) -> dict:
    """Migrate one VM; from the advance that finished its job to the first read showing the new path."""
    import ovirtsdk4 as sdk

    system = bench.connection.system_service()
    vm_service = system.vms_service().vm_service(vm_id)
    name = vm_service.get().name
    try:
        vm_service.migrate()
    except sdk.Error as exc:
        raise NotAvailable(f"the engine refused to migrate {name}: {exc}") from None
    job, steps = None, 0
    while job is None:
        sent = time.perf_counter()
        bench.advance()
        steps += 1
        job = migration_job(bench, name)
        if steps == bench.limit:
            raise NotAvailable(f"the migration of {name} did not end within {bench.limit} clock advances")
    if str(job.status) != "finished":
        raise NotAvailable(f"the migration of {name} ended {job.status}")
    host = system.hosts_service().host_service(vm_service.get().host.id).get().name
    expected, advances = {bench.host_paths[host]}, []
    while cep_paths(bench, mac) != expected:
        if len(advances) == bench.limit:
            raise NotAvailable(f"the fvCEp of {name} did not follow its migration within {bench.limit} advances")
        started = time.perf_counter()
        bench.advance()
        advances.append(time.perf_counter() - started)
    wall = time.perf_counter() - sent
    now = bench.session.get(f"{bench.apic_url}/_sim/clock", timeout=30).json()["now"]
    return {"vm": name, "to": host, "wall_s": wall, "lab_s": now - job.end_time.timestamp(),
            "advances": len(advances), "last_advance_s": advances[-1] if advances else 0.0,
            "idle_advance_s": c.median(advances[:-1]) if len(advances) > 1 else 0.0}


def migration_job(bench: Bench, vm_name: str):
    """The VM's migration job once it has ended (the newest "Migrating VM <name>"), None while it runs."""
    jobs = [j for j in bench.connection.system_service().jobs_service().list()
            if j.description == f"Migrating VM {vm_name}"]
    newest = max(jobs, key=lambda j: j.start_time, default=None)
    return newest if newest is not None and str(newest.status) != "started" else None


# --- the report ---------------------------------------------------------------------------------------
def main() -> int:
    args = options()
    c.banner(f"Red Hat VMM import of {args.vms:,} VMs ({args.hosts} hosts, {args.clusters} clusters, "
             f"{args.data_centers} data centers) vs the same VMs listed with ovirtsdk4", args.quick)
    errors: list[str] = []
    with tempfile.TemporaryDirectory(prefix="acisim-bench-vmm-") as tmp:
        started = time.perf_counter()
        bench = build(Path(tmp), args)
        setup_s = time.perf_counter() - started
        try:
            vms = bench.connection.system_service().vms_service()
            for dc in bench.data_centers:
                bench.expected[dc] = {vm.id for vm in vms.list(search=f'datacenter="{dc}"')}
            if len(vms.list()) != args.vms:
                errors.append(f"the engine lists {len(vms.list())} VMs, not the {args.vms} generated")
            imports = measure_imports(bench, args.rounds, errors)
            moves = measure_moves(bench, f"round{args.rounds}", args.migrations)
        finally:
            bench.connection.close()
            bench.session.close()
            bench.lab.stop()
    figures = {"sizes": {"data_centers": args.data_centers, "clusters": args.clusters, "hosts": args.hosts,
                         "vms": args.vms, "leaves": args.leaves, "seed": args.seed},
               "setup_s": setup_s, "import": imports, "migration": moves, "errors": errors}
    print_report(imports, moves, setup_s, errors)
    targets = [
        c.target("import / sdk list of the same VMs", imports["ratios"]["import / sdk list"],
                 TARGET_IMPORT_RATIO, "x", False),
        c.target("memory per imported VM (tracemalloc)", imports["traced_bytes_per_vm"],
                 TARGET_BYTES_PER_VM, "B", False),
    ]
    if moves["available"]:
        targets.append(c.target("migration end -> new path (wall)", moves["median_wall_s"],
                                TARGET_MOVE_WALL_S, "s", False))
    c.report_targets(args, "rhv_vmm_import", figures, targets)
    return 1 if errors else 0


def print_report(imports: dict, moves: dict, setup_s: float, errors: list[str]) -> None:
    med = imports["median_s"]
    print(c.table(("case", "median s", "spread s"), [
        (name, med[name], c.spread(imports["samples_s"][name], ".3f")) for name in ("import", "sdk list", "sdk sync")]))
    print()
    print(c.table(("ratio", "median", "IQR"), [
        (k, f"{c.median(v):.2f}", c.iqr(v)) for k, v in imports["ratios_per_round"].items()]))
    print()
    print(c.table(("import", "value"), [
        ("VMs imported per round", imports["vms"]),
        ("controllers", imports["controllers"]),
        ("clock advances to every compVm, per round", " ".join(map(str, imports["advances"]))),
        ("lab ticks that applied something, per round", " ".join(map(str, imports["busy_ticks"]))),
        ("APIC MOs per imported VM", imports["apic_mos_per_vm"]),
        ("bytes per imported VM, tracemalloc (peak)",
         f"{imports['traced_bytes_per_vm']:,.0f} ({imports['traced_peak_bytes_per_vm']:,.0f})"),
        ("bytes per imported VM, RSS difference", imports["rss_bytes_per_vm"]),
    ]))
    print()
    if moves["available"]:
        print(c.table(("migration", "to host", "wall s", "lab s", "advances", "last advance s", "idle advance s"), [
            (m["vm"], m["to"], m["wall_s"], m["lab_s"], m["advances"], m["last_advance_s"], m["idle_advance_s"])
            for m in moves["moves"]]))
        print("(the last advance's tick polled the engine's events and ran the sync that moved the path)")
    else:
        print(f"migration end -> new path: not available: {moves['reason']}")
    print(f"\nsetup {setup_s:.1f} s; errors: {len(errors)}")
    for error in errors:
        print(f"  ERROR {error}")


if __name__ == "__main__":
    raise SystemExit(main())
