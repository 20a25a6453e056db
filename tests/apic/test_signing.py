"""APIC certificate signatures (simulator.apic.signing): what a client signs is what the APIC verifies."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from simulator.apic import signing
from simulator.tls import self_signed

CERT_DN = "uni/userext/user-kube/usercert-kube.crt"
TARGET = "/api/mo/uni/tn-kube.json?query-target=children&target-subtree-class=fvAp"
BODY = b'{"fvTenant":{"attributes":{"name":"kube"}}}'


@pytest.fixture(scope="module")
def pair():
    return self_signed("kube")


def _pem(pair) -> tuple[bytes, bytes]:
    key, cert = pair
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return key_pem, cert.public_bytes(serialization.Encoding.PEM)


def test_a_signed_request_carries_the_four_cookies(pair):
    cookies = signing.sign_request(pair[0], CERT_DN, "GET", TARGET)
    assert list(cookies) == ["APIC-Certificate-Algorithm", "APIC-Certificate-DN", "APIC-Certificate-Fingerprint",
                             "APIC-Request-Signature"]
    assert cookies["APIC-Certificate-Algorithm"] == "v1.0"
    assert cookies["APIC-Certificate-DN"] == CERT_DN
    assert cookies["APIC-Certificate-Fingerprint"] == "fingerprint"
    assert len(base64.b64decode(cookies["APIC-Request-Signature"])) == 256  # a 2048-bit RSA signature
    assert signing.cookie_header(cookies) == "; ".join(f"{k}={v}" for k, v in cookies.items())


def test_sign_then_verify(pair):
    key, cert = pair
    signature = signing.sign(key, "POST", TARGET, BODY)
    assert signing.verify(cert, signature, "POST", TARGET, BODY)


def test_keys_and_certificates_as_pem_bytes_or_text(pair):
    key_pem, cert_pem = _pem(pair)
    signature = signing.sign(key_pem.decode(), "POST", TARGET, BODY.decode())
    assert signing.verify(cert_pem, signature, "POST", TARGET, BODY)
    assert signing.verify(cert_pem.decode(), signature, "POST", TARGET, BODY)
    assert signing.verify(pair[1].public_key(), signature, "POST", TARGET, BODY)


def test_a_tampered_body_method_or_target_fails(pair):
    key, cert = pair
    signature = signing.sign(key, "POST", TARGET, BODY)
    assert not signing.verify(cert, signature, "POST", TARGET, BODY.replace(b"kube", b"kubf"))
    assert not signing.verify(cert, signature, "DELETE", TARGET, BODY)
    assert not signing.verify(cert, signature, "POST", TARGET.replace("children", "subtree"), BODY)


def test_a_signature_of_another_key_fails(pair):
    other_key, _ = self_signed("other")
    signature = signing.sign(other_key, "GET", TARGET)
    assert not signing.verify(pair[1], signature, "GET", TARGET)


def test_the_payload_is_method_target_and_body():
    assert signing.payload("GET", "/api/class/fvTenant.json?page=0") == b"GET/api/class/fvTenant.json?page=0"
    assert signing.payload("POST", "/api/mo/uni.json", "{}") == b"POST/api/mo/uni.json{}"


def test_unreadable_inputs_are_signature_errors_not_mismatches(pair):
    key, cert = pair
    with pytest.raises(signing.SignatureError):
        signing.verify(b"not a certificate", signing.sign(key, "GET", TARGET), "GET", TARGET)
    with pytest.raises(signing.SignatureError):
        signing.verify(cert, "%%% not base64 %%%", "GET", TARGET)
    with pytest.raises(signing.SignatureError):
        signing.sign(b"not a key", "GET", TARGET)
    with pytest.raises(signing.SignatureError):
        signing.sign(ec.generate_private_key(ec.SECP256R1()), "GET", TARGET)
