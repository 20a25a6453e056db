"""A lab's REST steps: the part of its starting state that needs the served lab (`setup`), and the machine
form of its solution (`solution.steps`), applied through the lab's public APIs (clients.py).

    - {system: apic, path: /api/mo/uni/infra.json, body: {infraInfra: {...}}}     # method POST by default
    - {system: rhv, method: POST, path: vms/${vm:web-1}/migrate, body: {host: {name: host-b}}}
    - {system: k8s, method: PATCH, path: /api/v1/nodes/k8s-node2, body: {...}}
    - {system: sim, path: /_sim/clock/advance, body: {seconds: 120}}             # the /_sim control API
    - {system: apic, replay: data/accp-provision.jsonl}                          # every write of a recorded session
    - {system: k8s, apply: data/aci-containers.yaml}                             # as kubectl apply -f creates them

`${rhv_host}`, `${rhv_port}`, `${rhv_user}`, `${rhv_password}` in any text stand for the lab's RHV Manager
as served (a VMM controller must name its real address); `${vm:NAME}`, `${host:NAME}`, `${network:NAME}`
for the RHV id of the object of that name (read over the RHV API when the step runs); `${file:PATH}` and
`${base64:PATH}` for a file of the scenario's folder, as text or base64 (a Kubernetes Secret's data). `replay` takes a
JSON-lines recording (one request a line: method, path, body or body_json, as the research traces hold them)
and sends its writes again, in order, logins left out. `apply` takes a file of Kubernetes objects (YAML
documents, placeholders filled in first) and creates each in its collection, found as kubectl finds it, by the
API server's discovery documents (/api/v1, /apis/GROUP/VERSION). `${apic_host}` is the served APIC's host:port. A step whose answer is not 2xx stops the steps with
that answer.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from pathlib import Path

SYSTEMS = ("apic", "rhv", "k8s", "sim")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
STEP_KEYS = ("system", "method", "path", "body", "replay", "apply", "note")
# the steps that name a file of the scenario's folder: (key, the system they are of, what the refusal calls them)
FILE_STEPS = (("replay", "apic", "a replay"), ("apply", "k8s", "an apply"))
SYSTEM_NAMES = {"apic": "an APIC", "k8s": "a Kubernetes"}
PLACEHOLDER = re.compile(r"\$\{([a-z0-9_]+)(?::([^}]+))?\}")
RHV_LOOKUPS = {"vm": "vms", "host": "hosts", "network": "networks", "cluster": "clusters", "datacenter": "datacenters"}


class StepFailed(RuntimeError):
    """A step the lab refused: the step and the lab's answer, one line."""


@dataclass(frozen=True)
class Step:
    system: str
    method: str = "POST"
    path: str = ""
    body: object = None
    replay: Path | None = None
    apply: Path | None = None
    note: str = ""

    def as_json(self) -> dict:
        note = {"note": self.note} if self.note else {}
        if self.replay is not None:
            return {"system": self.system, "replay": str(self.replay.name), **note}
        if self.apply is not None:
            return {"system": self.system, "apply": str(self.apply.name), **note}
        shown = {"system": self.system, "method": self.method, "path": self.path}
        if self.body is not None:
            shown["body"] = self.body
        return {**shown, **note}


def parse_step(step: object, base: Path) -> Step:
    """A step of a scenario file (relative replay files from the file's folder); ValueError `key: problem`."""
    if not isinstance(step, dict):
        raise ValueError(f": a step is a mapping with system and path (or replay), not {type(step).__name__}")
    unknown = sorted(set(map(str, step)) - set(STEP_KEYS))
    if unknown:
        raise ValueError(f"{unknown[0]}: unknown key (known: {', '.join(STEP_KEYS)})")
    system = step.get("system")
    if system not in SYSTEMS:
        raise ValueError(f"system: {system!r} is not a system of the lab ({', '.join(SYSTEMS)})")
    for key, of_system, article in FILE_STEPS:
        if key in step:
            if system != of_system or "path" in step or "body" in step:
                raise ValueError(f"{key}: {article} is {SYSTEM_NAMES[of_system]} step without path or body")
            named = base / str(step[key])
            if not named.is_file():
                raise ValueError(f"{key}: no such file: {named}")
            return Step(system, note=str(step.get("note", "")), **{key: named})
    method = str(step.get("method", "POST")).upper()
    if method not in METHODS:
        raise ValueError(f"method: {step.get('method')!r} is not one of {', '.join(METHODS)}")
    path = step.get("path")
    if not isinstance(path, str) or not path.strip() or "\n" in path:
        raise ValueError("path: one line of text, the request's path (and query)")
    body = step.get("body")
    if body is not None and not isinstance(body, dict | list | str):
        raise ValueError(f"body: a mapping, a list or a text, not {type(body).__name__}")
    return Step(system, method, path.strip(), body, note=str(step.get("note", "")))


