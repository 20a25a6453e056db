"""Connections as a production front end handles them: kept alive, timed out, never blocking each other."""

from __future__ import annotations

import http.client
import socket
import ssl
import threading

import pytest
import requests
from serving_client import SAFETY, bare_app, connect, read_to_eof


def _client(server) -> http.client.HTTPConnection:
    if server.scheme == "https":
        return http.client.HTTPSConnection(server.host, server.port, timeout=SAFETY,
                                           context=ssl._create_unverified_context())
    return http.client.HTTPConnection(server.host, server.port, timeout=SAFETY)


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_two_requests_share_one_connection(tiny_servers, tls):
    client = _client(tiny_servers[tls])
    client.request("GET", "/first")
    first = client.getresponse()
    assert first.read() == b"GET /first"
    sock = client.sock
    client.request("GET", "/second")
    second = client.getresponse()
    assert second.read() == b"GET /second"
    assert client.sock is sock  # http.client reconnects (a new socket) when the server closed the first
    assert (first.getheader("Connection") or "").lower() != "close"
    client.close()


def test_the_apic_keeps_a_requests_session_alive(lab):
    http_ = requests.Session()
    http_.trust_env = False
    http_.verify = False
    url = lab.apic_server.url
    login = http_.post(f"{url}/api/aaaLogin.json",
                       json={"aaaUser": {"attributes": {"name": "admin", "pwd": "secret"}}})
    assert login.status_code == 200
    assert "close" not in login.headers.get("Connection", "").lower()
    for _ in range(3):
        assert http_.get(f"{url}/api/mo/uni/tn-common.json").status_code == 200
    pools = http_.get_adapter(url).poolmanager.pools
    assert sum(pools[key].num_connections for key in pools.keys()) == 1  # one connection for all four requests


def test_a_client_that_never_says_hello_blocks_no_one(tiny_servers):
    server = tiny_servers[True]
    silent = socket.create_connection((server.host, server.port), timeout=SAFETY)  # no TLS ClientHello
    try:
        client = _client(server)
        client.request("GET", "/meanwhile")
        assert client.getresponse().read() == b"GET /meanwhile"
        client.close()
    finally:
        silent.close()


def test_a_silent_tls_client_is_dropped_after_the_handshake_timeout(tiny_servers):
    server = tiny_servers[True]
    with socket.create_connection((server.host, server.port), timeout=SAFETY) as silent:
        assert read_to_eof(silent) == b""  # closed by the server, without a word


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_an_idle_kept_alive_connection_is_closed_after_the_idle_timeout(tiny_servers, tls):
    with connect(tiny_servers[tls]) as sock:
        sock.sendall(b"GET /once HTTP/1.1\r\nHost: lab\r\n\r\n")
        reply = read_to_eof(sock)  # the answer, then the close when the keep-alive timeout passes
    assert reply.startswith(b"HTTP/1.1 200 ")
    assert b"\r\nContent-Type: text/plain\r\n" in reply  # header names as the app wrote them (case-sensitive clients)
    assert reply.endswith(b"GET /once")


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_a_stalled_request_head_is_dropped_after_the_header_timeout(tiny_servers, tls):
    with connect(tiny_servers[tls]) as sock:
        sock.sendall(b"GET /stalled HTTP/1.1\r\nHost: lab\r\n")  # the blank line never comes
        assert read_to_eof(sock) == b""


def test_a_connection_opened_and_left_silent_is_dropped_after_the_header_timeout(tiny_servers):
    with connect(tiny_servers[False]) as sock:
        assert read_to_eof(sock) == b""


def test_a_stalled_head_on_a_kept_alive_connection_is_dropped_too(tiny_servers):
    with connect(tiny_servers[False]) as sock:
        sock.sendall(b"GET /first HTTP/1.1\r\nHost: lab\r\n\r\nGET /second HTTP/1.1\r\n")
        reply = read_to_eof(sock)
    assert reply.count(b"HTTP/1.1 200 ") == 1


def test_more_slow_requests_than_workers_all_complete_two_at_a_time(tiny_servers, gate):
    server = tiny_servers[False]
    answers: list[bytes] = []

    def one() -> None:
        client = _client(server)
        client.request("GET", "/slow")
        answers.append(client.getresponse().read())
        client.close()

    clients = [threading.Thread(target=one) for _ in range(6)]
    for thread in clients:
        thread.start()
    assert gate.wait_active(2)
    gate.open.set()
    for thread in clients:
        thread.join(SAFETY)
    assert answers == [b"GET /slow"] * 6
    assert gate.peak == 2  # the server's two workers, never more


def test_stop_closes_idle_connections_at_once(tmp_path, gate):
    from simulator.serving import serve_in_thread


    server = serve_in_thread(bare_app(gate), tls=True, tls_dir=tmp_path / "tls")  # default 60 s keep-alive
    client = _client(server)
    client.request("GET", "/before")
    assert client.getresponse().read() == b"GET /before"
    server.stop()
    assert not server.thread.is_alive()
    assert read_to_eof(client.sock) == b""  # the kept-alive connection was closed by the stop


def test_a_stream_whose_client_left_ends_at_its_next_chunk(tmp_path):
    """As a Kubernetes watch: the server notices the client has gone and closes the app's generator, so
    the worker is free again (the watch's subscription ends) instead of streaming into the void."""
    import queue

    from simulator.serving import serve_in_thread

    chunks: queue.Queue = queue.Queue()
    closed = threading.Event()

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "application/json")])

        def stream():
            try:
                yield b""
                while (chunk := chunks.get(timeout=SAFETY)) is not None:
                    yield chunk
            finally:
                closed.set()
        return stream()

    server = serve_in_thread(app, tls=False)
    try:
        client = _client(server)
        client.request("GET", "/watch")
        response = client.getresponse()
        assert response.status == 200
        chunks.put(b'{"type":"ADDED"}\n')
        assert response.readline() == b'{"type":"ADDED"}\n'
        client.close()  # kubectl exits
        for _ in range(50):  # each chunk after the close finds the client gone; the first may still be sent
            if closed.is_set():
                break
            chunks.put(b'{"type":"MODIFIED"}\n')
            closed.wait(0.1)
        assert closed.is_set()
    finally:
        chunks.put(None)
        server.stop()
