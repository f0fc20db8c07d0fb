"""The HTTP side: a threaded server on loopback, one access-log line per request.

``http.server`` speaks HTTP/1.1 with keep-alive (so test clients reuse
connections) and hands each request to ``LocalApi``. Nothing here knows the
API: it only turns sockets into ``IncomingRequest`` and ``HttpResponse``
back into bytes.

Every request gets an answer in the API's envelope, with its CORS headers,
also when it never reaches the gateway: http.server's own refusals (a
request line over 64 KB, a header line that is too long, too many headers,
a malformed request line) and the body errors found here (a malformed
``Content-Length`` or chunked body, a body that does not arrive within the
read timeout) are rendered as the template's ``DEFAULT_4XX`` gateway
response, and the connection is closed after them. Only a client that has
gone away gets nothing, having nobody to read it.

Thread model: one thread per connection (``ThreadingHTTPServer``) and a
listen backlog of ``LISTEN_BACKLOG``, so a burst of connections waits in
the kernel's queue instead of being refused; the read timeout bounds how
long an idle keep-alive connection or a slow body holds its thread.
"""

from __future__ import annotations

import sys
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, TextIO
from urllib.parse import SplitResult, parse_qs, urlsplit

from .app import OPENAPI_PATH, LocalApi
from .defaults import DEFAULT_READ_TIMEOUT_SECONDS
from .events import IncomingRequest
from .gateway import MAX_REQUEST_BYTES, HttpResponse

#: Pending connections the kernel queues before ``accept`` (http.server's is 5).
LISTEN_BACKLOG = 1024
#: The longest chunk-size or trailer line of a chunked body.
_MAX_CHUNK_LINE = 1024


def request_target(target: str) -> SplitResult:
    """The path and query of a request target (RFC 9112 3.2).

    Origin form (``/users?limit=5``) is split at the first ``?`` only:
    ``urlsplit`` would read ``//users/x`` as a host ``users`` and a path
    ``/x``. Absolute form (``http://host/users``) is parsed as a URL.
    """
    if target.startswith("/"):
        path, _, query = target.partition("?")
        return SplitResult("", "", path, query, "")
    return urlsplit(target)


class BodyError(Exception):
    """The request body cannot be read: answer ``status`` and close the connection."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class ClientGone(Exception):
    """The client closed the connection mid-request: nobody to answer."""


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

    def setup(self) -> None:
        self.timeout = self.server.read_timeout  # StreamRequestHandler applies it to the socket
        super().setup()

    def _read_body(self) -> bytes:
        """The body, by ``Transfer-Encoding: chunked`` or ``Content-Length``.

        A body over the gateway's limit is read no further than one byte
        past it (the gateway answers 413) and the connection is closed.
        """
        try:
            encoding = self.headers.get("Transfer-Encoding")
            if encoding is not None:
                if encoding.strip().lower() != "chunked":
                    raise BodyError(400, "Transfer-Encoding: only chunked is supported")
                # RFC 9112 6.1: chunked wins over a Content-Length; the
                # connection is not reused after such a message.
                if "Content-Length" in self.headers:
                    self.close_connection = True
                return self._read_chunked()
            return self._read_sized()
        except TimeoutError:
            raise BodyError(408, "the request body did not arrive in time") from None

    def _read_sized(self) -> bytes:
        values = self.headers.get_all("Content-Length") or []
        if not values:
            return b""
        if len(set(values)) > 1 or not values[0].strip().isdigit() or not values[0].isascii():
            raise BodyError(400, "Content-Length: not a single non-negative integer")
        length = int(values[0])
        if length > MAX_REQUEST_BYTES:  # read no further than the gateway would
            self.close_connection = True
            length = MAX_REQUEST_BYTES + 1
        data = self.rfile.read(length)
        if len(data) < length:
            raise ClientGone()
        return data

    def _read_chunked(self) -> bytes:
        body = bytearray()
        while True:
            line = self._chunk_line()
            size_field = line.split(b";", 1)[0].strip()
            try:
                size = int(size_field, 16)
            except ValueError:
                raise BodyError(400, "chunked body: malformed chunk size") from None
            if size < 0 or not size_field.isalnum():
                raise BodyError(400, "chunked body: malformed chunk size")
            if size == 0:
                while self._chunk_line().strip():  # trailer fields, up to the empty line
                    pass
                return bytes(body)
            if len(body) + size > MAX_REQUEST_BYTES:
                self.close_connection = True
                size = MAX_REQUEST_BYTES + 1 - len(body)
                body += self.rfile.read(size)
                return bytes(body)
            chunk = self.rfile.read(size)
            if len(chunk) < size:
                raise ClientGone()
            body += chunk
            if self._chunk_line().strip():
                raise BodyError(400, "chunked body: chunk longer than its size")

    def _chunk_line(self) -> bytes:
        line = self.rfile.readline(_MAX_CHUNK_LINE + 1)
        if not line:
            raise ClientGone()
        if len(line) > _MAX_CHUNK_LINE or not line.endswith(b"\n"):
            raise BodyError(400, "chunked body: line too long")
        return line

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals, in the API's envelope instead of its HTML page."""
        self.close_connection = True
        # Answer in HTTP/1.1 even when the request line was unreadable (http.server
        # then assumes HTTP/0.9, which has no status line or headers at all).
        self.request_version = self.protocol_version
        text = message or HTTPStatus(code).phrase
        self._refuse(code, text, path=getattr(self, "path", "") or "-")

    def _refuse(self, status: int, message: str, path: str) -> None:
        started = time.perf_counter()
        self.close_connection = True
        response, request_id = self.server.api.http_error(status, message)
        self._access_log(path, response.status, started, "-", request_id)
        self._write(response)

    def _serve(self) -> None:
        started = time.perf_counter()
        url = request_target(self.path)
        try:
            body = self._read_body()
        except BodyError as error:
            self._refuse(error.status, error.message, url.path)
            return
        except (ClientGone, ConnectionError):
            self.close_connection = True
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
        # Logged before the answer is sent: a client that has its answer can
        # rely on the line being written, even if Ctrl-C follows at once.
        self._access_log(url.path, response.status, started, resource, request.request_id)
        self._write(response)

    def _access_log(
        self, path: str, status: int, started: float, resource: str, request_id: str
    ) -> None:
        elapsed_ms = (time.perf_counter() - started) * 1000
        self.server.log_line(
            f'{self.client_address[0]} "{self.command or "-"} {path[:256]}" {status} '
            f"{elapsed_ms:.1f}ms resource={resource} request_id={request_id}"
        )

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
    request_queue_size = LISTEN_BACKLOG
    # SO_REUSEADDR (a quick restart despite TIME_WAIT) but never SO_REUSEPORT:
    # a port another server listens on must stay an error.
    allow_reuse_address = True
    allow_reuse_port = False

    def __init__(
        self,
        address: tuple[str, int],
        log: TextIO = sys.stderr,
        read_timeout: float = DEFAULT_READ_TIMEOUT_SECONDS,
    ) -> None:
        """Bind now (a taken port fails fast); ``api`` is attached before serving."""
        super().__init__(address, _Handler)
        self.api: LocalApi
        self._log = log
        self.read_timeout = read_timeout

    def log_line(self, line: str) -> None:
        """One access-log line: method, path, status, latency, resource, request id.

        One ``write`` call per line (``print`` writes the text and the newline
        separately), so lines from concurrent request threads and the
        shutdown message never interleave.
        """
        self._log.write(f"{line}\n")
        self._log.flush()
