"""The test suite's root: the domain folders (apic, rhv, nodeprep, fabric, lab) keep their own
fixtures in their conftest.py; shared helpers (`playbooks` for the real Ansible runs) live beside
this file, which puts this folder on the import path."""
