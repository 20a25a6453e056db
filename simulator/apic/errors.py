"""APIC errors as the real controller words them.

Texts marked [R] in ../shared/research/apic-rest.md were captured from real controllers; the few
whose exact wording was never recorded (103, 102, bad signature, malformed filter) follow the
real ones' style and are kept here, in one place, so that a recording can correct them.
"""

from __future__ import annotations


class ApicError(Exception):
    """An error the REST layer answers with APIC's envelope: HTTP status, error code and text."""

    def __init__(self, http_status: int, code: str | int, text: str):
        super().__init__(text)
        self.http_status = http_status
        self.code = str(code)
        self.text = text


def bad_request(text: str, code: str | int = 400) -> ApicError:
    return ApicError(400, code, text)


# --- authentication ([R] unless noted) ---
def need_cookie() -> ApicError:
    return ApicError(
        403,
        403,
        "Need a valid webtoken cookie (named APIC-Cookie) or a signed request with signature in the "
        "cookie APIC-Request-Signature for all REST API requests",
    )


def token_timeout() -> ApicError:
    return ApicError(403, 403, "Token was invalid (Error: Token timeout)")


def login_failed() -> ApicError:
    return ApicError(401, 401, "Username or password is incorrect - FAILED local authentication")


def signature_failed(reason: str) -> ApicError:
    # [M] real text unrecorded; clients only look at the 403
    return ApicError(403, 403, f"Signature verification failed: {reason}")


# --- reads ---
def unresolved_class(name: str) -> ApicError:
    return ApicError(400, 400, f"Request failed, unresolved class for {name}")


def invalid_dn(text: str) -> ApicError:
    return ApicError(400, 400, text)


def invalid_filter(text: str) -> ApicError:
    # [M] aci-sim answers a bad filter with code 107; the real text is unrecorded
    return ApicError(400, 107, text)


# --- writes ---
def nesting_too_deep(limit: int) -> ApicError:
    # [M] the real limit and text are unrecorded; the MIT's deepest DNs hold about 20 RNs
    return ApicError(400, 400, f"invalid data at line '1'. Objects are nested deeper than {limit} levels")


def dn_too_long(dn: str, limit: int) -> ApicError:
    # [M] modelled on the real "Invalid DN <dn>, wrong rn prefix <rn> at position <n>"
    return ApicError(400, 400, f"Invalid DN {_shown(dn)}, longer than {limit} characters")


def bad_encoding(where: str) -> ApicError:
    # [M] nginx refuses such requests before the DME sees them; the text is ours
    return ApicError(400, 400, f"Invalid request: {where} is not valid UTF-8")


def _shown(text: str, limit: int = 200) -> str:
    """A client's text echoed in an error, cut short: a 100k-character value need not come back whole."""
    return text if len(text) <= limit else text[:limit] + "..."


def json_parse_failed(detail: str) -> ApicError:
    return ApicError(400, 400, f"JSON parsing failed - {detail}")


def xml_parse_failed(detail: str) -> ApicError:
    return ApicError(400, 400, f"XML parsing failed - {detail}")


def attributes_first() -> ApicError:
    return ApicError(
        400,
        400,
        "invalid data at line '1'. Attributes are missing, tag 'attributes' must be specified first, "
        "before any other tag",
    )


def incomplete_node(line: int = 1) -> ApicError:
    return ApicError(400, 400, f"incomplete node at line {line}")


def unknown_class(name: str) -> ApicError:
    return ApicError(400, 122, f"unknown managed object class {name}")


def unknown_attribute(prop: str, cls: str) -> ApicError:
    return ApicError(400, 400, f"unknown attribute '{prop}' in element '{cls}'")


def bad_value(value: str, prop: str, cls: str, dn: str) -> ApicError:
    return ApicError(400, 120, f"unknown property value {_shown(value)}, name {prop}, class {cls} [(Dn0)] "
                               f"Dn0={_shown(dn)}, ")


def failed_validation(prop: str, dn: str, value: str) -> ApicError:
    return ApicError(400, 801, f"property {prop} of {_shown(dn)} failed validation for value '{_shown(value)}'")


def invalid_configuration(detail: str) -> ApicError:
    # [R] ansible-aci aci_epg_to_domain test: "Invalid Configuration. Uplink Id can not be higher than 32."
    return ApicError(400, 120, f"Invalid Configuration. {detail}")


def read_only(prop: str, cls: str, dn: str) -> ApicError:
    # [M] modelled on the create-only text below
    return ApicError(400, 400, f"Read-only props cannot be modified, class={cls}, prop={prop}, dn={dn}")


def create_only(cls: str, prop: str) -> ApicError:
    return ApicError(400, 400, f"Create-only and naming props cannot be modified after creation, class={cls}, prop={prop}")


def cannot_contain(child_rn: str, parent_dn: str) -> ApicError:
    return ApicError(400, 400, f"Invalid request. Can not contain child '{child_rn}' under parent '{parent_dn}'")


def dn_not_valid_for_class(dn: str, cls: str) -> ApicError:
    return ApicError(400, 400, f"Invalid request. dn '{dn}' is not valid for class {cls}")


def invalid_rn(rn: str) -> ApicError:
    return ApicError(400, 104, f"Invalid RN {rn}")


def naming_mismatch(prop: str, value: str, dn: str) -> ApicError:
    # [M] the real controller rejects a naming value that contradicts the DN as an invalid RN
    return ApicError(400, 104, f"Invalid RN: naming property {prop}={value} does not match dn {dn}")


def already_exists(dn: str) -> ApicError:
    # [M] code 103 is recorded (aci-go-client ignores it); the text is not
    return ApicError(400, 103, f"Cannot create object, it already exists: {dn}")


def not_found_for_modify(dn: str) -> ApicError:
    # [M]
    return ApicError(400, 102, f"configured object ((Dn0)) not found Dn0={dn}, ")


def cannot_delete(dn: str) -> ApicError:
    # [M] code 107 is recorded as the generic "cannot delete"
    return ApicError(400, 107, f"Cannot delete object of this class: {dn}")


def body_too_large(limit: int) -> ApicError:
    return ApicError(413, 413, f"Request body exceeds the {limit} byte limit for data payloads")


# --- local users ([R]) ---
def password_history(user: str, count: int) -> ApicError:
    """A local user's new password is one of its last `count` (ansible-aci aci_aaa_user integration test,
    nm_add_user_no_password_change, APIC 6.0 and later: "APIC Error 1: Password history check: ...")."""
    return ApicError(400, 1, f"Password history check: user {user} should not use previous {count} passwords")
