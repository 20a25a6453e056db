"""The CNI controller emulator converging a cluster of 100 namespaces, 500 pods and 50 services into an
empty lab APIC, against the same number of plain signed POSTs in the same run.

Each round builds a fresh lab whose APIC is served over HTTPS in this process (127.0.0.1). It is
provisioned so the controller can start, but not by the real acc-provision (tests/cni runs that): admin
POSTs over REST the objects of acc-provision's work the controller reads, which is seconds faster and
keeps the provisioning out of what is measured: the VMM domain with its controller (the APIC then keeps
the injected-objects container), the VRF in tenant common, the node and pod BDs with their fvRsCtx (the
VRF then carries the fvRtCtx back-references the controller's VRF check reads), the physical domain, and
the controller's aaaUser (domain `all`, role `admin`) with an aaaUserCert of a key generated here. Each
node gets an opflexODev under a leaf port (a system write, as a leaf reports it), so the service device
gets a vnsCDev per node. The Kubernetes view is synthetic plain data in the shape
`simulator.cni.kube.to_view` returns: nodes, namespaces, a deployment and a replica set per service, the
pods spread over those and over the nodes, services with their endpoints and a port.

A second controller of the domain (`plain`) holds the plain POSTs' objects, so they stay out of the
converge's reads and subscriptions; its namespaces are made with the provisioning.

The controller verifies the APIC with the lab's CA file; `--no-ca` runs it without one, as it runs by
default, which costs the client about 50 ms per request here (urllib3 loads the system's CA store for
every new connection when verification is off, and werkzeug closes every connection).

A WSGI middleware counts every request the APIC gets (by method; the websocket's handshake as
`socket`), the objects in the POST bodies and the server's time inside the app. Per round:

  converge  `Controller.start()` (web token, version, VRF check, websocket, subscriptions) then
            `Controller.sync(view)`, from empty: wall time, requests, objects written
  resync    a second `sync(view)`, nothing changed: only reads, nothing written
  plain     as many POSTs as the converge made, sent with the same signing client
            (`controller.apic.post`), each a pod-shaped object (the converge's most common POST: a
            vmmInjectedContGrp with the controller's annotation and a tagAnnotation child) in the second
            controller's namespaces of the pods' names; half of them (of the least the converge can make)
            run before the converge, the rest after the resync, so drift in the machine's load and the
            APIC's growing store weigh on both sides

Figures: the medians over the rounds of converge / plain wall time and converge / plain requests; the
converge's requests by method, the objects it posted and the MOs the APIC gained; the resync's reads.

Checks (exit 1 when wrong): after the converge the APIC holds a vmmInjectedHost per node, a
vmmInjectedNs per namespace, a vmmInjectedContGrp per pod, a vmmInjectedSvc per service and a vnsCDev
per node; the resync posts and deletes nothing and sends only GETs; every plain POST reaches the APIC.

Targets: converge <= 2 x the plain POSTs' wall time; at most 20 requests besides the POSTs (the startup's
and the sync's reads, which do not grow with the cluster; the request ratio is 1 + those / the POSTs).
"""

from __future__ import annotations

import io
import json
import statistics
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import _common as c
import urllib3

ADMIN_PASSWORD = "cisco123"
SYS = "kube"  # acc-provision's system_id: user, prefix, domain and controller names
VRF, VRF_TENANT = f"{SYS}-vrf", "common"
POD_BD = f"uni/tn-{SYS}/BD-aci-containers-{SYS}-pod-bd"
NODE_BD = f"uni/tn-{SYS}/BD-aci-containers-{SYS}-node-bd"
LEAVES = (101, 102, 103, 104)
# a second controller of the domain holds the plain POSTs' objects: out of the converge's reads and of its subscriptions
PLAIN_CTRLR = "plain"
PLAIN_INJCONT = f"comp/prov-Kubernetes/ctrlr-[{SYS}]-{PLAIN_CTRLR}/injcont"
TARGET_WALL_RATIO = 2.0
TARGET_EXTRA_REQUESTS = 20  # the startup's and the sync's reads: a handful, whatever the cluster's size


