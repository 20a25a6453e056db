#!/usr/bin/env python3
"""Generate the simulator's APIC class catalog (simulator/apic/mit/catalog.json).

The simulator keeps class behaviour as data: RN formats, naming properties, containment, property kinds,
enums, defaults and access flags. This script turns the shared fact folder (`classes.json` and
`sources.json`, documented in its README.md) plus the hand-written overlay (`tools/catalog_overlay/*.yaml`,
one file per topic, facts the sources lack, each with a `why`) into one compact JSON file.

    python tools/gen_catalog.py /work/shared/aci-catalog [--overlay tools/catalog_overlay]
                                [-o simulator/apic/mit/catalog.json]

Two kinds of classes come out:
* meta classes (a full aci-meta file): properties as the meta gives them (`complete: true`);
* all others: the union of attribute names clients were seen using, typed from the enum lists the sources
  give, plus the housekeeping properties every MO carries (`complete: false`). Their kinds, enum lists and
  validators are copied from the same properties of the meta classes fvTenant and fvRsBd; defaults and
  access follow what a real APIC returns (apic-rest.md §2.4, §3.6). Relation (Rs) classes get the
  relation outputs (tCl, tDn, state, ...) instead of descr/ownerKey/ownerTag, and no nameAlias, as in meta.
Superclass-only entries (no rn) keep whatever the sources list, usually nothing.

The output is deterministic: sorted keys, one class per line.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OVERLAY = REPO / "tools" / "catalog_overlay"
DEFAULT_OUTPUT = REPO / "simulator" / "apic" / "mit" / "catalog.json"
GENERATED_BY = "tools/gen_catalog.py"

RS_CLASS = re.compile(r"^[a-z][a-z0-9]*Rs[A-Z]")
PLACEHOLDER = re.compile(r"\{([^}]+)\}")

# Housekeeping properties added to classes without a meta file. The templates (kind, values, validators)
# are the same-named properties of these meta classes.
COMMON_TEMPLATE, RELATION_TEMPLATE = "fvTenant", "fvRsBd"
READ_ONLY = ("childAction", "dn", "lcOwn", "modTs", "rn", "status", "uid", "userdom", "extMngdBy")
CONFIG = ("annotation", "nameAlias")
CONFIG_NOT_RS = (
    "descr",
    "ownerKey",
    "ownerTag",
)  # 3 of the 70 meta Rs classes have descr, none an owner prop
RELATION_READ_ONLY = ("tCl", "tRn", "tType", "rType", "state", "stateQual", "forceResolve", "tContextDn")
READ_ONLY_IF_SEEN = ("monPolDn",)  # present on some classes only; read-only wherever a source lists it
# Defaults that differ from the templates' meta defaults (apic-rest.md §2.4: uid "15374"-like, userdom ":all:").
HOUSEKEEPING_DEFAULTS = {"uid": "0", "userdom": ":all:"}
# What real controllers print for housekeeping props whose meta default is a placeholder, on every
# class (apic-rest.md §2.4 [R]: extMngdBy "", userdom ":all:").
WIRE_DEFAULTS = {"extMngdBy": "", "userdom": ":all:"}

NAMING_NAME = {"min": 1, "max": 64, "regex": ["^[a-zA-Z0-9_.:-]+$"]}

PROP_KEYS = {"kind", "default", "values", "access", "secure", "min", "max", "regex"}
CLASS_KEYS = set("why rn naming parents addParents super abstract configurable label relation props dropProps".split())
KINDS = {"string", "enum", "bitmask", "number", "dn", "mac", "ip", "date", "other"}
ACCESS = {"naming", "config", "create-only", "ro", "implicit"}


class CatalogError(Exception):
    """The sources or the overlay contradict each other or the contract."""


# ---------------------------------------------------------------------------------------------- meta


def kind_of(base_type: str) -> str:
    """Map an aci-meta baseType (`scalar:Enum8`, `address:Ip`, ...) to a catalog kind."""
    family, _, name = base_type.partition(":")
    if family == "scalar":
        if name.startswith("Bitmask"):
            return "bitmask"
        if name.startswith("Enum") or name == "Bool":
            return "enum"
        if name == "Date":
            return "date"
        return "number"  # Uint*, Sint*, UByte, Float
    if family == "string":
        return "string"
    if base_type == "reference:BinRef":
        return "dn"
    if base_type == "address:MAC":
        return "mac"
    if family == "address":
        return "ip"
    return "other"  # reference:BinRN, base:Encap, base:Community


def meta_default(prop: dict, kind: str) -> str:
    """The meta default as a string, using localNames where the property has named values."""
    if "defaultDisplay" in prop:
        return str(prop["defaultDisplay"])
    raw = prop.get("default")
    if raw is None:
        return ""
    raw = str(raw)
    values = prop.get("validValues") or []
    by_raw = {v: k for k, v in (prop.get("valueMap") or {}).items()}
    if kind == "enum" and raw not in values:
        # Bool defaults are stored raw ("true"/"false"); a few Enum8 defaults say "false" for raw 0.
        raw = by_raw.get(raw) or by_raw.get({"false": "0", "true": "1"}.get(raw, ""), raw)
    elif kind == "bitmask" and raw:
        names = [part if part in values else by_raw.get(part, "") for part in raw.split(",")]
        raw = ",".join(name for name in names if name)  # raw "0" (no bit set) maps to ""
    return raw


def validator_facts(prop: dict) -> dict:
    """min/max and the include regexes of a meta property's validators."""
    out: dict = {}
    validators = prop.get("validators") or []
    mins = [v["min"] for v in validators if "min" in v]
    maxs = [v["max"] for v in validators if "max" in v]
    if mins:
        out["min"] = min(mins)
    if maxs:
        out["max"] = max(maxs)
    regexes: list[str] = []
    for v in validators:
        candidates = list(v.get("regexs") or []) + ([v] if "regex" in v else [])
        for r in candidates:
            if r.get("type", "include") == "include" and r["regex"] not in regexes:
                regexes.append(r["regex"])
    if regexes:
        out["regex"] = regexes
    return out


