"""The simulated Red Hat Virtualization Manager (oVirt Engine API v4).

`service.Rhv` is the model (inventory, state machines on the clock, audit log, SSO), free of
HTTP; `rest.create_app` serves it under /ovirt-engine/ the way the engine does.
"""
