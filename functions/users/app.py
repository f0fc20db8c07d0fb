"""What every handler shares: the wrapper that turns an operation into a Lambda handler.

An operation is ``(request, services) -> Response``. The wrapper reads the
configuration (cached, see config.py), maps domain outcomes to statuses,
turns anything unexpected into a 500 with a fixed message (the stack trace
goes to the log only), adds the CORS header to every answer and writes the
request's one log record. Handlers stay a few lines each.

Also here: the request-level checks more than one route needs (the user id
in the path, If-Match, the allowed query parameters).
"""

from __future__ import annotations

import functools
import os
import re
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Callable

from . import config, observability, schema, settings
from . import store as store_module
from .http import (
    ApiError,
    Request,
    Response,
    bad_request,
    error_response,
    not_found,
    quote_name,
)

Operation = Callable[[Request, "Services"], Response]
LambdaHandler = Callable[[Any, Any], "dict[str, Any]"]

#: The body of every 500: fixed, so nothing internal can leak.
INTERNAL_ERROR = ApiError(500, "internal_error", "internal error")

#: Ids the server issues, from schema.json, matched case-insensitively (RFC 4122
#: says UUIDs are case-insensitive on input) and looked up in lower case.
USER_ID_PATTERN = re.compile(
    schema.user_schema()["properties"]["user_id"]["pattern"].replace("$", r"\Z"), re.IGNORECASE
)

_DOMAIN_ERRORS: dict[type, ApiError] = {
    store_module.NotFound: not_found(),
    store_module.EmailTaken: ApiError(409, "email_taken", "email: already belongs to another user"),
    store_module.PreconditionFailed: ApiError(
        412, "precondition_failed", "If-Match: does not match the current version"
    ),
    store_module.UserExists: ApiError(409, "user_exists", "this identity already has a profile"),
    store_module.Conflict: ApiError(
        409, "conflict", "the user was changed concurrently; retry the request"
    ),
}

_cold_start = True


@dataclass(frozen=True)
class Services:
    """What an operation may use: the store, the configuration, the metrics."""

    store: store_module.UserStore
    config: config.AppConfig
    request_id: str

    def count(self, metric: str) -> None:
        """One EMF count of ``metric`` in the APP_NAME namespace."""
        observability.emit_metric(
            metric, self.config.app_name, config.environment_name(), self.request_id
        )


def user_store() -> store_module.UserStore:
    """A store on the container's client; table names from the environment."""
    return store_module.UserStore(
        config.DYNAMODB,
        os.environ[settings.ENV_USERS_TABLE],
        os.environ[settings.ENV_EMAILS_TABLE],
    )


def api_handler(route: str) -> Callable[[Operation], LambdaHandler]:
    """Make ``operation`` a Lambda handler for ``route`` (a routes.py route name)."""

    secrets = settings.secrets_of(route)

    def wrap(operation: Operation) -> LambdaHandler:
        @functools.wraps(operation)
        def handler(event: Any, context: Any) -> dict[str, Any]:
            global _cold_start
            started = time.perf_counter()
            cold, _cold_start = _cold_start, False
            request_id, method, origin, exc_info = "", "", config.FALLBACK.cors_allow_origin, None
            try:
                request = Request.from_event(event)
                request_id, method = request.request_id, request.method
                app_config = config.CONFIG.get(secrets)
                origin = app_config.cors_allow_origin
                response = operation(request, Services(user_store(), app_config, request_id))
            except ApiError as error:
                response = error_response(error, request_id)
            except config.MissingSecret:
                # Already logged by name when the configuration was read; no
                # traceback: it is an operator's missing step, not a bug.
                response = error_response(INTERNAL_ERROR, request_id)
            except store_module.StoreError as error:
                mapped = _DOMAIN_ERRORS.get(type(error), INTERNAL_ERROR)
                exc_info = sys.exc_info() if mapped is INTERNAL_ERROR else None
                response = error_response(mapped, request_id)
            except Exception:
                exc_info = sys.exc_info()
                response = error_response(INTERNAL_ERROR, request_id)
            result = response.to_proxy(origin)
            observability.log_request(
                route=route,
                method=method,
                status=response.status,
                latency_ms=(time.perf_counter() - started) * 1000,
                request_id=request_id,
                cold_start=cold,
                exc_info=exc_info,
            )
            return result

        handler.route = route  # type: ignore[attr-defined]
        return handler

    return wrap


def path_user_id(request: Request) -> str:
    """The user id from the path, lower-cased; 404 for anything the server cannot have issued."""
    value = request.path_parameters.get("user_id", "")
    if not USER_ID_PATTERN.match(value):
        raise not_found()
    return value.lower()


def if_match(request: Request) -> frozenset[int] | None:
    """The versions If-Match allows: None when absent or ``*`` (the user must exist).

    Entity tags are compared strongly (RFC 9110 8.8.3.2): character for
    character with one of our ``"<version>"`` tags, so ``"05"`` is not
    ``"5"``, and a weak tag (``W/"5"``) or anything else matches nothing
    (412). Several If-Match header lines are one list (RFC 9110 5.3), as
    if sent comma-separated: any of their tags may match.
    """
    lines = request.headers.get("if-match")
    if not lines:
        return None
    versions = set()
    for tag in ",".join(lines).split(","):  # our tags hold no comma or quote
        tag = tag.strip()
        if tag == "*":
            return None
        match = _VERSION_TAG.fullmatch(tag)
        if match:
            versions.add(int(match.group(1)))
    return frozenset(versions)


#: One of the ETags ``etag`` writes: a version in canonical decimal, quoted.
_VERSION_TAG = re.compile(r'"([1-9][0-9]{0,17})"')


def etag(user: dict[str, Any]) -> str:
    return f'"{user["version"]}"'


def query_parameters(request: Request, allowed: Iterable[str] = ()) -> dict[str, str]:
    """The query string as single values; unknown or repeated parameters are 400."""
    allowed = set(allowed)
    values = {}
    for name in sorted(request.query):
        if name not in allowed:
            raise bad_request(f"{quote_name(name)}: unknown query parameter")
        given = request.query[name]
        if len(given) != 1:
            raise bad_request(f"{name}: given more than once")
        values[name] = given[0]
    return values