def meta_access(prop: dict) -> str:
    if prop.get("isNaming"):
        return "naming"
    if prop.get("createOnly"):
        return "create-only"
    if prop.get("readOnly"):
        return "ro"
    if prop.get("isConfigurable"):
        return "config"
    return "implicit" if prop.get("implicit") else "ro"


def meta_prop(prop: dict) -> dict:
    kind = kind_of(prop["type"])
    out = {"kind": kind, "default": meta_default(prop, kind), "access": meta_access(prop)}
    if kind in ("enum", "bitmask") or prop.get("validValues"):
        # numbers, MACs and addresses may have named special values too (fvBD mtu "inherit")
        out["values"] = list(prop.get("validValues") or [])
    if prop.get("secure"):
        out["secure"] = True
    out.update(validator_facts(prop))
    return out


# ------------------------------------------------------------------------------------------ non-meta


def union_prop(prop: dict) -> dict:
    """A property known only by name (and maybe an enum list) from client code."""
    values = prop.get("validValues")
    kind = ("bitmask" if prop.get("multiValue") else "enum") if values else "string"
    out = {"kind": kind, "default": "", "access": "config"}
    if values:
        out["values"] = list(values)
    if prop.get("isConfigurable") is False:
        out["access"] = "ro"
    return out


class Housekeeping:
    """Builds the housekeeping properties of non-meta classes from the meta templates."""

    def __init__(self, source: dict):
        self.common = {n: meta_prop(p) for n, p in source[COMMON_TEMPLATE]["properties"].items()}
        self.relation = {n: meta_prop(p) for n, p in source[RELATION_TEMPLATE]["properties"].items()}

    def props(self, seen: set[str], naming: list[str], relation: dict | None) -> dict:
        out = {}
        for name in READ_ONLY:
            out[name] = dict(self.common[name], access="ro")
            if name in HOUSEKEEPING_DEFAULTS:
                out[name]["default"] = HOUSEKEEPING_DEFAULTS[name]
        for name in READ_ONLY_IF_SEEN:
            if name in seen:
                out[name] = dict(self.common[name], access="ro")
        for name in CONFIG + (() if relation is not None else CONFIG_NOT_RS):
            if name == "nameAlias" and relation is not None and name not in seen:
                continue  # none of the 70 meta Rs classes has nameAlias, nor fvRsProv in apic-rest.md §2.4
            out[name] = dict(self.common[name], access="config")
        if relation is not None:
            out.update(self._relation_props(seen, naming, relation))
        return out

    def _relation_props(self, seen: set[str], naming: list[str], relation: dict) -> dict:
        kind, target = relation.get("kind"), relation.get("to")
        out = {name: dict(self.relation[name]) for name in RELATION_READ_ONLY}
        out["tCl"] = {"kind": "string", "default": target or "", "access": "ro"}
        out["tType"]["default"] = {"named": "name", "explicit": "mo"}.get(kind, "")
        explicit_config = kind == "explicit" or (kind is None and "tDn" in seen)
        out["tDn"] = {"kind": "dn", "default": "", "access": "config" if explicit_config else "ro"}
        if kind == "named":
            out[relation["targetProp"]] = {"kind": "string", "default": "", "access": "config"}
        for name in naming:
            if name in out:
                out[name]["access"] = "naming"
        return out


