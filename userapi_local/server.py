"""The HTTP side: a threaded server on loopback, one access-log line per request.

``http.server`` speaks HTTP/1.1 with keep-alive (so test clients reuse
connections) and hands each request to ``LocalApi``. Nothing here knows the
API: it only turns sockets into ``IncomingRequest`` and ``HttpResponse``
back into bytes.
"""

from __future__ import annotations

import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, TextIO
from urllib.parse import parse_qs, urlsplit

from .app import OPENAPI_PATH, LocalApi
from .events import IncomingRequest
from .gateway import MAX_REQUEST_BYTES, HttpResponse


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, keep-alive clients
    # wait out a 40 ms delayed ACK on every response that has a body.
    disable_nagle_algorithm = True
    server_version = "userapi-local"
    sys_version = ""
    server: LocalServer

    def __getattr__(self, name: str) -> Callable[[], None]:
        # Every HTTP method goes through the gateway, which decides what exists.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = bytearray()
            while len(chunks) <= MAX_REQUEST_BYTES:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return bytes(chunks)
                chunks += self.rfile.read(size)
                self.rfile.readline()
            self.close_connection = True
            return bytes(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_REQUEST_BYTES:  # read no further than the gateway would
            self.close_connection = True
            return self.rfile.read(MAX_REQUEST_BYTES + 1)
        return self.rfile.read(length) if length > 0 else b""

    def _serve(self) -> None:
        started = time.perf_counter()
        url = urlsplit(self.path)
        try:
            body = self._read_body()
        except ValueError:
            self.send_error(400, "Bad chunked body")
            return
        request = IncomingRequest(
            method=self.command,
            path=url.path or "/",
            query=parse_qs(url.query, keep_blank_values=True),
            raw_query=url.query,
            headers=list(self.headers.items()),
            body=body,
            source_ip=self.client_address[0],
        )
        if self.command == "GET" and url.path == OPENAPI_PATH:
            host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
            response, resource = self.server.api.openapi(f"http://{host}"), OPENAPI_PATH
        else:
            outcome = self.server.api.handle(request)
            response, resource = outcome.response, outcome.resource
        elapsed_ms = (time.perf_counter() - started) * 1000
        # Logged before the answer is sent: a client that has its answer can
        # rely on the line being written, even if Ctrl-C follows at once.
        self.server.log_line(
            f'{request.source_ip} "{self.command} {url.path}" {response.status} '
            f"{elapsed_ms:.1f}ms resource={resource} request_id={request.request_id}"
        )
        self._write(response)

    def _write(self, response: HttpResponse) -> None:
        self.send_response_only(response.status)
        self.send_header("Date", self.date_time_string())
        for name, value in response.headers:
            if name.lower() not in ("content-length", "connection", "date"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        """Silence http.server's own log: the access line above replaces it."""


class LocalServer(ThreadingHTTPServer):
    """A loopback HTTP server bound to one ``LocalApi``."""

    daemon_threads = True
    # SO_REUSEADDR (a quick restart despite TIME_WAIT) but never SO_REUSEPORT:
    # a port another server listens on must stay an error.
    allow_reuse_address = True
    allow_reuse_port = False

    def __init__(self, address: tuple[str, int], log: TextIO = sys.stderr) -> None:
        """Bind now (a taken port fails fast); ``api`` is attached before serving."""
        super().__init__(address, _Handler)
        self.api: LocalApi
        self._log = log

    def log_line(self, line: str) -> None:
        """One access-log line: method, path, status, latency, resource, request id.

        One ``write`` call per line (``print`` writes the text and the newline
        separately), so lines from concurrent request threads and the
        shutdown message never interleave.
        """
        self._log.write(f"{line}\n")
        self._log.flush()
