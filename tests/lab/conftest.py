"""Fixtures of the lab tests: a lab whose APIC and RHV Manager are served over HTTP, and an RHV Manager
served alone with an oVirt source that reaches it (vmm_lab.py)."""

from vmm_lab import fresh, lab_apic_rhv, served  # noqa: F401 (fixtures)
