"""Record a running system over its REST API into the files the lab loads back (as vcsim's `govc object.save`
records an inventory that vcsim serves again): an APIC's configurable tree as an `acisim serve --fixture` file
(apic.py), an RHV Manager's inventory as an `--rhv-inventory` file (rhv.py). Both are plain HTTP clients
(requests), so they read the lab and real gear alike.

A session's traffic: a recording reverse proxy (proxy.py, a plain WSGI app) writes each exchange to a JSONL file
(traffic.py), whose acknowledged APIC writes become a fixture or are re-sent to a running APIC (replay.py)."""

from __future__ import annotations


class RecordError(Exception):
    """The system could not be read (unreachable, refused the login, answered an error): one line."""

    def __init__(self, message: str, unreachable: bool = False):
        super().__init__(message)
        self.unreachable = unreachable
