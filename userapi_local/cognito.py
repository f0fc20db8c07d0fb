"""Cognito for the local server: the template's user pool in moto, on a loopback port.

The pool and its app client are created in moto's cognito-idp from the
template's own ``AWS::Cognito::UserPool`` / ``UserPoolClient`` properties,
and moto's identity provider is served over HTTP (moto server's
cognito-idp app on a stdlib WSGI server thread, in this process, so it shares
the state of the embedded backend) at ``http://127.0.0.1:<port>``. An app, curl or
``userapi token`` call SignUp / InitiateAuth there exactly as they
would call ``cognito-idp.<region>.amazonaws.com``, and the gateway reads the
pool's JWKS from ``/<pool id>/.well-known/jwks.json`` there, as API Gateway
does from the issuer.

moto's quirks, which the local server keeps rather than hides: every pool
signs with one fixed RSA key (``kid: "dummy"``), so a token of another local
pool has a valid signature and only its ``iss`` tells it apart; tokens live
one hour whatever the client's IdTokenValidity; ConfirmSignUp accepts any
code and does not mark the email verified (``token`` does that, as a
confirmed email code would); users created by AdminCreateUser start in
FORCE_CHANGE_PASSWORD; sign-in names are matched case-sensitively.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from dataclasses import dataclass, field
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from .template_reader import TemplateError, TemplateReader

#: Default port of the local identity provider (the one cognito-local uses too).
DEFAULT_COGNITO_PORT = 9229
HOST = "127.0.0.1"

#: UserPool properties CreateUserPool takes under the same name (PoolName aside).
_POOL_KEYS = (
    "Policies",
    "AutoVerifiedAttributes",
    "UsernameAttributes",
    "UsernameConfiguration",
    "AccountRecoverySetting",
    "AdminCreateUserConfig",
    "MfaConfiguration",
    "DeletionProtection",
    "UserAttributeUpdateSettings",
    "Schema",
)
#: UserPoolClient properties CreateUserPoolClient takes under the same name.
_CLIENT_KEYS = (
    "ClientName",
    "GenerateSecret",
    "ExplicitAuthFlows",
    "ReadAttributes",
    "WriteAttributes",
    "IdTokenValidity",
    "AccessTokenValidity",
    "RefreshTokenValidity",
    "TokenValidityUnits",
    "PreventUserExistenceErrors",
    "EnableTokenRevocation",
    "SupportedIdentityProviders",
    "AuthSessionValidity",
)


def _schema_attribute(attribute: dict[str, Any]) -> dict[str, Any]:
    # CloudFormation's Schema entries are CreateUserPool's SchemaAttributeType.
    return {key: value for key, value in attribute.items() if value is not None}


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        """No per-request lines: the API's access log is the one that matters."""


@dataclass
class LocalCognito:
    """The template's pools and clients in moto, and the HTTP endpoint serving them."""

    region: str
    port: int = DEFAULT_COGNITO_PORT
    #: Pool logical id -> moto pool id; client logical id -> client id.
    pools: dict[str, str] = field(default_factory=dict)
    clients: dict[str, str] = field(default_factory=dict)
    _server: Any = None

    @property
    def endpoint(self) -> str:
        return f"http://{HOST}:{self.port}"

    def issuer(self, pool_id: str) -> str:
        """What a token of ``pool_id`` carries as ``iss`` (moto uses AWS's own form)."""
        return f"https://cognito-idp.{self.region}.amazonaws.com/{pool_id}"

    def jwks_url(self, pool_id: str) -> str:
        return f"{self.endpoint}/{pool_id}/.well-known/jwks.json"

    def jwks(self, pool_id: str) -> dict[str, Any]:
        """The pool's public keys, read over HTTP from its issuer endpoint."""
        with urllib.request.urlopen(self.jwks_url(pool_id), timeout=10) as answer:
            return json.load(answer)

    def start(self) -> None:
        """Serve moto's cognito-idp, and nothing else, on the loopback port (0: a free one).

        The app is moto server's single-service app (``moto_server
        cognito-idp``), so the port cannot be used to reach the embedded
        DynamoDB or SSM behind the API's back; each request holds the lock
        every in-process moto call takes (moto is not thread-safe).
        """
        from moto.moto_server.werkzeug_app import create_backend_app

        from .moto_fixes import MOTO_LOCK

        app = create_backend_app("cognito-idp")

        def serialized(environ: dict[str, Any], start_response: Any) -> Any:
            with MOTO_LOCK:
                return list(app(environ, start_response))  # the body, made under the lock

        try:  # the standard library's WSGI server: a taken port is an OSError, not an exit
            self._server = make_server(
                HOST, self.port, serialized, server_class=_ThreadingWSGIServer,
                handler_class=_QuietHandler,
            )  # fmt: skip
        except OSError as exc:
            raise OSError(f"cannot serve Cognito on {HOST}:{self.port}: {exc.strerror}") from None
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def provision(self, reader: TemplateReader) -> list[str]:
        """Create the template's pools and clients; record their ids in ``reader``."""
        import boto3

        idp = boto3.client("cognito-idp", region_name=self.region)
        made = []
        for logical_id in reader.of_type("AWS::Cognito::UserPool"):
            if not reader.exists(logical_id):
                raise TemplateError(
                    f"{logical_id} is not created (an existing pool is configured): "
                    "the local server only emulates the pool the template creates"
                )
            props = reader.properties(logical_id)
            request = {key: props[key] for key in _POOL_KEYS if key in props}
            if "Schema" in request:
                request["Schema"] = [_schema_attribute(item) for item in request["Schema"]]
            pool = idp.create_user_pool(PoolName=props["UserPoolName"], **request)["UserPool"]
            self.pools[logical_id] = pool["Id"]
            reader.physical[logical_id] = {
                "Ref": pool["Id"],
                "Arn": pool["Arn"],
                "ProviderName": f"cognito-idp.{self.region}.amazonaws.com/{pool['Id']}",
            }
            made.append(f"user pool {pool['Id']}")
        for logical_id in reader.of_type("AWS::Cognito::UserPoolClient"):
            if not reader.exists(logical_id):
                continue
            props = reader.properties(logical_id)
            request = {key: props[key] for key in _CLIENT_KEYS if key in props}
            client = idp.create_user_pool_client(UserPoolId=props["UserPoolId"], **request)
            client_id = client["UserPoolClient"]["ClientId"]
            self.clients[logical_id] = client_id
            reader.physical[logical_id] = {"Ref": client_id}
            made.append(f"app client {client_id}")
        return made


def pool_id_of_arn(arn: str) -> str:
    """``arn:aws:cognito-idp:<region>:<account>:userpool/<id>`` -> ``<id>``."""
    return arn.rsplit("/", 1)[-1]
