"""cisco.aci AAA (local user, user certificate) against a fresh lab: playbooks/aaa.yml checks each module's
answers and signs a request with the certificate it registered; here the run as a whole is judged."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from simulator.tls import self_signed

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")]

FAMILY = "aaa"
ERROR_CASES = {"usr06", "usr07", "usr08", "crt06"}
CHANGED = {f"{m}{n:02d}" for m in ("usr", "crt") for n in (1, 2, 10, 11)}


def extra_vars(tmp_path: Path) -> dict:
    """An RSA key and its self-signed certificate: the playbook registers the certificate for admin, then
    signs a query with the key."""
    key, cert = self_signed("ans_cert")
    key_path = tmp_path / "ans_cert.key"
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                           serialization.NoEncryption()))
    key_path.chmod(0o600)
    return {"aci_private_key": str(key_path), "aci_cert_pem": cert.public_bytes(serialization.Encoding.PEM).decode()}


def test_only_the_error_cases_fail(family):
    family.assert_clean(ERROR_CASES)


def test_what_changed(family):
    assert family.run.changed() == CHANGED, family.checks_report()


def test_password_history_is_the_apics_error(family):
    """Setting a user's current password again is refused by the APIC (6.0 and later), error 1."""
    res = family.run.results["usr06"]
    assert res["status"] == 400, family.checks_report()
    assert res["error"] == {"code": "1", "text": "Password history check: user ans_user should not use previous 5 "
                                                "passwords"}, res


def test_nothing_is_left(family):
    assert family.imdata("/api/mo/uni/userext/user-ans_user.json") == []
    assert family.imdata("/api/mo/uni/userext/user-admin/usercert-ans_cert.json") == []
    [admin] = family.imdata("/api/mo/uni/userext/user-admin.json")
    assert admin["aaaUser"]["attributes"]["accountStatus"] == "active"
