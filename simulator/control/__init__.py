"""The /_sim control API: powers a real APIC or engine does not have (reset, clock, RHV powers), for
tests and labs.

It lives beside the emulated API on paths no real client uses, and BDD steps that need it carry the
@sim tag so the same features run against real gear. One module per area; each registers its routes
on the one blueprint below, which the lab mounts on the APIC's server.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("sim_control", __name__, url_prefix="/_sim")

from . import cni_routes, k8s_routes, lab_routes, rhv_routes, snapshots  # noqa: E402,F401  (route modules register on bp)
