"""The cluster side of the CNI steps: the manifest's documents, and reading Pods as kubectl prints them."""

from __future__ import annotations

import base64
from pathlib import Path

import yaml


def manifest_documents(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def secret_with_key(doc: dict, secret: str, key_pem: bytes) -> dict:
    """The document, or, if it is the Secret `secret`, that Secret holding `key_pem` as user.key."""
    if doc.get("kind") != "Secret" or doc["metadata"]["name"] != secret:
        return doc
    data = dict(doc.get("data") or {})
    assert "user.key" in data, f"the Secret {secret} holds no user.key: {sorted(data)}"
    data["user.key"] = base64.b64encode(key_pem).decode()
    return {**doc, "data": data}


def pod_ready(pod: dict) -> bool:
    """Whether the Pod's Ready condition is True, as READY n/n and `kubectl wait --for=condition=Ready` read it."""
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in pod["status"].get("conditions", []))
