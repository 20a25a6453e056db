"""The engine's SSO: password grant for scope ovirt-app-api, bearer tokens that expire on the clock.

Replies are the JSON the real OAuthTokenServlet sends; the SDK reads them whatever the HTTP
status, so the error shape (`error_code`/`error` for this scope) is what matters. A token
unused for `lifetime` seconds is gone: the next API call gets 401 and the SDK logs in again.
The engine (`Engine.login`) puts each session's expiry on its timeline, so the session ends when
the clock makes it due, whether or not anyone calls with the token again.
"""

from __future__ import annotations

import dataclasses
import secrets
from dataclasses import dataclass, field


class SsoError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message

    def reply(self) -> dict:
        return {"error_code": self.code, "error": self.message}


@dataclass
class SsoSession:
    token: str
    user: str
    scope: str
    issued: float
    last_used: float
    lifetime: float
    source_ip: str = ""
    session_id: str = field(default_factory=lambda: secrets.token_hex(8))

    def expires(self) -> float:
        return self.last_used + self.lifetime


class Sso:
    def __init__(self, clock, users: dict[str, str], lifetime: float = 1800.0):
        self.clock = clock
        self.users = dict(users)
        self.lifetime = lifetime
        self.sessions: dict[str, SsoSession] = {}

    def login(self, grant_type: str, username: str, password: str, scope: str, source_ip: str = "") -> SsoSession:
        if grant_type != "password":
            raise SsoError("unsupported_grant_type", f"The grant type '{grant_type}' is not supported.")
        if self.users.get(username) is None or self.users[username] != password:
            raise SsoError(
                "access_denied", f"Cannot authenticate user '{username}': The username or password is incorrect.."
            )
        now = self.clock.now()
        session = SsoSession(secrets.token_hex(16), username, scope or "ovirt-app-api", now, now, self.lifetime, source_ip)
        self.sessions[session.token] = session
        return session

    def token_reply(self, session: SsoSession) -> dict:
        return {
            "access_token": session.token,
            "scope": session.scope,
            "exp": str(int(session.expires() * 1000)),
            "token_type": "bearer",
        }

    def check_password(self, username: str, password: str) -> bool:
        """For HTTP Basic on the API itself (curl -u), which the engine still accepts."""
        return self.users.get(username) is not None and self.users[username] == password

    def session_for(self, token: str | None) -> SsoSession | None:
        """The live session of a bearer token, touched; None when unknown or expired. An expired session is
        not removed here: the engine ends it, with its change, when the clock makes its expiry due."""
        session = self.sessions.get(token or "")
        now = self.clock.now()
        if session is None or now >= session.expires():
            return None
        session.last_used = now
        return session

    def by_id(self, session_id: str) -> SsoSession | None:
        return next((s for s in self.sessions.values() if s.session_id == session_id), None)

    def logout(self, token: str) -> SsoSession | None:
        return self.sessions.pop(token, None)

    def revoke_all(self) -> list[SsoSession]:
        ended = list(self.sessions.values())
        self.sessions.clear()
        return ended

    def export(self) -> list[dict]:
        """Live sessions (tokens included: a saved state file is private to its owner)."""
        return [dataclasses.asdict(s) for s in self.sessions.values()]

    def restore(self, data: list[dict]) -> None:
        self.sessions = {s["token"]: SsoSession(**s) for s in data}