def options():
    p = c.parser(__doc__.splitlines()[0])
    p.add_argument("--namespaces", type=int, help="default 100 (10 with --quick)")
    p.add_argument("--pods", type=int, help="default 500 (50 with --quick)")
    p.add_argument("--services", type=int, help="default 50 (5 with --quick)")
    p.add_argument("--nodes", type=int, default=4, help="Kubernetes nodes, each cabled to a leaf port")
    p.add_argument("--rounds", type=int, default=1, help="fresh labs converged, one after the other (default 1)")
    p.add_argument("--no-ca", action="store_true",
                   help="the controller without a CA file, as it runs by default: it does not verify the APIC, and "
                        "each new connection then loads the system's CA store (about 50 ms per request here)")
    args = p.parse_args()
    quick = args.quick
    args.namespaces = args.namespaces if args.namespaces is not None else (10 if quick else 100)
    args.pods = args.pods if args.pods is not None else (50 if quick else 500)
    args.services = args.services if args.services is not None else (5 if quick else 50)
    if min(args.namespaces, args.services, args.nodes, args.rounds) < 1 or args.pods < 0:
        p.error("sizes and rounds must be at least 1 (pods at least 0)")
    if args.services > args.namespaces:
        p.error("--services must not exceed --namespaces (a service's deployment lives in its own namespace)")
    return args


