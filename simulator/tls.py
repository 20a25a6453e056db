"""The self-signed certificate the simulator serves HTTPS with, made once and kept.

acc-provision and the aci-containers controller insist on https/wss, so HTTPS is the default;
the certificate names localhost and the loopback addresses so clients that check names can be
pointed at the file.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import ssl
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


def state_dir() -> Path:
    """Where acisim keeps what it makes at first start (override with ACISIM_HOME)."""
    base = os.environ.get("ACISIM_HOME") or Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local/share")) / "acisim"
    return Path(base)


def ensure_certificate(directory: Path | None = None, hosts: tuple[str, ...] = ()) -> tuple[Path, Path]:
    """The (cert, key) paths, generating a 2048-bit RSA self-signed pair if absent."""
    directory = Path(directory or state_dir() / "tls")
    cert_path, key_path = directory / "acisim.crt", directory / "acisim.key"
    if cert_path.exists() and key_path.exists():
        return cert_path, key_path
    directory.mkdir(parents=True, exist_ok=True)
    names = [x509.DNSName("localhost")]
    for host in ("127.0.0.1", "::1", *hosts):
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    key, cert = self_signed("acisim", names, days=3650)
    tmp_key = key_path.with_suffix(".key.tmp")
    tmp_key.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption())
    )
    os.chmod(tmp_key, 0o600)
    tmp_cert = cert_path.with_suffix(".crt.tmp")
    tmp_cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    os.replace(tmp_key, key_path)
    os.replace(tmp_cert, cert_path)
    return cert_path, key_path


def self_signed(
    common_name: str, alt_names: list[x509.GeneralName] | None = None, days: int = 365
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """A 2048-bit RSA key and a self-signed certificate for it (server certs, APIC user certs)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, common_name), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "acisim")]
    )
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    )
    if alt_names:
        builder = builder.add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
    return key, builder.sign(key, hashes.SHA256())


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(cert), str(key))
    # TLS 1.2, which every APIC and engine release speaks. Over TLS 1.3 a client that sends its Finished
    # and its request in two small writes (Python's ssl, as in requests/acc-provision/ansible) waits on
    # Nagle and the server's delayed ACK: ~44 ms per new connection here against ~2 ms with TLS 1.2,
    # and these clients open a connection per request.
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    return ctx
