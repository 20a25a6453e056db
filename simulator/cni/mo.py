"""An APIC object as the controller writes it, and util.AciNameForKey, the names of its objects."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


@dataclass
class Mo:
    """One object to write: class, DN, attributes, children (themselves Mo)."""

    cls: str
    dn: str
    attrs: dict[str, str]
    children: list[Mo] = field(default_factory=list)

    def body(self) -> dict:
        """The JSON the controller POSTs: the whole object with its children."""
        out: dict = {"attributes": {"dn": self.dn, **self.attrs}}
        if self.children:
            out["children"] = [c.body() for c in self.children]
        return {self.cls: out}

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


def aci_name_for_key(prefix: str, ktype: str, key: str) -> str:
    """util.AciNameForKey: `<prefix>_<ktype>_<key>`, a hash once 64 characters or longer."""
    name = f"{prefix}_{ktype}_{key.replace('/', '_')}"
    if len(name) < 64:
        return name
    digest = hashlib.sha256()
    if len(prefix) + len(ktype) + 1 > 31:
        if len(prefix) > 31:
            digest.update(prefix.encode() + b"_")
        else:
            name = prefix
        digest.update(ktype.encode() + b"_")
    else:
        name = f"{prefix}_{ktype}"
    digest.update(key.encode())
    hashed = digest.hexdigest()[:32]
    return hashed if len(prefix) > 31 else f"{name}_{hashed}"
