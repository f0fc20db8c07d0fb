"""Hostile input and connection bursts, over raw sockets to the real local server.

Every request, however malformed, is answered in the API's error envelope
(JSON, the CORS header, a request id) and never with http.server's HTML
page, a dropped connection or a thread held forever. Expectations come from
shared/API.md (the envelope) and HTTP/1.1 (RFC 9112: which framing errors
exist and that the connection is closed after them). The handlers answer
the same deeply nested body 400 as well (tests/test_fn_handlers.py).
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from local_api_fixture import NO_THROTTLING, LocalApi, running

#: A short read timeout, so the slow-body case is bounded to about a second.
READ_TIMEOUT = 1.0
#: Deeper than Python's default recursion limit (1,000), which the JSON
#: parser and the schema validator both run into.
DEEP = 5_000


@pytest.fixture(scope="module")
def api() -> Iterator[LocalApi]:
    with running((*NO_THROTTLING, "--read-timeout", str(READ_TIMEOUT))) as server:
        yield server


def _address(api: LocalApi) -> tuple[str, int]:
    parts = urlsplit(api.url)
    assert parts.hostname and parts.port
    return parts.hostname, parts.port


def exchange(api: LocalApi, raw: bytes, timeout: float = 10.0) -> http.client.HTTPResponse:
    """Send ``raw`` bytes on a fresh connection; the parsed answer, body read."""
    sock = socket.create_connection(_address(api), timeout=timeout)
    try:
        sock.sendall(raw)
        response = http.client.HTTPResponse(sock)
        response.begin()
        response.body = response.read()  # type: ignore[attr-defined]
        return response
    finally:
        sock.close()


def request_bytes(
    method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b""
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def assert_envelope(response: http.client.HTTPResponse, status: int, code: str) -> dict[str, Any]:
    body = response.body  # type: ignore[attr-defined]
    assert response.status == status, body[:300]
    assert response.getheader("Content-Type", "").startswith("application/json")
    assert response.getheader("Access-Control-Allow-Origin") == "*"
    error = json.loads(body)["error"]
    assert error["code"] == code
    assert error["request_id"] == response.getheader("x-amzn-RequestId")
    assert isinstance(error["message"], str) and error["message"]
    return error


JSON = {"Content-Type": "application/json"}
DEEP_ARRAY = b'{"email": "a@example.com", "name": ' + b"[" * DEEP + b"]" * DEEP + b"}"
DEEP_OBJECT = b'{"a":' * DEEP + b"1" + b"}" * DEEP
SOME_ID = str(uuid.uuid4())

#: (case, raw request, status, error code, whether the server closes the connection)
HOSTILE = [
    (
        "body nested 5,000 arrays deep (POST)",
        request_bytes(
            "POST", "/users", {**JSON, "Content-Length": str(len(DEEP_ARRAY))}, DEEP_ARRAY
        ),
        400,
        "validation_failed",
        False,
    ),
    (
        "body nested 5,000 objects deep (PUT)",
        request_bytes(
            "PUT",
            f"/users/{SOME_ID}",
            {**JSON, "Content-Length": str(len(DEEP_OBJECT))},
            DEEP_OBJECT,
        ),
        400,
        "validation_failed",
        False,
    ),
    (
        "chunk size that is not hex",
        request_bytes("POST", "/users", {**JSON, "Transfer-Encoding": "chunked"}, b"zz\r\n{}\r\n"),
        400,
        "bad_request",
        True,
    ),
    (
        "chunk longer than its size",
        request_bytes(
            "POST", "/users", {**JSON, "Transfer-Encoding": "chunked"}, b"2\r\n{}}}\r\n0\r\n\r\n"
        ),
        400,
        "bad_request",
        True,
    ),
    (
        "transfer coding other than chunked",
        request_bytes("POST", "/users", {**JSON, "Transfer-Encoding": "gzip"}, b"{}"),
        400,
        "bad_request",
        True,
    ),
    (
        "Content-Length not a number",
        request_bytes("POST", "/users", {**JSON, "Content-Length": "abc"}, b"{}"),
        400,
        "bad_request",
        True,
    ),
    (
        "Content-Length negative",
        request_bytes("POST", "/users", {**JSON, "Content-Length": "-1"}, b"{}"),
        400,
        "bad_request",
        True,
    ),
    (
        "two different Content-Lengths",
        request_bytes("POST", "/users", {**JSON, "Content-Length": "2"}, b"{}").replace(
            b"Content-Length: 2", b"Content-Length: 2\r\nContent-Length: 3"
        ),
        400,
        "bad_request",
        True,
    ),
    (
        "a 64 KB path",
        request_bytes("GET", "/users/" + "a" * 65_536),
        414,
        "bad_request",
        True,
    ),
    (
        "a header line over 64 KB",
        request_bytes("GET", f"/users/{SOME_ID}", {"X-Big": "b" * 70_000}),
        431,
        "bad_request",
        True,
    ),
    (
        "more than 100 headers",
        request_bytes("GET", f"/users/{SOME_ID}", {f"X-H{i}": "1" for i in range(120)}),
        431,
        "bad_request",
        True,
    ),
    ("a request line that is not HTTP", b"GARBAGE\r\n\r\n", 400, "bad_request", True),
    (
        "an HTTP version the server does not speak",
        b"GET /users HTTP/2.0\r\nHost: 127.0.0.1\r\n\r\n",
        505,
        "bad_request",
        True,
    ),
    (
        "Content-Length larger than the body sent (read timeout)",
        request_bytes("POST", "/users", {**JSON, "Content-Length": "100"}, b'{"email": '),
        408,
        "bad_request",
        True,
    ),
]


@pytest.mark.parametrize(
    ("raw", "status", "code", "closes"),
    [case[1:] for case in HOSTILE],
    ids=[case[0] for case in HOSTILE],
)
def test_hostile_requests_get_an_enveloped_answer(
    api: LocalApi, raw: bytes, status: int, code: str, closes: bool
) -> None:
    response = exchange(api, raw)
    assert_envelope(response, status, code)
    # After a framing error nothing more on the connection can be trusted.
    assert (response.getheader("Connection") == "close") is closes


def test_an_idle_keep_alive_connection_is_closed_after_the_read_timeout(api: LocalApi) -> None:
    sock = socket.create_connection(_address(api), timeout=10)
    try:
        started = time.monotonic()
        assert sock.recv(1) == b""  # the server closes it; nothing was asked, nothing is said
        assert time.monotonic() - started < READ_TIMEOUT + 5
    finally:
        sock.close()


def test_a_burst_of_100_connections_is_answered(api: LocalApi) -> None:
    """100 clients connect at once (far past http.server's default backlog of 5)."""
    clients = 100
    barrier = threading.Barrier(clients)
    answers: list[int] = []
    failures: list[BaseException] = []

    def client() -> None:
        try:
            barrier.wait(timeout=30)
            connection = http.client.HTTPConnection(*_address(api), timeout=10)
            connection.request("GET", f"/users/{uuid.uuid4()}")
            response = connection.getresponse()
            body = json.loads(response.read())
            assert body["error"]["code"] == "not_found"
            answers.append(response.status)
            connection.close()
        except BaseException as exc:  # collected, then reported by the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures[:3]
    assert answers == [404] * clients
