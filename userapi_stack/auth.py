"""How a caller is proven: one object per kind of authorization, and the auth modes.

The route table says *whether* a route needs a proven caller (``Caller``:
owner-only routes, operator routes); an ``Authorization`` says *how*: the
properties it puts on a method, the gateway errors it can raise, its OpenAPI
security scheme and the statuses a refused caller gets. An ``AuthMode``
picks the authorization of each route. ``api.py`` and ``openapi.py`` ask
these objects; neither compares authorization strings. The resources a mode
needs (user pool, app client, authorizer) are added by ``add_auth`` and enter
the Deployment hash by type (``api.py``). The local server reads the same
``AuthorizationType`` back from the template and runs the matching check
(``userapi_local/authorizers.py``).

Cognito mode uses the user pool's **ID token**: a COGNITO_USER_POOLS
authorizer on a method without ``AuthorizationScopes`` accepts ID tokens
(and only them: an access token needs a scope the method lists), and the ID
token is the one that carries ``email`` and ``email_verified``, which the
handlers need to tie a profile to a proven address. Access tokens carry no
email, so scopes would buy nothing here but a second round trip.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from troposphere import (
    Equals,
    GetAtt,
    If,
    Not,
    Parameter,
    Ref,
    Select,
    Split,
    Sub,
    Template,
)
from troposphere.apigateway import Authorizer, RestApi
from troposphere.cognito import (
    AccountRecoverySetting,
    AdminCreateUserConfig,
    EmailConfiguration,
    PasswordPolicy,
    Policies,
    RecoveryOption,
    SchemaAttribute,
    TokenValidityUnits,
    UserAttributeUpdateSettings,
    UsernameConfiguration,
    UserPool,
    UserPoolClient,
)

from .gateway_errors import GatewayError
from .naming import PREFIX, physical_name
from .options import AUTH_COGNITO, AUTH_MODES, AUTH_NONE
from .outputs import export_output
from .routes import Caller, Route

#: Logical ids and names of the Cognito pieces (outputs and tests use them).
USER_POOL = "UserPool"
USER_POOL_CLIENT = "UserPoolClient"
USER_POOL_AUTHORIZER = "UserPoolAuthorizer"
EXISTING_POOL_ARN = "ExistingUserPoolArn"
EXISTING_POOL_CLIENT_ID = "ExistingUserPoolClientId"
SES_SENDER_ARN = "UserPoolEmailSenderArn"
CREATE_USER_POOL = "CreateUserPool"
SENDS_WITH_SES = "UserPoolSendsWithSes"
#: OpenAPI security scheme names.
SIGV4_SCHEME = "sigv4"
COGNITO_SCHEME = "cognito"

#: Token lifetimes of the app client, chosen on purpose: an ID token (what
#: the API accepts) lives one hour, the shortest the mobile SDKs refresh
#: without the user noticing; a stolen refresh token is useful for 30 days
#: at most, and is revocable (EnableTokenRevocation).
ID_TOKEN_MINUTES = 60
ACCESS_TOKEN_MINUTES = 60
REFRESH_TOKEN_DAYS = 30
#: API Gateway caches an accepted token's claims per token for this long.
AUTHORIZER_CACHE_SECONDS = 300


class Authorization(Protocol):
    """How one method proves its caller."""

    #: ``AuthorizationType`` of the method (the local server dispatches on it).
    authorization_type: str
    #: Extra GatewayResponses this kind of refusal needs, beyond the core ones.
    gateway_errors: tuple[GatewayError, ...]
    #: The statuses a caller this authorization refuses can get (OpenAPI).
    refusal_statuses: frozenset[int]
    #: True when the handlers receive a proven identity and hold the caller
    #: to their own profile (ownership errors become possible).
    identifies_owner: bool

    def method_properties(self) -> dict[str, Any]:
        """The properties of an ``AWS::ApiGateway::Method`` guarded by it."""
        ...

    def security_scheme(self) -> tuple[str, dict[str, Any]] | None:
        """The OpenAPI security scheme (name, object), or None when open."""
        ...


@dataclass(frozen=True)
class Open:
    """Anyone may call: the original requirement's "no authorizers for now"."""

    authorization_type: str = "NONE"
    gateway_errors: tuple[GatewayError, ...] = ()
    refusal_statuses: frozenset[int] = frozenset()
    identifies_owner: bool = False

    def method_properties(self) -> dict[str, Any]:
        return {"AuthorizationType": self.authorization_type}

    def security_scheme(self) -> tuple[str, dict[str, Any]] | None:
        return None


