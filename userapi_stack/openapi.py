"""The OpenAPI 3 document of the Users API, derived from the route table.

Paths and operations come from ``routes.ROUTES``; the user and request-body
schemas from ``functions/users/schema.json`` (through ``schema.py``, the same
derivation the API Gateway models use). What neither source can say lives
here once: the error statuses each kind of operation can answer (API.md's
error table), and the list route's query parameters.

The document is OpenAPI 3.0.3, the version every client generator and
schemathesis read without caveats. JSON Schema draft-04 and OpenAPI 3.0
schemas differ in one way that matters here: a nullable field is
``nullable: true``, not ``type: [X, "null"]``; ``_openapi_schema`` converts.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from .auth import AuthMode, Authorization, auth_mode
from .handler_code import settings_module, user_schema_module
from .naming import pascal
from .options import TemplateOptions
from .routes import ROUTES, Route, paths
from .usage_plan import API_KEY_HEADER, require_api_keys

#: The security scheme of routes that need an API key (``--api-keys``).
API_KEY_SCHEME = "ApiKey"
API_KEY_SECURITY_SCHEME = {
    "type": "apiKey",
    "in": "header",
    "name": API_KEY_HEADER,
    "description": "A key of the stage's usage plan (userapi api-key): it identifies and "
    "meters the caller, it does not authorize them.",
}

OPENAPI_VERSION = "3.0.3"
JSON = "application/json"
#: Where the deployed API lives: the stack output ``ApiInvokeUrl``.
DEFAULT_SERVER: dict[str, Any] = {
    "url": "https://{restApiId}.execute-api.{region}.amazonaws.com/{stage}",
    "description": "The deployed stage (stack output ApiInvokeUrl)",
    "variables": {
        "restApiId": {"default": "abc123", "description": "stack output RestApiId"},
        "region": {"default": "us-east-1"},
        "stage": {"default": "dev", "description": "the Environment parameter"},
    },
}

#: API.md's error table: status -> the error codes it may carry.
ERROR_CODES: dict[int, tuple[str, ...]] = {
    400: ("bad_request", "validation_failed"),
    403: ("forbidden",),
    404: ("not_found",),
    # Not declared on any operation (an undeclared method has no operation to
    # declare it on); API Gateway's MOCK ANY methods answer it, with ``Allow``.
    405: ("method_not_allowed",),
    # conflict: concurrent writers changed the user on every retry (store.Conflict).
    409: ("email_taken", "conflict"),
    412: ("precondition_failed",),
    413: ("payload_too_large",),
    415: ("unsupported_media_type",),
    429: ("too_many_requests",),
    500: ("internal_error",),
}

#: The errors only a mode with a proven identity answers (auth.py, README "Auth").
OWNER_ERROR_CODES: dict[int, tuple[str, ...]] = {
    401: ("unauthorized",),  # no or a bad token (the gateway); no claims (the handlers)
    409: ("user_exists",),  # this identity already has a profile
}

_PATH_PARAMETER = re.compile(r"\{([^}]+)\}")


def _openapi_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A draft-04 schema as an OpenAPI 3.0 Schema Object (nullable, no $schema)."""
    result = copy.deepcopy(schema)
    result.pop("$schema", None)
    kind = result.get("type")
    if isinstance(kind, list) and "null" in kind:
        rest = [item for item in kind if item != "null"]
        if len(rest) != 1:
            raise ValueError(f"cannot express type {kind!r} in OpenAPI 3.0")
        result["type"] = rest[0]
        result["nullable"] = True
    if "properties" in result:
        result["properties"] = {
            name: _openapi_schema(spec) for name, spec in result["properties"].items()
        }
    if isinstance(result.get("items"), dict):
        result["items"] = _openapi_schema(result["items"])
    return result


def _error_codes(mode: AuthMode) -> dict[int, tuple[str, ...]]:
    codes = {status: tuple(names) for status, names in ERROR_CODES.items()}
    if any(auth.identifies_owner for auth in mode.authorizations(ROUTES)):
        for status, names in OWNER_ERROR_CODES.items():
            codes[status] = (*codes.get(status, ()), *names)
    return dict(sorted(codes.items()))


