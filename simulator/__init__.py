"""acisim: offline simulator of a Cisco APIC and a Red Hat Virtualization Manager."""

__version__ = "0.1.0"
