"""The shell commands' client of a running lab's control API (/_sim): `acisim fabric flow` and `acisim lab ...`.

It asks with the lab admin's credentials (HTTP Basic; the `acisim serve` defaults admin/cisco123 on
https://127.0.0.1:8443 unless --apic-url/--user/--password say otherwise) and does not verify the lab's
self-signed certificate. An answer is the control API's JSON object; anything else is one of two failures, each
one line for the command to print: the lab refused (its own `{"error": ...}` message and the HTTP status), or
the lab could not be reached (naming the URL).
"""

from __future__ import annotations

import argparse
import warnings
from urllib.parse import urlsplit

DEFAULT_URL = "https://127.0.0.1:8443"  # acisim serve's APIC
DEFAULT_USER, DEFAULT_PASSWORD = "admin", "cisco123"
TIMEOUT = 30.0
MAX_OPTION_TEXT = 1024


class LabRefused(Exception):
    """The lab answered, but not with a document: its message, one line."""


class LabUnreachable(Exception):
    """No answer from the lab: one line naming the URL."""


def add_lab_options(parser: argparse.ArgumentParser, served_by: str) -> None:
    """--apic-url, --user and --password of the lab to ask (`served_by`: the command that serves it)."""
    parser.add_argument("--apic-url", type=lab_url, default=DEFAULT_URL,
                        help=f"the lab's APIC (default {DEFAULT_URL}, as {served_by} starts it)")
    parser.add_argument("--user", default=DEFAULT_USER, type=one_line("--user"),
                        help=f"the lab's admin user (default {DEFAULT_USER})")
    parser.add_argument("--password", default=DEFAULT_PASSWORD,
                        help=f"the admin's password (default {DEFAULT_PASSWORD})")


def one_line(option: str):
    """An argparse type: one line of 1 to 1024 characters."""
    def check(text: str) -> str:
        if not text or "\n" in text or "\r" in text or len(text) > MAX_OPTION_TEXT:
            raise argparse.ArgumentTypeError(f"invalid value {text[:60]!r}: one line of 1 to 1024 characters")
        return text
    check.__name__ = option.lstrip("-")
    return check


def lab_url(text: str) -> str:
    """http(s)://host[:port] of the lab's APIC, without a path."""
    try:
        parts = urlsplit(text.strip())
        parts.port  # noqa: B018 (raises ValueError for a port out of range)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"invalid URL {text!r}: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path.strip("/") or parts.query:
        raise argparse.ArgumentTypeError(f"invalid URL {text!r}: give http(s)://HOST[:PORT] of the lab's APIC")
    return f"{parts.scheme}://{parts.netloc}"


def ask(args, method: str, route: str, what: str, *, body: dict | None = None,
        params: dict | None = None) -> dict:
    """The control API's document for `method route` of the lab `args` names (apic_url, user, password);
    `what` names the request in a refusal ("the flow", "check"). Raises LabRefused or LabUnreachable."""
    import requests
    from urllib3.exceptions import InsecureRequestWarning

    warnings.filterwarnings("ignore", category=InsecureRequestWarning)  # the lab's self-signed certificate
    with requests.Session() as http:
        http.trust_env = False  # REQUESTS_CA_BUNDLE would override verify=False; no proxy for a lab
        try:
            answer = http.request(method, args.apic_url + route, json=body, params=params,
                                  auth=(args.user, args.password), verify=False, timeout=TIMEOUT)
        except requests.RequestException as exc:
            raise LabUnreachable(f"the lab at {args.apic_url} cannot be reached: {reason(exc)}") from None
    try:
        document = answer.json()
    except ValueError:
        document = None
    if answer.status_code != 200 or not isinstance(document, dict):
        message = document.get("error") if isinstance(document, dict) else None
        if message is None and answer.status_code == 404:
            message = f"it has no control route {route} (is it an acisim lab, and recent enough?)"
        raise LabRefused(f"the lab at {args.apic_url} refused {what} (HTTP {answer.status_code}): "
                         f"{message or answer.text[:200] or 'no answer'}")
    return document


def reason(exc: Exception) -> str:
    """What went wrong, in a few words (requests' own message is a long chain of wrapped errors)."""
    text = str(exc)
    for marker, said in (("Connection refused", "connection refused"), ("timed out", "timed out"),
                         ("Name or service not known", "unknown host"), ("SSL", "a TLS error")):
        if marker in text:
            return said
    return type(exc).__name__
