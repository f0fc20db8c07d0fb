"""The API as the template declares it: resource paths, methods, integrations.

Like ``sam local start-api`` on plain CloudFormation, this walks the
``AWS::ApiGateway::Resource`` tree (ParentId/PathPart) to rebuild each path,
then reads every ``AWS::ApiGateway::Method`` on it. An ``AWS_PROXY``
integration names its function through the Uri (``${Fn.Arn}`` in a Sub, or
a GetAtt in a Join); the route table in userapi_stack is never consulted.
Matching follows API Gateway: a literal path part beats ``{param}``, which
beats ``{proxy+}``; a method beats ``ANY``. Slashes, as AWS treats them
(LocalStack's parity tests, recorded against AWS, show it): leading slashes
count as one (``//users`` is ``/users``), trailing ones are ignored
(``/users/<id>/`` is ``/users/<id>``), and an empty segment inside the path
is kept: no literal or ``{param}`` part matches it, a greedy ``{proxy+}``
takes it with the rest (``/users//<id>`` is the catch-all's 404, with
``proxy`` = ``users//<id>``). Unknown routes and methods are
whatever the template's ``ANY`` methods say (the stack's MOCK catch-alls);
only a template without them leaves a request unmatched.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from .template_reader import TemplateError, TemplateReader

_LAMBDA_URI = re.compile(r":function:([^/:]+)(?::[^/]+)?/invocations$")


@dataclass(frozen=True)
class Function:
    """A Lambda function the API can call, as the template defines it."""

    logical_id: str
    name: str
    handler: str
    environment: dict[str, str]
    timeout_seconds: int
    memory_mb: int


@dataclass(frozen=True)
class MockIntegration:
    """A MOCK integration's default response (CORS preflights, catch-alls)."""

    status: int
    headers: dict[str, str]
    body: str
    #: Media types with a request template, and what happens to the others.
    request_media_types: tuple[str, ...] = ()
    passthrough: str = "WHEN_NO_MATCH"


@dataclass(frozen=True)
class Method:
    """One API Gateway method: what the gateway does before and instead of Lambda."""

    logical_id: str
    http_method: str
    resource_path: str
    authorization: str
    #: Logical id of the method's ``AWS::ApiGateway::Authorizer``, if any.
    authorizer_id: str | None = None
    function: Function | None = None
    mock: MockIntegration | None = None
    #: Content type -> draft-04 schema, from RequestModels (resolved Models).
    request_models: dict[str, dict[str, Any]] = field(default_factory=dict)
    validate_body: bool = False
    validate_parameters: bool = False
    #: ``method.request.querystring.x`` / ``header.x`` names marked required.
    required_parameters: tuple[str, ...] = ()
    #: ``ApiKeyRequired``: callers send a key of the stage's usage plan.
    api_key_required: bool = False


@dataclass(frozen=True)
class Match:
    """A request matched to a method, with its decoded path parameters."""

    method: Method
    path_parameters: dict[str, str]


def _resource_paths(reader: TemplateReader) -> dict[str, str]:
    """Logical id of every Resource -> its full path (``/users/{user_id}``)."""
    raw = reader.of_type("AWS::ApiGateway::Resource")
    paths: dict[str, str] = {}

    def path_of(logical_id: str, seen: tuple[str, ...] = ()) -> str:
        if logical_id in paths:
            return paths[logical_id]
        if logical_id in seen:
            raise TemplateError(f"resource cycle through {logical_id}")
        props = raw[logical_id]
        parent = props["ParentId"]
        if isinstance(parent, dict) and "Ref" in parent and parent["Ref"] in raw:
            base = path_of(parent["Ref"], (*seen, logical_id))
        else:  # GetAtt RestApi.RootResourceId
            base = reader.resolve(parent)
            if base != "/":
                raise TemplateError(f"{logical_id}: unsupported ParentId {parent!r}")
        paths[logical_id] = base.rstrip("/") + "/" + props["PathPart"]
        return paths[logical_id]

    for logical_id in raw:
        path_of(logical_id)
    return paths


def _function(reader: TemplateReader, logical_id: str) -> Function:
    variables = reader.property(logical_id, "Environment", {}).get("Variables", {})
    return Function(
        logical_id=logical_id,
        name=str(reader.ref(logical_id)),
        handler=reader.property(logical_id, "Handler"),
        environment={key: str(value) for key, value in variables.items()},
        timeout_seconds=int(reader.property(logical_id, "Timeout", 3)),
        memory_mb=int(reader.property(logical_id, "MemorySize", 128)),
    )


def _function_of_uri(reader: TemplateReader, uri: str) -> Function:
    """The function a Lambda integration Uri invokes (by its resolved ARN)."""
    match = _LAMBDA_URI.search(uri)
    if not match:
        raise TemplateError(f"not a Lambda invocation Uri: {uri}")
    for logical_id in reader.of_type("AWS::Lambda::Function"):
        if reader.ref(logical_id) == match.group(1):
            return _function(reader, logical_id)
    raise TemplateError(f"no function named {match.group(1)!r} in the template")