def _components(mode: AuthMode, api_keys: bool = False) -> dict[str, Any]:
    schema = user_schema_module()
    user = _openapi_schema(schema.user_schema())
    # Responses hold no nulls (API.md: absent optional fields are absent).
    for spec in user["properties"].values():
        spec.pop("nullable", None)
    kinds = dict.fromkeys(route.body for route in ROUTES if route.body)
    schemas: dict[str, Any] = {"User": user}
    for kind in kinds:
        request = schema.request_schema(kind)
        schemas[request["title"]] = _openapi_schema(request)
    schemas["UserPage"] = {
        "type": "object",
        "description": "One page of users; next_token is null on the last page.",
        "required": ["users", "next_token"],
        "properties": {
            "users": {"type": "array", "items": {"$ref": "#/components/schemas/User"}},
            "next_token": {
                "type": "string",
                "nullable": True,
                "description": "Opaque; pass it back to get the next page.",
            },
        },
    }
    all_codes = [code for codes in _error_codes(mode).values() for code in codes]
    schemas["Error"] = {
        "type": "object",
        "description": "The envelope of every error, from a handler or from API Gateway.",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "request_id"],
                "properties": {
                    "code": {"type": "string", "enum": all_codes},
                    "message": {"type": "string"},
                    "request_id": {"type": "string"},
                },
            }
        },
    }
    return {
        "schemas": schemas,
        "responses": {
            "MethodNotAllowed": {
                "description": "method_not_allowed: a method the path does not offer (any "
                "method other than the path's operations and OPTIONS); Allow lists them.",
                "headers": {
                    "Allow": {
                        "description": "The path's methods, comma-separated.",
                        "schema": {"type": "string"},
                    },
                    "Access-Control-Allow-Origin": {
                        "$ref": "#/components/headers/AccessControlAllowOrigin"
                    },
                },
                "content": {JSON: {"schema": {"$ref": "#/components/schemas/Error"}}},
            }
        },
        "securitySchemes": {
            **dict(
                scheme
                for scheme in (auth.security_scheme() for auth in mode.authorizations(ROUTES))
                if scheme
            ),
            **({API_KEY_SCHEME: API_KEY_SECURITY_SCHEME} if api_keys else {}),
        },
        "headers": {
            "AccessControlAllowOrigin": {
                "description": "The configured CORS origin (default *).",
                "schema": {"type": "string"},
            },
            "ETag": {
                "description": 'The user\'s version, quoted: "<version>".',
                "schema": {"type": "string"},
            },
        },
    }


def request_schema_name(kind: str) -> str:
    """The component name of a request body kind (``UserCreateRequest``)."""
    return str(user_schema_module().request_schema(kind)["title"])


def _error_statuses(route: Route, auth: Authorization) -> list[int]:
    """Which API.md errors an operation can answer, from what the route is."""
    # 400: every handler refuses a query parameter it does not take.
    statuses = {400, 429, 500}
    if route.body:
        statuses |= {413, 415}
    if _PATH_PARAMETER.search(route.path):
        statuses.add(404)
    if route.method in ("POST", "PUT", "DELETE"):
        statuses.add(409)  # a write of an email can collide; any write can meet a conflict
    if _PATH_PARAMETER.search(route.path) and route.method in ("PUT", "DELETE"):
        statuses.add(412)  # If-Match
    statuses |= auth.refusal_statuses
    if route.api_key_required:
        statuses.add(403)  # a missing or unknown API key
    if auth.identifies_owner:
        statuses.add(401)  # the handlers' own check, should a request lack claims
        if route.method == "POST":
            statuses.add(409)  # a second profile for the same identity
        if route.method in ("POST", "PUT"):
            statuses.add(403)  # the token's email is not verified
    return sorted(statuses)


def _error_description(route: Route, status: int, codes: dict[int, tuple[str, ...]]) -> str:
    """The codes an operation can answer with ``status``: only a body writes an email."""
    names = codes[status]
    if status == 409 and not route.body:
        names = tuple(name for name in names if name != "email_taken")
    return " or ".join(names)


def _parameters(route: Route) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "description": "The user's id (a UUID); anything else is 404.",
            "schema": {"type": "string"},
        }
        for name in _PATH_PARAMETER.findall(route.path)
    ]
    if _PATH_PARAMETER.search(route.path) and route.method in ("PUT", "DELETE"):
        params.append(
            {
                "name": "If-Match",
                "in": "header",
                "required": False,
                "description": "Only write if the user's ETag is still this value (else 412).",
                "schema": {"type": "string"},
            }
        )
    if route.method == "GET" and not _PATH_PARAMETER.search(route.path):
        settings = settings_module()
        params += [
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "description": "Users per page.",
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": settings.MAX_LIMIT,
                    "default": settings.DEFAULT_LIMIT,
                },
            },
            {
                "name": "next_token",
                "in": "query",
                "required": False,
                "description": "The next_token of the previous page, verbatim. Opaque: only "
                "a token this API issued is accepted; any other string is 400 bad_request.",
                "schema": {"type": "string"},
            },
        ]
    return params


