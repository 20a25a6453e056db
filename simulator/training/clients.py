"""The lab's public APIs, called in-process: what a trainee's curl, browser or SDK reaches, without a network.

Each system is asked through its own WSGI app (the one `acisim serve` serves), with the credentials a trainee
of the lab has: the APIC as its admin (aaaLogin, then the APIC-cookie), the RHV Manager as admin@internal
(SSO token, then Bearer, JSON), the Kubernetes API with the lab's bearer token, and the /_sim control API
(on the APIC's app) with the admin's HTTP Basic credentials. A check or a solution step therefore sees and
changes exactly what a client could, and every system settles on each request as it does when served.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlencode

from werkzeug.test import Client

JSON = "application/json"


@dataclass
class Answer:
    status: int
    text: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self):
        try:
            return json.loads(self.text) if self.text.strip() else None
        except ValueError:
            return None


class LabClients:
    """One client per system of `lab` (a simulator.lab.Lab), made on first use."""

    def __init__(self, lab):
        self.lab = lab

    @cached_property
    def _apic(self) -> Client:
        client = Client(self.lab.apic_app())
        options = self.lab.options
        login = {"aaaUser": {"attributes": {"name": options.admin_user, "pwd": options.admin_password}}}
        answer = client.post("/api/aaaLogin.json", data=json.dumps(login), content_type=JSON)
        if answer.status_code != 200:
            raise RuntimeError(f"the lab's APIC refused its admin's login (HTTP {answer.status_code})")
        return client

    @cached_property
    def _control(self) -> Client:
        return Client(self.lab.apic_app(), use_cookies=False)  # HTTP Basic only, no session cookie

    @cached_property
    def _rhv(self) -> Client:
        return Client(self.lab.rhv_app())

    @cached_property
    def _k8s(self) -> Client:
        return Client(self.lab.k8s_app())

    def _rhv_token(self) -> str:
        form = {"grant_type": "password", "scope": "ovirt-app-api", "username": self.lab.rhv.config.admin_user,
                "password": self.lab.options.rhv_admin_password}
        answer = self._rhv.post("/ovirt-engine/sso/oauth/token", data=urlencode(form),
                                content_type="application/x-www-form-urlencoded", headers={"Accept": JSON})
        return json.loads(answer.get_data(as_text=True)).get("access_token", "")

    def apic(self, method: str, path: str, body=None) -> Answer:
        answer = self._send(self._apic, method, path, body, {}, retry_login=True)
        return answer

    def rhv(self, method: str, path: str, body=None) -> Answer:
        if not path.startswith("/ovirt-engine/"):
            path = "/ovirt-engine/api/" + path.lstrip("/")
        headers = {"Authorization": f"Bearer {self._rhv_token()}", "Version": "4", "Accept": JSON}
        return self._send(self._rhv, method, path, body, headers)

    def k8s(self, method: str, path: str, body=None) -> Answer:
        content = "application/merge-patch+json" if method == "PATCH" else JSON
        headers = {"Authorization": f"Bearer {self.lab.k8s.token}", "Accept": JSON}
        return self._send(self._k8s, method, path, body, headers, content)

    def sim(self, method: str, path: str, body=None) -> Answer:
        options = self.lab.options
        basic = base64.b64encode(f"{options.admin_user}:{options.admin_password}".encode()).decode()
        return self._send(self._control, method, path, body, {"Authorization": f"Basic {basic}"})

    def call(self, system: str, method: str, path: str, body=None) -> Answer:
        return getattr(self, system)(method, path, body)

    def _send(self, client: Client, method: str, path: str, body, headers: dict, content: str = JSON,
              retry_login: bool = False) -> Answer:
        data = None if body is None else (body if isinstance(body, str) else json.dumps(body))
        kwargs = {"headers": headers}
        if data is not None:
            kwargs.update(data=data, content_type=content)
        answer = client.open(path, method=method, **kwargs)
        if retry_login and answer.status_code in (401, 403) and "token" in answer.get_data(as_text=True).lower():
            self.__dict__.pop("_apic", None)  # a reset or the clock ended the admin's session: log in again
            answer = self._apic.open(path, method=method, **kwargs)
        return Answer(answer.status_code, answer.get_data(as_text=True))
