"""APIC certificate signatures, for both ends: the APIC verifies them, clients make them.

A signed request carries four cookies instead of a session token (apic-rest.md §1.5, as the
aci-containers controller and cisco.aci send them): APIC-Certificate-Algorithm=v1.0,
APIC-Certificate-DN (the user's aaaUserCert), APIC-Certificate-Fingerprint and
APIC-Request-Signature, the base64 of an RSA PKCS#1 v1.5 SHA-256 signature over
METHOD + path (+ "?" + query, exactly as sent) + body. One module holds that rule so that the
simulator, its tests and the coming CNI controller emulator cannot drift apart; it needs nothing
but `cryptography`, so a client can import it without the server.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

ALGORITHM = "v1.0"
ALGORITHM_COOKIE = "APIC-Certificate-Algorithm"
DN_COOKIE = "APIC-Certificate-DN"
FINGERPRINT_COOKIE = "APIC-Certificate-Fingerprint"
SIGNATURE_COOKIE = "APIC-Request-Signature"

PrivateKey = rsa.RSAPrivateKey | bytes | str
PublicKey = rsa.RSAPublicKey | x509.Certificate | bytes | str


class SignatureError(ValueError):
    """A key, certificate or signature that cannot be read (not a mismatch: `verify` says False)."""


def payload(method: str, path_and_query: str, body: bytes | str = b"") -> bytes:
    """The signed bytes: the method, the path with its query exactly as sent, the body."""
    data = body.encode() if isinstance(body, str) else body
    return method.encode() + path_and_query.encode() + data


def sign(key: PrivateKey, method: str, path_and_query: str, body: bytes | str = b"") -> str:
    """The APIC-Request-Signature value for one request."""
    raw = private_key(key).sign(payload(method, path_and_query, body), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(raw).decode()


def sign_request(
    key: PrivateKey,
    cert_dn: str,
    method: str,
    path_and_query: str,
    body: bytes | str = b"",
    *,
    fingerprint: str = "fingerprint",
    algorithm: str = ALGORITHM,
) -> dict[str, str]:
    """The four cookies of a signed request, by name (join them with `cookie_header`)."""
    return {
        ALGORITHM_COOKIE: algorithm,
        DN_COOKIE: cert_dn,
        FINGERPRINT_COOKIE: fingerprint,
        SIGNATURE_COOKIE: sign(key, method, path_and_query, body),
    }


def cookie_header(cookies: Mapping[str, str]) -> str:
    """A Cookie header value for cookies by name."""
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def verify(
    key: PublicKey, signature: str, method: str, path_and_query: str, body: bytes | str = b""
) -> bool:
    """True when `signature` (base64) signs this request with the key of `key` (a certificate or
    public key, PEM or loaded); SignatureError when the key or the signature cannot be read."""
    try:
        raw = base64.b64decode(signature, validate=False)
    except (ValueError, binascii.Error):
        raise SignatureError("unreadable signature") from None
    try:
        public_key(key).verify(raw, payload(method, path_and_query, body), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


def private_key(key: PrivateKey) -> rsa.RSAPrivateKey:
    """An RSA private key from PEM (bytes or text) or as loaded."""
    if isinstance(key, (bytes, str)):
        try:
            key = serialization.load_pem_private_key(_pem(key), password=None)
        except (ValueError, TypeError):
            raise SignatureError("unreadable private key") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise SignatureError("only RSA keys sign APIC requests")
    return key


def public_key(key: PublicKey) -> rsa.RSAPublicKey:
    """The RSA public key of a certificate (PEM or loaded) or a public key as loaded."""
    if isinstance(key, (bytes, str)):
        try:
            key = x509.load_pem_x509_certificate(_pem(key))
        except ValueError:
            raise SignatureError("unreadable certificate") from None
    if isinstance(key, x509.Certificate):
        key = key.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise SignatureError("only RSA certificates are supported")
    return key


def _pem(data: bytes | str) -> bytes:
    return data.encode() if isinstance(data, str) else data
