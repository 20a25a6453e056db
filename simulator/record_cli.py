"""`acisim record apic|rhv`: read a running APIC or RHV Manager (the lab or real gear) over its REST API and write
the file the lab serves again, as vcsim serves what `govc object.save` recorded:

    acisim record apic --url https://apic:443 --user admin --password PW --out tenant.yaml
    acisim serve --fixture tenant.yaml
    acisim record rhv --url https://engine:443 --user admin@internal --password PW --out inventory.yaml
    acisim serve --rhv-inventory inventory.yaml

The APIC's configurable policy universe becomes a fixture file (simulator/recording/apic.py), the engine's inventory
an RHV inventory file with its ids (simulator/recording/rhv.py). Certificates are not verified (labs and benches use
self-signed ones) and proxies from the environment are not used.

Exit status: 0 written (one line says what); 2 an invalid option, a login the system refused or an answer that
cannot be read (one line); 3 a system that cannot be reached (one line naming the URL).

A session's traffic, recorded and replayed (simulator/recording/traffic.py, proxy.py, replay.py):

    acisim record proxy --upstream https://apic:443 --listen 127.0.0.1:9443 --out session.jsonl [--insecure]
    acisim record fixture --from session.jsonl --out session.yaml      # then: acisim serve --fixture session.yaml
    acisim record replay --from session.jsonl --apic-url https://127.0.0.1:8443 --user admin --password PW

`proxy` serves until Ctrl-C (exit 0, one line with the count of exchanges recorded); it speaks the upstream's scheme
(HTTPS with the lab's self-signed certificate from --tls-dir, unless --http) and checks the upstream's certificate
against --ca-file or the system's CAs unless --insecure (a lab's self-signed certificate needs one or the other).
`fixture` exits 0 written, 2 a recording that cannot be read. `replay` exits 0 every write accepted, 1 any refused
(each write's outcome on its own line), 2 a refused login or an unreadable recording, 3 an APIC out of reach.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlsplit

WRITTEN, REFUSED, UNREACHABLE = 0, 2, 3
DEFAULTS = {"apic": ("https://127.0.0.1:8443", "admin", "cisco123"),
            "rhv": ("https://127.0.0.1:8444", "admin@internal", "redhat123")}  # acisim serve's


def add_parser(sub):
    record = sub.add_parser("record", help="record a running APIC or RHV Manager into a file the lab serves again")
    systems = record.add_subparsers(dest="record_system", required=True)
    for system, (url, user, password) in DEFAULTS.items():
        what = "fixture file (acisim serve --fixture)" if system == "apic" else \
            "RHV inventory file (acisim serve --rhv-inventory)"
        one = systems.add_parser(system, help=f"read the {system.upper()} over REST and write a {what}",
                                 description="Exit status: 0 written, 2 an invalid option or a refusal, 3 unreachable.")
        one.add_argument("--url", default=url, help=f"scheme://host:port (default {url}, acisim serve's)")
        one.add_argument("--user", default=user, help=f"user to log in as (default {user})")
        one.add_argument("--password", default=password, help="password (default: acisim serve's)")
        one.add_argument("--out", type=Path, required=True, help=f"the {what} to write")
    _add_traffic_parsers(systems)
    return record


def run(args) -> int:
    from .recording import RecordError

    if args.record_system in TRAFFIC:
        return TRAFFIC[args.record_system](args)

    try:
        if args.record_system == "apic":
            from .recording import apic

            recording = apic.record(args.url, args.user, args.password)
            text, summary = recording.yaml(args.url), f"{recording.objects} objects in {len(recording.entries)} entries"
        else:
            from .recording import rhv

            inventory = rhv.record(args.url, args.user, args.password)
            text, summary = rhv.to_yaml(inventory, args.url), _rhv_summary(inventory)
    except RecordError as exc:
        print(f"acisim record {args.record_system}: error: {exc}", file=sys.stderr)
        return UNREACHABLE if exc.unreachable else REFUSED
    try:
        _write(args.out, text)
    except OSError as exc:
        print(f"acisim record {args.record_system}: error: argument --out: {args.out}: {exc.strerror or exc}",
              file=sys.stderr)
        return REFUSED
    print(f"recorded {summary} from {args.url} to {args.out}")
    return WRITTEN


def _rhv_summary(inventory: dict) -> str:
    dcs = inventory["data_centers"]
    clusters = [c for dc in dcs for c in dc["clusters"]]
    return (f"{len(dcs)} data centers, {len(clusters)} clusters, {sum(len(c['hosts']) for c in clusters)} hosts, "
            f"{sum(len(c['vms']) for c in clusters)} VMs")


def _write(path: Path, text: str) -> None:
    """Whole or not at all: a temporary file beside it, renamed over it."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent if str(path.parent) else ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- a session's traffic: record proxy, record fixture, record replay --------------------------------------------
