"""Who is asking: password logins and their tokens, and certificate-signed requests.

Users and their certificates live in the tree (aaaUser, aaaUserCert) like on a real APIC, so a
user created over REST (acc-provision does that) can log in or sign at once.
"""

from __future__ import annotations

import base64
import secrets
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from . import errors, signing
from .mit.dn import Dn
from .mit.store import Store

CERT_DN_COOKIE = signing.DN_COOKIE.lower()
SIGNATURE_COOKIE = signing.SIGNATURE_COOKIE.lower()
SOCKET_COOKIE = "apic-websocket-session"  # a signed caller's web token, for subscriptions


@dataclass
class AaaConfig:
    refresh_timeout: int = 600
    maximum_lifetime: int = 86400
    gui_idle_timeout: int = 1200
    rest_timeout: int = 90
    site_fingerprint: str = "NdxD72K/uXaUK0wn"


@dataclass
class Session:
    token: str
    user: str
    created: float
    last_used: float
    session_id: str
    signed: bool = False
    data: dict = field(default_factory=dict)


@dataclass
class Caller:
    """The authenticated identity of one request; `socket_token` names the session whose websocket
    receives the events of the subscriptions it makes."""

    user: str
    session: Session | None = None
    signed: bool = False
    socket_token: str | None = None


