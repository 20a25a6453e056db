"""The node-preparation command as an engineer runs it (`acisim nodeprep render | check | lab`), and
readers of what it leaves behind: the files it renders, the lab's DHCP leases, the namespaces.

The readers are the suite's own, written from the file formats (ifupdown, dhclient and dnsmasq
lease files, `ip -j`), not the product's parsers: a feature must fail when the product writes a
wrong file, not agree with it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

COMMAND_TIMEOUT = 300


def acisim(*args: str) -> subprocess.CompletedProcess:
    """`acisim ARGS`: the console command installed beside this Python, or `python -m simulator`."""
    installed = Path(sys.executable).with_name("acisim")
    command = [str(installed)] if installed.exists() else (
        [found] if (found := shutil.which("acisim")) else [sys.executable, "-m", "simulator"])
    return subprocess.run([*command, *args], capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False)


def said(run: subprocess.CompletedProcess) -> str:
    return f"exit {run.returncode}\n--- stdout\n{run.stdout}--- stderr\n{run.stderr}"


# --- rendered files -------------------------------------------------------------------------------


@dataclass
class Stanza:
    """One `iface NAME inet METHOD` of an ifupdown file, with its `auto` line and option lines."""

    name: str
    method: str
    auto: bool = False
    options: dict[str, str] = field(default_factory=dict)
    up: list[str] = field(default_factory=list)


def interfaces_stanzas(text: str) -> dict[str, Stanza]:
    autos: set[str] = set()
    stanzas: dict[str, Stanza] = {}
    current: Stanza | None = None
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        words = line.split()
        if not raw[0].isspace():
            current = None
            if words[0] == "auto":
                autos.update(words[1:])
            elif words[0] == "iface":
                assert len(words) == 4 and words[2] == "inet", f"not an iface line: {raw!r}"
                current = stanzas[words[1]] = Stanza(words[1], words[3])
            continue
        assert current is not None, f"an option line outside any iface stanza: {raw!r}"
        key, _, value = line.strip().partition(" ")
        if key == "up":
            current.up.append(value)
        else:
            current.options[key] = value
    for name in autos:
        stanzas[name].auto = True
    return stanzas


def config_lines(text: str) -> list[str]:
    """A config file's statements: its lines without comments and blank lines."""
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


# --- DHCP state -----------------------------------------------------------------------------------


def dhclient_lease_options(text: str, interface: str) -> dict[str, str] | None:
    """`option NAME VALUE;` of dhclient's newest lease for `interface`, with its `fixed-address`."""
    newest = None
    for body in re.findall(r"lease\s*\{(.*?)\}", text, re.S):
        statements = [part.strip() for part in body.split(";") if part.strip()]
        if f'interface "{interface}"' not in statements:
            continue
        newest = {}
        for statement in statements:
            keyword, _, rest = statement.partition(" ")
            if keyword == "fixed-address":
                newest["fixed-address"] = rest
            elif keyword == "option":
                name, _, value = rest.partition(" ")
                newest[name] = value.strip('"')
    return newest


def dnsmasq_leases(text: str) -> dict[str, str]:
    """dnsmasq's lease database (`expiry MAC address hostname client-id` a line): client-id → address."""
    leases = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 5:
            leases[parts[4].lower()] = parts[2]
    return leases


def addresses(netns: str, interface: str) -> list[str]:
    """The IPv4 addresses `ip` shows on an interface inside a namespace."""
    done = subprocess.run(["ip", "-n", netns, "-j", "-4", "addr", "show", "dev", interface],
                          capture_output=True, text=True, check=False)
    links = json.loads(done.stdout) if done.returncode == 0 and done.stdout.strip() else []
    return [info["local"] for link in links for info in link.get("addr_info", [])]


# --- the namespace lab ----------------------------------------------------------------------------


def namespaces(prefix: str) -> dict[str, int]:
    """The network namespaces named `<prefix>-*`, with the inode that identifies each."""
    listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=False).stdout
    found = {}
    for line in listed.splitlines():
        name = line.split()[0] if line.split() else ""
        if name.startswith(f"{prefix}-"):
            try:
                found[name] = os.stat(f"/run/netns/{name}").st_ino
            except OSError:
                continue
    return found


def processes_in(inodes: set[int]) -> list[str]:
    """`command (pid N)` of every living process whose network namespace is one of `inodes`; a
    namespace that `ip netns del` unlinked lives on while a process is in it."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            netns = os.readlink(entry / "ns" / "net")
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        inode = int(netns.partition("[")[2].rstrip("]") or 0)
        command, _, after = stat.partition(" (")[2].rpartition(") ")
        if inode in inodes and after.split()[0] not in ("Z", "X"):
            found.append(f"{command} (pid {entry.name})")
    return sorted(found)


_NODE_LINE = re.compile(r"^  (?P<node>\S+): namespace (?P<netns>\S+), (?P<ip>[\d.]+), infra MAC (?P<mac>[0-9a-f:]+)")


@dataclass
class LabNode:
    netns: str
    ip: str
    infra_mac: str


@dataclass
class CliLab:
    """One lab driven through `acisim nodeprep lab`, with what its `up` told and what it built."""

    prefix: str
    workdir: Path
    up_run: subprocess.CompletedProcess | None = None
    down_run: subprocess.CompletedProcess | None = None
    built: dict[str, int] = field(default_factory=dict)  # namespace -> inode, as `up` left them
    started: list[str] = field(default_factory=list)  # processes in them after `up`

    @property
    def where(self) -> tuple[str, ...]:
        return ("--prefix", self.prefix, "--workdir", str(self.workdir))

    def up(self, config: Path, nodes: int, faults: dict[str, str]) -> subprocess.CompletedProcess:
        self.up_run = acisim("nodeprep", "lab", "up", "-c", str(config), "--nodes", str(nodes), *self.where,
                             *(f"--fault={node}={fault}" for node, fault in faults.items()))
        self.built = namespaces(self.prefix)
        self.started = processes_in(set(self.built.values()))
        return self.up_run

    @property
    def subif_kind(self) -> str:
        match = re.search(r"sub-interfaces: (\S+)$", self.up_run.stdout.splitlines()[0])
        assert match, said(self.up_run)
        return match.group(1)

    @property
    def apiserver(self) -> str:
        match = re.search(r"API server (\S+)$", self.up_run.stdout, re.M)
        assert match, said(self.up_run)
        return match.group(1)

    @property
    def nodes(self) -> dict[str, LabNode]:
        found = {m["node"]: LabNode(m["netns"], m["ip"], m["mac"])
                 for m in map(_NODE_LINE.match, self.up_run.stdout.splitlines()) if m}
        assert found, said(self.up_run)
        return found

    def check(self) -> tuple[subprocess.CompletedProcess, dict]:
        """`lab check --json`: the run, and its report."""
        run = acisim("nodeprep", "lab", "check", "--json", *self.where)
        assert run.returncode in (0, 1), said(run)
        try:
            return run, json.loads(run.stdout)
        except ValueError as err:
            raise AssertionError(f"`lab check --json` did not print one JSON document\n{said(run)}") from err

    def down(self) -> subprocess.CompletedProcess:
        self.down_run = acisim("nodeprep", "lab", "down", *self.where)
        return self.down_run

    def leftovers(self) -> list[str]:
        """Namespaces of the lab's prefix, and processes in the namespaces it built."""
        left = [f"namespace {name}" for name in sorted(namespaces(self.prefix))]
        return left + [f"process {p}" for p in processes_in(set(self.built.values()))]
