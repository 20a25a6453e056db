"""Reading a fabric file (fixtures/fabric/*.yaml, simulator/defaults/fabric.yaml).

A file has a `fabric:` mapping (the sizes, `Topology`'s fields) and a `cabling:` list (server NICs to
leaf ports, `Cabling`). The older flat form, the sizes at the top level, is still read.
"""

from __future__ import annotations

from pathlib import Path

import yaml

SECTIONS = ("fabric", "cabling")


def read_fabric_file(path: str | Path) -> tuple[dict, object]:
    """The file's (fabric settings, cabling entries); a file that is not one is a one-line ValueError."""
    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise ValueError(f"{path}: not valid YAML{where}") from None
    data = {} if data is None else data
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a fabric file is a mapping with 'fabric:' and 'cabling:' sections")
    if "fabric" in data:
        unknown = sorted(set(data) - set(SECTIONS))
        if unknown:
            raise ValueError(
                f"{path}: unknown sections: {', '.join(map(str, unknown))} (known: {', '.join(SECTIONS)})"
            )
        settings = data["fabric"] if data["fabric"] is not None else {}
    else:
        settings = {k: v for k, v in data.items() if k != "cabling"}
    if not isinstance(settings, dict):
        raise ValueError(f"{path}: 'fabric:' is a mapping of settings such as 'leaves: 4'")
    return settings, data.get("cabling") or []
