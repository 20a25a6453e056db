"""Certificate-signature auth with the key and certificate the real acc-provision generated.

acc-provision 6.1.1.7 provisions a fresh lab once (fixtures/acc-provision/mykube-vxlan.yaml): it
writes user-mykube.key / user-mykube.crt into its working directory and creates the APIC user
mykube with that certificate (acc-provision.md §7, §10). The requests below are then signed the
way aci-containers-controller signs them (cni-nodeprep.md A1): RSA PKCS#1 v1.5 over SHA-256 of
METHOD + path?query exactly as sent + body, base64, in the cookies APIC-Request-Signature,
APIC-Certificate-Algorithm=v1.0, APIC-Certificate-DN=uni/userext/user-mykube/usercert-mykube.crt
and APIC-Certificate-Fingerprint=fingerprint. They go out through http.client so that the path and
query reach the APIC byte for byte as signed (the controller does not re-encode its queries).
"""

from __future__ import annotations

import http.client
import json
import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from simulator.apic import signing
from simulator.lab import Lab, LabOptions
from simulator.pytest_plugin import client_tool

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "fixtures" / "acc-provision" / "mykube-vxlan.yaml"
PREREQUISITES = REPO / "fixtures" / "apic" / "kube-fabric-prereqs.yaml"
PASSWORD = "lab-admin-pw"
USER = "mykube"
CERT_DN = f"uni/userext/user-{USER}/usercert-{USER}.crt"




@dataclass
class Answer:
    status: int
    body: dict


@dataclass
class Cluster:
    """A lab provisioned by acc-provision, and the key and certificate it generated."""

    port: int
    key_pem: bytes
    cert_pem: bytes

    def send(self, method: str, target: str, body: bytes = b"", cookie: str | None = None) -> Answer:
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=ssl._create_unverified_context(), timeout=30)
        headers = {"Content-Type": "application/json"} if body else {}
        if cookie is not None:
            headers["Cookie"] = cookie
        try:
            conn.request(method, target, body=body or None, headers=headers)
            response = conn.getresponse()
            return Answer(response.status, json.loads(response.read()))
        finally:
            conn.close()

    def signed(self, method: str, target: str, body: bytes = b"", *, key_pem: bytes | None = None,
               cert_dn: str = CERT_DN, signed_method: str | None = None, signed_target: str | None = None,
               signed_body: bytes | None = None) -> Answer:
        """Send a request signed as the controller signs it; the keyword arguments forge one part."""
        cookie = signature_cookie(key_pem or self.key_pem, cert_dn, signed_method or method,
                                  target if signed_target is None else signed_target,
                                  body if signed_body is None else signed_body)
        return self.send(method, target, body, cookie)


def signature_cookie(key_pem: bytes, cert_dn: str, method: str, target: str, body: bytes) -> str:
    return signing.cookie_header(signing.sign_request(key_pem, cert_dn, method, target, body))


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    lab = Lab(LabOptions(admin_password=PASSWORD, fixtures=[PREREQUISITES]))
    server = lab.start(tls_dir=tmp_path_factory.mktemp("tls"))
    workdir = tmp_path_factory.mktemp("acc-provision")
    config = yaml.safe_load(CONFIG.read_text())
    config["aci_config"]["apic_hosts"] = [f"127.0.0.1:{server.port}"]
    (workdir / "input.yaml").write_text(yaml.safe_dump(config))
    run = subprocess.run(
        [client_tool("acc-provision", "acc-provision==6.1.1.7"), "-c", "input.yaml", "-o", "aci-containers.yaml", "-f", "kubernetes-1.36", "-a",
         "-u", "admin", "-p", PASSWORD],
        cwd=workdir, capture_output=True, text=True, timeout=180, check=False,
    )
    try:
        assert run.returncode == 0 and "ERR:" not in run.stdout + run.stderr, run.stdout + run.stderr
        yield Cluster(server.port, (workdir / f"user-{USER}.key").read_bytes(),
                      (workdir / f"user-{USER}.crt").read_bytes())
    finally:
        lab.stop()


def _refused(answer: Answer) -> None:
    assert answer.status == 403, answer
    assert answer.body["totalCount"] == "1"
    assert answer.body["imdata"][0]["error"]["attributes"]["code"] == "403", answer.body


# --- the generated credentials -----------------------------------------------------------------------


