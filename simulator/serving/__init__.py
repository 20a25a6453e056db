"""Serving the lab's apps on real sockets: a production HTTP server embedded in the process.

The simulator is a real HTTP(S) server because its clients are other processes (acc-provision,
Ansible, pycurl in ovirtsdk4, kubectl); the same runner serves `acisim serve` and the pytest fixture.
"""

from .limits import STREAMING, ErrorPage, ServerLimits, plain_error_page
from .runner import RunningServer, Server, serve_in_thread

__all__ = ["STREAMING", "ErrorPage", "RunningServer", "Server", "ServerLimits", "plain_error_page",
           "serve_in_thread"]