# --------------------------------------------------------------------------------------------- build


def placeholders(rn: str | None) -> list[str]:
    return PLACEHOLDER.findall(rn) if rn else []


def source_relation(entry: dict) -> dict | None:
    """{to, kind, targetProp} from a source entry's relationTo (`to` may be None when unknown)."""
    rel = entry.get("relationTo")
    if not rel:
        return None
    target_prop = rel.get("targetProp")
    kind = rel.get("type") or ("explicit" if target_prop == "tDn" else "named" if target_prop else None)
    return {"to": rel.get("toMo"), "kind": kind, "targetProp": target_prop}


def relation_of(name: str, entry: dict, ov: dict) -> dict | None:
    """{to, kind, targetProp} of a relation class (values None where unknown); None for other classes."""
    if "relation" in ov:
        return dict(ov["relation"])
    rel = source_relation(entry)
    if rel is not None:
        return rel
    return {"to": None, "kind": None, "targetProp": None} if RS_CLASS.match(name) else None


def build_class(name: str, entry: dict, ov: dict, housekeeping: Housekeeping) -> dict:
    is_meta = "metaFile" in entry
    rn = ov["rn"] if "rn" in ov else entry.get("rnFormat")
    if "naming" in ov or "rn" in ov:
        naming = ov.get("naming", placeholders(rn))
    else:
        naming = entry.get("namingProps") or placeholders(rn)
    if rn is not None and naming != placeholders(rn):
        raise CatalogError(f"{name}: naming {naming} does not match rn {rn!r}")
    relation = relation_of(name, entry, ov)

    src_props = entry.get("properties") or {}
    if is_meta:
        props = {p: meta_prop(v) for p, v in src_props.items()}
    else:
        props = {p: union_prop(v) for p, v in src_props.items()}
        if rn is not None:  # superclass-only entries stay bare
            props.update(housekeeping.props(set(src_props), naming, relation))
        for p in naming:
            blank = {"kind": "dn" if p == "tDn" else "string", "default": ""}
            props.setdefault(p, blank)["access"] = "naming"
            if p == "name" and props[p]["kind"] == "string":
                # naming:Name is one type across classes (69 of the 79 naming `name` props in the meta
                # files: 1..64 of [a-zA-Z0-9_.:-]; fvTenant's own is stricter). terraform's acceptance tests
                # saw a real APIC reject a 65-character vzSubj name; acc-provision posts colons in names.
                props[p].update(NAMING_NAME)
    for p, default in WIRE_DEFAULTS.items():
        if p in props:
            props[p]["default"] = default
    for p, patch in (ov.get("props") or {}).items():
        props[p] = {**props.get(p, {"kind": "string", "default": "", "access": "config"}), **patch}
    for p in ov.get("dropProps") or ():
        if p not in props or p in naming:
            raise CatalogError(f"{name}: dropProps names {p!r}, which is not a droppable property of the class")
        del props[p]
    for p, facts in props.items():
        check_prop(name, p, facts)
    for p in naming:
        if p not in props or props[p]["access"] != "naming":
            raise CatalogError(f"{name}: naming property {p!r} must have access naming (an overlay props patch?)")

    out = {
        "rn": rn,
        "naming": naming,
        "parents": sorted(set(ov.get("parents", entry.get("containedBy") or [])) | set(ov.get("addParents") or ())),
        "super": list(ov.get("super", entry.get("superClasses") or [])),
        "abstract": ov.get("abstract", entry.get("isAbstract", rn is None)),
        "configurable": ov.get("configurable", entry.get("isConfigurable", True)),
        "label": ov.get("label", entry.get("label", "")),
        "complete": is_meta,
        "props": props,
    }
    if relation is not None and relation.get("to"):
        if relation.get("kind") not in ("named", "explicit"):
            raise CatalogError(f"{name}: relation kind {relation.get('kind')!r}")
        out["relation"] = {
            "to": relation["to"],
            "kind": relation["kind"],
            "targetProp": relation["targetProp"],
        }
    return out


def check_prop(cls: str, name: str, facts: dict) -> None:
    if (
        facts.get("kind") not in KINDS
        or facts.get("access") not in ACCESS
        or not isinstance(facts.get("default"), str)
    ):
        raise CatalogError(f"{cls}.{name}: bad property facts {facts}")
    if facts["kind"] in ("enum", "bitmask") and "values" not in facts:
        raise CatalogError(f"{cls}.{name}: enum/bitmask kinds need values ({facts})")


