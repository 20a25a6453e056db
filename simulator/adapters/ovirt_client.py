"""An HTTP client of the oVirt Engine API v4, as the APIC's Red Hat VMM integration talks to an RHV Manager.

It speaks what a real engine serves (ovirt.md §2): an SSO password grant for the ovirt-app-api scope,
then Bearer-authenticated JSON requests with `Version: 4`. Labs use self-signed certificates, so TLS
is not verified, and proxies from the environment are ignored (a lab address is never behind one).
What it reads comes back as the APIC's port types (simulator.apic.managers.vmm_ports), so the APIC
side never sees a wire format; every failure is one ControllerError with a short message, quoting the
engine's own fault words when it answered with a fault.

A sync reads the data center first (DataCenterNotFound when the engine has none of that name), then
its hosts and its VMs as two independent reads: when one of them fails, the other still comes back
and the inventory names the failed part (`Inventory.partial`), so the APIC keeps what it knew of it.
Between syncs the APIC follows the engine's events and re-reads only what they name (`ovirt_changes`).

Provisioning (`ovirt_networks`: the logical network an EPG becomes) uses documented API v4 calls
only. Which calls the real APIC makes is not public (research A1); this client's documented choice:
create the network in the data center (VLAN, description, VM usage), make sure its same-name vNIC
profile exists, attach it (not required) to every cluster of the data center, and put it on the host
NICs that face the fabric, i.e. NICs whose LLDP Port Description names an ACI path (`topology/...`):
one such NIC per host (the engine carries a network on one NIC of a host), through setupnetworks and
commitnetconfig, so a VM on the network can run on, and migrate between, the hosts cabled to leaves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests

from ..apic.managers.vmm_ports import (
    Changes,
    ControllerEndpoint,
    ControllerError,
    DataCenterNotFound,
    Delta,
    Host,
    Inventory,
    LogicalNetwork,
    ProductInfo,
    Vm,
)
from . import ovirt_changes, ovirt_networks
from .ovirt_wire import HOST_FOLLOW, VM_FOLLOW, EngineRefusal, ProfileNetworks, fault_words, host_of, vm_of

TIMEOUT = (5.0, 30.0)  # seconds to connect, to read: the tick that runs a sync waits this long at worst
API = "/ovirt-engine/api"
SSO = "/ovirt-engine/sso/oauth/token"


class OvirtClient:
    """One authenticated conversation with one engine at `base_url` (scheme://host:port)."""

    def __init__(self, base_url: str, user: str, password: str,
                 timeout: float | tuple[float, float] = TIMEOUT):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._session = requests.Session()
        self._session.verify = False
        self._session.trust_env = False  # REQUESTS_CA_BUNDLE and proxies would override the lab's choices
        self._session.headers.update({"Accept": "application/json", "Version": "4"})
        self._user, self._password = user, password
        self._token: str | None = None

    def close(self) -> None:
        self._session.close()

    # --- the wire -------------------------------------------------------------------------------------
    def login(self) -> None:
        """The SSO password grant; a refusal (the engine answers 400 with error_code/error) is an error."""
        form = {"grant_type": "password", "scope": "ovirt-app-api",
                "username": self._user, "password": self._password}
        reply = self._send("POST", self.base_url + SSO, data=form)
        try:
            body = reply.json()
        except ValueError:
            raise ControllerError(f"SSO login failed: HTTP {reply.status_code} without a JSON body") from None
        if isinstance(body, list):
            body = body[0] if body else {}
        if "error" in body or "access_token" not in body:
            reason = body.get("error_description") or body.get("error", "no token")
            raise ControllerError(f"SSO login failed: {reason}")
        self._token = body["access_token"]

    def get(self, path: str, **params: str) -> dict[str, Any]:
        """GET one API path as JSON; an empty collection is `{}` on the engine's JSON wire."""
        return self._json("GET", path, self._call("GET", path, params=params), (200,))

    def send(self, method: str, path: str, body: dict | None = None) -> dict[str, Any]:
        """POST, PUT or DELETE one API path with a JSON body; the engine's answer (an entity, an action) or {}.
        EngineRefusal (a ControllerError) when the engine refuses, with its fault's words."""
        return self._json(method, path, self._call(method, path, body=body), (200, 201))

    def _call(self, method: str, path: str, params: dict | None = None, body: dict | None = None) -> requests.Response:
        if self._token is None:
            self.login()
        kwargs: dict[str, Any] = {"params": params or {}}
        if body is not None:
            kwargs["json"] = body  # requests sets Content-Type: application/json
        elif method != "GET":
            kwargs["headers"] = {"Content-Type": "application/json"}  # the engine wants one on every write
        reply = self._authorized(method, path, kwargs)
        if reply.status_code == 401:  # the token expired or the engine restarted: log in again, as the SDK
            self.login()
            reply = self._authorized(method, path, kwargs)
        if reply.status_code == 401:
            raise ControllerError("the engine refused the session token (HTTP 401)")
        return reply

    def _authorized(self, method: str, path: str, kwargs: dict) -> requests.Response:
        headers = {**kwargs.get("headers", {}), "Authorization": f"Bearer {self._token}"}
        return self._send(method, self.base_url + API + path, **{**kwargs, "headers": headers})

    def _json(self, method: str, path: str, reply: requests.Response, ok: tuple[int, ...]) -> dict[str, Any]:
        if reply.status_code not in ok:
            detail = fault_words(reply)
            words = f": {detail}" if detail else ""
            raise EngineRefusal(f"{method} {API}{path}: HTTP {reply.status_code}{words}", reply.status_code, detail)
        if not reply.content:
            return {}
        try:
            return reply.json()
        except ValueError:
            raise ControllerError(f"{method} {API}{path}: the reply is not JSON") from None

    def _send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        try:
            return self._session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.exceptions.SSLError as exc:
            raise ControllerError(f"TLS handshake with {self.base_url} failed: {_reason(exc)}") from None
        except requests.exceptions.Timeout:
            raise ControllerError(f"Connection to {self.base_url} timed out") from None
        except requests.exceptions.RequestException as exc:
            raise ControllerError(f"Failed to connect to {self.base_url}: {_reason(exc)}") from None

    # --- what the integration reads -------------------------------------------------------------------
    def product_info(self) -> ProductInfo:
        info = self.get("").get("product_info", {})
        version = info.get("version", {})
        return ProductInfo(name=info.get("name", ""), vendor=info.get("vendor", ""),
                           version=version.get("full_version", ""),
                           api_version=f"{version.get('major', '')}.{version.get('minor', '')}")

    def data_center_id(self, name: str) -> str:
        for dc in self.get("/datacenters", search=f'name="{name}"').get("data_center", []):
            if dc.get("name") == name:
                return dc["id"]
        raise DataCenterNotFound(f"Failed to find datacenter {name}")

    def clusters(self, data_center_id: str) -> dict[str, str]:
        """The data center's clusters: id -> name."""
        return {c["id"]: c.get("name", "")
                for c in self.get(f"/datacenters/{data_center_id}/clusters").get("cluster", [])}

    def hosts(self, data_center: str, cluster_names: dict[str, str] | None = None) -> list[Host]:
        """The data center's hosts with their NICs and each NIC's LLDP TLVs, in one request (`follow`,
        engine 4.2+), not one per host and NIC: a sync of a thousand-VM engine stays a handful of calls.
        `cluster_names` (id -> name, the data center's clusters) names each host's cluster."""
        listing = self.get("/hosts", search=f'datacenter="{data_center}"', follow=HOST_FOLLOW)
        return [host_of(host, cluster_names or {}) for host in listing.get("host", [])]

    def vms(self, data_center: str) -> list[Vm]:
        """The data center's VMs with their NICs and guest-reported devices, in one request (`follow`)."""
        profile_network = self.profile_networks()
        listing = self.get("/vms", search=f'datacenter="{data_center}"', follow=VM_FOLLOW)
        return [vm_of(vm, profile_network) for vm in listing.get("vm", [])]

    def profile_networks(self) -> ProfileNetworks:
        """vNIC profile id -> (its logical network's name, the network's VLAN id or None): two requests."""
        networks = {}
        for net in self.get("/networks").get("network", []):
            vlan = net.get("vlan", {}).get("id")
            networks[net["id"]] = (net.get("name", ""), int(vlan) if vlan is not None else None)
        return {p["id"]: networks.get(p.get("network", {}).get("id", ""), ("", None))
                for p in self.get("/vnicprofiles").get("vnic_profile", [])}

    def newest_event_id(self) -> int:
        """The id of the newest event (the engine lists events newest first), 0 for none."""
        return max((int(e["id"]) for e in self.get("/events", max="1").get("event", [])), default=0)

    def inventory(self, data_center: str) -> Inventory:
        """One snapshot of a data center; the event position is read first, so a change made while the
        snapshot is taken is seen again by the next poll rather than lost. Once the data center has
        answered, its hosts and its VMs are read independently: a part that fails comes back empty and
        is named in `partial`."""
        product = self.product_info()
        last_event = self.newest_event_id()
        clusters = self.clusters(self.data_center_id(data_center))
        partial = []
        hosts: tuple[Host, ...] = ()
        vms: tuple[Vm, ...] = ()
        try:
            hosts = tuple(self.hosts(data_center, clusters))
        except ControllerError:
            partial.append("hosts")
        try:
            vms = tuple(self.vms(data_center))
        except ControllerError:
            partial.append("vms")
        return Inventory(product=product, data_center=data_center, clusters=tuple(clusters.values()),
                         hosts=hosts, vms=vms, last_event=last_event, partial=tuple(partial))


class OvirtInventorySource:
    """The APIC's InventorySource over the oVirt REST API. `plain_http(host, port)` says which addresses
    serve plain HTTP (a lab's RHV Manager started without TLS); every other address is reached with
    https, on the controller's port or 443, as a real APIC does. One session per engine and user is
    kept between syncs and polls (as the APIC keeps its connection), so polling logs in no new session."""

    def __init__(self, plain_http: Callable[[str, int], bool] = lambda host, port: False,
                 timeout: float | tuple[float, float] = TIMEOUT):
        self.plain_http = plain_http
        self.timeout = timeout
        self._clients: dict[tuple[str, str], tuple[str, OvirtClient]] = {}

    def base_url(self, endpoint: ControllerEndpoint) -> str:
        scheme = "http" if self.plain_http(endpoint.host, endpoint.port) else "https"
        port = endpoint.port or (80 if scheme == "http" else 443)
        host = f"[{endpoint.host}]" if ":" in endpoint.host else endpoint.host
        return f"{scheme}://{host}:{port}"

    def fetch(self, endpoint: ControllerEndpoint) -> Inventory:
        return self._client(endpoint).inventory(endpoint.data_center)

    def changes(self, endpoint: ControllerEndpoint, after: int) -> Changes:
        return ovirt_changes.changes(self._client(endpoint), endpoint.data_center, after)

    def fetch_some(self, endpoint: ControllerEndpoint, vm_ids: tuple[str, ...],
                   host_ids: tuple[str, ...]) -> Delta:
        return ovirt_changes.fetch_some(self._client(endpoint), endpoint.data_center, vm_ids, host_ids)

    def ensure_network(self, endpoint: ControllerEndpoint, network: LogicalNetwork) -> str:
        return ovirt_networks.ensure_network(self._client(endpoint), endpoint.data_center, network)

    def remove_network(self, endpoint: ControllerEndpoint, name: str) -> None:
        ovirt_networks.remove_network(self._client(endpoint), endpoint.data_center, name)

    def close(self) -> None:
        for _, client in self._clients.values():
            client.close()
        self._clients.clear()

    def _client(self, endpoint: ControllerEndpoint) -> OvirtClient:
        key = (self.base_url(endpoint), endpoint.user)
        password, client = self._clients.get(key, ("", None))
        if client is None or password != endpoint.password:
            if client is not None:
                client.close()
            client = OvirtClient(key[0], endpoint.user, endpoint.password, self.timeout)
            self._clients[key] = (endpoint.password, client)
        return client


def _reason(exc: Exception) -> str:
    """The innermost cause's words ("Connection refused"), not urllib3's nested wrapper texts."""
    text = str(exc)
    for marker in ("Connection refused", "Name or service not known", "No route to host", "timed out"):
        if marker in text:
            return marker
    return text.splitlines()[0][:200] if text else type(exc).__name__
