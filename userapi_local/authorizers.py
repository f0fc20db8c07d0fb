"""The gateway's caller checks, one per ``AuthorizationType`` the template uses.

``userapi_stack.auth`` renders each kind of authorization into a method's
``AuthorizationType``; this is the local side of the same objects: the
server reads that type back from the template and runs the matching check.
A check either refuses (a gateway error, rendered from the template's
gateway responses) or admits the request with what API Gateway would put in
the proxy event: the IAM caller under ``requestContext.identity``, or a
user-pool token's claims under ``requestContext.authorizer.claims``.
An ``AuthorizationType`` with no check here stops the server at start-up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, Union

from . import sigv4
from .events import IncomingRequest
from .gateway import GatewayError
from .routing import Method


@dataclass(frozen=True)
class Admission:
    """A request the check let through, and what the event learns about its caller."""

    #: The SigV4 access key (``requestContext.identity``), if any.
    access_key: str | None = None
    #: ``requestContext.authorizer`` (Cognito: ``{"claims": {...}}``), if any.
    authorizer: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Refusal:
    error: GatewayError


Verdict = Union[Admission, Refusal]


class CallerCheck(Protocol):
    """How the gateway proves the caller of methods of one AuthorizationType."""

    #: Shown next to the route in the start-up listing ("" when open).
    label: str

    def check(self, request: IncomingRequest, signed_path: str, method: Method) -> Verdict: ...


@dataclass(frozen=True)
class OpenCheck:
    """``NONE``: anyone."""

    label: str = ""

    def check(self, request: IncomingRequest, signed_path: str, method: Method) -> Verdict:
        return Admission()


@dataclass(frozen=True)
class SigV4Check:
    """``AWS_IAM``: a SigV4 signature by the one local key pair."""

    credentials: sigv4.LocalCredentials
    region: str
    label: str = field(default="SigV4")

    def check(self, request: IncomingRequest, signed_path: str, method: Method) -> Verdict:
        query = request.raw_query
        refusal = sigv4.verify(
            request.method,
            signed_path + (f"?{query}" if query else ""),
            dict(request.headers),
            request.body,
            credentials=self.credentials,
            region=self.region,
        )
        if refusal is not None:
            return Refusal(GatewayError(refusal.response_type, refusal.message, 403))
        return Admission(access_key=self.credentials.access_key_id)


def check_every_method(checks: Mapping[str, CallerCheck], methods: list[Method]) -> None:
    """Refuse to serve a template whose methods use a type no check emulates."""
    for method in methods:
        if method.authorization not in checks:
            raise ValueError(
                f"{method.logical_id}: AuthorizationType {method.authorization!r} "
                "is not emulated by the local server"
            )
