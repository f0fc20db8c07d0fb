"""API Gateway REST proxy events (payload format 1.0) and Lambda contexts.

The handlers see exactly what a deployed function sees: single- and
multi-value headers and query parameters, decoded path parameters, the
``requestContext`` with request id, stage, resource path and caller
identity, and the body as text (base64 when it is not UTF-8, which the
gateway would otherwise mangle).
"""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from .template_reader import LOCAL_ACCOUNT_ID, LOCAL_REST_API_ID


@dataclass(frozen=True)
class IncomingRequest:
    """What the HTTP server read off the socket."""

    method: str
    #: As sent: percent-encoded, no query string.
    path: str
    #: Decoded query parameters, and the raw query string (SigV4 signs it).
    query: dict[str, list[str]]
    raw_query: str
    headers: Sequence[tuple[str, str]]
    body: bytes
    source_ip: str
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    received_at: float = field(default_factory=time.time)


def _single(values: dict[str, list[str]]) -> dict[str, str] | None:
    return {key: items[-1] for key, items in values.items()} or None


def _request_time(epoch: float) -> str:
    return time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(epoch))


def proxy_event(
    request: IncomingRequest,
    *,
    resource_path: str,
    path_parameters: dict[str, str],
    public_prefix: str | None = None,
    api_key: str | None = None,
    stage: str,
    access_key: str | None,
    authorizer: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The event API Gateway sends an ``AWS_PROXY`` Lambda integration."""
    multi_headers: dict[str, list[str]] = {}
    for name, value in request.headers:
        multi_headers.setdefault(name, []).append(value)
    host = next((v for k, v in request.headers if k.lower() == "host"), "localhost")
    user_agent = next((v for k, v in request.headers if k.lower() == "user-agent"), None)
    try:
        body: str | None = request.body.decode("utf-8") if request.body else None
        encoded = False
    except UnicodeDecodeError:
        body, encoded = base64.b64encode(request.body).decode("ascii"), True
    context: dict[str, Any] = {}
    if authorizer is not None:  # what an authorizer adds: a Cognito token's claims
        context["authorizer"] = dict(authorizer)
    return {
        "resource": resource_path,
        "path": unquote(request.path),
        "httpMethod": request.method,
        "headers": _single(multi_headers),
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": _single(request.query),
        "multiValueQueryStringParameters": request.query or None,
        "pathParameters": path_parameters or None,
        "stageVariables": None,
        "requestContext": {
            **context,
            "accountId": LOCAL_ACCOUNT_ID,
            "apiId": LOCAL_REST_API_ID,
            "domainName": host,
            "domainPrefix": host.split(".", 1)[0],
            "extendedRequestId": request.request_id,
            "httpMethod": request.method,
            "identity": {
                "accessKey": access_key,
                "apiKey": api_key,
                "accountId": LOCAL_ACCOUNT_ID if access_key else None,
                "caller": access_key,
                "sourceIp": request.source_ip,
                "user": access_key,
                "userAgent": user_agent,
                "userArn": f"arn:aws:iam::{LOCAL_ACCOUNT_ID}:user/local" if access_key else None,
            },
            # The stage on the execute-api URL, a custom domain's base path.
            "path": f"{public_prefix or '/' + stage}{unquote(request.path)}",
            "protocol": "HTTP/1.1",
            "requestId": request.request_id,
            "requestTime": _request_time(request.received_at),
            "requestTimeEpoch": int(request.received_at * 1000),
            "resourceId": resource_path,
            "resourcePath": resource_path,
            "stage": stage,
        },
        "body": body,
        "isBase64Encoded": encoded,
    }


class LambdaContext:
    """The attributes and method of the Lambda runtime's context object."""

    def __init__(
        self, *, function_name: str, arn: str, memory_mb: int, timeout_seconds: int
    ) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = arn
        self.memory_limit_in_mb = str(memory_mb)
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))
