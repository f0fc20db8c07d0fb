"""API Gateway REST (v1) proxy events in, proxy results out.

Everything about HTTP lives here so the handlers only see a ``Request`` and
return a ``Response``: header lookup (case-insensitive, multi-value aware),
the body checks in the order a client can act on (413 size, 415 media type,
400 encoding and JSON shape), and the response envelope with the CORS
header every answer carries. No AWS calls, no configuration reads.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: The largest request body accepted, in bytes after base64 decoding.
MAX_BODY_BYTES = 16 * 1024
JSON_MEDIA_TYPE = "application/json"


class ApiError(Exception):
    """An answer other than success: carries the status, the code and a message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def bad_request(message: str) -> ApiError:
    return ApiError(400, "bad_request", message)


def not_found(message: str = "no such user") -> ApiError:
    return ApiError(404, "not_found", message)


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def _multi(single: Any, multi: Any) -> dict[str, list[str]]:
    """Merge API Gateway's single- and multi-value maps; the multi-value one wins."""
    merged: dict[str, list[str]] = {}
    if isinstance(single, Mapping):
        for name, value in single.items():
            if value is not None:
                merged[_as_text(name)] = [_as_text(value)]
    if isinstance(multi, Mapping):
        for name, values in multi.items():
            if isinstance(values, list) and values:
                merged[_as_text(name)] = [_as_text(v) for v in values if v is not None]
    return merged


@dataclass(frozen=True)
class Request:
    """The parts of a proxy event the handlers use."""

    method: str
    path: str
    request_id: str
    headers: dict[str, list[str]]  # lower-cased names
    query: dict[str, list[str]]
    path_parameters: dict[str, str]
    raw_body: str | None
    base64_body: bool
    #: requestContext.path: the path as the client sent it (stage or base path included).
    client_path: str | None = None
    #: requestContext.authorizer.claims: what a COGNITO_USER_POOLS authorizer
    #: verified, a flat map of strings (``sub``, ``email``, ``email_verified``...).
    claims: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_event(cls, event: Any) -> Request:
        """Read an API Gateway REST proxy event; tolerate absent (null) parts."""
        if not isinstance(event, Mapping):
            event = {}
        context = event.get("requestContext")
        context = context if isinstance(context, Mapping) else {}
        headers: dict[str, list[str]] = {}
        for name, values in _multi(event.get("headers"), event.get("multiValueHeaders")).items():
            headers.setdefault(name.lower(), []).extend(values)
        path_parameters = event.get("pathParameters")
        if not isinstance(path_parameters, Mapping):
            path_parameters = {}
        body = event.get("body")
        client_path = context.get("path")
        authorizer = context.get("authorizer")
        claims = authorizer.get("claims") if isinstance(authorizer, Mapping) else None
        return cls(
            method=_as_text(event.get("httpMethod") or ""),
            path=_as_text(event.get("path") or ""),
            request_id=_as_text(context.get("requestId") or ""),
            headers=headers,
            query=_multi(
                event.get("queryStringParameters"), event.get("multiValueQueryStringParameters")
            ),
            path_parameters={
                _as_text(k): _as_text(v)
                for k, v in (
                    path_parameters if isinstance(path_parameters, Mapping) else {}
                ).items()
                if v is not None
            },
            raw_body=body if isinstance(body, str) else None,
            base64_body=event.get("isBase64Encoded") is True,
            client_path=client_path if isinstance(client_path, str) else None,
            claims={
                _as_text(k): _as_text(v)
                for k, v in (claims if isinstance(claims, Mapping) else {}).items()
                if v is not None
            },
        )

    def header(self, name: str) -> str | None:
        """The last value of a header (as API Gateway's single-value map), or None."""
        values = self.headers.get(name.lower())
        return values[-1] if values else None

    def body_bytes(self) -> bytes:
        """The body as bytes: base64 decoded when flagged, size-checked (413)."""
        raw = self.raw_body or ""
        # Cheap early 413 before decoding: base64 is 4 characters per 3 bytes.
        limit = MAX_BODY_BYTES * 4 // 3 + 4 if self.base64_body else MAX_BODY_BYTES
        if len(raw) > limit:
            raise too_large()
        if self.base64_body:
            try:
                data = base64.b64decode(raw.encode("ascii"), validate=True)
            except (binascii.Error, ValueError, UnicodeEncodeError):
                raise bad_request("body: not valid base64") from None
        else:
            try:
                data = raw.encode("utf-8")
            except UnicodeEncodeError:  # lone surrogates from a malformed event
                raise bad_request("body: not valid UTF-8") from None
        if len(data) > MAX_BODY_BYTES:
            raise too_large()
        return data

    def json_object(self) -> dict[str, Any]:
        """The body as a JSON object, or the ApiError a client should get."""
        data = self.body_bytes()
        if not data:
            raise bad_request("body: required, a JSON object")
        check_content_type(self.header("content-type"))
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise bad_request("body: not valid UTF-8") from None
        try:
            value = json.loads(text, object_pairs_hook=_no_duplicate_keys)
        except _DuplicateKey as exc:
            raise bad_request(f"body: duplicate key {exc.args[0]}") from None
        except (ValueError, RecursionError):
            raise bad_request("body: not valid JSON") from None
        if not isinstance(value, dict):
            raise bad_request("body: must be a JSON object")
        return value


class _DuplicateKey(Exception):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(quote_name(key))
        result[key] = value
    return result


def quote_name(name: str, limit: int = 64) -> str:
    """A client-supplied name made safe to echo in a message: bounded length."""
    return name if len(name) <= limit else name[:limit] + "..."


def too_large() -> ApiError:
    return ApiError(413, "payload_too_large", f"body: larger than {MAX_BODY_BYTES} bytes")


def check_content_type(value: str | None) -> None:
    """Accept ``application/json`` with optional parameters; a charset must be UTF-8."""
    unsupported = ApiError(415, "unsupported_media_type", "Content-Type: must be application/json")
    if value is None:
        raise unsupported
    media_type, *params = value.split(";")
    if media_type.strip().lower() != JSON_MEDIA_TYPE:
        raise unsupported
    for param in params:
        name, _, param_value = param.partition("=")
        charset = param_value.strip().strip('"').lower()
        if name.strip().lower() == "charset" and charset not in ("utf-8", "utf8"):
            raise ApiError(415, "unsupported_media_type", "Content-Type: charset must be utf-8")


@dataclass
class Response:
    """What a handler returns; ``to_proxy`` adds the headers every answer has."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    def to_proxy(self, cors_allow_origin: str) -> dict[str, Any]:
        headers = {"Access-Control-Allow-Origin": cors_allow_origin, **self.headers}
        if self.body is None:
            return {"statusCode": self.status, "headers": headers, "body": ""}
        headers["Content-Type"] = JSON_MEDIA_TYPE
        text = json.dumps(self.body, separators=(",", ":"))
        return {"statusCode": self.status, "headers": headers, "body": text}


def error_response(error: ApiError, request_id: str) -> Response:
    """The error envelope of API.md."""
    envelope = {"code": error.code, "message": error.message, "request_id": request_id}
    return Response(error.status, {"error": envelope})
