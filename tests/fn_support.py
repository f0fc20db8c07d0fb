"""Shared helpers for the handler tests (tests/test_fn_*.py).

``moto_api()`` is a moto account holding both tables (key schema taken from
the template's storage module) and the two SSM parameters, with the handlers'
environment set. ``proxy_event()`` builds a full API Gateway REST (v1) proxy
event; ``invoke()`` runs a handler on it and decodes the answer.
``CallRecorder`` records every AWS operation a botocore client sends, through
botocore's own event hooks.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import boto3

# moto before the handler modules: its botocore hook must exist when
# users.config creates the container's clients at import.
import moto
from users import config, settings

from userapi_dev.tables import create_tables
from userapi_stack.routes import ROUTES

ENVIRONMENT = "test"
CONFIG_PATH = f"/{ENVIRONMENT}/api/"
TABLE_NAMES = {"users": "userapi-test-users", "emails": "userapi-test-emails"}
APP_NAME = "userapi-test"
CORS_ORIGIN = "https://app.example.com"
STAGE = "test"
#: The test account's pagination-token key (a SecureString in moto's SSM).
PAGINATION_KEY = "test-pagination-key-0123456789abcdefghijklmnop"


@dataclass
class MotoApi:
    """The fake account the handlers run against."""

    dynamodb: Any
    ssm: Any

    def scan(self, table: str) -> list[dict[str, Any]]:
        """Every raw item of a table (by role: ``users`` / ``emails``)."""
        return self.dynamodb.scan(TableName=TABLE_NAMES[table])["Items"]

    def user_item(self, user_id: str) -> dict[str, Any] | None:
        answer = self.dynamodb.get_item(
            TableName=TABLE_NAMES["users"], Key={"user_id": {"S": user_id}}
        )
        return answer.get("Item")


@contextlib.contextmanager
def moto_api(
    cors_origin: str | None = CORS_ORIGIN, pagination_key: str | None = PAGINATION_KEY
) -> Iterator[MotoApi]:
    """Tables, parameters (the secret too) and environment for one test; a fresh container."""
    saved = {k: os.environ.get(k) for k in _env()}
    os.environ.update(_env())
    config.CONFIG.clear()
    try:
        with moto.mock_aws():
            dynamodb, ssm = _test_clients()
            create_tables(dynamodb, TABLE_NAMES)
            ssm.put_parameter(Name=CONFIG_PATH + "APP_NAME", Value=APP_NAME, Type="String")
            if cors_origin is not None:
                ssm.put_parameter(
                    Name=CONFIG_PATH + "CORS_ALLOW_ORIGIN", Value=cors_origin, Type="String"
                )
            if pagination_key is not None:
                ssm.put_parameter(
                    Name=CONFIG_PATH + settings.PAGINATION_KEY,
                    Value=pagination_key,
                    Type="SecureString",
                )
            yield MotoApi(dynamodb, ssm)
    finally:
        config.CONFIG.clear()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@functools.cache
def _test_clients() -> tuple[Any, Any]:
    """The tests' own clients, made once: building a client costs 50-250 ms."""
    return (
        boto3.client("dynamodb", region_name="us-east-1"),
        boto3.client("ssm", region_name="us-east-1"),
    )


def _env() -> dict[str, str]:
    return {
        settings.ENV_USERS_TABLE: TABLE_NAMES["users"],
        settings.ENV_EMAILS_TABLE: TABLE_NAMES["emails"],
        settings.ENV_CONFIG_PATH: CONFIG_PATH,
    }


def route(name: str) -> Any:
    """A route of the route table, by name."""
    return next(r for r in ROUTES if r.name == name)


def proxy_event(
    method: str,
    path: str,
    *,
    body: str | bytes | None = None,
    headers: dict[str, str] | None = None,
    multi_headers: dict[str, list[str]] | None = None,
    query: dict[str, list[str]] | None = None,
    base64_body: bool = False,
    user_id: str | None = None,
    claims: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A REST API (v1) Lambda proxy event as API Gateway sends it.

    ``path`` is the resource path called (``/users`` or ``/users/<id>``);
    headers go into both ``headers`` and ``multiValueHeaders``, as the gateway
    does; ``multi_headers`` adds repeated headers; ``claims`` is what a
    COGNITO_USER_POOLS authorizer adds (``requestContext.authorizer.claims``).
    """
    resource = "/users/{user_id}" if user_id is not None else "/users"
    all_headers: dict[str, list[str]] = {"Host": ["abc123.execute-api.us-east-1.amazonaws.com"]}
    if body is not None and "content-type" not in {k.lower() for k in headers or {}}:
        all_headers["Content-Type"] = ["application/json"]
    for name, value in (headers or {}).items():
        all_headers[name] = [value]
    for name, values in (multi_headers or {}).items():
        all_headers[name] = list(values)
    if isinstance(body, bytes):
        body = base64.b64encode(body).decode("ascii")
        base64_body = True
    elif base64_body and body is not None:
        body = base64.b64encode(body.encode("utf-8")).decode("ascii")
    authorizer = {"authorizer": {"claims": claims}} if claims is not None else {}
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": {name: values[-1] for name, values in all_headers.items()},
        "multiValueHeaders": all_headers,
        "queryStringParameters": {k: v[-1] for k, v in query.items()} if query else None,
        "multiValueQueryStringParameters": query or None,
        "pathParameters": {"user_id": user_id} if user_id is not None else None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": method,
            "path": f"/{STAGE}{path}",
            "stage": STAGE,
            "requestId": str(uuid.uuid4()),
            "accountId": "123456789012",
            "identity": {"sourceIp": "198.51.100.7"},
            **authorizer,
        },
        "body": body,
        "isBase64Encoded": base64_body,
    }


@dataclass
class Answer:
    """A handler's proxy result, decoded."""

    status: int
    headers: dict[str, str]
    raw_body: str
    request_id: str
    json: Any = field(default=None)

    @property
    def error(self) -> dict[str, Any]:
        return self.json["error"]


def invoke(module: ModuleType, event: dict[str, Any]) -> Answer:
    """Run ``module.handler`` like Lambda would, and decode the answer."""
    result = module.handler(event, None)
    assert set(result) <= {"statusCode", "headers", "body", "isBase64Encoded"}
    body = result.get("body") or ""
    parsed = json.loads(body) if body else None
    return Answer(
        result["statusCode"], result["headers"], body, event["requestContext"]["requestId"], parsed
    )


def json_body(value: Any) -> str:
    return json.dumps(value)


@dataclass
class CallRecorder:
    """Every operation the given clients are asked for: (service, operation, API params).

    ``before-parameter-build`` fires once per API call with the caller's
    parameters (botocore's own retries of the HTTP request do not repeat it).
    """

    calls: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)

    def _record(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        self.calls.append((model.service_model.service_name, model.name, params))

    @contextlib.contextmanager
    def watching(self, *clients: Any) -> Iterator[CallRecorder]:
        for client in clients:
            client.meta.events.register("before-parameter-build.*.*", self._record)
        try:
            yield self
        finally:
            for client in clients:
                client.meta.events.unregister("before-parameter-build.*.*", self._record)

    def operations(self, service: str | None = None) -> list[str]:
        return [op for svc, op, _ in self.calls if service in (None, svc)]


def handler_clients() -> tuple[Any, Any]:
    """The clients the handler modules use (created once per container)."""
    return config.DYNAMODB, config.SSM