def apply_steps(steps, clients, base: Path) -> int:
    """Send every step through `clients` (clients.LabClients); files named by placeholders are in `base` (the
    scenario's folder). The number of requests sent."""
    sent = 0
    for step in steps:
        if step.apply is not None:
            sent += _apply(step.apply, clients, base)
            continue
        for method, path, body in _requests(step):
            path, body = _fill(path, clients, base), _fill(body, clients, base)
            answer = clients.call(step.system, method, path, body)
            sent += 1
            if not answer.ok:
                raise StepFailed(f"{step.system} {method} {path} was refused (HTTP {answer.status}): "
                                 f"{' '.join(answer.text.split())[:300]}")
    return sent


def _requests(step: Step):
    if step.replay is None:
        yield step.method, step.path, step.body
        return
    for line in step.replay.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        recorded = json.loads(line)
        method, path = recorded.get("method", "GET"), recorded.get("path", "")
        if method == "GET" or path.endswith("/aaaLogin.json") or path.endswith("/aaaLogout.json"):
            continue
        body = recorded.get("body_json")
        yield method, path, body if body is not None else recorded.get("body")


def _apply(manifest: Path, clients, base: Path) -> int:
    """Create every object of a manifest in its collection (kubectl apply of objects that do not exist yet)."""
    import yaml

    documents = [d for d in yaml.safe_load_all(_fill(manifest.read_text(encoding="utf-8"), clients, base)) if d]
    resources: dict[str, dict] = {}
    for number, document in enumerate(documents, 1):
        api_version, kind = document.get("apiVersion", ""), document.get("kind", "")
        group_path = f"/api/{api_version}" if "/" not in api_version else f"/apis/{api_version}"
        if group_path not in resources:
            listing = clients.k8s("GET", group_path).json() or {}
            resources[group_path] = {r["kind"]: r for r in listing.get("resources", []) if "/" not in r["name"]}
        resource = resources[group_path].get(kind)
        if resource is None:
            raise StepFailed(f"{manifest.name}: document {number}: the API server has no kind {kind} in {api_version}")
        namespace = (document.get("metadata") or {}).get("namespace", "default")
        path = f"{group_path}/namespaces/{namespace}/{resource['name']}" if resource.get("namespaced") else \
            f"{group_path}/{resource['name']}"
        answer = clients.k8s("POST", path, document)
        if not answer.ok:
            raise StepFailed(f"{manifest.name}: document {number} ({kind} {document['metadata'].get('name')}) was "
                             f"refused (HTTP {answer.status}): {' '.join(answer.text.split())[:300]}")
    return len(documents)


def _fill(value, clients, base: Path):
    """Placeholders replaced in every text of `value`."""
    if isinstance(value, str):
        return PLACEHOLDER.sub(lambda m: _value(m.group(1), m.group(2), clients, base), value)
    if isinstance(value, list):
        return [_fill(v, clients, base) for v in value]
    if isinstance(value, dict):
        return {_fill(k, clients, base): _fill(v, clients, base) for k, v in value.items()}
    return value


def _value(name: str, argument: str | None, clients, base: Path) -> str:
    lab = clients.lab
    if name in ("file", "base64") and argument:
        try:
            data = (base / argument).read_bytes()
        except OSError as exc:
            raise StepFailed(f"${{{name}:{argument}}}: {exc.strerror or exc}") from None
        return base64.b64encode(data).decode() if name == "base64" else data.decode("utf-8")
    if name in RHV_LOOKUPS and argument:
        return rhv_id(clients, RHV_LOOKUPS[name], argument)
    server = lab.rhv_server
    apic = lab.apic_server
    values = {"rhv_host": server.host if server else "127.0.0.1", "rhv_port": str(server.port) if server else "443",
              "apic_host": f"{apic.host}:{apic.port}" if apic else "127.0.0.1:8443",
              "rhv_user": lab.rhv.config.admin_user, "rhv_password": lab.options.rhv_admin_password}
    if name not in values:
        raise StepFailed(f"unknown placeholder ${{{name}}} (known: {', '.join(values)}, file:PATH, base64:PATH, "
                         f"{', '.join(f'{k}:NAME' for k in RHV_LOOKUPS)})")
    return values[name]


def rhv_id(clients, collection: str, name: str) -> str:
    """The id of the RHV object of that name, read over the RHV API."""
    answer = clients.rhv("GET", f"{collection}?search=name%3D{name}")
    found = [item for item in (answer.json() or {}).get(collection.rstrip("s"), []) if item.get("name") == name]
    if not found:
        raise StepFailed(f"the RHV Manager has no {collection.rstrip('s')} named {name!r}")
    return found[0]["id"]
