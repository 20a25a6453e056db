"""The simulated Red Hat Virtualization Manager (oVirt Engine API v4).

`model/` holds the engine's state and its one change path (every change an operation that records
its audit event and one typed change on `Rhv.changes`), `resources/` the REST resources in one
registry (routing, links, actions and search derived from it), `wire/` the `Obj` tree with its XML
and JSON codecs; `service.Rhv` is the facade the rest of the lab uses, and `rest.create_app` serves
it under /ovirt-engine/ the way the engine does (Flask only there).
"""
