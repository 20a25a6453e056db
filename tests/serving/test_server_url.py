"""The URL a served lab hands its clients: a wildcard listening address is reached on loopback."""

from __future__ import annotations

import pytest
import requests

from simulator.serving import serve_in_thread


def hello(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]


@pytest.mark.parametrize(("host", "expected"), [("0.0.0.0", "http://127.0.0.1:"), ("127.0.0.1", "http://127.0.0.1:")])
def test_the_url_of_a_server_names_an_address_a_client_can_reach(host, expected):
    server = serve_in_thread(hello, host, 0, tls=False)
    try:
        assert server.url == f"{expected}{server.port}"
        assert requests.get(server.url, timeout=10).text == "ok"
    finally:
        server.stop()