class Aaa:
    def __init__(self, store: Store, clock, config: AaaConfig | None = None):
        self.store = store
        self.clock = clock
        self.config = config or AaaConfig()
        self.sessions: dict[str, Session] = {}
        self._lock = threading.Lock()
        self._users = Dn.parse("uni/userext", store.catalog)

    # --- password sessions -----------------------------------------------------------------------
    def login(self, name: str, password: str) -> Session:
        user = _plain_user(name)
        mo = self.store.get(self.user_dn(user))
        if (
            mo is None
            or not secrets.compare_digest(mo.get("pwd").encode(), (password or "").encode())
            or mo.get("accountStatus") not in ("", "active")
        ):
            raise errors.login_failed()
        return self._new_session(user)

    def _new_session(self, user: str, signed: bool = False) -> Session:
        now = self.clock.now()
        session = Session(
            token=secrets.token_urlsafe(96),
            user=user,
            created=now,
            last_used=now,
            session_id=base64.b64encode(secrets.token_bytes(16)).decode(),
            signed=signed,
        )
        with self._lock:
            self._expire(now)
            self.sessions[session.token] = session
        return session

    def refresh(self, token: str | None) -> Session:
        session = self.session_for(token)
        session.last_used = self.clock.now()
        return session

    def logout(self, token: str | None) -> None:
        session = self.session_for(token)
        with self._lock:
            self.sessions.pop(session.token, None)

    def session_for(self, token: str | None) -> Session:
        """The live session of a token; 403 with APIC's texts otherwise."""
        if not token:
            raise errors.need_cookie()
        session = self.sessions.get(token)
        if session is None or not self._alive(session, self.clock.now()):
            with self._lock:
                self.sessions.pop(token, None)
            raise errors.token_timeout()
        return session

    def user_dn(self, name: str) -> str:
        return self._users.child("aaaUser", name=name).text

    def touch(self, session: Session) -> None:
        """Any authenticated request resets the idle timer (apic-rest.md §1.2)."""
        session.last_used = self.clock.now()

    def _alive(self, session: Session, now: float) -> bool:
        return (
            now - session.last_used < self.config.refresh_timeout
            and now - session.created < self.config.maximum_lifetime
        )

    def expire(self) -> list[str]:
        """End the sessions past their idle or lifetime limit; returns their tokens."""
        with self._lock:
            return self._expire(self.clock.now())

    def _expire(self, now: float) -> list[str]:
        dead = [t for t, s in self.sessions.items() if not self._alive(s, now)]
        for token in dead:
            del self.sessions[token]
        return dead

    def login_attributes(self, session: Session, version: str, build_time: str) -> dict[str, str]:
        """The attributes of the aaaLogin object a login or refresh answers with."""
        created = str(int(session.created))
        mo = self.store.get(self.user_dn(session.user))
        return {
            "token": session.token,
            "siteFingerprint": self.config.site_fingerprint,
            "refreshTimeoutSeconds": str(self.config.refresh_timeout),
            "maximumLifetimeSeconds": str(self.config.maximum_lifetime),
            "guiIdleTimeoutSeconds": str(self.config.gui_idle_timeout),
            "restTimeoutSeconds": str(self.config.rest_timeout),
            "creationTime": created,
            "firstLoginTime": created,
            "userName": session.user,
            "remoteUser": "false",
            "unixUserId": "15374",
            "sessionId": session.session_id,
            "lastName": mo.get("lastName") if mo else "",
            "firstName": mo.get("firstName") if mo else "",
            "changePassword": "no",
            "version": version,
            "buildTime": build_time,
            "node": "topology/pod-1/node-1",
        }

    # --- who is asking --------------------------------------------------------------------------
    def authenticate(self, cookies: Mapping[str, str], method: str, targets: Sequence[str], body: bytes) -> Caller:
        """A valid request signature over one of `targets` (the path?query forms the client may
        have signed), or a live token cookie; 403 with APIC's texts otherwise. Cookie names match
        case-insensitively, as clients send both APIC-cookie and APIC-Cookie."""
        cookies = {name.lower(): value for name, value in cookies.items()}
        if SIGNATURE_COOKIE in cookies and CERT_DN_COOKIE in cookies:
            caller = self.verify_signature(cookies, method, targets, body)
            caller.socket_token = cookies.get(SOCKET_COOKIE)
            return caller
        session = self.session_for(cookies.get("apic-cookie"))
        self.touch(session)
        return Caller(user=session.user, session=session, socket_token=session.token)

    def verify_signature(self, cookies: Mapping[str, str], method: str, targets: Sequence[str], body: bytes) -> Caller:
        """Check APIC-Request-Signature over METHOD + path?query + body against the user's cert."""
        cert_dn = cookies.get(CERT_DN_COOKIE, "")
        signature = cookies.get(SIGNATURE_COOKIE, "")
        cert_mo = self.store.get(cert_dn)
        if cert_mo is None or cert_mo.cls != "aaaUserCert":
            raise errors.signature_failed(f"no certificate {cert_dn}")
        try:
            key = signing.public_key(cert_mo.get("data"))
            verified = any(signing.verify(key, signature, method, target, body) for target in targets)
        except signing.SignatureError as exc:
            raise errors.signature_failed(f"{exc} for {cert_dn}") from None
        if not verified:
            raise errors.signature_failed(f"signature does not verify against {cert_dn}")
        return Caller(user=Dn.parse(cert_dn, self.store.catalog).naming("aaaUser")["name"], signed=True)

    def webtoken_session(self, caller: Caller) -> Session:
        """A token for a signed caller, for the websocket (GET /api/webtokenSession.json)."""
        return self._new_session(caller.user, signed=True)


def parse_cookies(header: str) -> dict[str, str]:
    """Cookies by lower-cased name; tolerates the raw Set-Cookie echo Ansible sends back."""
    out: dict[str, str] = {}
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if not sep:
            continue
        key = name.strip().lower()
        if key in ("path", "domain", "expires", "max-age", "samesite"):
            continue
        out.setdefault(key, value.strip().strip('"'))
    return out


def _plain_user(name: str) -> str:
    """`apic:domain\\\\user` and `apic#domain\\\\user` log in as `user`."""
    if name.startswith(("apic:", "apic#")) and "\\" in name:
        return name.rsplit("\\", 1)[1]
    return name


__all__ = ["Aaa", "AaaConfig", "Caller", "Session", "parse_cookies"]
