"""Fixtures of the lab tests: a lab whose APIC and RHV Manager are served over HTTP (vmm_lab.py)."""

from vmm_lab import lab_apic_rhv  # noqa: F401 (a fixture)
