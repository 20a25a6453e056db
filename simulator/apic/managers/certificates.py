"""User certificates: APIC decodes an aaaUserCert's PEM when it is written and rejects junk.

The decoded summary lands in certificateDecodeInformation as on a real controller; signature auth
(aaa.py) later verifies requests against the same PEM.
"""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from .. import errors
from ..mit.store import Event, Store, Transaction


class CertificateDecoder:
    def __init__(self, store: Store):
        self.store = store
        store.hooks.append(self)

    def __call__(self, txn: Transaction, events: list[Event]) -> None:
        for event in events:
            if event.cls != "aaaUserCert" or event.kind == "deleted" or "data" not in event.changed:
                continue
            mo = self.store.get(event.dn)
            pem = mo.get("data")
            if not pem:
                continue
            txn.modify(mo, {"certificateDecodeInformation": describe(pem, event.dn)})


def describe(pem: str, dn: str) -> str:
    try:
        cert = x509.load_pem_x509_certificate(pem.encode())
    except ValueError:
        raise errors.bad_request(f"Invalid certificate data for {dn}: not a PEM-encoded X.509 certificate") from None
    fingerprint = cert.fingerprint(hashes.SHA1()).hex(":").upper()
    return (
        f"Verified x509 Certificate, format: PEM, size {len(pem.encode())} fingerprint {fingerprint}, "
        f"notBefore={cert.not_valid_before_utc:%Y-%m-%d %H:%M:%S} UTC, "
        f"notAfter={cert.not_valid_after_utc:%Y-%m-%d %H:%M:%S} UTC"
    )
