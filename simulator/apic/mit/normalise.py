"""The APIC's own rules for the values a write gives: each is checked, then stored as the APIC answers it.

Clients compare what they sent with what they read back (cisco.aci's get_diff decides `changed` that
way), so a value stored as sent where the APIC rewrites it makes every re-run report a change. Two
layers live here:

- per kind (`checked_value`): enums and numbers are checked; a bitmask is a comma list of flags, in
  any order and with repeats, stored as its distinct flags in alphabetical order (the order of every
  recorded answer: aci_bd_subnet's ctrl "nd,no-default-gateway,querier" for the module's
  "querier,nd,no-default-gateway" order, aci_l3out_extsubnet's scope "export-rtctrl,import-rtctrl,
  import-security", aci_l3out_bgp_peer's ctrl "nh-self,send-com,send-ext-com", all in ansible-aci's
  tests/integration/targets); the zero flag `unspecified` adds no bit, so ctrl "unspecified" answers ""
  (aci_bd_subnet: update_subnet_control_unspecified), unless the property's zero value is itself
  shown as "unspecified" (its default, as stpIfPol.ctrl's meta default is);
- per class (`apply_class_rules`): the few classes whose properties depend on each other or carry a
  meaning beyond their type (filter entry port ranges, uplink order lists, the password history action).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from .. import errors
from .catalog import PropMeta

ZERO_FLAGS = frozenset({"unspecified"})

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_REGEX_CACHE: dict[str, re.Pattern] = {}


def checked_value(spec: PropMeta, value: str, cls: str, dn: str) -> str:
    """`value` as the APIC stores it; its error (120 unknown value, 801 failed validation) otherwise."""
    if spec.kind == "bitmask":
        return _bitmask(spec, value, cls, dn)
    if spec.kind == "enum":
        if spec.values and value not in spec.values:
            raise errors.bad_value(value, spec.name, cls, dn)
    elif spec.kind == "number":
        _check_number(spec, value, cls, dn)
    elif spec.kind == "string":
        _check_string(spec, value, dn)
    return value


def _bitmask(spec: PropMeta, value: str, cls: str, dn: str) -> str:
    flags = {flag.strip() for flag in value.split(",")} - {""}
    if spec.values and any(flag not in spec.values for flag in flags):
        raise errors.bad_value(value, spec.name, cls, dn)
    named = sorted(flags - ZERO_FLAGS)
    if named:
        return ",".join(named)
    return spec.default if spec.default in ZERO_FLAGS else ""


def _check_number(spec: PropMeta, value: str, cls: str, dn: str) -> None:
    if spec.values and value in spec.values:
        return
    if not _NUMBER.match(value):
        raise errors.bad_value(value, spec.name, cls, dn)
    number = float(value)
    if (spec.min is not None and number < spec.min) or (spec.max is not None and number > spec.max):
        raise errors.failed_validation(spec.name, dn, value)


# characters no XML answer can carry (the APIC answers in XML as natively as in JSON): C0 controls but tab,
# newline and return, lone surrogates, U+FFFE and U+FFFF; refused in every string value, those the catalog
# gives no pattern for included (tagAnnotation.value, a password)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _check_string(spec: PropMeta, value: str, dn: str) -> None:
    if value == "" and not spec.min:
        return
    if not value.isascii() or not value.isprintable():
        if _NOT_XML.search(value):
            raise errors.failed_validation(spec.name, dn, value)
    if spec.min is not None and len(value) < spec.min or spec.max is not None and len(value) > spec.max:
        raise errors.failed_validation(spec.name, dn, value)
    if spec.regex and not any(_regex(r).match(value) for r in spec.regex):
        raise errors.failed_validation(spec.name, dn, value)


def _regex(text: str) -> re.Pattern:
    pattern = _REGEX_CACHE.get(text)
    if pattern is None:
        try:
            pattern = re.compile(text)
        except re.error:
            pattern = re.compile(".*", re.DOTALL)
        _REGEX_CACHE[text] = pattern
    return pattern


# --- per class ------------------------------------------------------------------------------------
# A rule sees the checked attributes of one write (changed in place), the values the MO holds before
# it (its defaults when the write creates it) and the MO's DN.
ClassRule = Callable[[dict[str, str], Mapping[str, str], str], None]


def apply_class_rules(cls: str, attrs: dict[str, str], before: Mapping[str, str], dn: str) -> None:
    rule = CLASS_RULES.get(cls)
    if rule is not None:
        rule(attrs, before, dn)


# Ports (vzEntry's sFromPort..dToPort, hostprotRule's fromPort/toPort): a port is a number up to 65535 or
# one of the names the APIC has for well-known ports, and a number with a name is answered by its name, as
# port 0 is "unspecified". The table is the APIC's answers as the aci-containers controller copies them
# (pkg/apicapi/apic_metadata.go portNormalizations, applied by filterEntryNormalizer to vzEntry and by
# ruleNormalizer to hostprotRule before the controller compares its objects with the APIC's); the same names
# are terraform-provider-aci docs/resources/filter_entry.md's allowed values, and ansible-aci's aci_filter_entry
# test records them read back (source_port_start 20 answers sFromPort "ftpData", source_port 53 "dns").
# Names are taken as spelled there (the controller's table, like every recorded answer, is case-exact); the
# table is keyed by the number as a client writes it (the controller looks up its exact text), so a number
# given with leading zeros keeps its number.
PORT_NAMES = {"0": "unspecified", "20": "ftpData", "25": "smtp", "53": "dns", "80": "http", "110": "pop3",
              "443": "https", "554": "rtsp"}
PORT_VALUES = frozenset(PORT_NAMES.values())
PORT_PAIRS = (("sFromPort", "sToPort"), ("dFromPort", "dToPort"))
# IP protocols the APIC names, by number: a number with a name is answered by its name (aci-containers
# pkg/apicapi/apic_metadata.go protoNormalizations, the controller's copy of the APIC's answers)
PROTOCOL_NAMES = {"0": "unspecified", "1": "icmp", "2": "igmp", "6": "tcp", "8": "egp", "9": "igp", "17": "udp",
                  "58": "icmpv6", "88": "eigrp", "89": "ospfigp", "103": "pim", "115": "l2tp", "132": "sctp"}
PROTOCOL_VALUES = frozenset(PROTOCOL_NAMES.values())


def _filter_entry(attrs: dict[str, str], before: Mapping[str, str], dn: str) -> None:
    for prop in ("sFromPort", "sToPort", "dFromPort", "dToPort"):
        if prop in attrs:
            attrs[prop] = _port(prop, attrs[prop], "vzEntry", dn)
    if "prot" in attrs:
        attrs["prot"] = _protocol(attrs["prot"], dn)
    # a range given by its start only ends where it starts (aci_filter_entry test: source_port_start 20
    # alone reads back sToPort "ftpData")
    for start, end in PORT_PAIRS:
        if start in attrs and end not in attrs and before.get(end, "unspecified") == "unspecified":
            attrs[end] = attrs[start]


def _port(prop: str, value: str, cls: str, dn: str) -> str:
    if value in PORT_VALUES:
        return value
    if not value.isdigit() or int(value) > 65535:
        raise errors.bad_value(value, prop, cls, dn)
    number = str(int(value))
    return PORT_NAMES["0"] if number == "0" else PORT_NAMES.get(value, number)


# A host protection rule's port range (hostprotRule, the aci-containers network policy rules) is named the
# same way (the controller's ruleNormalizer normalises fromPort and toPort with the filter entry's table);
# an empty port is the catalog's default for these, no port.
def _host_protection_rule(attrs: dict[str, str], before: Mapping[str, str], dn: str) -> None:
    for prop in ("fromPort", "toPort"):
        if attrs.get(prop):
            attrs[prop] = _port(prop, attrs[prop], "hostprotRule", dn)


def _protocol(value: str, dn: str) -> str:
    if value in PROTOCOL_VALUES:
        return value
    if not value.isdigit() or int(value) > 255:
        raise errors.bad_value(value, "prot", "vzEntry", dn)
    number = str(int(value))
    return PROTOCOL_NAMES.get(number, number)


# Uplink order (fvUplinkOrderCont under an EPG's VMM domain attachment): comma lists of uplink ids,
# active in failover order, then standby. The texts and codes are the APIC's, recorded by ansible-aci's
# aci_epg_to_domain integration test (vmm_uplink_change_active_same_as_standby, vmm_uplink_33_value,
# vmm_uplink_empty_value_active); the module's documentation says which list must stay non-empty.
UPLINK_MAX = 32


def _uplink_order(attrs: dict[str, str], before: Mapping[str, str], dn: str) -> None:
    after = {prop: attrs.get(prop, before.get(prop, "")) for prop in ("active", "standby")}
    if "active" in attrs and after["active"] == "" and before.get("active"):
        raise errors.failed_validation("active", dn, "")
    if "standby" in attrs and after["standby"] == "" and before.get("standby") and not after["active"]:
        raise errors.failed_validation("standby", dn, "")
    ids: list[int] = []
    for text in after.values():
        if text == "":
            continue
        parts = text.split(",")
        if any(not part.isdigit() for part in parts):
            raise errors.invalid_configuration("Uplink Id entered more than once or delimiter was  misused.")
        ids.extend(int(part) for part in parts)
    if any(uplink > UPLINK_MAX for uplink in ids):
        raise errors.invalid_configuration(f"Uplink Id can not be higher than {UPLINK_MAX}.")
    if len(set(ids)) != len(ids):
        raise errors.invalid_configuration("Uplink Id entered more than once or delimiter was  misused.")


# Clearing a local user's password history (aaaUser.clearPwdHistory) is an action, not a setting: the
# property never keeps "yes" (ansible-aci aci_aaa_user test: clear_password_history reports a change on
# every run, the module comparing its "yes" with what it reads back).
def _local_user(attrs: dict[str, str], before: Mapping[str, str], dn: str) -> None:
    if attrs.get("clearPwdHistory") == "yes":
        attrs["clearPwdHistory"] = "no"


CLASS_RULES: dict[str, ClassRule] = {
    "vzEntry": _filter_entry,
    "hostprotRule": _host_protection_rule,
    "fvUplinkOrderCont": _uplink_order,
    "aaaUser": _local_user,
}
