"""The error answer of an `error` rule, in the shape the system's real clients parse.

- APIC: the error envelope `{"totalCount":"1","imdata":[{"error":{"attributes":{"code","text"}}}]}`, in XML
  when the path ends in .xml (codec.render_error, as every APIC refusal); code is the HTTP status, as the
  APIC's own 4xx/5xx envelopes carry it.
- RHV: the engine's `<fault><reason/><detail/></fault>`, JSON when the client's Accept prefers it (as the
  REST layer chooses); reason "Operation Failed" for a 5xx, the restapi's words for an unexpected backend
  error (BaseBackendResource.handleError), else the status's phrase. Under /ovirt-engine/sso/ the OAuth
  shape the SSO service answers with: `{"error_code": ..., "error": ...}`.
- Kubernetes: a metav1 Status with the StatusReason and message the apiserver gives each code
  (k8s.io/apimachinery pkg/api/errors: NewInternalError, NewServiceUnavailable, NewTooManyRequests, ...).
The texts are the simulator's unless a rule gives its own `text`.
"""

from __future__ import annotations

import http
import json

from ..apic import codec as apic_codec
from ..apic.errors import ApicError
from ..k8s.errors import KubeError
from ..rhv.wire import json_codec, xml_codec
from ..rhv.wire.envelopes import fault
from .rules import FaultRule

# StatusReason and message per code, as k8s.io/apimachinery pkg/api/errors words them
KUBE_REASONS = {
    400: ("BadRequest", "the server rejected our request for an unknown reason"),
    401: ("Unauthorized", "Unauthorized"),
    403: ("Forbidden", "forbidden"),
    404: ("NotFound", "the server could not find the requested resource"),
    409: ("Conflict", "the server reported a conflict"),
    429: ("TooManyRequests", "the server has received too many requests and has asked us to try again later"),
    500: ("InternalError", "an error on the server (\"\") has prevented the request from succeeding"),
    503: ("ServiceUnavailable", "the server is currently unable to handle the request"),
    504: ("Timeout", "the server was unable to return a response in the time allotted, but may still be "
                     "processing the request"),
}


def phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def status_line(status: int) -> str:
    return f"{status} {phrase(status)}"


def error_answer(rule: FaultRule, environ: dict) -> tuple[int, list[tuple[str, str]], bytes]:
    """(status, headers, body) of the error `rule` answers this request with."""
    status, method, path = rule.status, environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", "")
    if rule.system == "apic":
        fmt = "xml" if path.endswith(".xml") else "json"
        text = rule.text or f"{phrase(status)}: {method} {path}"
        body = apic_codec.render_error(ApicError(status, status, text), fmt).encode("utf-8")
        kind = "application/xml; charset=utf-8" if fmt == "xml" else "application/json"
    elif rule.system == "rhv" and path.startswith("/ovirt-engine/sso/"):
        # the engine's SSO answers its errors as OAuth does: JSON error_code and error (ovirt.md §1)
        code = "server_error" if status >= 500 else "invalid_request"
        body, kind = json.dumps({"error_code": code, "error": rule.text or phrase(status)}).encode(), "application/json"
    elif rule.system == "rhv":
        reason = "Operation Failed" if status >= 500 else phrase(status)
        obj = fault(reason, rule.text or phrase(status))
        if _wants_json(environ.get("HTTP_ACCEPT", "")):
            body, kind = json_codec.render(obj), "application/json"
        else:
            body, kind = xml_codec.render(obj), "application/xml"
    else:
        reason, message = KUBE_REASONS.get(status, (phrase(status).replace(" ", ""), phrase(status)))
        status_obj = KubeError(status, reason, rule.text or message).status()
        body, kind = json.dumps(status_obj, separators=(",", ":")).encode(), "application/json"
    headers = [("Content-Type", kind), ("Content-Length", str(len(body)))]
    if rule.system == "apic":
        headers.extend(apic_codec.SECURITY_HEADERS.items())  # as every APIC answer carries them
    if status in (429, 503):
        headers.append(("Retry-After", "1"))
    return status, headers, body


def _wants_json(accept: str) -> bool:
    """As the RHV REST layer decides: JSON when application/json comes before any XML type."""
    json_at, xml_at = accept.find("application/json"), accept.find("xml")
    return json_at >= 0 and (xml_at < 0 or json_at < xml_at)
