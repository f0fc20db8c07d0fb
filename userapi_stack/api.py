"""API Gateway: the regional REST API, derived from the route table.

Resources, methods, request models, CORS preflights and invoke permissions
all come from ``ROUTES``; the gateway's own errors (missing signature,
throttling...) are rewritten into API.md's error envelope with CORS headers.

Unknown routes need more than a gateway response: API Gateway answers an
unknown path *and* an unsigned call to an AWS_IAM method with the same type,
MISSING_AUTHENTICATION_TOKEN, which API.md wants as 403. So every request
that matches no route is caught by a MOCK ``ANY`` method instead (no Lambda,
no cost): an explicit method beats ``ANY`` on its resource and a literal
path beats the greedy ``/{proxy+}``, so ``ANY`` on a route's path answers
405 with ``Allow`` and ``ANY`` on ``/`` and ``/{proxy+}`` answers 404.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from troposphere import GetAtt, If, Ref, Sub, Template
from troposphere.apigateway import (
    AccessLogSetting,
    Account,
    Deployment,
    EndpointConfiguration,
    GatewayResponse,
    Integration,
    IntegrationResponse,
    Method,
    MethodResponse,
    MethodSetting,
    Model,
    RequestValidator,
    Resource,
    RestApi,
    Stage,
)
from troposphere.awslambda import Permission
from troposphere.validators.apigateway import validate_gateway_response_type

from .account import stage_dependency
from .functions import RouteFunction
from .gateway_errors import GATEWAY_ERRORS, GatewayError, error_envelope
from .handler_code import user_schema_module
from .log_groups import log_group
from .naming import PREFIX, pascal
from .parameters import TRACING_ENABLED, Parameters
from .routes import Route
from .scanner import Skip, accept
from .tls import TLS_ACCESS_LOG_FIELDS, tls_properties

if TYPE_CHECKING:  # auth.py adds outputs, and outputs.py reads Api
    from .auth import AuthMode

JSON = "application/json"
#: Request headers a browser may send: the body type, optimistic locking and SigV4.
CORS_ALLOW_HEADERS = (
    "Content-Type",
    "If-Match",
    "Authorization",
    "X-Amz-Date",
    "X-Amz-Security-Token",
)
#: The API key header: a browser may send it once a route requires a key.
API_KEY_HEADER = "X-Api-Key"
#: Response headers a browser script may read (the handlers set them).
CORS_EXPOSE_HEADERS = ("ETag", "Location")
CORS_MAX_AGE_SECONDS = 600
#: The greedy resource that catches every path no route declares.
PROXY_PATH = "/{proxy+}"

#: A route without a caller requirement: public by the requirement itself.
PUBLIC_ROUTE = Skip(
    "CKV_AWS_59",
    "public by design in auth mode none (API.md: registration and profiles need no caller); "
    "stage throttling bounds it; auth mode cognito puts an authorizer here",
)


#: Access log fields: request ids, caller, route, outcome and timings. No
#: headers, query strings or bodies: those carry personal data (API.md).
ACCESS_LOG_FORMAT: dict[str, str] = {
    "requestId": "$context.requestId",
    "extendedRequestId": "$context.extendedRequestId",
    "sourceIp": "$context.identity.sourceIp",
    "requestTime": "$context.requestTime",
    "httpMethod": "$context.httpMethod",
    "resourcePath": "$context.resourcePath",
    "status": "$context.status",
    "protocol": "$context.protocol",
    "responseLength": "$context.responseLength",
    "responseLatency": "$context.responseLatency",
    "integrationLatency": "$context.integrationLatency",
    "integrationStatus": "$context.integration.status",
    "integrationError": "$context.integration.error",
    "errorMessage": "$context.error.message",
    "errorType": "$context.error.responseType",
    **TLS_ACCESS_LOG_FIELDS,
}


def resource_logical_id(path: str) -> str:
    """``/users/{user_id}`` -> ``UsersUserIdResource``."""
    return f"{pascal(path)}Resource"


def source_arn_path(path: str) -> str:
    """``/users/{user_id}`` -> ``/users/*``: the invoke-permission path pattern."""
    return re.sub(r"\{[^}]+\}", "*", path)


def path_parameters(path: str) -> list[str]:
    """``/users/{user_id}`` -> ``["user_id"]``."""
    return re.findall(r"\{([^}]+)\}", path)


def _cors_origin(params: Parameters) -> Sub:
    """The configured origin as a header mapping value (a quoted literal)."""
    return Sub(f"'${{{params.cors_allow_origin.title}}}'")


def cors_allow_headers(routes: Iterable[Route]) -> tuple[str, ...]:
    """What a preflight allows: the fixed headers, plus the key header when
    a route needs an API key (a preflight without it fails every such call)."""
    needs_key = any(route.api_key_required for route in routes)
    return CORS_ALLOW_HEADERS + ((API_KEY_HEADER,) if needs_key else ())


def _quoted(values: Iterable[str]) -> str:
    return "'" + ",".join(values) + "'"


def _add_resources(
    template: Template, api: RestApi, routes: tuple[Route, ...]
) -> dict[str, Resource]:
    """One Resource per path prefix, parents before children."""
    resources: dict[str, Resource] = {}
    for route in routes:
        segments = route.path.strip("/").split("/")
        for depth in range(1, len(segments) + 1):
            path = "/" + "/".join(segments[:depth])
            if path in resources:
                continue
            parent = (
                GetAtt(api, "RootResourceId")
                if depth == 1
                else Ref(resources["/" + "/".join(segments[: depth - 1])])
            )
            resources[path] = template.add_resource(
                Resource(
                    resource_logical_id(path),
                    RestApiId=Ref(api),
                    ParentId=parent,
                    PathPart=segments[depth - 1],
                )
            )
    return resources


def _add_models(template: Template, api: RestApi, routes: tuple[Route, ...]) -> dict[str, Model]:
    """One JSON-schema model per request-body kind (create, update).

    A request validator enforces them at the gateway, so a broken body is
    refused before any Lambda runs (and is not billed as one). Its answer is
    a fixed message: the handlers, which validate with the same schema.json,
    name the offending key when a body reaches them some other way.
    """
    schema = user_schema_module()
    models: dict[str, Model] = {}
    for kind in dict.fromkeys(route.body for route in routes if route.body):
        request_schema = schema.request_schema(kind)
        models[kind] = template.add_resource(
            Model(
                f"{request_schema['title']}Model",
                RestApiId=Ref(api),
                Name=request_schema["title"],
                ContentType=JSON,
                Description=f"Body of a {kind} request (functions/users/schema.json)",
                Schema=request_schema,
            )
        )
    return models


def _route_method(
    route: Route,
    function: RouteFunction,
    api: RestApi,
    resource: Resource,
    validator: RequestValidator,
    models: Mapping[str, Model],
    mode: AuthMode,
) -> Method:
    extra: dict[str, object] = mode.for_route(route).method_properties()
    if path_parameters(route.path):
        extra["RequestParameters"] = {
            f"method.request.path.{name}": True for name in path_parameters(route.path)
        }
    if route.body:
        extra["RequestValidatorId"] = Ref(validator)
        extra["RequestModels"] = {JSON: Ref(models[route.body])}
    if route.api_key_required:
        extra["ApiKeyRequired"] = True
    method = Method(
        f"{route.name}Method",
        RestApiId=Ref(api),
        ResourceId=Ref(resource),
        HttpMethod=route.method,
        OperationName=route.name,
        Integration=Integration(
            Type="AWS_PROXY",
            IntegrationHttpMethod="POST",
            Uri=Sub(
                "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31"
                f"/functions/${{{function.function.title}.Arn}}/invocations"
            ),
        ),
        **extra,
    )
    if extra.get("AuthorizationType") == "NONE" and not extra.get("ApiKeyRequired"):
        accept(method, PUBLIC_ROUTE)
    return method


def _options_method(
    path: str,
    methods: list[str],
    allow_headers: tuple[str, ...],
    api: RestApi,
    resource: Resource,
    params: Parameters,
) -> Method:
    """CORS preflight answered by API Gateway itself (MOCK): no Lambda call."""
    headers = {
        "Access-Control-Allow-Origin": _cors_origin(params),
        "Access-Control-Allow-Methods": _quoted(methods),
        "Access-Control-Allow-Headers": _quoted(allow_headers),
        "Access-Control-Max-Age": f"'{CORS_MAX_AGE_SECONDS}'",
    }
    return Method(
        f"{pascal(path)}OptionsMethod",
        RestApiId=Ref(api),
        ResourceId=Ref(resource),
        HttpMethod="OPTIONS",
        AuthorizationType="NONE",
        Integration=Integration(
            Type="MOCK",
            RequestTemplates={JSON: '{"statusCode": 200}'},
            IntegrationResponses=[
                IntegrationResponse(
                    StatusCode="200",
                    ResponseParameters={
                        f"method.response.header.{name}": value for name, value in headers.items()
                    },
                    ResponseTemplates={JSON: ""},
                )
            ],
        ),
        MethodResponses=[
            MethodResponse(
                StatusCode="200",
                ResponseParameters={f"method.response.header.{name}": True for name in headers},
            )
        ],
    )


def _error_cors_headers(params: Parameters) -> dict[str, object]:
    """The CORS headers every error carries, gateway-made or MOCK."""
    return {
        "Access-Control-Allow-Origin": _cors_origin(params),
        "Access-Control-Allow-Headers": _quoted(CORS_ALLOW_HEADERS),
        "Access-Control-Expose-Headers": _quoted(CORS_EXPOSE_HEADERS),
    }


#: Response types API Gateway has (botocore's ``GatewayResponseType`` enum)
#: that troposphere 4.11's validator does not list yet.
NEWER_RESPONSE_TYPES = ("WAF_FILTERED",)


def _response_type(value: str) -> str:
    return value if value in NEWER_RESPONSE_TYPES else validate_gateway_response_type(value)


class CurrentGatewayResponse(GatewayResponse):
    """``AWS::ApiGateway::GatewayResponse`` whose ResponseType also takes the
    types troposphere lags behind on; everything else is troposphere's own."""

    props = {**GatewayResponse.props, "ResponseType": (_response_type, True)}


def _gateway_response(error: GatewayError, api: RestApi, params: Parameters) -> GatewayResponse:
    extra = {"StatusCode": error.status} if error.status else {}
    return CurrentGatewayResponse(
        f"{pascal(error.response_type)}GatewayResponse",
        RestApiId=Ref(api),
        ResponseType=error.response_type,
        ResponseParameters={
            f"gatewayresponse.header.{name}": value
            for name, value in _error_cors_headers(params).items()
        },
        ResponseTemplates={JSON: error_envelope(error.code, error.message)},
        **extra,
    )


@dataclass(frozen=True)
class CatchAll:
    """A MOCK ``ANY`` method answering requests no route matches."""

    logical_id: str
    status: int
    code: str
    message: str
    #: Extra static response headers (``Allow``).
    headers: Mapping[str, str]


def allowed_methods(path: str, routes: Iterable[Route]) -> list[str]:
    """The methods a path answers: its routes' methods, then OPTIONS (the preflight)."""
    return [*(route.method for route in routes if route.path == path), "OPTIONS"]


def catch_alls(routes: tuple[Route, ...]) -> list[tuple[str, CatchAll]]:
    """(path, catch-all) for ``/``, every route path (405) and ``/{proxy+}`` (404)."""
    not_found = ("not_found", "Not found")
    answers = [("/", CatchAll("RootAnyMethod", 404, *not_found, {}))]
    for path in dict.fromkeys(route.path for route in routes):
        allow = ",".join(allowed_methods(path, routes))
        answers.append(
            (
                path,
                CatchAll(
                    f"{pascal(path)}AnyMethod",
                    405,
                    "method_not_allowed",
                    "Method not allowed",
                    {"Allow": allow},
                ),
            )
        )
    answers.append((PROXY_PATH, CatchAll("ProxyAnyMethod", 404, *not_found, {})))
    return answers


def _catch_all_method(
    answer: CatchAll, api: RestApi, resource_id: object, params: Parameters
) -> Method:
    """``ANY`` answered by API Gateway itself (MOCK) in API.md's envelope."""
    headers = {
        **_error_cors_headers(params),
        **{name: _quoted([value]) for name, value in answer.headers.items()},
    }
    status = str(answer.status)
    method = Method(
        answer.logical_id,
        RestApiId=Ref(api),
        ResourceId=resource_id,
        HttpMethod="ANY",
        AuthorizationType="NONE",
        Integration=Integration(
            Type="MOCK",
            # A body of another media type is refused (415) rather than
            # handed to the MOCK, which only understands this template.
            PassthroughBehavior="WHEN_NO_TEMPLATES",
            RequestTemplates={JSON: json.dumps({"statusCode": answer.status})},
            IntegrationResponses=[
                IntegrationResponse(
                    StatusCode=status,
                    ResponseParameters={
                        f"method.response.header.{name}": value for name, value in headers.items()
                    },
                    ResponseTemplates={
                        JSON: error_envelope(answer.code, json.dumps(answer.message))
                    },
                )
            ],
        ),
        MethodResponses=[
            MethodResponse(
                StatusCode=status,
                ResponseParameters={f"method.response.header.{name}": True for name in headers},
            )
        ],
    )
    return accept(
        method,
        Skip(
            "CKV_AWS_59",
            "MOCK catch-all: API Gateway itself answers 404 or 405; no back end behind it",
        ),
    )


#: The resource types an API Gateway Deployment snapshots. Every resource of
#: these types enters the Deployment's id, whichever module added it (an auth
#: mode's authorizer, a feature's methods), so a changed API is redeployed.
SNAPSHOT_TYPES = frozenset(
    {
        "AWS::ApiGateway::RestApi",
        "AWS::ApiGateway::Resource",
        "AWS::ApiGateway::Method",
        "AWS::ApiGateway::Model",
        "AWS::ApiGateway::RequestValidator",
        "AWS::ApiGateway::GatewayResponse",
        "AWS::ApiGateway::Authorizer",
        "AWS::ApiGateway::DocumentationPart",
    }
)
#: Properties that do not reach the snapshot (tags are applied last, too).
_NOT_SNAPSHOTTED = ("Tags",)


def snapshot_resources(template: Template) -> dict[str, dict[str, object]]:
    """Logical id -> definition of every resource the stage snapshot depends on."""
    found: dict[str, dict[str, object]] = {}
    for title, resource in template.resources.items():
        if resource.resource_type not in SNAPSHOT_TYPES:
            continue
        definition = resource.to_dict()
        properties = dict(definition.get("Properties", {}))
        for name in _NOT_SNAPSHOTTED:
            properties.pop(name, None)
        found[title] = {**definition, "Properties": properties}
    return found


def deployment_logical_id(template: Template) -> str:
    """``ApiDeployment<hash>``: changes exactly when the API definition does.

    A Deployment is an immutable snapshot: CloudFormation only redeploys when
    its logical id changes. Hashing the canonical JSON of every resource of a
    snapshotted type (found by type, not listed) makes that happen on each API
    change and never otherwise (no uuid, no clock).
    """
    canonical = json.dumps(snapshot_resources(template), sort_keys=True, separators=(",", ":"))
    return "ApiDeployment" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Api:
    """What outputs and monitoring need from the API."""

    rest_api: RestApi
    stage: Stage
    deployment: Deployment


def add_rest_api(template: Template, params: Parameters) -> RestApi:
    """The regional REST API itself (its methods come from ``add_api``)."""
    return template.add_resource(
        RestApi(
            "RestApi",
            Name=Sub(PREFIX),
            Description="Users API (userapi_stack)",
            EndpointConfiguration=EndpointConfiguration(Types=["REGIONAL"]),
            **tls_properties(params.security_policy, params.endpoint_access_mode),
            # Bodies are capped by the handlers at 16 KiB; no binary media.
            DisableExecuteApiEndpoint=False,
        )
    )


def add_api(
    template: Template,
    params: Parameters,
    functions: list[RouteFunction],
    api: RestApi,
    mode: AuthMode,
    feature_errors: Sequence[GatewayError] = (),
) -> None:
    """Add resources, methods, models, gateway responses and invoke permissions.

    ``feature_errors`` are the refusals opt-in features bring (an invalid API
    key, a WAF block), rendered like the core ones.
    """
    routes = tuple(item.route for item in functions)
    resources = _add_resources(template, api, routes)
    resources[PROXY_PATH] = template.add_resource(
        Resource(
            "ProxyResource",
            RestApiId=Ref(api),
            ParentId=GetAtt(api, "RootResourceId"),
            PathPart=PROXY_PATH.strip("/"),
        )
    )
    models = _add_models(template, api, routes)
    validator = template.add_resource(
        RequestValidator(
            "BodyValidator",
            RestApiId=Ref(api),
            Name="body-and-parameters",
            ValidateRequestBody=True,
            ValidateRequestParameters=True,
        )
    )
    for item in functions:
        template.add_resource(
            _route_method(
                item.route, item, api, resources[item.route.path], validator, models, mode
            )
        )
    for path in dict.fromkeys(route.path for route in routes):
        allowed = allowed_methods(path, routes)
        template.add_resource(
            _options_method(path, allowed, cors_allow_headers(routes), api, resources[path], params)
        )
    for path, answer in catch_alls(routes):
        resource_id = GetAtt(api, "RootResourceId") if path == "/" else Ref(resources[path])
        template.add_resource(_catch_all_method(answer, api, resource_id, params))
    for error in (*GATEWAY_ERRORS, *mode.gateway_errors(routes), *feature_errors):
        template.add_resource(_gateway_response(error, api, params))
    for item in functions:
        route = item.route
        template.add_resource(
            Permission(
                f"{route.name}Permission",
                Action="lambda:InvokeFunction",
                FunctionName=GetAtt(item.function, "Arn"),
                Principal="apigateway.amazonaws.com",
                SourceArn=Sub(
                    "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:"
                    f"${{RestApi}}/*/{route.method}{source_arn_path(route.path)}"
                ),
            )
        )