def _mock(integration: dict[str, Any]) -> MockIntegration:
    """The default (no SelectionPattern) integration response of a MOCK."""
    responses = [
        item
        for item in integration.get("IntegrationResponses", [])
        if not item.get("SelectionPattern")
    ]
    if not responses:
        raise TemplateError("MOCK integration without a default integration response")
    chosen = responses[0]
    headers = {}
    for key, value in chosen.get("ResponseParameters", {}).items():
        name = key.removeprefix("method.response.header.")
        headers[name] = str(value).strip("'")  # static values are single-quoted
    body = next(iter(chosen.get("ResponseTemplates", {}).values()), "")
    unknown = re.findall(r"[$#][{!]?[A-Za-z][\w.]*", body.replace("$context.requestId", ""))
    if unknown:
        raise TemplateError(f"MOCK response template uses {unknown}: not emulated")
    return MockIntegration(
        int(chosen.get("StatusCode", 200)),
        headers,
        body,
        tuple(integration.get("RequestTemplates", {})),
        integration.get("PassthroughBehavior", "WHEN_NO_MATCH"),
    )


def _models(reader: TemplateReader) -> dict[str, dict[str, Any]]:
    """Model logical id -> its schema (what ``Ref: <Model>`` names)."""
    models = {}
    for logical_id in reader.of_type("AWS::ApiGateway::Model"):
        schema = reader.properties(logical_id)["Schema"]
        models[logical_id] = json.loads(schema) if isinstance(schema, str) else schema
    return models


def _method(reader: TemplateReader, logical_id: str, path: str) -> Method:
    raw = reader.of_type("AWS::ApiGateway::Method")[logical_id]
    props = reader.properties(logical_id)
    integration = props.get("Integration", {})
    kind = integration.get("Type", "")
    function = mock = None
    if kind == "AWS_PROXY":
        function = _function_of_uri(reader, integration["Uri"])
    elif kind == "MOCK":
        mock = _mock(integration)
    else:
        raise TemplateError(f"{logical_id}: integration type {kind!r} is not emulated")
    models = _models(reader)
    request_models = {
        content_type: models[model["Ref"]]
        for content_type, model in raw.get("RequestModels", {}).items()
    }
    validator = raw.get("RequestValidatorId")
    flags: dict[str, Any] = {}
    if validator:
        flags = reader.properties(validator["Ref"])
    required = tuple(name for name, needed in props.get("RequestParameters", {}).items() if needed)
    return Method(
        logical_id=logical_id,
        http_method=props["HttpMethod"].upper(),
        resource_path=path,
        authorization=props.get("AuthorizationType", "NONE"),
        authorizer_id=(raw.get("AuthorizerId") or {}).get("Ref"),
        function=function,
        mock=mock,
        request_models=request_models,
        validate_body=bool(flags.get("ValidateRequestBody")),
        validate_parameters=bool(flags.get("ValidateRequestParameters")),
        required_parameters=required,
        api_key_required=bool(props.get("ApiKeyRequired", False)),
    )


def _specificity(resource_path: str) -> tuple[int, ...]:
    """Lower sorts first: literal parts, then ``{param}``, then ``{proxy+}``."""
    return tuple(
        2 if part.endswith("+}") else 1 if part.startswith("{") else 0
        for part in resource_path.strip("/").split("/")
    )


class Router:
    """Every method of the template's API, matched the way API Gateway does."""

    def __init__(self, reader: TemplateReader) -> None:
        paths = _resource_paths(reader)
        self.methods: list[Method] = []
        for logical_id, props in reader.of_type("AWS::ApiGateway::Method").items():
            resource = props["ResourceId"]
            if isinstance(resource, dict) and resource.get("Ref") in paths:
                path = paths[resource["Ref"]]
            else:
                path = "/"
            self.methods.append(_method(reader, logical_id, path))
        self.resource_paths = sorted(
            {method.resource_path for method in self.methods}, key=_specificity
        )

    def functions(self) -> dict[str, Function]:
        """Every function an integration calls, by logical id."""
        return {m.function.logical_id: m.function for m in self.methods if m.function}

    def match(self, http_method: str, raw_path: str) -> Match | None:
        """The method for a request, or None (API Gateway: missing auth token)."""
        # Leading and trailing slashes do not count; inner empty segments do.
        parts = raw_path.strip("/").split("/") if raw_path.strip("/") else []
        for resource_path in self.resource_paths:
            params = _match_path(resource_path, parts)
            if params is None:
                continue
            here = [m for m in self.methods if m.resource_path == resource_path]
            for wanted in (http_method.upper(), "ANY"):
                for method in here:
                    if method.http_method == wanted:
                        return Match(method, params)
            return None  # the path exists; the method does not
        return None


def single_leading_slash(path: str) -> str:
    """``//users/x/`` -> ``/users/x/``: the path as API Gateway reports it (event ``path``)."""
    return "/" + path.lstrip("/")


def _match_path(resource_path: str, parts: list[str]) -> dict[str, str] | None:
    template = resource_path.strip("/").split("/") if resource_path.strip("/") else []
    params: dict[str, str] = {}
    for index, piece in enumerate(template):
        if piece.endswith("+}"):
            rest = parts[index:]
            if not any(rest):  # at least one character; empty segments inside are its own
                return None
            params[piece[1:-2]] = unquote("/".join(rest))
            return params
        if index >= len(parts) or not parts[index]:
            return None
        if piece.startswith("{"):
            params[piece[1:-1]] = unquote(parts[index])
        elif unquote(parts[index]) != piece:
            return None
    return params if len(parts) == len(template) else None
