#!/usr/bin/env python3
"""List the APIC classes the real aci-containers controller reads or writes, for tests/apic/test_catalog_clients.py.

The controller is Go (noironetworks/aci-containers, pkg/apicapi and pkg/controller); CI has neither the source nor
a Go toolchain, so this script reads a local git mirror once and writes the class names to a committed data file
whose header names the source commit. Run it again when the mirror moves:

    python3 tools/aci_containers_classes.py /work/.mirror/noironetworks+aci-containers/repo
                                            [-o tests/apic/data/aci_containers_classes.txt]

A string counts as a class only where the Go code uses it as one, so attribute names (`tDn`, `ipLearning`),
Kubernetes kinds and configuration keys stay out:
* `newApicObject("X")`, `ApicObject{"X": ...}` and `obj["X"].Attributes` (objects it builds or reads);
* the keys and `children` lists of the `metadata` table in apic_metadata.go (what it compares and writes);
* the class arguments and `[]string{...}` class lists of its subscription and sync calls, and the class lists it
  builds for them (`subscribeMo := []string{...}`);
* comparisons of a class variable (`class == "X"`, `key == "X"`), a `...Mo := "X"` class variable;
* class names inside URLs and filters (`class/X.json`, `target-subtree-class=`, `rsp-subtree-class=`, `eq(X.attr`).
Names the code uses as attribute keys (`Attributes["x"]`, `GetAttrStr("x")`) are dropped whatever their context.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = REPO / "tests" / "apic" / "data" / "aci_containers_classes.txt"
FOLDERS = ("pkg/apicapi", "pkg/controller")

CLASS_SHAPE = re.compile(r"^[a-z][a-z0-9]*[A-Z][A-Za-z0-9]*$")
GO_STRING = re.compile(r'"((?:[^"\\\n]|\\.)*)"|`([^`]*)`')
IN_URL = (
    re.compile(r"class/([A-Za-z0-9]+)\.json"),
    re.compile(r"(?:target|rsp)-subtree-class=([A-Za-z0-9,]+)"),
    re.compile(r"\b(?:eq|ne|lt|le|gt|ge|bw|wcard|anybit|allbits)\(([a-z][A-Za-z0-9]*)\."),
)
DIRECT = (
    re.compile(r'newApicObject\(\s*"(\w+)"'),
    re.compile(r'ApicObject\{\s*"(\w+)"\s*:'),
    re.compile(r'\[\s*"(\w+)"\s*\]\s*\.\s*(?:Attributes|Children|Hints|HintDn)\b'),
    re.compile(r'\b(?:Add\w*Subscription\w*|Add\w*Sync\w*)\(\s*"(\w+)"'),
    re.compile(r'\b(?:class|classes\[\w+\]|key|value|mo)\s*[!=]=\s*"(\w+)"'),
    re.compile(r'\b\w*Mo\s*:?=\s*"(\w+)"'),
)
CLASS_LIST_CALL = re.compile(r"^(?:Add\w*Subscription\w*|Add\w*Sync\w*|Unsubscribe\w*|Subscribe\w*)$")
CLASS_LIST_VAR = re.compile(r"\b(\w*(?:Mo|Mos|Classes))\s*:?=\s*(?:\[\]string\{|append\(\s*\1\s*,)([^}\n)]*)")
ATTRIBUTE_USE = re.compile(r'(?:Attributes\s*\[|GetAttr\w*\(|SetAttr\w*\(|Hints\s*\[)\s*"(\w+)"')


def go_files(mirror: Path) -> dict[str, str]:
    """The non-test Go files of the controller folders at the mirror's HEAD, by path."""
    names = subprocess.run(["git", "-C", str(mirror), "ls-tree", "-r", "--name-only", "HEAD", *FOLDERS],
                           check=True, capture_output=True, text=True).stdout.split()
    wanted = [n for n in names if n.endswith(".go") and not n.endswith("_test.go")]
    return {n: subprocess.run(["git", "-C", str(mirror), "show", f"HEAD:{n}"], check=True, capture_output=True,
                              text=True).stdout for n in wanted}


def enclosing_call(text: str, at: int) -> str:
    """The name of the call whose argument list holds position `at` (the first unclosed `(` before it)."""
    depth = 0
    for i in range(at - 1, -1, -1):
        ch = text[i]
        if ch == ")":
            depth += 1
        elif ch == "(":
            if depth == 0:
                name = re.search(r"(\w+)\s*$", text[:i])
                return name.group(1) if name else ""
            depth -= 1
        elif ch in ";{" and depth == 0 and text[i - 8:i + 1] != "[]string{":
            return ""
    return ""


def metadata_classes(text: str) -> set[str]:
    """Keys of the `metadata` table and the classes of its `children` lists."""
    start = text.find("var metadata = map[string]*apicMeta{")
    if start < 0:
        return set()
    body = text[start:]
    found = set(re.findall(r'^\t"(\w+)":\s*\{', body, flags=re.MULTILINE))
    for block in re.findall(r"children:\s*\[\]string\{([^}]*)\}", body):
        found.update(re.findall(r'"(\w+)"', block))
    return found


def classes_in(files: dict[str, str]) -> dict[str, set[str]]:
    """class name -> the files that use it as a class."""
    found: dict[str, set[str]] = {}
    attributes: set[str] = set()

    def add(name: str, where: str) -> None:
        found.setdefault(name, set()).add(where)

    for path, text in files.items():
        attributes.update(ATTRIBUTE_USE.findall(text))
        for name in metadata_classes(text):
            add(name, path)
        for pattern in DIRECT:
            for name in pattern.findall(text):
                add(name, path)
        for m in re.finditer(r"\[\]string\{([^}]*)\}", text):
            if CLASS_LIST_CALL.match(enclosing_call(text, m.start())):
                for name in re.findall(r'"(\w+)"', m.group(1)):
                    add(name, path)
        for m in CLASS_LIST_VAR.finditer(text):
            for name in re.findall(r'"(\w+)"', m.group(2)):
                add(name, path)
        for m in GO_STRING.finditer(text):
            literal = m.group(1) if m.group(1) is not None else m.group(2)
            for pattern in IN_URL:
                for hit in pattern.findall(literal):
                    for name in hit.split(","):
                        add(name, path)
    return {n: w for n, w in found.items() if CLASS_SHAPE.match(n) and n not in attributes}


def render(classes: dict[str, set[str]], commit: str) -> str:
    lines = [
        "# APIC classes the aci-containers controller reads or writes (pkg/apicapi, pkg/controller, non-test Go).",
        f"# source: github.com/noironetworks/aci-containers commit {commit}",
        "# generated by tools/aci_containers_classes.py; one class a line, then the files that name it",
    ]
    lines += [f"{name} {' '.join(sorted(where))}" for name, where in sorted(classes.items())]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mirror", type=Path, help="a git clone of noironetworks/aci-containers (bare or not)")
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    commit = subprocess.run(["git", "-C", str(args.mirror), "rev-parse", "HEAD"], check=True, capture_output=True,
                            text=True).stdout.strip()
    classes = classes_in(go_files(args.mirror))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(render(classes, commit), encoding="utf-8")
    print(f"aci_containers_classes: wrote {args.output} ({len(classes)} classes from {commit[:12]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
