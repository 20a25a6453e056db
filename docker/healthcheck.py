"""The container's health check: healthy when the APIC, the RHV Manager and the Kubernetes API all answer.

Each is asked what it answers without credentials, as a client's first request would be: the APIC a class
query (its 403 "Need a valid webtoken cookie" envelope is the APIC answering), the RHV Manager the API entry
point (401 without a token), the Kubernetes API /readyz (200, open as on a real API server). Ports and scheme
follow the image's command (8443, 8444, 6443, HTTPS); ACISIM_HEALTH_APIC / _RHV / _K8S override a base URL,
and an empty value leaves that system out (e.g. after --no-rhv). Standard library only: it runs with the
image's Python before anything else is importable.
"""

import os
import ssl
import sys
import urllib.error
import urllib.request

CHECKS = (  # (system, default base URL, path, the status that says it is up)
    ("APIC", "https://127.0.0.1:8443", "/api/class/topSystem.json", 403),
    ("RHV", "https://127.0.0.1:8444", "/ovirt-engine/api", 401),
    ("K8S", "https://127.0.0.1:6443", "/readyz", 200),
)


def status_of(url: str, context: ssl.SSLContext) -> int:
    try:
        with urllib.request.urlopen(url, timeout=4, context=context) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def main() -> int:
    context = ssl._create_unverified_context()  # the lab's certificate is self-signed
    problems = []
    for system, default, path, expected in CHECKS:
        base = os.environ.get(f"ACISIM_HEALTH_{system}", default)
        if not base:
            continue
        try:
            status = status_of(base + path, context)
        except OSError as error:
            problems.append(f"{system} {base}: {error}")
            continue
        if status != expected:
            problems.append(f"{system} {base}{path}: HTTP {status}, expected {expected}")
    print("; ".join(problems) or "healthy")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
