"""The controller's APIC client: every request signed with the user's key (research cni-nodeprep.md §A1).

The signature is RSA PKCS#1 v1.5 over SHA-256 of method + path-and-query (exactly as sent) + body,
sent as cookies with the DN of the user's certificate; the web token from webtokenSession joins
them once known, and the websocket's handshake is signed the same way.
"""

from __future__ import annotations

import base64
import json
import ssl

import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa


class ApicError(RuntimeError):
    """The APIC refused a request; the message carries its status and its own text."""

    def __init__(self, method: str, path: str, status: int, text: str):
        super().__init__(f"APIC {method} {path}: {status} {text}")
        self.status = status
        self.text = text


def load_key(pem: bytes) -> rsa.RSAPrivateKey:
    """An RSA key, PKCS#8 or PKCS#1, as the controller accepts both."""
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"cannot read the private key: {exc}") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("the private key is not an RSA key")
    return key


def signature(key: rsa.RSAPrivateKey, method: str, path_and_query: str, body: bytes = b"") -> str:
    return base64.b64encode(key.sign(method.encode() + path_and_query.encode() + body,
                                     padding.PKCS1v15(), hashes.SHA256())).decode()


class ApicClient:
    """Signed REST calls to one APIC host (`host:port`), plus its websocket."""

    def __init__(self, host: str, key: rsa.RSAPrivateKey, cert_dn: str, ca_file: str | None = None):
        self.base = f"https://{host}"
        self.host = host
        self.key = key
        self.cert_dn = cert_dn
        self.token: str | None = None
        self.http = requests.Session()
        self.http.trust_env = False
        self.http.verify = ca_file or False
        self.ca_file = ca_file

    def cookie(self, method: str, path: str, body: bytes = b"") -> str:
        cookies = [f"APIC-Request-Signature={signature(self.key, method, path, body)}",
                   "APIC-Certificate-Algorithm=v1.0", f"APIC-Certificate-DN={self.cert_dn}",
                   "APIC-Certificate-Fingerprint=fingerprint"]
        if self.token:
            cookies.append(f"APIC-WebSocket-Session={self.token}")
        return "; ".join(cookies)

    def request(self, method: str, path: str, body: dict | None = None) -> dict:
        data = json.dumps(body).encode() if body is not None else b""
        headers = {"Cookie": self.cookie(method, path, data)}
        if body is not None:
            headers["Content-Type"] = "application/json"
        try:
            r = self.http.request(method, self.base + path, data=data or None, headers=headers, timeout=60)
        except requests.RequestException as exc:
            raise ApicError(method, path, 0, f"cannot reach {self.host}: {exc.__class__.__name__}") from None
        try:
            reply = r.json()
        except ValueError:
            reply = {}
        if r.status_code != 200:
            text = _error_text(reply)
            raise ApicError(method, path, r.status_code, text.removeprefix(f"{r.status_code} ") or r.reason)
        return reply

    def get(self, path: str) -> dict:
        return self.request("GET", path)

    def post(self, dn: str, body: dict) -> dict:
        return self.request("POST", f"/api/mo/{dn}.json", body)

    def delete(self, dn: str) -> dict:
        return self.request("DELETE", f"/api/mo/{dn}.json")

    # --- the startup's calls ---
    def login(self) -> str:
        reply = self.get("/api/webtokenSession.json")
        self.token = reply["imdata"][0]["webtokenSession"]["attributes"]["token"]
        return self.token

    def version(self) -> str:
        reply = self.get("/api/node/class/firmwareCtrlrRunning.json?&")
        versions = [mo["firmwareCtrlrRunning"]["attributes"].get("version", "") for mo in reply.get("imdata", [])]
        return versions[0] if versions else ""

    def check_vrf(self, vrf_dn: str, bd_dns: list[str]) -> None:
        """ValidateAciVrfAssociation: the VRF must be referred to by both BDs (fvRtCtx), as after acc-provision."""
        reply = self.get(f"/api/mo/{vrf_dn}.json?query-target=subtree&target-subtree-class=fvRtCtx,fvRtEctx")
        seen = {attrs.get("tDn") for mo in reply.get("imdata", []) for attrs in (_attributes(mo),)}
        missing = [bd for bd in bd_dns if bd not in seen]
        if missing:
            raise ApicError("GET", vrf_dn, 0, f"VRF {vrf_dn} is not associated with {', '.join(missing)}: "
                            "was acc-provision run, and are the BDs in this VRF?")

    # --- subscriptions ---
    def open_socket(self):
        """The websocket the APIC pushes subscription events on (wss://<apic>/socket<token>)."""
        import websocket  # websocket-client; imported here so the REST calls need nothing more

        path = f"/socket{self.token}"
        sslopt = {"cert_reqs": ssl.CERT_REQUIRED, "ca_certs": self.ca_file} if self.ca_file else {"cert_reqs": ssl.CERT_NONE}
        return websocket.create_connection(f"wss://{self.host}{path}", sslopt=sslopt,
                                           cookie=self.cookie("GET", path), timeout=60)

    def subscribe(self, path: str) -> tuple[str, list[dict]]:
        """A subscription GET; its id and its objects."""
        reply = self.get(path)
        return reply["subscriptionId"], reply.get("imdata", [])

    def refresh(self, subscription_id: str) -> None:
        self.get(f"/api/subscriptionRefresh.json?id={subscription_id}")


def _attributes(mo: dict) -> dict:
    return next(iter(mo.values())).get("attributes", {})


def _error_text(reply: dict) -> str:
    for mo in reply.get("imdata", []) if isinstance(reply, dict) else []:
        if "error" in mo:
            attrs = mo["error"]["attributes"]
            return f"{attrs.get('code', '')} {attrs.get('text', '')}".strip()
    return ""
