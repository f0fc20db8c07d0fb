"""``python scripts/local_api.py``: serve the Users API on 127.0.0.1.

Start-up order: bind the port (a taken port is one line, exit 1, before any
slow import), synthesize the template, start the backend, provision tables
and parameters from the template, import the handlers, serve. Ctrl-C (or
SIGTERM) stops it cleanly with exit status 0.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from userapi_stack.cli_args import OneLineErrorParser, key_value

from .sigv4 import DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY, LocalCredentials

PROG = "local_api.py"
HOST = "127.0.0.1"
DEFAULT_PORT = 3000


def _parser() -> argparse.ArgumentParser:
    parser = OneLineErrorParser(
        prog=PROG,
        description="Serve the Users API locally: the synthesized template's routes, "
        "gateway checks and handlers, on moto (no AWS account, no Docker).",
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="default 3000")
    parser.add_argument(
        "--dynamodb-endpoint",
        metavar="URL",
        help="use this DynamoDB (e.g. DynamoDB Local) instead of the embedded moto one",
    )
    parser.add_argument(
        "--template", metavar="FILE", help="a synthesized template.json (default: synthesize now)"
    )
    parser.add_argument(
        "--parameter",
        type=key_value,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="template parameter value (repeatable), e.g. Environment=test",
    )
    parser.add_argument("--region", default=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))
    parser.add_argument(
        "--access-key-id",
        default=DEFAULT_ACCESS_KEY_ID,
        help="the only access key SigV4 requests may be signed with (default testing)",
    )
    parser.add_argument(
        "--secret-access-key",
        default=DEFAULT_SECRET_ACCESS_KEY,
        help="its secret (default testing)",
    )
    return parser


def _template(path: str | None) -> dict[str, Any]:
    if path:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    from userapi_stack.template import build_template

    return build_template().to_dict()


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    """Run the server until interrupted; return the exit status."""
    args = _parser().parse_args(argv)
    started = time.perf_counter()
    from .server import LocalServer

    try:
        server = LocalServer((HOST, args.port))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            print(f"{PROG}: error: port {args.port} on {HOST} is already in use", file=sys.stderr)
        else:
            print(
                f"{PROG}: error: cannot listen on {HOST}:{args.port}: {exc.strerror}",
                file=sys.stderr,
            )
        return 1
    # Explicitly, so Ctrl-C works even when started with SIGINT ignored (``cmd &``).
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    backend = None
    try:
        from .app import LocalApi
        from .backend import Backend
        from .routing import Router
        from .runtime import FunctionRunner, shared_environment
        from .template_reader import TemplateError, TemplateReader

        try:
            reader = TemplateReader(_template(args.template), dict(args.parameter), args.region)
            router = Router(reader)
            functions = router.functions()
            backend = Backend(args.dynamodb_endpoint)
            backend.start(args.region)
            # Before the handlers are imported: they read it once, at import.
            os.environ.update(shared_environment(functions.values()))
            made = backend.provision(reader)
            runner = FunctionRunner(functions, args.region)
            runner.load()
            credentials = LocalCredentials(args.access_key_id, args.secret_access_key)
            server.api = LocalApi(reader, router, runner, credentials)
        except (TemplateError, ValueError, OSError, ImportError) as exc:
            print(f"{PROG}: error: {exc}", file=sys.stderr)
            return 1
        base = f"http://{HOST}:{server.server_address[1]}"
        storage = args.dynamodb_endpoint or "embedded moto"
        print(f"DynamoDB: {storage}; created {', '.join(made)}", file=sys.stderr)
        for method in server.api.router.methods:
            target = method.function.name if method.function else "MOCK"
            auth = " (SigV4)" if method.authorization == "AWS_IAM" else ""
            print(
                f"  {method.http_method:7} {base}{method.resource_path} -> {target}{auth}",
                file=sys.stderr,
            )
        print(f"  OpenAPI {base}/openapi.json", file=sys.stderr)
        elapsed = time.perf_counter() - started
        print(
            f"Users API (stage {server.api.stage}) ready on {base} in {elapsed:.2f}s; "
            "Ctrl-C to stop",
            file=sys.stderr,
            flush=True,
        )
        server.serve_forever()
    except KeyboardInterrupt:
        sys.stderr.write("stopped\n")  # one write: never split by a request thread's log line
    finally:
        server.server_close()
        if backend is not None:
            backend.stop()
    return 0
