"""The engine's REST resources without HTTP: a request (method, path segments, query, body) in,
a status and an `Obj` out. Reads are in `api_read.py`; adds, removes, updates and actions in
`api_writes.py`; `rest.py` is the HTTP side.
"""

from __future__ import annotations

from .api_read import ApiReply, ApiRequest, Reader
from .api_writes import Writes
from .views_vm import Views

__all__ = ["Api", "ApiReply", "ApiRequest"]


class Api:
    def __init__(self, rhv):
        self.rhv = rhv

    def handle(self, req: ApiRequest) -> ApiReply:
        views = Views(self.rhv, req.base)
        reader = Reader(self.rhv, views, req)
        if req.method == "GET":
            return ApiReply(200, reader.get(req.path))
        return Writes(self.rhv, views, reader, req).handle()
