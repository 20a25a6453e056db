#!/usr/bin/env python3
"""Generate the APIC's per-class access privileges (simulator/apic/rbac_class_access.json).

A real APIC decides who may read or write an MO of a class by the class's `readAccess` and `writeAccess`
privilege lists (aci-meta). The shared fact folder carries them for the classes it has a full meta file of
(`classes.json`, source `meta`: CiscoDevNet/terraform-provider-aci gen/meta/*.json). This script keeps those
lists for the classes of the simulator's catalog, so authorization is data, not code; the classes the public
meta files do not cover are ruled by `simulator/apic/rbac_roles.yaml` (package rules, each marked INFERRED).

    python tools/gen_privileges.py /work/shared/aci-catalog [-o simulator/apic/rbac_class_access.json]

The output is deterministic: sorted keys, one class per line, `[read privileges, write privileges]`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CATALOG = REPO / "simulator" / "apic" / "mit" / "catalog.json"
DEFAULT_OUTPUT = REPO / "simulator" / "apic" / "rbac_class_access.json"
GENERATED_BY = "tools/gen_privileges.py"


def class_access(facts: dict, catalog_classes: dict) -> dict[str, list[list[str]]]:
    """Class -> [sorted read privileges, sorted write privileges], for catalog classes with both lists."""
    out: dict[str, list[list[str]]] = {}
    for name in sorted(catalog_classes):
        entry = facts.get(name) or {}
        read, write = entry.get("readAccess"), entry.get("writeAccess")
        if read is None or write is None:
            continue
        out[name] = [sorted(set(read)), sorted(set(write))]
    return out


def render(source_dir: Path) -> str:
    facts = json.loads((source_dir / "classes.json").read_text(encoding="utf-8"))
    sources = json.loads((source_dir / "sources.json").read_text(encoding="utf-8")).get("sources", {})
    catalog = json.loads(CATALOG.read_text(encoding="utf-8"))["classes"]
    access = class_access(facts, catalog)
    lines = ["{",
             f'"generatedBy": {json.dumps(GENERATED_BY)},',
             f'"source": {json.dumps("aci-meta readAccess/writeAccess: " + sources.get("meta", "meta files"))},',
             '"classes": {']
    rows = [f"{json.dumps(name)}: {json.dumps(lists, separators=(',', ':'))}" for name, lists in access.items()]
    lines.append(",\n".join(rows))
    lines.append("}}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="the shared aci-catalog folder (classes.json, sources.json)")
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    try:
        text = render(args.source)
    except (OSError, ValueError, KeyError) as exc:
        print(f"gen_privileges: cannot read {args.source}: {exc}", file=sys.stderr)
        return 2
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