def test_the_generated_key_and_certificate_are_the_users(cluster):
    cert = x509.load_pem_x509_certificate(cluster.cert_pem)
    key = serialization.load_pem_private_key(cluster.key_pem, password=None)
    # acc-provision.md §10: RSA 1024, self-signed "CN=User mykube"
    assert isinstance(key, rsa.RSAPrivateKey) and key.key_size == 1024
    assert cert.public_key().public_numbers() == key.public_key().public_numbers()
    assert cert.subject.rfc4514_string() == cert.issuer.rfc4514_string() == "CN=User mykube,O=Cisco Systems,C=US"
    stored = cluster.signed("GET", f"/api/mo/{CERT_DN}.json")
    assert stored.status == 200, stored
    (entry,) = stored.body["imdata"]
    assert entry["aaaUserCert"]["attributes"]["data"].split() == cluster.cert_pem.decode().split()


# --- accepted --------------------------------------------------------------------------------------------


def test_signed_webtoken_session_returns_a_token_that_works_as_a_session_cookie(cluster):
    answer = cluster.signed("GET", "/api/webtokenSession.json")
    assert answer.status == 200, answer
    (entry,) = answer.body["imdata"]
    token = entry["webtokenSession"]["attributes"]["token"]
    assert token
    read = cluster.send("GET", "/api/mo/uni/tn-mykube.json", cookie=f"APIC-cookie={token}")
    assert read.status == 200 and read.body["totalCount"] == "1", read


def test_signed_get_with_a_query_sent_unencoded(cluster):
    answer = cluster.signed("GET", "/api/mo/uni/tn-mykube.json?query-target=children&target-subtree-class=fvBD,fvAp")
    assert answer.status == 200, answer
    names = sorted(body["attributes"]["name"] for entry in answer.body["imdata"] for body in entry.values())
    assert names == ["aci-containers-mykube", "aci-containers-mykube-node-bd", "aci-containers-mykube-pod-bd"]


def test_signed_get_of_a_dn_with_brackets_sent_raw(cluster):
    answer = cluster.signed("GET", "/api/mo/uni/infra/vlanns-[mykube-pool]-static.json")
    assert answer.status == 200, answer
    assert answer.body["totalCount"] == "1", answer


def test_signed_post_and_delete_change_the_tree(cluster):
    dn = "uni/tn-mykube/ap-aci-containers-mykube/epg-signed-write"
    body = json.dumps({"fvAEPg": {"attributes": {"name": "signed-write"}}}).encode()
    assert cluster.signed("POST", f"/api/mo/{dn}.json", body).status == 200
    assert cluster.signed("GET", f"/api/mo/{dn}.json").body["totalCount"] == "1"
    assert cluster.signed("DELETE", f"/api/mo/{dn}.json").status == 200
    assert cluster.signed("GET", f"/api/mo/{dn}.json").body["totalCount"] == "0"


# --- refused ---------------------------------------------------------------------------------------------


def test_refused_for_a_certificate_dn_the_apic_does_not_know(cluster):
    _refused(cluster.signed("GET", "/api/mo/uni/tn-mykube.json", cert_dn="uni/userext/user-nobody/usercert-nobody.crt"))


def test_refused_for_a_signature_made_with_another_key(cluster):
    other = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    pem = other.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    _refused(cluster.signed("GET", "/api/mo/uni/tn-mykube.json", key_pem=pem))


def test_refused_for_a_tampered_body_and_nothing_is_written(cluster):
    dn = "uni/tn-mykube/ap-aci-containers-mykube/epg-tampered"
    signed = json.dumps({"fvAEPg": {"attributes": {"name": "tampered", "descr": "as signed"}}}).encode()
    sent = json.dumps({"fvAEPg": {"attributes": {"name": "tampered", "descr": "as altered"}}}).encode()
    _refused(cluster.signed("POST", f"/api/mo/{dn}.json", sent, signed_body=signed))
    assert cluster.signed("GET", f"/api/mo/{dn}.json").body["totalCount"] == "0"


def test_refused_for_a_tampered_query(cluster):
    _refused(cluster.signed("GET", "/api/mo/uni/tn-mykube.json?query-target=children",
                            signed_target="/api/mo/uni/tn-mykube.json?query-target=self"))


def test_refused_for_a_signature_of_another_method_and_nothing_is_deleted(cluster):
    dn = "uni/tn-mykube/ap-aci-containers-mykube/epg-aci-containers-default"
    _refused(cluster.signed("DELETE", f"/api/mo/{dn}.json", signed_method="GET"))
    assert cluster.signed("GET", f"/api/mo/{dn}.json").body["totalCount"] == "1"


def test_a_signed_webtoken_request_with_a_forged_signature_gets_no_token(cluster):
    _refused(cluster.signed("GET", "/api/webtokenSession.json", signed_target="/api/webtokenSession.xml"))