def add_stage(template: Template, params: Parameters, api: RestApi, account: Account) -> Api:
    """The Deployment (a snapshot of everything added so far) and the stage serving it.

    Call it after every module that adds methods, models, authorizers or
    gateway responses: the Deployment's id and DependsOn are derived from
    what the template holds at that point.
    """
    snapshot = snapshot_resources(template)
    deployment = template.add_resource(
        Deployment(
            deployment_logical_id(template),
            RestApiId=Ref(api),
            Description="Snapshot of the API definition (id hashes its content)",
            # The snapshot must include every method, authorizer and gateway response.
            DependsOn=sorted(title for title in snapshot if title != api.title),
        )
    )
    access_logs = template.add_resource(
        log_group("ApiAccessLogGroup", f"/aws/apigateway/{PREFIX}/access", params)
    )
    # API Gateway creates this group itself, with no retention, unless it exists.
    template.add_resource(
        log_group(
            "ApiExecutionLogGroup", "API-Gateway-Execution-Logs_${RestApi}/${Environment}", params
        )
    )
    stage = template.add_resource(
        accept(
            Stage(
                "ApiStage",
                RestApiId=Ref(api),
                StageName=Ref(params.environment),
                DeploymentId=Ref(deployment),
                Description="The one stage of this environment",
                TracingEnabled=If(TRACING_ENABLED, True, False),
                AccessLogSetting=AccessLogSetting(
                    DestinationArn=GetAtt(access_logs, "Arn"),
                    Format=json.dumps(ACCESS_LOG_FORMAT, sort_keys=True, separators=(",", ":")),
                ),
                MethodSettings=[
                    MethodSetting(
                        HttpMethod="*",
                        ResourcePath="/*",
                        LoggingLevel="ERROR",
                        DataTraceEnabled=False,  # would log bodies: personal data
                        # Per-method metrics are billed; API-level ones suffice.
                        MetricsEnabled=False,
                        ThrottlingRateLimit=Ref(params.throttling_rate),
                        ThrottlingBurstLimit=Ref(params.throttling_burst),
                    )
                ],
                Metadata=stage_dependency(account),
                DependsOn=["ApiExecutionLogGroup"],
            ),
            Skip(
                "CKV_AWS_120",
                "no stage cache: answers are per-user personal data that must be fresh after "
                "a PUT, and the cache is billed by the hour (~$14/month for the smallest)",
            ),
            Skip(
                "CKV_AWS_73",
                "X-Ray follows the TracingMode Parameter (PassThrough by default: traces are "
                "billed); deploy with TracingMode=Active to trace",
            ),
        )
    )
    return Api(api, stage, deployment)