@dataclass(frozen=True)
class SigV4:
    """An IAM principal signs the request (operators); API Gateway checks it."""

    authorization_type: str = "AWS_IAM"
    # MISSING_AUTHENTICATION_TOKEN, INVALID_SIGNATURE... are core gateway errors.
    gateway_errors: tuple[GatewayError, ...] = ()
    refusal_statuses: frozenset[int] = frozenset({403})
    identifies_owner: bool = False

    def method_properties(self) -> dict[str, Any]:
        return {"AuthorizationType": self.authorization_type}

    def security_scheme(self) -> tuple[str, dict[str, Any]] | None:
        return SIGV4_SCHEME, {
            "type": "apiKey",
            "name": "Authorization",
            "in": "header",
            "description": "AWS Signature Version 4 for service execute-api.",
            "x-amazon-apigateway-authtype": "awsSigv4",
        }


@dataclass(frozen=True)
class CognitoUserPool:
    """A user-pool ID token in ``Authorization``, verified by API Gateway."""

    authorizer_id: str = USER_POOL_AUTHORIZER
    authorization_type: str = "COGNITO_USER_POOLS"
    gateway_errors: tuple[GatewayError, ...] = (
        # Missing, malformed, expired, foreign or tampered token. The message
        # is API Gateway's own ("Unauthorized", "The incoming token has expired").
        GatewayError("UNAUTHORIZED", "401", "unauthorized", "$context.error.messageString"),
    )
    refusal_statuses: frozenset[int] = frozenset({401})
    identifies_owner: bool = True

    def method_properties(self) -> dict[str, Any]:
        # No AuthorizationScopes: the authorizer then takes the ID token.
        return {
            "AuthorizationType": self.authorization_type,
            "AuthorizerId": Ref(self.authorizer_id),
        }

    def security_scheme(self) -> tuple[str, dict[str, Any]] | None:
        return COGNITO_SCHEME, {
            "type": "apiKey",
            "name": "Authorization",
            "in": "header",
            "description": "The Cognito user pool ID token (the whole header value, "
            "no 'Bearer' prefix), from InitiateAuth / RespondToAuthChallenge. "
            "Access tokens are refused: no method lists OAuth scopes.",
            "x-amazon-apigateway-authtype": "cognito_user_pools",
        }


@dataclass(frozen=True)
class AuthMode:
    """One auth mode: the authorization of owner-only routes (operators always sign)."""

    name: str
    owner: Authorization

    def for_route(self, route: Route) -> Authorization:
        return SigV4() if route.caller is Caller.OPERATOR else self.owner

    def authorizations(self, routes: tuple[Route, ...]) -> list[Authorization]:
        """The distinct authorizations the routes use, in route order."""
        found: list[Authorization] = []
        for route in routes:
            authorization = self.for_route(route)
            if authorization not in found:
                found.append(authorization)
        return found

    def gateway_errors(self, routes: tuple[Route, ...]) -> list[GatewayError]:
        return [error for auth in self.authorizations(routes) for error in auth.gateway_errors]


def auth_mode(name: str) -> AuthMode:
    """The mode called ``name`` (``none`` or ``cognito``)."""
    if name == AUTH_NONE:
        return AuthMode(AUTH_NONE, Open())
    if name == AUTH_COGNITO:
        return AuthMode(AUTH_COGNITO, CognitoUserPool())
    raise ValueError(f"unknown auth mode {name!r}; choose one of {', '.join(AUTH_MODES)}")


def _email_configuration(ses_sender: Parameter) -> If:
    """Cognito's own sender by default; SES once a verified identity is given.

    Cognito's sender needs nothing set up, but its daily quota "is below the
    required delivery volume" of a production pool (API Reference,
    EmailConfigurationType): at thousands of sign-ups a day, pass the ARN of
    an SES identity verified in this region (with SES production access).
    """
    return If(
        SENDS_WITH_SES,
        EmailConfiguration(EmailSendingAccount="DEVELOPER", SourceArn=Ref(ses_sender)),
        EmailConfiguration(EmailSendingAccount="COGNITO_DEFAULT"),
    )


def _user_pool(ses_sender: Parameter) -> UserPool:
    """Email sign-in, verified by Cognito; identities are user data: retained."""
    return UserPool(
        USER_POOL,
        UserPoolName=physical_name("users"),
        # The email is the sign-in name, compared case-insensitively (as the
        # profile store compares it).
        UsernameAttributes=["email"],
        UsernameConfiguration=UsernameConfiguration(CaseSensitive=False),
        AutoVerifiedAttributes=["email"],
        # A changed email stays unverified (and the old one keeps working for
        # sign-in) until the user confirms the code sent to the new one.
        UserAttributeUpdateSettings=UserAttributeUpdateSettings(
            AttributesRequireVerificationBeforeUpdate=["email"]
        ),
        Schema=[
            SchemaAttribute(Name="email", AttributeDataType="String", Required=True, Mutable=True)
        ],
        Policies=Policies(
            PasswordPolicy=PasswordPolicy(
                MinimumLength=12,
                RequireLowercase=True,
                RequireUppercase=True,
                RequireNumbers=True,
                RequireSymbols=False,  # length beats symbol rules (NIST SP 800-63B)
                TemporaryPasswordValidityDays=3,
            )
        ),
        AdminCreateUserConfig=AdminCreateUserConfig(AllowAdminCreateUserOnly=False),
        AccountRecoverySetting=AccountRecoverySetting(
            RecoveryMechanisms=[RecoveryOption(Name="verified_email", Priority=1)]
        ),
        EmailConfiguration=_email_configuration(ses_sender),
        MfaConfiguration="OFF",
        # Lite: every feature used here (email sign-in, verification, password
        # policy) at the lowest MAU price (README, Cost).
        UserPoolTier="LITE",
        DeletionProtection="ACTIVE",
        DeletionPolicy="Retain",
        UpdateReplacePolicy="Retain",
        Condition=CREATE_USER_POOL,
    )


