"""The controller's startup in the real order, then `sync(view)` (research cni-nodeprep.md §A2).

Startup: web token, version, the VRF association check (which stops it when acc-provision was
not run), the websocket and the subscriptions; then each sync reads the nodes' opflexODev, writes
to Kubernetes what the controller owns there (load balancer addresses in the Services' status, the
nodes' service endpoint annotation: ipam.py) when it has a Kubernetes client, and writes the desired
state to the APIC. Pushes on the socket restore objects deleted behind its back.
"""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime

from .apic import ApicClient, ApicError, load_key
from .config import ControllerConfig
from .desired import desired_state
from .ipam import allocate
from .kube import KubeClient
from .reconcile import Reconciler, SyncResult

TENANT_CLASSES = ("fvBD,vnsLDevVip,vnsAbsGraph,vnsLDevCtx,vzFilter,vzBrCP,l3extInstP,vnsSvcRedirectPol,"
                  "vnsRedirectHealthGroup,fvIPSLAMonitoringPol")


class Controller:
    def __init__(self, config: ControllerConfig, key_pem: bytes, ca_file: str | None = None,
                 kube: KubeClient | None = None):
        self.config = config
        self.kube = kube  # None: the Kubernetes writes are computed (the APIC objects use them) but not sent
        self.apic = ApicClient(config.apic_hosts[0], load_key(key_pem), config.cert_dn, ca_file)
        scopes = [config.injcont, f"uni/tn-{config.vrf_tenant}"]
        if config.policy_tenant != config.vrf_tenant:
            scopes.append(f"uni/tn-{config.policy_tenant}")
        self.reconciler = Reconciler(self.apic, config.prefix, scopes)
        self.socket = None
        self.subscriptions: list[str] = []
        self.version = ""

    def start(self) -> None:
        """Log in, read the version, check the VRF, open the socket and subscribe; ApicError stops it."""
        self.apic.login()
        self.version = self.apic.version()
        self.apic.check_vrf(self.config.vrf_dn, [self.config.pod_bd_dn, self.config.node_bd_dn])
        self.socket = self.apic.open_socket()
        refresh = self.config.refresh_time
        tenant_classes = TENANT_CLASSES + (",hostprotPol" if self.config.policy_tenant == self.config.vrf_tenant else "")
        targets = [f"/api/mo/uni/tn-{self.config.vrf_tenant}.json?subscription=yes&refresh-timeout={refresh}"
                   f"&query-target=subtree&target-subtree-class={tenant_classes}",
                   f"/api/mo/{self.config.injcont}.json?subscription=yes&refresh-timeout={refresh}"
                   "&query-target=subtree&target-subtree-class=vmmInjectedHost,vmmInjectedNs,vmmInjectedDepl,"
                   "vmmInjectedReplSet,vmmInjectedContGrp,vmmInjectedSvc,vmmInjectedClusterInfo",
                   f"/api/class/opflexODev.json?subscription=yes&refresh-timeout={refresh}"]
        if self.config.l3out:
            targets.insert(1, f"/api/mo/uni/tn-{self.config.vrf_tenant}/out-{self.config.l3out}.json?subscription=yes"
                              f"&refresh-timeout={refresh}&query-target=subtree&target-subtree-class=fvRsCons")
        if self.config.policy_tenant != self.config.vrf_tenant:
            targets.insert(1, f"/api/mo/uni/tn-{self.config.policy_tenant}.json?subscription=yes"
                              f"&refresh-timeout={refresh}&query-target=subtree&target-subtree-class=hostprotPol")
        self.subscriptions = [self.apic.subscribe(target)[0] for target in targets]

    def refresh(self) -> None:
        """subscriptionRefresh for every subscription, as the controller does before they time out."""
        for sub in self.subscriptions:
            self.apic.refresh(sub)

    def odevs(self) -> dict[str, list[dict]]:
        """Each node's opflexODev (class query, kept when its domName is this controller's domain)."""
        reply = self.apic.get("/api/node/class/opflexODev.json")
        found: dict[str, list[dict]] = {}
        for mo in reply.get("imdata", []):
            attrs = mo["opflexODev"]["attributes"]
            if attrs.get("domName", self.config.vmm_domain) == self.config.vmm_domain and attrs.get("hostName"):
                found.setdefault(attrs["hostName"], []).append(attrs)
        return found

    def sync(self, view: dict) -> SyncResult:
        """One full sync: the Kubernetes writes, then the APIC to the desired state of the view they give."""
        odevs = self.odevs()
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        view, writes = allocate(self.config, view, odevs, now)
        if self.kube is not None:
            for path, body in writes.patches:
                self.kube.patch(path, body)
        return self.reconciler.sync(desired_state(self.config, view, odevs))

    def handle_push(self, timeout: float = 30) -> list[str]:
        """Wait for one websocket push; restore what it says was deleted. The DNs posted again."""
        return self.handle_message(self.receive(timeout))

    def receive(self, timeout: float = 30) -> dict:
        """The next push on the websocket (websocket.WebSocketTimeoutException after `timeout`)."""
        self.socket.settimeout(timeout)
        return json.loads(self.socket.recv())

    def handle_message(self, message: dict) -> list[str]:
        """Restore what a push says was deleted; the DNs posted again."""
        posted: list[str] = []
        for mo in message.get("imdata", []):
            attrs = next(iter(mo.values())).get("attributes", {})
            if attrs.get("status") == "deleted":
                posted += self.reconciler.restore(attrs["dn"])
        return posted

    def interrupt(self) -> None:
        """Cut the websocket's connection so a blocked `receive` returns at once (stop() then closes it)."""
        sock = getattr(self.socket, "sock", None)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def stop(self) -> None:
        if self.socket is not None:
            self.socket.close()
            self.socket = None
        self.apic.http.close()  # a failed start's pooled connection goes with it, not at garbage collection


__all__ = ["ApicError", "Controller"]
