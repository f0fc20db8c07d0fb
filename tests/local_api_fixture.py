"""Start ``scripts/local_api.py`` as a real process on a free port, for HTTP tests.

A subprocess, not a thread: the server's moto mock patches botocore
process-wide, which must not leak into other tests; and it exercises the
real entry point the README tells people to run.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from requests import PreparedRequest
from requests.auth import AuthBase

from userapi_dev.moto_server import free_port

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "local_api.py"
STARTUP_TIMEOUT_SECONDS = 60.0
#: Stage throttling far above what a test sends, unless a test wants 429s.
NO_THROTTLING = (
    "--parameter",
    "ThrottlingRateLimit=100000",
    "--parameter",
    "ThrottlingBurstLimit=100000",
)


@dataclass
class LocalApi:
    """A running server: its base URL, process and everything it logged."""

    url: str
    process: subprocess.Popen[str]
    log: list[str] = field(default_factory=list)
    #: Reads the process's stderr into ``log`` until EOF.
    pump: threading.Thread | None = None

    def log_lines_with(self, text: str) -> list[str]:
        return [line for line in list(self.log) if text in line]


class SigV4(AuthBase):
    """requests auth: sign for execute-api like any AWS SDK would."""

    def __init__(self, key: str = "testing", secret: str = "testing", region: str = "us-east-1"):
        self.credentials = Credentials(key, secret)
        self.region = region

    def __call__(self, request: PreparedRequest) -> PreparedRequest:
        aws = AWSRequest(
            method=request.method,
            url=request.url,
            data=request.body or b"",
            headers={k: v for k, v in request.headers.items() if k.lower() == "content-type"},
        )
        SigV4Auth(self.credentials, "execute-api", self.region).add_auth(aws)
        request.headers.update(dict(aws.headers.items()))
        return request


def _pump(stream: object, sink: list[str]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        sink.append(line.rstrip("\n"))


def start(
    args: Sequence[str] = (),
    port: int | None = None,
    program: Sequence[str] = (sys.executable, str(SCRIPT)),
    cwd: Path = REPO,
) -> LocalApi:
    """Start the server (``program``, e.g. ``userapi local``) and wait for its ready line."""
    port = port or free_port()
    command = [*program, "--port", str(port), *args]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    api = LocalApi(f"http://127.0.0.1:{port}", process)
    api.pump = threading.Thread(target=_pump, args=(process.stderr, api.log), daemon=True)
    api.pump.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if any(" ready on " in line for line in list(api.log)):
            return api
        if process.poll() is not None:
            time.sleep(0.1)
            raise RuntimeError("local API exited early:\n" + "\n".join(api.log))
        time.sleep(0.05)
    stop(api)
    raise RuntimeError("local API did not start:\n" + "\n".join(api.log))


def stop(api: LocalApi) -> int:
    """Ctrl-C the server, as a user would; return its exit status."""
    if api.process.poll() is None:
        api.process.send_signal(signal.SIGINT)
        try:
            api.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            api.process.kill()
            api.process.wait()
    if api.pump is not None:
        api.pump.join(timeout=5)  # the process has exited: read its last lines before judging them
    return api.process.returncode


@contextlib.contextmanager
def running(args: Sequence[str] = ()) -> Iterator[LocalApi]:
    """A server for the duration of a ``with`` block."""
    api = start(args)
    try:
        yield api
    finally:
        stop(api)