def _app_client() -> UserPoolClient:
    """A public client (mobile or web app): no secret, SRP sign-in, refresh tokens."""
    return UserPoolClient(
        USER_POOL_CLIENT,
        UserPoolId=Ref(USER_POOL),
        ClientName=Sub(f"{PREFIX}-app"),
        GenerateSecret=False,
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        PreventUserExistenceErrors="ENABLED",
        EnableTokenRevocation=True,
        SupportedIdentityProviders=["COGNITO"],
        IdTokenValidity=ID_TOKEN_MINUTES,
        AccessTokenValidity=ACCESS_TOKEN_MINUTES,
        RefreshTokenValidity=REFRESH_TOKEN_DAYS,
        TokenValidityUnits=TokenValidityUnits(
            IdToken="minutes", AccessToken="minutes", RefreshToken="days"
        ),
        AuthSessionValidity=3,
        ReadAttributes=["email", "email_verified"],
        WriteAttributes=["email"],
        Condition=CREATE_USER_POOL,
    )


def add_auth(template: Template, mode: AuthMode, rest_api: RestApi) -> None:
    """Cognito mode: the user pool (or an existing one), the app client, the authorizer."""
    if mode.name == AUTH_NONE:
        return
    existing_arn = template.add_parameter(
        Parameter(
            EXISTING_POOL_ARN,
            Type="String",
            Default="",
            AllowedPattern=r"^$|^arn:aws[a-z-]*:cognito-idp:[a-z0-9-]+:[0-9]{12}:userpool/[\w-]+$",
            Description="Use this existing user pool instead of creating one (empty: create "
            "one). Then nothing Cognito is created and ExistingUserPoolClientId is required.",
        )
    )
    existing_client = template.add_parameter(
        Parameter(
            EXISTING_POOL_CLIENT_ID,
            Type="String",
            Default="",
            AllowedPattern=r"^$|^[\w+]{1,128}$",
            Description="The app client of ExistingUserPoolArn (reported as UserPoolClientId).",
        )
    )
    ses_sender = template.add_parameter(
        Parameter(
            SES_SENDER_ARN,
            Type="String",
            Default="",
            AllowedPattern=r"^$|^arn:aws[a-z-]*:ses:[a-z0-9-]+:[0-9]{12}:identity/\S+$",
            Description="ARN of an SES identity (verified, this region) the user pool sends "
            "its verification emails from; empty: Cognito's own sender, whose daily quota "
            "suits development, not production volumes.",
        )
    )
    template.add_condition(CREATE_USER_POOL, Equals(Ref(existing_arn), ""))
    template.add_condition(SENDS_WITH_SES, Not(Equals(Ref(ses_sender), "")))
    template.add_rule(
        "ExistingUserPoolNeedsItsClient",
        {
            "RuleCondition": Not(Equals(Ref(existing_arn), "")),
            "Assertions": [
                {
                    "Assert": Not(Equals(Ref(existing_client), "")),
                    "AssertDescription": "ExistingUserPoolArn needs ExistingUserPoolClientId",
                }
            ],
        },
    )
    pool = template.add_resource(_user_pool(ses_sender))
    client = template.add_resource(_app_client())
    pool_arn = If(CREATE_USER_POOL, GetAtt(pool, "Arn"), Ref(existing_arn))
    template.add_resource(
        Authorizer(
            USER_POOL_AUTHORIZER,
            RestApiId=Ref(rest_api),
            Name=Sub(f"{PREFIX}-users"),
            Type="COGNITO_USER_POOLS",
            ProviderARNs=[pool_arn],
            IdentitySource="method.request.header.Authorization",
            AuthorizerResultTtlInSeconds=AUTHORIZER_CACHE_SECONDS,
        )
    )
    export_output(
        template,
        "UserPoolId",
        If(CREATE_USER_POOL, Ref(pool), Select(1, Split("/", Ref(existing_arn)))),
        "Cognito user pool the API accepts ID tokens of",
    )
    export_output(template, "UserPoolArn", pool_arn, "ARN of that user pool")
    export_output(
        template,
        "UserPoolClientId",
        If(CREATE_USER_POOL, Ref(client), Ref(existing_client)),
        "App client id for sign-up and sign-in (public: no secret)",
    )
