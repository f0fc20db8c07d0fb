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

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol, Union

from . import sigv4
from .cognito import pool_id_of_arn
from .events import IncomingRequest
from .gateway import GatewayError
from .routing import Method
from .template_reader import TemplateReader


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


#: API Gateway's messages for a refused user-pool token (both are UNAUTHORIZED, 401).
UNAUTHORIZED_MESSAGE = "Unauthorized"
EXPIRED_MESSAGE = "The incoming token has expired"


def _claim_text(name: str, value: Any) -> str:
    """A claim as API Gateway passes it to the integration: always a string.

    Booleans are ``"true"``/``"false"``; the time claims ``exp`` and ``iat``
    are rendered the way the REST authorizer does (``Fri Dec 04 04:00:00 UTC
    2026``); lists become space-separated inside brackets.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if name in ("exp", "iat") and isinstance(value, int):
        return time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime(value))
    if isinstance(value, list):
        return "[" + " ".join(str(item) for item in value) + "]"
    return str(value)


@dataclass
class CognitoCheck:
    """``COGNITO_USER_POOLS``: a user-pool ID token, verified like API Gateway does.

    RS256 signature against the pool's JWKS (read once, from the issuer's
    endpoint), then ``iss`` (one of the authorizer's pools), ``exp``,
    ``token_use`` (``id``: no method lists OAuth scopes, so API Gateway takes
    only ID tokens) and ``aud`` (an app client of that pool). Any failure is
    UNAUTHORIZED with API Gateway's message; the claims of an accepted token
    go to the integration as ``requestContext.authorizer.claims``.
    """

    #: Authorizer logical id -> the issuers (``iss``) its ProviderARNs name.
    issuers: Mapping[str, tuple[str, ...]]
    #: ``iss`` -> the app client ids whose tokens it accepts (read per request:
    #: a client added to the local pool later counts, as in AWS).
    audiences: Callable[[str], tuple[str, ...]]
    keys: Any  # joserfc KeySet
    label: str = "Cognito ID token"

    def check(self, request: IncomingRequest, signed_path: str, method: Method) -> Verdict:
        from joserfc import jwt
        from joserfc.errors import ExpiredTokenError, JoseError

        refused = Refusal(GatewayError("UNAUTHORIZED", UNAUTHORIZED_MESSAGE, 401))
        value = next((v for k, v in request.headers if k.lower() == "authorization"), "")
        issuers = self.issuers.get(method.authorizer_id or "", ())
        if not value.strip() or not issuers:
            return refused
        try:
            token = jwt.decode(value.strip(), self.keys, algorithms=["RS256"])
        except (JoseError, ValueError, TypeError):
            return refused  # malformed, bad signature, unknown key
        claims = token.claims
        issuer = claims.get("iss")
        if issuer not in issuers:
            return refused  # another pool (moto signs every pool with the same key)
        rules = jwt.JWTClaimsRegistry(
            exp={"essential": True},
            token_use={"essential": True, "value": "id"},
            aud={"essential": True, "values": list(self.audiences(issuer))},
        )
        try:
            rules.validate(claims)
        except ExpiredTokenError:
            return Refusal(GatewayError("UNAUTHORIZED", EXPIRED_MESSAGE, 401))
        except JoseError:
            return refused
        text = {name: _claim_text(name, item) for name, item in claims.items()}
        return Admission(authorizer={"claims": text})


def cognito_check(reader: TemplateReader, jwks: Callable[[str], dict[str, Any]]) -> CognitoCheck:
    """The check for the template's COGNITO_USER_POOLS authorizers (pools provisioned).

    ``jwks(pool_id)`` reads a pool's key set from its issuer endpoint.
    """
    import boto3
    from joserfc.jwk import KeySet

    issuers: dict[str, tuple[str, ...]] = {}
    pool_ids: dict[str, str] = {}
    for logical_id in reader.of_type("AWS::ApiGateway::Authorizer"):
        props = reader.properties(logical_id)
        if props.get("Type") != "COGNITO_USER_POOLS":
            continue
        names = []
        for arn in props.get("ProviderARNs", []):
            pool_id = pool_id_of_arn(str(arn))
            issuer = f"https://cognito-idp.{reader.region}.amazonaws.com/{pool_id}"
            pool_ids[issuer] = pool_id
            names.append(issuer)
        issuers[logical_id] = tuple(names)
    keys: list[dict[str, Any]] = []
    for pool_id in dict.fromkeys(pool_ids.values()):
        keys.extend(jwks(pool_id).get("keys", []))
    idp = boto3.client("cognito-idp", region_name=reader.region)

    def audiences(issuer: str) -> tuple[str, ...]:
        pages = idp.get_paginator("list_user_pool_clients").paginate(
            UserPoolId=pool_ids[issuer], PaginationConfig={"PageSize": 60}
        )
        return tuple(c["ClientId"] for page in pages for c in page["UserPoolClients"])

    return CognitoCheck(issuers, audiences, KeySet.import_key_set({"keys": keys}))
