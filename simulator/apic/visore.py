"""The object store browser a real APIC serves at `/visore.html`, here a static page over the public REST API.

A real APIC serves Visore on its own port, before any login: the page asks for a user and password and then
reads the tree with the same `aaaLogin` and `/api/...` calls every client makes (Cisco's Visore tech note
118839: `https://<APIC>/visore.html`, a login, then class and DN queries with a property filter). This page does
the same: it holds no powers of its own, so it shows only what a client with those credentials could read (and,
for an admin, the lab's `/_sim` status, which is the lab admin's alone).

The page and its scripts are package data (`visore_assets/`): `/visore.html`, and `/visore/<name>` for the
assets it loads. Only a name of a file in that folder is ever answered; anything else under `/visore/` is the
APIC's 404 envelope (the real controller answers a missing file with its web server's 404; the envelope keeps
this lab's promise that no framework page reaches a client). The content security policy lets the page load
only its own scripts and talk only to its own origin (REST and the event websocket).
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from flask import Blueprint, Response

from .errors import ApicError

bp = Blueprint("visore", __name__)

ASSETS = "visore_assets"
CONTENT_TYPES = {  # by suffix; a file of another suffix is not served
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Cache-Control": "no-cache",
    "Referrer-Policy": "no-referrer",
    # 'self' covers ws:/wss: of the page's own host in CSP level 3 (Chromium, Firefox)
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'",
}


@cache
def assets() -> dict[str, tuple[bytes, str]]:
    """Every servable file of the asset folder by name: (its bytes, its content type). Read once from the
    package (works from a wheel as from a checkout); sub-folders and other suffixes are never served."""
    out: dict[str, tuple[bytes, str]] = {}
    for entry in files(__package__).joinpath(ASSETS).iterdir():
        suffix = entry.name[entry.name.rfind("."):] if "." in entry.name else ""
        if entry.is_file() and suffix in CONTENT_TYPES:
            out[entry.name] = (entry.read_bytes(), CONTENT_TYPES[suffix])
    return out


def _answer(name: str) -> Response:
    found = assets().get(name)
    if found is None:
        raise ApicError(404, 404, f"Invalid request: no such file /visore/{name[:200]} (the object browser is "
                                  "at /visore.html)")
    body, content_type = found
    resp = Response(body, status=200, content_type=content_type)
    resp.headers.update(HEADERS)
    return resp


@bp.route("/visore.html", methods=["GET"])
def page():
    return _answer("visore.html")


@bp.route("/visore", defaults={"name": ""}, methods=["GET"])
@bp.route("/visore/<path:name>", methods=["GET"])
def asset(name: str):
    """A file of the asset folder by its bare name; a path (`a/b`, `../x`) names no file of it."""
    return _answer(name)
