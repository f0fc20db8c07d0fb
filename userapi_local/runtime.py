"""Run the handler modules in-process, like warm Lambda containers.

Each function's module is imported once (module-level clients and caches
live as long as the server, as in a warm container) from ``functions/``,
the root of the Lambda zip. One request at a time per function, as a single
container would; a handler that raises or returns a malformed proxy
response becomes API Gateway's 502, never a traceback on the wire.
"""

from __future__ import annotations

import base64
import importlib
import sys
import threading
import traceback
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from userapi_stack.handler_code import FUNCTIONS_DIR

from .events import LambdaContext
from .gateway import GatewayError, HttpResponse
from .routing import Function
from .template_reader import LOCAL_ACCOUNT_ID

Handler = Callable[[dict[str, Any], LambdaContext], Any]


class LambdaFailure(Exception):
    """The integration failed: API Gateway answers 502 (DEFAULT_5XX)."""


def shared_environment(functions: Iterable[Function]) -> dict[str, str]:
    """The environment every function gets; one process can only hold one.

    The template gives all functions the same variables (table names and the
    config path), so one ``os.environ`` serves them all. If that ever stops
    being true the server must refuse to start rather than run a function
    with another function's settings.
    """
    environments = {tuple(sorted(f.environment.items())) for f in functions}
    if len(environments) > 1:
        raise ValueError(
            "the functions' environment variables differ; the local server runs them "
            "in one process and needs them identical"
        )
    return dict(next(iter(environments), ()))


class FunctionRunner:
    """The imported handlers of every function, by logical id."""

    def __init__(self, functions: Mapping[str, Function], region: str) -> None:
        if str(FUNCTIONS_DIR) not in sys.path:
            sys.path.insert(0, str(FUNCTIONS_DIR))
        self._functions = dict(functions)
        self._region = region
        self._handlers: dict[str, Handler] = {}
        self._locks = {logical_id: threading.Lock() for logical_id in functions}

    def load(self) -> None:
        """Import every handler now, so a broken one fails start-up, not a request."""
        for logical_id, function in self._functions.items():
            module_name, _, attribute = function.handler.rpartition(".")
            module = importlib.import_module(module_name)
            handler = getattr(module, attribute, None)
            if not callable(handler):
                raise ImportError(f"{function.handler}: no callable {attribute!r}")
            self._handlers[logical_id] = handler

    def invoke(self, logical_id: str, event: dict[str, Any]) -> HttpResponse:
        """Call the handler; translate its proxy response into HTTP."""
        function = self._functions[logical_id]
        context = LambdaContext(
            function_name=function.name,
            arn=f"arn:aws:lambda:{self._region}:{LOCAL_ACCOUNT_ID}:function:{function.name}",
            memory_mb=function.memory_mb,
            timeout_seconds=function.timeout_seconds,
        )
        with self._locks[logical_id]:
            try:
                result = self._handlers[logical_id](event, context)
            except Exception:  # the handler's bug: log it, answer like the gateway
                traceback.print_exc(file=sys.stderr)
                raise LambdaFailure(f"{function.handler} raised") from None
        return proxy_response(result)


def proxy_response(result: Any) -> HttpResponse:
    """A Lambda proxy result as an HTTP response; malformed ones are failures."""
    if not isinstance(result, dict) or not isinstance(result.get("statusCode"), int):
        raise LambdaFailure("Malformed Lambda proxy response")
    allowed = {"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded", "cookies"}
    if set(result) - allowed:
        raise LambdaFailure("Malformed Lambda proxy response")
    headers: list[tuple[str, str]] = []
    single = result.get("headers") or {}
    multi = result.get("multiValueHeaders") or {}
    for name, values in multi.items():
        headers.extend((name, str(value)) for value in values)
    lowered = {name.lower() for name in multi}
    headers.extend(
        (name, str(value)) for name, value in single.items() if name.lower() not in lowered
    )
    body = result.get("body")
    if body is None:
        payload = b""
    elif not isinstance(body, str):
        raise LambdaFailure("Malformed Lambda proxy response")
    elif result.get("isBase64Encoded"):
        payload = base64.b64decode(body)
    else:
        payload = body.encode("utf-8")
    return HttpResponse(result["statusCode"], headers, payload)


def failure_error() -> GatewayError:
    """What API Gateway reports when the integration fails."""
    return GatewayError("DEFAULT_5XX", "Internal server error", 502)
