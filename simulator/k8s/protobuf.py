"""Request bodies in the Kubernetes protobuf encoding, for the kinds kubectl's typed clients send that way
(`kubectl create namespace|configmap|secret|serviceaccount` post application/vnd.kubernetes.protobuf).

The envelope is the magic `k8s\\0` and a runtime.Unknown (typeMeta, raw); `raw` is the object in the
field numbers of k8s.io/api's generated.proto, held here as data for those kinds only. The result is
the object as its JSON would be: Go's encoder writes empty strings that JSON's omitempty leaves out, so
they are dropped. A kind not described here is refused as an unsupported media type.
"""

from __future__ import annotations

import base64

MAGIC = b"k8s\x00"
MEDIA_TYPE = "application/vnd.kubernetes.protobuf"

# message -> field number -> (JSON name, type): string, bool, strings (repeated), map, bytesmap, or a message
MESSAGES: dict[str, dict[int, tuple[str, str]]] = {
    "Unknown": {1: ("typeMeta", "TypeMeta"), 2: ("raw", "raw"), 3: ("contentEncoding", "string"),
                4: ("contentType", "string")},
    "TypeMeta": {1: ("apiVersion", "string"), 2: ("kind", "string")},
    "ObjectMeta": {1: ("name", "string"), 2: ("generateName", "string"), 3: ("namespace", "string"),
                   6: ("resourceVersion", "string"), 11: ("labels", "map"), 12: ("annotations", "map"),
                   14: ("finalizers", "strings")},
    "Namespace": {1: ("metadata", "ObjectMeta"), 2: ("spec", "NamespaceSpec"), 3: ("status", "NamespaceStatus")},
    "NamespaceSpec": {1: ("finalizers", "strings")},
    "NamespaceStatus": {1: ("phase", "string")},
    "ConfigMap": {1: ("metadata", "ObjectMeta"), 2: ("data", "map"), 3: ("binaryData", "bytesmap"),
                  4: ("immutable", "bool")},
    "Secret": {1: ("metadata", "ObjectMeta"), 2: ("data", "bytesmap"), 3: ("type", "string"),
               4: ("stringData", "map"), 5: ("immutable", "bool")},
    "ServiceAccount": {1: ("metadata", "ObjectMeta"), 4: ("automountServiceAccountToken", "bool")},
}


KINDS = ("Namespace", "ConfigMap", "Secret", "ServiceAccount")


class ProtobufError(ValueError):
    pass


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(data):
            raise ProtobufError("unexpected EOF")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7


def _fields(data: bytes):
    """(field number, wire type, value) of each field: an int for varints, bytes for length-delimited."""
    pos = 0
    while pos < len(data):
        tag, pos = _varint(data, pos)
        number, wire = tag >> 3, tag & 7
        if wire == 0:
            value, pos = _varint(data, pos)
        elif wire == 2:
            size, pos = _varint(data, pos)
            value, pos = data[pos:pos + size], pos + size
        elif wire in (1, 5):
            size = 8 if wire == 1 else 4
            value, pos = data[pos:pos + size], pos + size
        else:
            raise ProtobufError(f"illegal wireType {wire} for field {number}")
        yield number, wire, value


def _entry(data: bytes) -> tuple[str, bytes]:
    key, value = "", b""
    for number, _, raw in _fields(data):
        if number == 1:
            key = raw.decode()
        elif number == 2:
            value = raw
    return key, value


def _message(data: bytes, name: str) -> dict:
    out: dict = {}
    for number, _, raw in _fields(data):
        if number not in MESSAGES[name]:
            continue
        field, kind = MESSAGES[name][number]
        if kind == "string":
            if raw:
                out[field] = raw.decode()
        elif kind == "raw":
            out[field] = raw
        elif kind == "bool":
            out[field] = bool(raw)
        elif kind == "strings":
            out.setdefault(field, []).append(raw.decode())
        elif kind in ("map", "bytesmap"):
            key, value = _entry(raw)
            out.setdefault(field, {})[key] = value.decode() if kind == "map" else base64.b64encode(value).decode()
        else:
            out[field] = _message(raw, kind)
    return out


def decode(data: bytes) -> dict:
    """The object a protobuf request body carries, as JSON would carry it."""
    if not data.startswith(MAGIC):
        raise ProtobufError("provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]")
    unknown = _message(data[len(MAGIC):], "Unknown")
    type_meta = unknown.get("typeMeta", {})
    kind = type_meta.get("kind", "")
    if kind not in KINDS:
        raise ProtobufError(f"no protobuf decoding for kind {kind!r}")
    return {**type_meta, **_message(unknown.get("raw", b""), kind)}
