"""``userapi local`` / ``python scripts/local_api.py``: serve the Users API on 127.0.0.1.

Start-up order: bind the port (a taken port is one line, exit 1, before any
slow import), synthesize the template, start the backend, provision tables
and parameters from the template, import the handlers, serve. Ctrl-C (or
SIGTERM) stops it cleanly with exit status 0. The options are declared in
``userapi_cli.commands.local``; failures are raised as ``UserapiError`` and
printed by the one boundary in ``userapi_cli.main``.
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

from userapi_cli.errors import UserapiError
from userapi_stack.options import AUTH_COGNITO, AUTH_NONE, TemplateOptions

PROG = "local_api.py"
HOST = "127.0.0.1"


def main(argv: Sequence[str] | None = None) -> int:
    """``scripts/local_api.py``: the ``local`` command under its old name."""
    from userapi_cli.main import run_command

    return run_command("local", argv, PROG)


def _template(path: str | None, options: TemplateOptions) -> dict[str, Any]:
    if path:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    from userapi_stack.template import build_template

    return build_template(options).to_dict()


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def serve(args: argparse.Namespace, options: TemplateOptions) -> int:
    """Run the server until interrupted; return the exit status."""
    started = time.perf_counter()
    from .server import LocalServer

    try:
        server = LocalServer((HOST, args.port), read_timeout=args.read_timeout)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UserapiError(f"port {args.port} on {HOST} is already in use") from None
        raise UserapiError(f"cannot listen on {HOST}:{args.port}: {exc.strerror}") from None
    # Explicitly, so Ctrl-C works even when started with SIGINT ignored (``cmd &``).
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    backend = cognito = None
    try:
        from botocore.exceptions import EndpointConnectionError

        from userapi_deploy.parameters import check_overrides

        from .api_keys import ApiKeyGate, UsagePlan, new_key
        from .app import LocalApi
        from .authorizers import CallerCheck, OpenCheck, SigV4Check, cognito_check
        from .backend import Backend
        from .cognito import LocalCognito
        from .routing import Router
        from .runtime import FunctionRunner, shared_environment
        from .template_reader import TemplateError, TemplateReader

        try:
            template = _template(args.template, options)
            overrides = dict(args.parameter)
            check_overrides(overrides, template.get("Parameters", {}))
            reader = TemplateReader(template, overrides, args.region)
            router = Router(reader)
            functions = router.functions()
            backend = Backend(args.dynamodb_endpoint)
            backend.start(args.region)
            # Before the handlers are imported: they read it once, at import.
            os.environ.update(shared_environment(functions.values()))
            made = backend.provision(reader)
            if reader.of_type("AWS::Cognito::UserPool"):
                cognito = LocalCognito(args.region, args.cognito_port)
                cognito.start()
                made += cognito.provision(reader)
            runner = FunctionRunner(functions, args.region)
            runner.load()
            from .sigv4 import LocalCredentials

            credentials = LocalCredentials(args.access_key_id, args.secret_access_key)
            checks: dict[str, CallerCheck] = {
                "NONE": OpenCheck(),
                "AWS_IAM": SigV4Check(credentials, args.region),
            }
            auth = AUTH_NONE
            if cognito is not None:
                checks["COGNITO_USER_POOLS"] = cognito_check(reader, cognito.jwks)
                auth = AUTH_COGNITO  # what the template is, whatever the flags said
            made_key = None
            gate = None
            if any(method.api_key_required for method in router.methods):
                keys = list(args.api_key) or [made_key := new_key()]
                gate = ApiKeyGate(UsagePlan.from_template(reader) or UsagePlan(), keys)
            server.api = LocalApi(reader, router, runner, checks, auth=auth, api_keys=gate)
        except EndpointConnectionError:
            raise UserapiError(
                f"cannot reach DynamoDB at --dynamodb-endpoint {args.dynamodb_endpoint}"
            ) from None
        except (TemplateError, ValueError, OSError, ImportError) as exc:
            raise UserapiError(str(exc)) from None
        base = f"http://{HOST}:{server.server_address[1]}"
        storage = args.dynamodb_endpoint or "embedded moto"
        print(f"DynamoDB: {storage}; created {', '.join(made)}", file=sys.stderr)
        for method in server.api.router.methods:
            target = method.function.name if method.function else "MOCK"
            labels = [server.api.checks[method.authorization].label]
            labels += ["API key"] if method.api_key_required else []
            shown = ", ".join(label for label in labels if label)
            auth = f" ({shown})" if shown else ""
            print(
                f"  {method.http_method:7} {base}{method.resource_path} -> {target}{auth}",
                file=sys.stderr,
            )
        print(f"  OpenAPI {base}/openapi.json", file=sys.stderr)
        if server.api.base_path:
            print(
                f"  and every route under the domain's base path: {base}/{server.api.base_path}",
                file=sys.stderr,
            )
        if made_key is not None:
            print(f"API key (send it as x-api-key): {made_key}", file=sys.stderr)
        if cognito is not None:
            pools = ", ".join(cognito.pools.values())
            clients = ", ".join(cognito.clients.values())
            print(
                f"Cognito (moto) on {cognito.endpoint}: user pool {pools}, app client {clients}; "
                f"a token: userapi token EMAIL --endpoint {cognito.endpoint}",
                file=sys.stderr,
            )
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
        if cognito is not None:
            cognito.stop()
        if backend is not None:
            backend.stop()
    return 0
