"""What API Gateway answers by itself: gateway responses and request validation.

Gateway responses are rendered from the template's
``AWS::ApiGateway::GatewayResponse`` resources (status, headers, body
template), falling back to ``DEFAULT_4XX``/``DEFAULT_5XX`` and then to API
Gateway's built-in ``{"message": ...}`` exactly as AWS does, so the error
envelope, its statuses and its CORS headers are defined once, in the
template. The only status known here is the one AWS itself sends when a
template does not set ``StatusCode``; the code that raises an error states it.

Body validation (for methods whose request validator checks bodies) uses
``jsonschema``'s draft-04 validator on the method's request model: an
implementation independent of the handlers' own checks, like the real
gateway's.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft4Validator

from .routing import Method
from .template_reader import TemplateReader

#: API Gateway's largest request payload (10 MB).
MAX_REQUEST_BYTES = 10 * 1024 * 1024
JSON = "application/json"


@dataclass(frozen=True)
class HttpResponse:
    """A response ready to write to the socket."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(frozen=True)
class GatewayError:
    """An error API Gateway raises before (or instead of) the integration."""

    response_type: str
    message: str
    #: What AWS sends unless the type's gateway response sets ``StatusCode``
    #: (e.g. 403 for MISSING_AUTHENTICATION_TOKEN, 502 for a Lambda failure).
    aws_status: int
    #: ``$context.error.validationErrorString`` (body validation only).
    validation_error: str = ""


def _json_escape(text: str) -> str:
    """``text`` as the inside of a JSON string literal."""
    return json.dumps(text)[1:-1]


class GatewayResponses:
    """The template's gateway responses, ready to render."""

    def __init__(self, reader: TemplateReader) -> None:
        self._by_type: dict[str, dict[str, Any]] = {}
        for logical_id in reader.of_type("AWS::ApiGateway::GatewayResponse"):
            props = reader.properties(logical_id)
            self._by_type[props["ResponseType"]] = props

    def _definition(self, response_type: str, status: int) -> dict[str, Any] | None:
        if response_type in self._by_type:
            return self._by_type[response_type]
        fallback = "DEFAULT_5XX" if status >= 500 else "DEFAULT_4XX"
        return self._by_type.get(fallback)

    def render(self, error: GatewayError, request_id: str) -> HttpResponse:
        """Status, headers and body the way API Gateway would send them."""
        status = error.aws_status
        definition = self._definition(error.response_type, status)
        headers = [("Content-Type", JSON)]
        if definition is None:  # API Gateway's built-in body
            body = json.dumps({"message": error.message})
            return HttpResponse(status, headers, body.encode("utf-8"))
        if "StatusCode" in definition:
            status = int(definition["StatusCode"])
        for key, value in definition.get("ResponseParameters", {}).items():
            name = key.removeprefix("gatewayresponse.header.")
            headers.append((name, str(value).strip("'")))
        template = definition.get("ResponseTemplates", {}).get(JSON)
        if template is None:
            template = '{"message":$context.error.messageString}'
        variables = {
            # The longest names first: messageString starts with message.
            "$context.error.validationErrorString": _json_escape(error.validation_error),
            "$context.error.messageString": json.dumps(error.message),
            "$context.error.message": _json_escape(error.message),
            "$context.error.responseType": error.response_type,
            "$context.requestId": request_id,
        }
        body = template
        for name, value in variables.items():
            body = body.replace(name, value)
        return HttpResponse(status, headers, body.encode("utf-8"))


def media_type(headers: Mapping[str, str]) -> str:
    """The request's media type, lower-cased; API Gateway assumes JSON when absent."""
    for key, value in headers.items():
        if key.lower() == "content-type":
            return value.split(";", 1)[0].strip().lower() or JSON
    return JSON


def _validation_message(error: Any) -> str:
    where = "/".join(str(part) for part in error.absolute_path)
    return f"{where}: {error.message}" if where else str(error.message)


def validate_request(
    method: Method,
    headers: Mapping[str, str],
    query: Mapping[str, list[str]],
    body: bytes,
) -> GatewayError | None:
    """The method's request validator: required parameters, then the body model."""
    if method.validate_parameters:
        lowered = {key.lower() for key in headers}
        missing = []
        for name in method.required_parameters:
            _, _, where, key = name.split(".", 3)
            if (where == "querystring" and not any(query.get(key, []))) or (
                where == "header" and key.lower() not in lowered
            ):
                missing.append(key)
        if missing:
            return GatewayError(
                "BAD_REQUEST_PARAMETERS",
                f"Missing required request parameters: [{', '.join(missing)}]",
                400,
            )
    schema = method.request_models.get(media_type(headers))
    # A body-less request is not validated (as in API Gateway): the handler
    # answers it; a body of another media type passes through to it as well.
    if not method.validate_body or schema is None or not body:
        return None
    # A body nested deeper than the parser (or the validator, which recurses
    # into it) can follow is as unreadable as one that is not JSON: the same
    # 400. The handlers answer that body the same way (400 "not valid JSON").
    not_json = GatewayError(
        "BAD_REQUEST_BODY", "Invalid request body", 400, "[Invalid request body: not JSON]"
    )
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return not_json
    try:
        errors = sorted(
            Draft4Validator(schema).iter_errors(document), key=lambda e: list(e.absolute_path)
        )
        details = "[" + ", ".join(_validation_message(error) for error in errors) + "]"
    except RecursionError:
        return not_json
    if not errors:
        return None
    return GatewayError("BAD_REQUEST_BODY", "Invalid request body", 400, details)


def refuse_mock_media_type(method: Method, headers: Mapping[str, str], body: bytes) -> bool:
    """True when a MOCK's passthrough behaviour refuses this body (415).

    ``WHEN_NO_TEMPLATES`` and ``NEVER`` reject a payload whose media type has
    no request template; ``WHEN_NO_MATCH`` (the default) passes it through.
    """
    assert method.mock is not None
    if not body or method.mock.passthrough == "WHEN_NO_MATCH":
        return False
    return media_type(headers) not in method.mock.request_media_types


def mock_response(method: Method, request_id: str) -> HttpResponse:
    """A MOCK integration's answer: its default integration response.

    The response template is VTL on AWS; the templates in this API only use
    ``$context.requestId``, which is all this substitutes.
    """
    assert method.mock is not None
    headers = [("Content-Type", JSON), *method.mock.headers.items()]
    body = method.mock.body.replace("$context.requestId", request_id)
    return HttpResponse(method.mock.status, headers, body.encode("utf-8"))
