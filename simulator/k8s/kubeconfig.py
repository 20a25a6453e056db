"""The kubeconfig a user points kubectl at for the lab's Kubernetes API: its HTTPS URL, the CA that
signed the server's certificate (the lab's self-signed one) and a bearer token."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import yaml


def kubeconfig(server: str, ca_cert: Path, token: str, cluster: str = "acisim", user: str = "acisim-admin",
               namespace: str = "default") -> dict:
    ca = base64.b64encode(Path(ca_cert).read_bytes()).decode()
    context = f"{user}@{cluster}"
    return {
        "apiVersion": "v1", "kind": "Config", "preferences": {},
        "clusters": [{"name": cluster, "cluster": {"server": server, "certificate-authority-data": ca}}],
        "users": [{"name": user, "user": {"token": token}}],
        "contexts": [{"name": context, "context": {"cluster": cluster, "user": user, "namespace": namespace}}],
        "current-context": context,
    }


def write_kubeconfig(path: Path, server: str, ca_cert: Path, token: str, **names: str) -> Path:
    """Write the kubeconfig (mode 0600: it holds the token) and return its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(yaml.safe_dump(kubeconfig(server, ca_cert, token, **names), sort_keys=False))
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path