def included_classes(source: dict, overlay: dict) -> list[str]:
    """Classes with an rn, topRoot, the overlay's classes, and every superclass of those."""
    names = {c for c, e in source.items() if e.get("rnFormat") is not None} | {"topRoot"} | set(overlay)
    pending = sorted(names)
    while pending:
        cls = pending.pop()
        supers = overlay.get(cls, {}).get("super", (source.get(cls) or {}).get("superClasses") or [])
        for sup in supers:
            if sup not in names:
                names.add(sup)
                pending.append(sup)
    return sorted(names)


def implicit_children(spec: dict, classes: dict) -> dict:
    """The overlay's implicit children, checked against the catalog (class, rn, containment, props)."""
    out = {}
    for parent, entry in sorted(spec.items()):
        for child in entry["children"]:
            cls, attrs = child["cls"], dict(child.get("attrs") or {})
            facts = classes.get(cls)
            if facts is None or facts["rn"] is None or parent not in facts["parents"]:
                raise CatalogError(f"implicit child {cls} of {parent}: unknown class, no rn, or not a child")
            unknown = set(attrs) - set(facts["props"])
            if unknown:
                raise CatalogError(f"implicit child {cls} of {parent}: unknown attributes {sorted(unknown)}")
        out[parent] = [{"cls": c["cls"], "attrs": dict(c.get("attrs") or {})} for c in entry["children"]]
    return out


# ------------------------------------------------------------------------------------------- overlay


def overlay_files(path: Path) -> list[Path]:
    """The overlay's YAML files: `path` itself, or every *.yaml in the folder `path`, by name."""
    return sorted(path.glob("*.yaml")) if path.is_dir() else [path]


def load_overlay(path: Path) -> tuple[dict, dict]:
    """Read and check the overlay (one file, or a folder of topic files merged into one): every entry needs
    a `why`, only known keys are allowed, and a class or implicit-children parent appears in one file only."""
    classes: dict = {}
    children: dict = {}
    seen_in: dict[str, str] = {}
    for file in overlay_files(path):
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        for section, into in (("classes", classes), ("implicitChildren", children)):
            for name, entry in (data.get(section) or {}).items():
                key = f"{section}.{name}"
                if key in seen_in:
                    raise CatalogError(f"overlay {key}: in both {seen_in[key]} and {file.name}")
                seen_in[key] = file.name
                into[name] = entry
    for name, entry in {**classes, **{f"implicitChildren.{k}": v for k, v in children.items()}}.items():
        if not isinstance(entry, dict) or not str(entry.get("why", "")).strip():
            raise CatalogError(f"overlay {name}: every entry needs a non-empty why")
    for name, entry in classes.items():
        unknown = set(entry) - CLASS_KEYS
        if unknown:
            raise CatalogError(f"overlay {name}: unknown keys {sorted(unknown)}")
        for prop, patch in (entry.get("props") or {}).items():
            if not isinstance(patch, dict) or set(patch) - PROP_KEYS:
                raise CatalogError(
                    f"overlay {name}.{prop}: expected a mapping with keys from {sorted(PROP_KEYS)}"
                )
            if "default" in patch:
                patch["default"] = str(patch["default"])
    return classes, children


# --------------------------------------------------------------------------------------------- main


def generate(source_dir: Path, overlay_path: Path) -> str:
    source = json.loads((source_dir / "classes.json").read_text(encoding="utf-8"))
    sources = json.loads((source_dir / "sources.json").read_text(encoding="utf-8"))["sources"]
    overlay, children = load_overlay(overlay_path)
    housekeeping = Housekeeping(source)
    classes = {
        name: build_class(name, source.get(name) or {}, overlay.get(name) or {}, housekeeping)
        for name in included_classes(source, overlay)
    }
    return render(classes, implicit_children(children, classes), sources)


def render(classes: dict, children: dict, sources: dict) -> str:
    """Compact JSON with sorted keys, one class per line (keys in the same order json.dumps would use)."""

    def dump(value) -> str:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    lines = ",\n".join(f"{dump(name)}:{dump(facts)}" for name, facts in sorted(classes.items()))
    return (
        '{"classes":{\n' + lines + "\n},"
        f'"generatedBy":{dump(GENERATED_BY)},'
        f'"implicitChildren":{dump(children)},'
        f'"sources":{dump(sources)}}}\n'
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="the shared fact folder (holds classes.json, sources.json)")
    parser.add_argument("--overlay", type=Path, default=DEFAULT_OVERLAY, help="hand facts: a YAML file or a folder of them")
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT, help="catalog file to write")
    args = parser.parse_args(argv)
    try:
        text = generate(args.source, args.overlay)
    except CatalogError as exc:
        print(f"gen_catalog: {exc}", file=sys.stderr)
        return 1
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    count = len(json.loads(text)["classes"])
    print(f"gen_catalog: wrote {args.output} ({count} classes, {len(text.encode()) // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