def _add_traffic_parsers(systems) -> None:
    proxy = systems.add_parser(
        "proxy", help="a recording reverse proxy in front of an APIC or an RHV Manager: every exchange to a JSONL file",
        description="Forwards every request to --upstream and appends each exchange (secrets redacted) to --out; "
                    "Ctrl-C stops. Websocket upgrades are not proxied (501). Exit status: 0 stopped, 2 an invalid "
                    "option.")
    proxy.add_argument("--upstream", type=_upstream, required=True,
                       help="the APIC or RHV Manager to forward to: http(s)://host[:port]")
    proxy.add_argument("--listen", type=_listen, required=True, help="[HOST:]PORT to listen on (HOST default "
                       "127.0.0.1; PORT 0 picks a free one)")
    proxy.add_argument("--out", type=Path, required=True, help="the JSONL recording to append to")
    proxy.add_argument("--insecure", action="store_true", help="do not check the upstream's certificate")
    proxy.add_argument("--ca-file", type=Path, help="check the upstream's certificate against this CA file "
                       "(a lab's: cert.pem in its --tls-dir)")
    proxy.add_argument("--http", action="store_true", help="listen on plain HTTP even for an https upstream")
    proxy.add_argument("--tls-dir", type=Path, help="where the proxy's self-signed certificate is kept")
    fixture = systems.add_parser(
        "fixture", help="turn a recording's APIC writes into a fixture file (acisim serve --fixture)",
        description="Exit status: 0 written, 2 a recording that cannot be read or an invalid option.")
    fixture.add_argument("--from", dest="source", type=Path, required=True, help="the JSONL recording")
    fixture.add_argument("--out", type=Path, required=True, help="the fixture file to write")
    replay = systems.add_parser(
        "replay", help="re-send a recording's APIC writes to a running APIC",
        description="Exit status: 0 every write accepted, 1 any refused, 2 a refused login or an unreadable "
                    "recording, 3 an APIC out of reach.")
    replay.add_argument("--from", dest="source", type=Path, required=True, help="the JSONL recording")
    url, user, password = DEFAULTS["apic"]
    replay.add_argument("--apic-url", default=url, help=f"scheme://host:port (default {url}, acisim serve's)")
    replay.add_argument("--user", default=user, help=f"user to log in as (default {user})")
    replay.add_argument("--password", default=password, help="password (default: acisim serve's)")


def _upstream(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path.strip("/") or parts.query:
        raise argparse.ArgumentTypeError(f"invalid upstream: {text!r} (http(s)://host[:port], no path)")
    try:
        parts.port  # noqa: B018 (a bad port raises)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid upstream: {text!r} (its port is not 0 to 65535)") from None
    return text.rstrip("/")


def _listen(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    if not port.isdigit() or not 0 <= int(port) <= 65535:
        raise argparse.ArgumentTypeError(f"invalid listen address: {text!r} ([HOST:]PORT, PORT 0 to 65535)")
    return host, int(port)


def _proxy(args) -> int:
    from .recording.proxy import RecordingProxy
    from .recording.traffic import TrafficLog
    from .serving import serve_in_thread

    if args.insecure and args.ca_file:
        print("acisim record proxy: error: argument --ca-file: not allowed with argument --insecure",
              file=sys.stderr)
        return REFUSED
    if args.ca_file and not args.ca_file.is_file():
        print(f"acisim record proxy: error: argument --ca-file: {args.ca_file}: no such file", file=sys.stderr)
        return REFUSED
    try:
        log = TrafficLog(args.out)
    except OSError as exc:
        print(f"acisim record proxy: error: argument --out: {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return REFUSED
    verify: bool | str = False if args.insecure else (str(args.ca_file) if args.ca_file else True)
    host, port = args.listen
    tls = args.upstream.startswith("https:") and not args.http
    try:
        server = serve_in_thread(RecordingProxy(args.upstream, log, verify), host, port, tls, args.tls_dir)
    except OSError as exc:
        log.close()
        print(f"acisim record proxy: error: argument --listen: {host}:{port}: {exc.strerror or exc}",
              file=sys.stderr)
        return REFUSED
    print(f"recording proxy listening on {server.url} for {args.upstream}, appending to {args.out} "
          "(Ctrl-C stops)", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(3600):
            pass
    except KeyboardInterrupt:
        pass
    server.stop()
    log.close()
    print(f"recorded {log.count} exchanges to {args.out}", flush=True)
    return WRITTEN


def _recorded_writes(args, command: str):
    """The APIC writes of the recording --from names, or None once the refusal is printed."""
    from .recording import RecordError, replay, traffic

    try:
        return replay.writes(traffic.read(args.source))
    except RecordError as exc:
        print(f"acisim record {command}: error: argument --from: {exc}", file=sys.stderr)
        return None


def _fixture(args) -> int:
    import yaml

    from .recording import replay

    recorded = _recorded_writes(args, "fixture")
    if recorded is None:
        return REFUSED
    entries, unknown = replay.fixture_entries(recorded)
    head = (f"# Made by acisim record fixture from the recording {args.source}: {len(recorded)} APIC writes "
            f"folded into {len(entries)} entries (a DELETE is a post with status: deleted).\n"
            "# Load it with: acisim serve --fixture FILE\n")
    if unknown:
        head += "# Left out (no class of the catalog names the DN): " + ", ".join(w.describe() for w in unknown) + "\n"
    try:
        _write(args.out, head + yaml.safe_dump(entries, sort_keys=False, default_flow_style=False, width=120))
    except OSError as exc:
        print(f"acisim record fixture: error: argument --out: {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return REFUSED
    print(f"wrote {len(entries)} fixture entries from {len(recorded)} APIC writes of {args.source} to {args.out}")
    return WRITTEN


def _replay(args) -> int:
    from .recording import RecordError, replay

    recorded = _recorded_writes(args, "replay")
    if recorded is None:
        return REFUSED
    try:
        outcomes = replay.replay(recorded, args.apic_url, args.user, args.password)
    except RecordError as exc:
        print(f"acisim record replay: error: {exc}", file=sys.stderr)
        return UNREACHABLE if exc.unreachable else REFUSED
    for outcome in outcomes:
        verdict = "ok" if outcome.ok else f"refused ({outcome.status}: {outcome.text})"
        print(f"line {outcome.write.line}: {outcome.write.describe()}: {verdict}")
    refused = sum(not o.ok for o in outcomes)
    print(f"replayed {len(outcomes)} writes to {args.apic_url}: {len(outcomes) - refused} ok, {refused} refused")
    return 1 if refused else WRITTEN


TRAFFIC = {"proxy": _proxy, "fixture": _fixture, "replay": _replay}
