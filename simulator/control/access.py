"""Who may use the control API, and what a request to it may carry.

The control API can reset the lab, move its clock and break its systems, so it is the lab admin's alone:
every request carries the lab's admin credentials, either HTTP Basic with the user and password of an
APIC admin (checked as aaaLogin checks them; no session is left behind), or the APIC-cookie of an admin's
session (a signed request works too, as on /api). An admin is a local user holding the admin role with
writePriv in the `all` security domain (`Apic.is_admin`).

A browser page of another site must not be able to drive it with the credentials the browser keeps (a
CSRF): a request whose Origin is not this server's own, or that a browser marks as cross-site, is refused,
and a body is accepted only as application/json, which no plain HTML form can send.

Refusals, in this order: 403 for a foreign origin, 401 (with a Basic challenge) for missing or bad
credentials, 403 for a user who is not an admin, 415 for a body that is not application/json, 413 for a
body over the control API's limit.
"""

from __future__ import annotations

from flask import g, request

from ..apic.aaa import parse_cookies
from ..apic.errors import ApicError
from .replies import MAX_BODY, ControlError, lab

CHALLENGE = {"WWW-Authenticate": 'Basic realm="acisim"'}
NEEDS = ("the control API needs the lab's admin credentials: HTTP Basic with an APIC admin's user and password, "
         "or an admin's APIC-cookie")
BROWSER_SITES = ("same-origin", "none")  # Sec-Fetch-Site values of a request a page of this server made, or a user


def guard() -> None:
    """Run before every control route: raises ControlError for a request the control API refuses."""
    _same_origin()
    user = _caller()
    g.sim_user = user  # the lab's event log names who asked
    if not lab().apic.is_admin(user):
        raise ControlError(f"user {user!r} is not an admin of the lab (the control API needs the admin role with "
                           "writePriv in the all security domain)", 403)
    _json_body()


def _same_origin() -> None:
    own = f"{request.scheme}://{request.host}".lower()
    origin = request.headers.get("Origin")
    if origin is not None and origin.strip().lower() != own:
        raise ControlError(f"requests from origin {origin[:100]!r} are refused: the control API answers only "
                           f"its own origin ({own})", 403)
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site.strip().lower() not in BROWSER_SITES:
        raise ControlError(f"a {site[:40]} browser request is refused: the control API answers only its own "
                           "origin", 403)


def _caller() -> str:
    """The user the request's credentials prove; 401 without valid ones."""
    auth = request.authorization
    if auth is not None and auth.type == "basic":
        return _basic(auth.username or "", auth.password or "")
    if auth is not None:
        raise ControlError(f"{auth.type.capitalize()} authorization is not accepted: {NEEDS}", 401, CHALLENGE)
    cookies = parse_cookies(request.headers.get("Cookie", ""))
    if not cookies.get("apic-cookie") and not cookies.get("apic-request-signature"):
        raise ControlError(NEEDS, 401, CHALLENGE)
    _check_size()
    target = request.full_path.rstrip("?")
    try:
        caller = lab().apic.authenticate(cookies, request.method, [target], request.get_data(cache=True))
    except ApicError as exc:
        raise ControlError(f"the APIC refused the credentials ({exc.text}): {NEEDS}", 401, CHALLENGE) from None
    return caller.user


def _basic(name: str, password: str) -> str:
    """Check a user and password as aaaLogin does, without keeping the session the check makes."""
    apic = lab().apic
    try:
        if not name:
            raise ValueError("no user")
        session = apic.aaa.login(name, password)
    except (ApicError, ValueError):  # ValueError: a name no aaaUser DN can hold
        raise ControlError(f"wrong user or password for {name[:100]!r}: {NEEDS}", 401, CHALLENGE) from None
    apic.logout(session.token)
    return session.user


def _json_body() -> None:
    """A body, or a content type, only as application/json (a GET or an empty POST may carry neither)."""
    has_body = bool(request.content_length) or "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    given = request.headers.get("Content-Type")
    if (has_body or given is not None) and request.mimetype != "application/json":
        raise ControlError(f"the control API takes application/json bodies, not {(given or 'no content type')[:80]}",
                           415)
    _check_size()


def _check_size() -> None:
    if (request.content_length or 0) > MAX_BODY:
        raise ControlError(f"the body is over the control API's limit of {MAX_BODY} bytes", 413)