# --- the synthetic cluster -------------------------------------------------------------------------
def kube_view(namespaces: int, pods: int, services: int, nodes: int) -> dict:
    """A view as `kube.to_view` gives it: service i and its deployment live in namespace i * N // S;
    pod j belongs to deployment j % S and runs on node j % nodes."""
    node_names = [f"node-{n + 1}" for n in range(nodes)]
    ns_names = [f"ns-{i:03d}" for i in range(namespaces)]
    apps = [(ns_names[i * namespaces // services], f"app-{i:03d}") for i in range(services)]
    view: dict = {
        "nodes": [{"name": name, "internalIP": f"10.1.0.{101 + n}", "os": "Ubuntu 22.04", "kernel": "5.15.0"}
                  for n, name in enumerate(node_names)],
        "namespaces": [{"name": name} for name in ns_names],
        "deployments": [], "replicasets": [], "pods": [], "services": [],
    }
    members: dict[int, list[str]] = {i: [] for i in range(services)}
    for j in range(pods):
        ns, app = apps[j % services]
        name = f"{app}-5d9-{j:05d}"
        members[j % services].append(name)
        view["pods"].append({"namespace": ns, "name": name, "uid": f"pod-{j}", "node": node_names[j % nodes],
                             "replicaset": f"{app}-5d9"})
    for i, (ns, app) in enumerate(apps):
        view["deployments"].append({"namespace": ns, "name": app, "uid": f"depl-{i}",
                                    "replicas": len(members[i])})
        view["replicasets"].append({"namespace": ns, "name": f"{app}-5d9", "uid": f"rs-{i}", "deployment": app})
        view["services"].append({"namespace": ns, "name": app, "uid": f"svc-{i}",
                                 "type": "NodePort" if i % 2 else "ClusterIP", "clusterIP": f"10.96.{i // 250}.{i % 250 + 2}",
                                 "loadBalancerIP": "", "ports": [{"port": 80, "protocol": "TCP", "targetPort": 8080}],
                                 "endpoints": sorted(members[i])})
    return view


# --- the served lab, counted at the server ---------------------------------------------------------
class RequestCounter:
    """WSGI middleware: every request by method (the websocket's handshake as `socket`), the objects in
    POST bodies, and the server's time inside the app (the websocket's aside: it lasts as long as the
    socket); `snapshot()` and differences of snapshots give a phase's counts."""

    def __init__(self, inner):
        self.inner = inner
        self.lock = threading.Lock()
        self.methods: Counter[str] = Counter()
        self.posted_mos = 0
        self.app_s = 0.0

    def __call__(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        if environ.get("PATH_INFO", "").startswith("/socket"):
            with self.lock:
                self.methods["socket"] += 1
            return self.inner(environ, start_response)
        start = time.perf_counter()
        mos = 0
        if method == "POST":
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            environ["wsgi.input"] = io.BytesIO(body)
            mos = count_mos(body)
        reply = list(self.inner(environ, start_response))
        spent = time.perf_counter() - start
        with self.lock:
            self.methods[method] += 1
            self.posted_mos += mos
            self.app_s += spent
        return reply

    def snapshot(self) -> dict:
        """The counts so far, with the time now: wall, and the CPU time of the calling (client) thread."""
        with self.lock:
            return {"methods": Counter(self.methods), "posted_mos": self.posted_mos, "app_s": self.app_s,
                    "wall": time.perf_counter(), "cpu": time.thread_time()}


def count_mos(body: bytes) -> int:
    """Objects in an APIC JSON body (the posted object and its children, all levels)."""
    try:
        doc = json.loads(body or b"{}")
    except ValueError:
        return 0

    def walk(mo: dict) -> int:
        inner = next(iter(mo.values()), {}) if isinstance(mo, dict) else {}
        return 1 + sum(walk(child) for child in inner.get("children", []))

    return walk(doc) if isinstance(doc, dict) and doc else 0


def phase(before: dict, after: dict) -> dict:
    """What happened between two snapshots; `client_cpu_s` is the client thread's own CPU time (signing,
    JSON, TLS, and for the controller its desired state and diff)."""
    methods = after["methods"] - before["methods"]
    return {"wall_s": after["wall"] - before["wall"], "client_cpu_s": after["cpu"] - before["cpu"],
            "requests": sum(methods.values()), "by_method": dict(sorted(methods.items())),
            "posted_mos": after["posted_mos"] - before["posted_mos"], "server_app_s": after["app_s"] - before["app_s"]}


def make_key() -> tuple[bytes, str]:
    """The controller's key (PKCS#8 PEM) and its self-signed certificate (PEM), as acc-provision makes."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"User {SYS}")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=3650)).sign(key, hashes.SHA256()))
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    return pem, cert.public_bytes(serialization.Encoding.PEM).decode()


def provision_bodies(cert_pem: str) -> list[tuple[str, dict]]:
    """What the controller's startup reads of acc-provision's work, as (dn, body) admin POSTs."""
    def mo(cls: str, children: tuple = (), **attrs: str) -> dict:
        body: dict = {"attributes": attrs}
        if children:
            body["children"] = list(children)
        return {cls: body}

    def bd(dn: str) -> dict:
        return mo("fvBD", (mo("fvRsCtx", tnFvCtxName=VRF),), name=dn.rsplit("/BD-", 1)[1], arpFlood="yes")

    return [
        (f"uni/vmmp-Kubernetes/dom-{SYS}", mo("vmmDomP", (mo("vmmCtrlrP", name=SYS, hostOrIp="1.1.1.1", mode="k8s"),
                                                          mo("vmmCtrlrP", name=PLAIN_CTRLR, hostOrIp="1.1.1.2", mode="k8s")),
                                              name=SYS, mode="k8s", encapMode="vxlan", prefEncapMode="vxlan")),
        (f"uni/phys-{SYS}-pdom", mo("physDomP", name=f"{SYS}-pdom")),
        (f"uni/tn-{VRF_TENANT}/ctx-{VRF}", mo("fvCtx", name=VRF)),
        (f"uni/tn-{SYS}", mo("fvTenant", (bd(NODE_BD), bd(POD_BD)), name=SYS)),
        (f"uni/userext/user-{SYS}", mo("aaaUser", (
            mo("aaaUserDomain", (mo("aaaUserRole", name="admin", privType="writePriv"),), name="all"),
            mo("aaaUserCert", name=f"{SYS}.crt", data=cert_pem)), name=SYS, accountStatus="active", pwd="Bench-pw-123")),
    ]


def controller_config(host: str) -> dict:
    """controller-config as acc-provision renders it into the manifest (the keys the emulator reads)."""
    return {"apic-hosts": [host], "apic-username": SYS, "apic-private-key-path": "/usr/local/etc/aci-cert/user.key",
            "aci-prefix": SYS, "aci-vmm-type": "Kubernetes", "aci-vmm-domain": SYS, "aci-vmm-controller": SYS,
            "aci-policy-tenant": SYS, "aci-vrf": VRF, "aci-vrf-tenant": VRF_TENANT, "aci-podbd-dn": POD_BD,
            "aci-nodebd-dn": NODE_BD, "aci-service-phys-dom": f"{SYS}-pdom", "aci-service-encap": "vlan-4003",
            "node-service-subnets": ["10.5.0.1/24"], "pod-subnet": ["10.2.0.1/16"]}


@dataclass
class Served:
    lab: object
    server: object
    counter: RequestCounter
    config: object
    key_pem: bytes
    ca_file: str | None
    stopped: list = field(default_factory=list)

    def stop(self) -> None:
        for ctrl in self.stopped:
            ctrl.stop()
        self.lab.stop()
        self.server.stop()


def serve(tmp: Path, key_pem: bytes, cert_pem: str, view: dict, verify: bool) -> Served:
    """A fresh lab, provisioned, with an opflexODev per node and the plain POSTs' namespaces, served over
    HTTPS and counted; the clients verify its certificate when `verify`."""
    import requests

    from simulator.apic.mit.proposed import proposed_mo
    from simulator.cni.config import parse
    from simulator.lab import Lab, LabOptions
    from simulator.serving import serve_in_thread
    from simulator.tls import ensure_certificate

    lab = Lab(LabOptions(admin_password=ADMIN_PASSWORD))
    app = lab.apic_app()
    counter = RequestCounter(app.wsgi_app)
    app.wsgi_app = counter
    server = serve_in_thread(app, tls_dir=tmp / "tls")
    ca_file = str(ensure_certificate(tmp / "tls", hosts=("127.0.0.1",))[0]) if verify else None
    with requests.Session() as admin:
        admin.verify, admin.trust_env = ca_file or False, False
        login = {"aaaUser": {"attributes": {"name": "admin", "pwd": ADMIN_PASSWORD}}}
        admin.post(f"{server.url}/api/aaaLogin.json", json=login, timeout=30).raise_for_status()
        plain_namespaces = {"vmmInjectedCont": {"attributes": {}, "children": [
            {"vmmInjectedNs": {"attributes": {"name": ns}}} for ns in sorted(set(plain_homes(view)))]}}
        for dn, body in [*provision_bodies(cert_pem), (PLAIN_INJCONT, plain_namespaces)]:
            reply = admin.post(f"{server.url}/api/mo/{dn}.json", json=body, timeout=30)
            if reply.status_code != 200:
                raise RuntimeError(f"provisioning {dn}: {reply.status_code} {reply.text}")
    for n, node in enumerate(n["name"] for n in view["nodes"]):
        leaf = LEAVES[n % len(LEAVES)]
        port = f"eth1/{n // len(LEAVES) + 1}"
        result = lab.apic.writer.post(
            f"topology/pod-1/node-{leaf}/sys/br-[{port}]/odev-{167837797 + n}", proposed_mo({"opflexODev": {"attributes": {
                "hostName": node, "domName": SYS, "devType": "k8s", "state": "connected", "ip": f"10.1.0.{101 + n}",
                "fabricPathDn": f"topology/pod-1/paths-{leaf}/pathep-[{port}]"}}}), system=True)
        if getattr(result, "error", None):
            raise RuntimeError(f"opflexODev of {node}: {result.error}")
    config = parse(json.dumps(controller_config(f"127.0.0.1:{server.port}")))
    return Served(lab, server, counter, config, key_pem, ca_file)


def class_count(served: Served, cls: str, under: str) -> int:
    """Objects of a class under a DN, as the APIC counts them."""
    return sum(1 for mo in served.lab.apic.store.of_class(cls) if mo.dn.startswith(under + "/"))


# --- one round -------------------------------------------------------------------------------------
def run_round(served: Served, view: dict, errors: list[str]) -> dict:
    from simulator.cni.controller import Controller

    ctrl = Controller(served.config, served.key_pem, served.ca_file)
    served.stopped.append(ctrl)
    # half of the plain POSTs before the converge, the rest after it: drift in the machine's load and the
    # APIC's growing store weigh on both sides (a request is signed alone: the client needs no start)
    early = plain_posts(served, ctrl, view, range(min_posts(view) // 2))
    mos_before = len(served.lab.apic.store)
    before = served.counter.snapshot()
    ctrl.start()
    after_start = served.counter.snapshot()
    first = ctrl.sync(view)
    converge = phase(before, served.counter.snapshot())
    converge.update(start=phase(before, after_start), posted=len(first.posted),
                    deleted=len(first.deleted), apic_mos_added=len(served.lab.apic.store) - mos_before)
    check_converged(served, view, errors)

    before = served.counter.snapshot()
    second = ctrl.sync(view)
    resync = phase(before, served.counter.snapshot())
    resync.update(posted=len(second.posted), deleted=len(second.deleted))
    if second.posted or second.deleted or set(resync["by_method"]) != {"GET"}:
        errors.append(f"the resync wrote: posted {second.posted[:3]}, deleted {second.deleted[:3]}, "
                      f"requests {resync['by_method']}")

    posts = converge["by_method"].get("POST", 0)
    if posts < early["requests"]:
        errors.append(f"the converge made {posts} POSTs, fewer than the {early['requests']} plain ones before it")
    late = plain_posts(served, ctrl, view, range(early["requests"], posts))
    plain = {key: early[key] + late[key] for key in ("wall_s", "client_cpu_s", "requests", "posted_mos", "server_app_s")}
    plain.update(by_method=dict(Counter(early["by_method"]) + Counter(late["by_method"])),
                 before_converge=early, after_converge=late)
    if plain["requests"] != posts:
        errors.append(f"plain: {plain['requests']} requests for {posts} POSTs")
    return {"tls_verified": served.ca_file is not None, "converge": converge, "resync": resync, "plain": plain,
            "wall_ratio": converge["wall_s"] / plain["wall_s"] if plain["wall_s"] else 0.0,
            "request_ratio": converge["requests"] / plain["requests"] if plain["requests"] else 0.0}


def min_posts(view: dict) -> int:
    """The converge's POSTs at least: one per node for its host, one for its host protection policy, and
    one per namespace, deployment, replica set, pod and service."""
    return 2 * len(view["nodes"]) + sum(len(view[kind]) for kind in
                                        ("namespaces", "deployments", "replicasets", "pods", "services"))


def plain_homes(view: dict) -> list[str]:
    """The namespaces the plain POSTs go to, cycled: the pods' (or the namespaces', without pods)."""
    return [pod["namespace"] for pod in view["pods"]] or [ns["name"] for ns in view["namespaces"]]


def plain_posts(served: Served, ctrl, view: dict, numbers: range) -> dict:
    """The plain POSTs numbered `numbers`, under the second controller's injected objects."""
    homes = plain_homes(view)
    bodies = [plain_body(f"{PLAIN_INJCONT}/ns-[{homes[i % len(homes)]}]", i) for i in numbers]
    before = served.counter.snapshot()
    for dn, body in bodies:
        ctrl.apic.post(dn, body)
    return phase(before, served.counter.snapshot())


def plain_body(ns_dn: str, i: int) -> tuple[str, dict]:
    """A pod-shaped object (the converge's most common POST): a contGrp with its annotation and a tag child
    whose key is not the controller's (so no sync would count it as its own)."""
    dn = f"{ns_dn}/grp-[plain-{i:05d}]"
    tag = {"tagAnnotation": {"attributes": {"dn": f"{dn}/annotationKey-[bench-tag]", "key": "bench-tag",
                                            "value": f"bench-{i:032x}"}}}
    attrs = {"dn": dn, "name": f"plain-{i:05d}", "guid": f"plain-{i}", "hostName": "node-1",
             "computeNodeName": "node-1", "replicaSetName": "plain", "annotation": "orchestrator:aci-containers-controller"}
    return dn, {"vmmInjectedContGrp": {"attributes": attrs, "children": [tag]}}


def check_converged(served: Served, view: dict, errors: list[str]) -> None:
    inj = served.config.injcont
    device = f"uni/tn-{VRF_TENANT}/lDevVip-{SYS}_svc_global"
    for cls, under, want in (("vmmInjectedHost", inj, len(view["nodes"])),
                             ("vmmInjectedNs", inj, len(view["namespaces"])),
                             ("vmmInjectedContGrp", inj, len(view["pods"])),
                             ("vmmInjectedSvc", inj, len(view["services"])),
                             ("vnsCDev", device, len(view["nodes"]))):
        found = class_count(served, cls, under)
        if found != want:
            errors.append(f"after the converge: {found} {cls} under {under}, want {want}")


# --- the benchmark ---------------------------------------------------------------------------------
def summary(rounds: list[dict]) -> dict:
    def med(path: tuple[str, ...]) -> float:
        values = []
        for r in rounds:
            value = r
            for part in path:
                value = value[part]
            values.append(value)
        return statistics.median(values)

    return {
        "wall_ratio": med(("wall_ratio",)), "request_ratio": med(("request_ratio",)),
        "extra_requests": statistics.median(r["converge"]["requests"] - r["plain"]["requests"] for r in rounds),
        "converge_s": med(("converge", "wall_s")), "start_s": med(("converge", "start", "wall_s")),
        "resync_s": med(("resync", "wall_s")), "plain_s": med(("plain", "wall_s")),
    }


def print_report(sizes: dict, rounds: list[dict], medians: dict) -> None:
    last = rounds[-1]
    print(f"cluster: {sizes['namespaces']} namespaces, {sizes['pods']} pods, {sizes['services']} services, "
          f"{sizes['nodes']} nodes; {len(rounds)} round(s), each in a fresh lab; the controller "
          + ("verifies the APIC with the lab's CA" if last["tls_verified"] else "has no CA (it does not verify the APIC)"))
    rows = []
    for name in ("converge", "resync", "plain"):
        p = last[name]
        methods = ", ".join(f"{m} {n}" for m, n in p["by_method"].items())
        in_app = p["server_app_s"] / max(p["requests"] - p["by_method"].get("socket", 0), 1) * 1000
        per = max(p["requests"], 1)
        rows.append((name, medians[f"{name}_s"] * 1000, p["requests"], methods, p["posted_mos"],
                     p["wall_s"] / per * 1000, in_app, p["client_cpu_s"] / per * 1000))
    print(c.table(("phase", "wall ms (median)", "requests", "by method (last round)", "MOs in POSTs",
                   "ms per request: wall", "server in app", "client CPU"), rows))
    conv = last["converge"]
    print(f"\nconverge: start {medians['start_s'] * 1000:.0f} ms in {conv['start']['requests']} requests "
          f"({', '.join(f'{m} {n}' for m, n in conv['start']['by_method'].items())}); sync posted {conv['posted']} "
          f"objects (subtrees), deleted {conv['deleted']}; the APIC grew by {conv['apic_mos_added']} MOs "
          f"(implicit children and back-references included)")
    halves = [last["plain"][half] for half in ("before_converge", "after_converge")]
    print("plain: " + ", ".join(f"{h['requests']} POSTs {when} the converge at {h['wall_s'] / max(h['requests'], 1) * 1000:.1f} ms"
                                for h, when in zip(halves, ("before", "after"), strict=True)))
    per_post = conv["posted_mos"] / conv["by_method"].get("POST", 1)
    print(f"MOs per POST: converge {per_post:.2f}, plain {last['plain']['posted_mos'] / max(last['plain']['requests'], 1):.2f}")
    ratios = [(i + 1, r["wall_ratio"], r["request_ratio"]) for i, r in enumerate(rounds)]
    print()
    print(c.table(("round", "wall converge / plain", "requests converge / plain"), ratios))
    print(f"\nmedian: wall converge / plain {medians['wall_ratio']:.2f}, requests converge / plain "
          f"{medians['request_ratio']:.3f} ({medians['extra_requests']:.0f} requests besides the POSTs)")


def main() -> int:
    args = options()
    c.banner("CNI controller converging a cluster vs plain signed POSTs", args.quick)
    sizes = {"namespaces": args.namespaces, "pods": args.pods, "services": args.services, "nodes": args.nodes}
    view = kube_view(**sizes)
    if args.no_ca:
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)  # unverified on purpose
    errors: list[str] = []
    rounds: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="acisim-bench-cni-") as tmp:
        key_pem, cert_pem = make_key()
        for _ in range(args.rounds):
            served = serve(Path(tmp), key_pem, cert_pem, view, not args.no_ca)
            try:
                rounds.append(run_round(served, view, errors))
            finally:
                served.stop()
    medians = summary(rounds)
    print_report(sizes, rounds, medians)
    for error in errors:
        print(f"ERROR: {error}")
    figures = {"sizes": sizes, "tls_verified": not args.no_ca, "rounds": rounds, "median": medians, "errors": errors}
    targets = [
        c.target("converge / plain signed POSTs, wall", medians["wall_ratio"], TARGET_WALL_RATIO, "x", False),
        c.target("converge requests besides its POSTs", medians["extra_requests"], TARGET_EXTRA_REQUESTS, "", False),
    ]
    c.report_targets(args, "cni_converge", figures, targets)
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