def _success_response(route: Route) -> dict[str, Any]:
    headers: dict[str, Any] = {
        "Access-Control-Allow-Origin": {"$ref": "#/components/headers/AccessControlAllowOrigin"}
    }
    response: dict[str, Any] = {"description": route.summary, "headers": headers}
    if route.success_status == 204:
        return response
    if route.method == "GET" and not _PATH_PARAMETER.search(route.path):
        content = {"$ref": "#/components/schemas/UserPage"}
    else:
        content = {"$ref": "#/components/schemas/User"}
        headers["ETag"] = {"$ref": "#/components/headers/ETag"}
    if route.success_status == 201:
        headers["Location"] = {
            "description": "The URL of the new user.",
            "schema": {"type": "string"},
        }
    response["content"] = {JSON: {"schema": content}}
    return response


def _error_response() -> dict[str, Any]:
    """An error answer: the envelope, with the CORS header every answer carries."""
    return {
        "headers": {
            "Access-Control-Allow-Origin": {"$ref": "#/components/headers/AccessControlAllowOrigin"}
        },
        "content": {JSON: {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _operation(route: Route, mode: AuthMode) -> dict[str, Any]:
    auth = mode.for_route(route)
    codes = _error_codes(mode)
    error = _error_response()
    responses: dict[str, Any] = {str(route.success_status): _success_response(route)}
    for status in _error_statuses(route, auth):
        responses[str(status)] = {"description": _error_description(route, status, codes), **error}
    operation: dict[str, Any] = {
        "operationId": route.name,
        "summary": route.summary,
        "tags": ["users"],
        "responses": responses,
    }
    parameters = _parameters(route)
    if parameters:
        operation["parameters"] = parameters
    if route.body:
        operation["requestBody"] = {
            "required": True,
            "content": {
                JSON: {
                    "schema": {"$ref": f"#/components/schemas/{request_schema_name(route.body)}"}
                }
            },
        }
    # One requirement object: the caller's proof AND the key, when both apply.
    scheme = auth.security_scheme()
    requirement: dict[str, list[str]] = {scheme[0]: []} if scheme else {}
    if route.api_key_required:
        requirement[API_KEY_SCHEME] = []
    if requirement:
        operation["security"] = [requirement]
    return operation


def _preflight(path: str) -> dict[str, Any]:
    """The CORS preflight API Gateway answers itself on every resource."""
    methods = [route.method for route in ROUTES if route.path == path]
    headers = {
        name: {"schema": {"type": "string"}}
        for name in (
            "Access-Control-Allow-Origin",
            "Access-Control-Allow-Methods",
            "Access-Control-Allow-Headers",
            "Access-Control-Max-Age",
        )
    }
    operation: dict[str, Any] = {
        "operationId": f"Preflight{pascal(path)}",
        "summary": f"CORS preflight ({', '.join(methods)})",
        "tags": ["users"],
        "responses": {
            "200": {"description": "Allowed methods and headers", "headers": headers},
            # Stage throttling counts every request, preflights included.
            "429": {"description": "too_many_requests", **_error_response()},
        },
    }
    names = _PATH_PARAMETER.findall(path)
    if names:
        operation["parameters"] = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in names
        ]
    return operation


def build_openapi_document(
    server_url: str | None = None, options: TemplateOptions | None = None
) -> dict[str, Any]:
    """The OpenAPI 3 document: every route of ``ROUTES``, nothing else.

    ``server_url`` replaces the deployed-stage server (the local server
    passes its own base URL so tools pointed at it test it, not AWS).
    ``options`` are the template's synthesis options, whole, so that a
    feature that changes the API's contract cannot be left out on the way
    here: the auth mode decides each operation's security scheme and the
    ownership errors, ``api_keys`` adds the API key to every requirement.
    """
    options = options or TemplateOptions()
    mode = auth_mode(options.auth)
    operations: dict[str, dict[str, Any]] = {}
    for route in require_api_keys(ROUTES) if options.api_keys else ROUTES:
        operations.setdefault(route.path, {})[route.method.lower()] = _operation(route, mode)
    for path in paths():
        operations[path]["options"] = _preflight(path)
    server = {"url": server_url, "description": "local"} if server_url else DEFAULT_SERVER
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "Users API",
            "version": "1.0.0",
            "description": "Registrations and profiles. Generated from userapi_stack/routes.py "
            "and functions/users/schema.json; do not edit by hand.",
        },
        "servers": [server],
        "tags": [{"name": "users"}],
        "paths": operations,
        "components": _components(mode, options.api_keys),
    }
