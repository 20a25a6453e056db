"""Who is asking: password logins and their tokens, and certificate-signed requests.

Users and their certificates live in the tree (aaaUser, aaaUserCert) like on a real APIC, so a
user created over REST (acc-provision does that) can log in or sign at once. A local user's password
history (PasswordHistory) is the controller's own memory, which no MO shows.
"""

from __future__ import annotations

import base64
import secrets
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from . import errors, signing
from .mit.catalog import UnknownClass
from .mit.dn import Dn, DnError, child_dn
from .mit.proposed import ProposedMO
from .mit.store import Store
from .mit.writes import WriteResult

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
    receives the events of the subscriptions it makes. `system`: the controller itself or another system
    of the lab writing through the facade, which no role limits."""

    user: str
    session: Session | None = None
    signed: bool = False
    socket_token: str | None = None
    system: bool = False


class Aaa:
    def __init__(self, store: Store, clock, config: AaaConfig | None = None):
        self.store = store
        self.clock = clock
        self.config = config or AaaConfig()
        self.sessions: dict[str, Session] = {}
        self._lock = threading.Lock()
        self._users = Dn.parse("uni/userext", store.catalog)
        self.passwords = PasswordHistory(store)

    # --- password sessions -----------------------------------------------------------------------
    def login(self, name: str, password: str) -> Session:
        user = _plain_user(name)
        try:
            mo = self.store.get(self.user_dn(user)) if user else None
        except DnError:  # a name no aaaUser can have is a failed login, as any unknown name
            mo = None
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


# The password profile of the local users, and the number of passwords it remembers when it sets none: a
# fresh APIC reads historyCount "5" (ansible-aci aci_aaa_security_default_settings integration test,
# query_security_settings...aaaPwdProfile.attributes.historyCount), the "5" of the history check's text.
PWD_PROFILE_DN = "uni/userext/pwdprofile"
DEFAULT_HISTORY_COUNT = 5


class PasswordHistory:
    """APIC 6.0 and later refuse a local user's password that is its current one or one of the ones
    before it (the last `historyCount` of aaaPwdProfile); `clearPwdHistory: "yes"` forgets them, before
    a password posted with it is checked, which is how aci_aaa_user sets a password again.

    The history is the controller's own memory: no class or property of the APIC's model holds it
    (aaaUser has only the clearPwdHistory action), so it is kept here, not in the tree. The password
    itself is in the tree (aaaUser.pwd, a secure property, kept as the tree keeps it), so a user this
    history has not seen yet, one a state file or snapshot brought back, starts with its current password.
    """

    def __init__(self, store: Store):
        self.store = store
        self._used: dict[str, list[str]] = {}  # user dn -> the passwords it was given, oldest first

    def post(self, url_dn: str, body: ProposedMO, write: Callable[[], WriteResult]) -> WriteResult:
        """Run `write`, the POST of `body` at `url_dn`, under the history rule: a password it would reuse
        refuses the whole POST (nothing is written, no history cleared); once written, cleared histories
        start again and the passwords it set are remembered."""
        with self.store.lock:
            count = self.history_count()
            cleared: list[str] = []
            for dn, attrs in self._posted_users(url_dn, body):
                mo = self.store.get(dn)
                if mo is None:
                    self._used.pop(dn, None)  # a new user (or one deleted since) has no history
                    continue
                used = self._used.setdefault(dn, [mo.get("pwd")] if mo.get("pwd") else [])
                if attrs.get("clearPwdHistory") not in (None, "yes", "no"):
                    continue  # a value the write refuses with its own error (unknown property value)
                if attrs.get("clearPwdHistory") == "yes":
                    cleared.append(dn)
                    used = []
                pwd = attrs.get("pwd")
                if pwd and count and any(secrets.compare_digest(pwd.encode(), old.encode())
                                         for old in used[-count:]):
                    raise errors.password_history(mo.get("name"), count)
            result = write()
            for event in result.events:
                if event.cls == "aaaUser" and event.kind == "deleted":
                    self._used.pop(event.dn, None)
                elif event.cls == "aaaUser" and event.changed.get("pwd"):
                    kept = self._used.setdefault(event.dn, [])
                    kept.append(event.changed["pwd"])
                    del kept[: max(len(kept) - max(count, 1), 0)]
            for dn in cleared:
                # a cleared history starts again from the password in use once the POST is written
                mo = self.store.get(dn)
                self._used[dn] = [mo.get("pwd")] if mo is not None and mo.get("pwd") else []
            return result

    def history_count(self) -> int:
        """How many passwords a user may not reuse: the password profile's historyCount, 5 when unset."""
        profile = self.store.get(PWD_PROFILE_DN)
        text = profile.get("historyCount") if profile is not None else ""
        return int(text) if text.isdigit() else DEFAULT_HISTORY_COUNT

    def _posted_users(self, url_dn: str, body: ProposedMO) -> Iterator[tuple[str, dict[str, str]]]:
        """The DN and posted attributes of every aaaUser in the body that is not being deleted. A node
        whose DN cannot be told is skipped here: the write refuses it with its own error."""
        catalog = self.store.catalog
        url_dn = catalog.canonical_dn(url_dn)
        try:
            url_cls = catalog.resolve_dn(url_dn)[-1].meta.name if url_dn else "topRoot"
        except DnError:
            return
        stack: list[tuple[ProposedMO, str | None]] = [(body, None)]
        while stack:
            node, parent = stack.pop()
            given = catalog.canonical_dn(node.attrs.get("dn", ""))
            if given:
                dn = given
            elif parent is None and node.cls == url_cls:
                dn = url_dn  # the URL names the posted MO itself, as aci_aaa_user's POSTs do
            else:
                try:
                    rn = node.attrs.get("rn") or catalog.get(node.cls).rn.format(node.attrs)
                except UnknownClass:
                    continue
                dn = child_dn(url_dn if parent is None else parent, rn)
            if node.cls == "aaaUser" and node.attrs.get("status") != "deleted":
                yield dn, node.attrs
            stack.extend((child, dn) for child in node.children)


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


__all__ = ["Aaa", "AaaConfig", "Caller", "PasswordHistory", "Session", "parse_cookies"]
