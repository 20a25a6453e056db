"""`acisim lab`: the training labs from a shell.

    acisim lab list [--json]             the labs of scenarios/labs/ (no server needed): name, title, goals
    acisim lab start NAME                serve the lab (as acisim serve --scenario does) and print where to
                                         connect, how to log in, the story and the goals; Ctrl-C stops
    acisim lab status|check|hint [GOAL]|solution|reset [--json]
                                         ask a running lab over its control API (/_sim/training)

The asking commands are clients of the lab's control API with the lab admin's credentials (HTTP Basic, the
`acisim serve` defaults admin/cisco123 on https://127.0.0.1:8443 unless --apic-url/--user/--password say
otherwise; the lab's self-signed certificate is not verified). A trainee's own APIC account is refused by the
control API (403): checks, hints, the solution and a reset are the instructor's, or a trainee's given the lab's
admin credentials.

Exit status: 0 done (`check`: every goal passed); 1 `check` with a goal not passed yet; 2 an invalid option value,
a bad scenario file (one line naming the file, the key and the problem) or a request the lab refuses (one line
with the lab's message); 3 a lab that cannot be reached (one line naming the URL).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .control_client import DEFAULT_URL, LabRefused, LabUnreachable, add_lab_options, ask, one_line

DONE, NOT_PASSED, REFUSED, UNREACHABLE = 0, 1, 2, 3
ASKING = ("status", "check", "hint", "solution", "reset")


def add_parser(sub):
    lab = sub.add_parser("lab", help="training labs: list, start, and ask a running lab (check, hint, reset)",
                         description="Exit status: 0 done (check: every goal passed), 1 a goal not passed yet, "
                                     "2 an invalid option, a bad scenario file or a request the lab refuses, "
                                     "3 a lab that cannot be reached.")
    commands = lab.add_subparsers(dest="lab_command", required=True)
    listing = commands.add_parser("list", help="the training labs (no server needed)")
    listing.add_argument("--labs", type=Path, help="the folder of lab scenarios (default: the project's scenarios/labs)")
    listing.add_argument("--json", action="store_true", help="one JSON list: name, title, goals of each lab")
    start = commands.add_parser("start", help="serve a lab and print where to connect, the story and the goals")
    start.add_argument("name", type=one_line("NAME"), help="a lab's name (acisim lab list) or its scenario file")
    start.add_argument("--labs", type=Path, help="the folder of lab scenarios (default: the project's scenarios/labs)")
    from .cli import port

    start.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    start.add_argument("--apic-port", type=port, default=8443, help="APIC port (default 8443; 0 picks a free one)")
    start.add_argument("--rhv-port", type=port, default=8444, help="RHV Manager port (default 8444)")
    start.add_argument("--k8s-port", type=port, default=6443, help="Kubernetes API port (default 6443)")
    start.add_argument("--tls-dir", type=Path, help="where the self-signed certificate is kept")
    start.add_argument("--kubeconfig", type=Path, help="where to write the kubeconfig of the Kubernetes API")
    start.add_argument("--admin-password", default="cisco123", help="the APIC admin's password (default cisco123)")
    for name in ASKING:
        ask = commands.add_parser(name, help=f"{name} of the running lab (over its control API)")
        if name == "hint":
            ask.add_argument("goal", nargs="?", type=one_line("GOAL"),
                             help="a goal's id (default: the first goal not passed yet)")
        add_lab_options(ask, "acisim lab start")
        ask.add_argument("--json", action="store_true", help="print the lab's answer as one JSON object")
    return lab


def run(args) -> int:
    if args.lab_command == "list":
        return list_command(args)
    if args.lab_command == "start":
        return start_command(args)
    return ask_command(args)


# --- list ---------------------------------------------------------------------------------------------------

def list_command(args) -> int:
    from .training import TrainingSchemaError, catalog

    folder = catalog.labs_folder(args.labs)
    if not folder.is_dir():
        where = "argument --labs" if args.labs is not None else "the labs folder"
        return _fail("list", REFUSED, f"{where}: {folder}: no such folder (an installed acisim has no scenarios/labs of "
                                      "its own: give --labs FOLDER or set ACISIM_LABS)")
    try:
        labs = catalog.all_labs(folder)
    except TrainingSchemaError as exc:
        return _fail("list", REFUSED, f"bad lab scenario: {exc}")
    summaries = [{"name": s.name, "title": s.title, "goals": [{"id": g.id, "title": g.title} for g in s.goals]}
                 for s in labs]
    if args.json:
        print(json.dumps(summaries))
        return DONE
    width = max((len(s["name"]) for s in summaries), default=0)
    for summary in summaries:
        count = len(summary['goals'])
        print(f"{summary['name']:<{width}}  {summary['title']} ({count} goal{'s' if count != 1 else ''})")
    return DONE


# --- start --------------------------------------------------------------------------------------------------

def start_command(args) -> int:
    """Serve the lab as `acisim serve --scenario FILE` serves it, then apply the scenario's setup steps, and print
    the story and the goals. Every option and file is checked before anything is served."""
    import signal
    import threading

    from .cli import LabFailure, OptionError, _attach_training, _one_line, _start_lab, kubeconfig_path
    from .training import TrainingSchemaError, catalog, load_lab

    try:
        path = catalog.find_lab(args.name, args.labs)
    except TrainingSchemaError as exc:
        return _fail("start", REFUSED, f"bad lab scenario: {exc}")
    if path is None:
        known = ", ".join(p.stem for p in catalog.lab_files(args.labs))
        return _fail("start", REFUSED, f"argument NAME: no lab {args.name!r} (the labs: {known or 'none'})")
    try:
        spec = load_lab(path)
    except TrainingSchemaError as exc:
        return _fail("start", REFUSED, f"argument NAME: {exc}")
    serve_args = argparse.Namespace(
        host=args.host, apic_port=args.apic_port, rhv_port=args.rhv_port, k8s_port=args.k8s_port, no_rhv=False,
        no_k8s=False, kubeconfig=args.kubeconfig, rhv_inventory=None, rhv_admin_password="redhat123", http=False,
        state=None, fixture=[], scenario=path, topology=None, admin_user="admin",
        admin_password=args.admin_password, tls_dir=args.tls_dir)
    try:
        lab, (server, rhv, k8s, kubeconfig) = _start_lab(serve_args)
    except (OptionError, LabFailure) as exc:  # the lab part of the scenario is the NAME's file
        message = _one_line(str(exc)).replace("argument --scenario: ", "argument NAME: ", 1)
        return _fail("start", REFUSED if isinstance(exc, OptionError) else 1, message)
    try:
        _attach_training(path, lab)
    except ValueError as exc:  # a setup step the lab refused
        lab.stop()
        return _fail("start", REFUSED, _one_line(str(exc)))
    options = lab.options
    print(f"Lab      {spec.name}: {spec.title}")
    print(f"APIC     {server.url}")
    print(f"login    {options.admin_user} / {options.admin_password}")
    print(f"RHV      {rhv.url}/ovirt-engine/api")
    print(f"login    {lab.rhv.config.admin_user} / {options.rhv_admin_password}")
    print(f"K8S      {k8s.url}")
    print(f"kubeconfig {kubeconfig or kubeconfig_path(serve_args)}")
    print()
    print(spec.story)
    print()
    print("Goals:")
    for goal in spec.goals:
        print(f"  {goal.id:<20} {goal.title}")
    print()
    url = f" --apic-url {server.url}" if server.url != DEFAULT_URL else ""
    print(f"check    acisim lab check{url}    (hint: acisim lab hint{url}; start over: acisim lab reset{url})")
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print("Ctrl-C stops", flush=True)
    while not stop.wait(0.5):
        pass
    lab.stop()
    print("stopped")
    return DONE


# --- asking a running lab -------------------------------------------------------------------------------------

def ask_command(args) -> int:
    command = args.lab_command
    method, route = {"status": ("GET", "/_sim/training"), "check": ("POST", "/_sim/training/check"),
                     "hint": ("GET", "/_sim/training/hint"), "solution": ("GET", "/_sim/training/solution"),
                     "reset": ("POST", "/_sim/training/reset")}[command]
    params = {"goal": args.goal} if command == "hint" and args.goal else None
    try:
        document = ask(args, method, route, command, params=params)
    except LabUnreachable as exc:
        return _fail(command, UNREACHABLE, str(exc))
    except LabRefused as exc:
        return _fail(command, REFUSED, str(exc))
    print(json.dumps(document) if args.json else DESCRIBE[command](document))
    if command == "check":
        return DONE if document.get("passed") else NOT_PASSED
    return DONE


def describe_status(document: dict) -> str:
    lines = [f"Lab {document.get('name')}: {document.get('title')}", "", str(document.get("story", "")), "", "Goals:"]
    lines += [f"  {g['id']:<20} {g['title']}" for g in document.get("goals", [])]
    return "\n".join(lines)


def describe_check(document: dict) -> str:
    lines = []
    for goal in document.get("goals", []):
        lines.append(f"  {'PASS' if goal['passed'] else 'FAIL'}  {goal['id']:<20} {goal['title']}")
        if not goal["passed"]:
            lines.append(f"        {goal.get('wrong', '')}")
    total = len(document.get("goals", []))
    lines.append(f"{document.get('passed_goals', 0)} of {total} goals passed"
                 + (": the lab is solved." if document.get("passed") else "."))
    return "\n".join(lines)


def describe_hint(document: dict) -> str:
    lines = []
    for hint in document.get("hints", []):
        lines.append(f"{hint['id']}: {hint['title']}")
        lines += [f"  {line}" for line in str(hint.get("hint", "")).splitlines()]
    return "\n".join(lines)


def describe_solution(document: dict) -> str:
    lines = [str(document.get("text", "")), "", "As REST steps:"]
    for step in document.get("steps", []):
        if "replay" in step:
            lines.append(f"  {step['system']:<5} replay {step['replay']}" + (f"  ({step['note']})" if step.get("note")
                                                                            else ""))
        else:
            lines.append(f"  {step['system']:<5} {step['method']} {step['path']}"
                         + (f"  {json.dumps(step['body'])}" if step.get("body") is not None else ""))
    return "\n".join(lines)


def describe_reset(document: dict) -> str:
    return "The lab is back at its starting state.\n" + describe_check(document)


DESCRIBE = {"status": describe_status, "check": describe_check, "hint": describe_hint,
            "solution": describe_solution, "reset": describe_reset}


def _fail(command: str, status: int, message: str) -> int:
    print(f"acisim lab {command}: error: {' '.join(message.split())}", file=sys.stderr)
    return status
