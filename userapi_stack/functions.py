"""Lambda: one function, role and log group per route.

One function per route keeps each role minimal (a compromised GetUser can
only read) and each route's errors, duration and throttles separately
observable. Code comes from S3 (the deploy script uploads a content-hashed
zip), the handler string from the route table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from troposphere import GetAtt, If, NoValue, Ref, Sub, Template
from troposphere.awslambda import Code, Environment, Function, LoggingConfig, TracingConfig
from troposphere.dynamodb import Table
from troposphere.iam import Policy, Role
from troposphere.logs import LogGroup
from troposphere.ssm import Parameter as SsmParameter

from .configuration import CONFIG_PATH, config_parameter_arn, route_secrets
from .handler_code import settings_module
from .log_groups import log_group
from .naming import function_name_fragment
from .options import DEFAULT_RUNTIME, DEPRECATED_RUNTIMES, TemplateOptions
from .parameters import HAS_RESERVED_CONCURRENCY, TRACING_ENABLED, Parameters
from .policies import function_policy, service_trust_policy, xray_policy
from .routes import EMAILS_TABLE, USERS_TABLE, Route
from .scanner import Skip, accept

#: The function trade-offs every route shares (the README's security choices).
FUNCTION_TRADE_OFFS = (
    Skip(
        "CKV_AWS_116",
        "invoked synchronously by API Gateway: a failure is answered to the caller; "
        "a DLQ only ever receives asynchronous events",
    ),
    Skip(
        "CKV_AWS_117",
        "reaches only DynamoDB and SSM over IAM-signed TLS; a VPC would add NAT or interface "
        "endpoints (~$7/month each per AZ) and protect nothing private",
    ),
    Skip(
        "CKV_AWS_173",
        "environment holds only table names and the SSM path, no secrets (those are "
        "SecureString parameters); Lambda encrypts it at rest with its AWS-managed key",
    ),
)

#: A healthy request takes 10-50 ms warm and under 1 s cold (INIT, the SSM
#: read, one or two DynamoDB calls); 5 s is five times that. It also bounds
#: how much of the region's Lambda concurrency the API can hold while a
#: dependency hangs: at most ThrottlingRateLimit x 5 s (README, Concurrency).
#: The handlers' own AWS timeouts (users/config.py) give up first, so a slow
#: call still ends as a logged 500 rather than "Task timed out".
FUNCTION_TIMEOUT_SECONDS = 5


@dataclass(frozen=True)
class RouteFunction:
    """The resources of one route's function."""

    route: Route
    function: Function
    role: Role
    log_group: LogGroup


def _log_group(route: Route, params: Parameters) -> LogGroup:
    return log_group(
        f"{route.name}LogGroup", f"/aws/lambda/{function_name_fragment(route.name)}", params
    )


def _role(
    route: Route,
    tables: Mapping[str, Table],
    config: Mapping[str, SsmParameter],
    log_group: LogGroup,
    secrets: tuple[str, ...],
) -> Role:
    document = function_policy(
        route,
        table_arns={role: GetAtt(table, "Arn") for role, table in tables.items()},
        config_parameter_arns=[config_parameter_arn(name) for name in config],
        log_group_arn=GetAtt(log_group, "Arn"),
        secret_parameter_arns=[config_parameter_arn(name) for name in secrets],
    )
    return Role(
        f"{route.name}Role",
        Description=f"Least privilege for the {route.name} function ({route.method} {route.path})",
        AssumeRolePolicyDocument=service_trust_policy("lambda.amazonaws.com"),
        Policies=[
            Policy(PolicyName="least-privilege", PolicyDocument=document),
            If(TRACING_ENABLED, Policy(PolicyName="xray", PolicyDocument=xray_policy()), NoValue),
        ],
    )


def _function(
    route: Route,
    options: TemplateOptions,
    params: Parameters,
    tables: Mapping[str, Table],
    role: Role,
    log_group: LogGroup,
) -> Function:
    settings = settings_module()
    function = Function(
        f"{route.name}Function",
        FunctionName=Sub(function_name_fragment(route.name)),
        Description=f"{route.summary} ({route.method} {route.path})",
        Runtime=options.runtime,
        Architectures=[options.architecture],
        Handler=route.handler,
        Code=Code(S3Bucket=Ref(params.artifact_bucket), S3Key=Ref(params.artifact_key)),
        MemorySize=Ref(params.memory_size),
        Timeout=FUNCTION_TIMEOUT_SECONDS,
        Role=GetAtt(role, "Arn"),
        # Only names: configuration values live in SSM (settings.py).
        Environment=Environment(
            Variables={
                settings.ENV_USERS_TABLE: Ref(tables[USERS_TABLE]),
                settings.ENV_EMAILS_TABLE: Ref(tables[EMAILS_TABLE]),
                settings.ENV_CONFIG_PATH: Sub(CONFIG_PATH),
                settings.ENV_AUTH_MODE: options.auth,
            }
        ),
        LoggingConfig=LoggingConfig(LogFormat="JSON", LogGroup=Ref(log_group)),
        TracingConfig=TracingConfig(Mode=Ref(params.tracing)),
        ReservedConcurrentExecutions=If(
            HAS_RESERVED_CONCURRENCY, Ref(params.reserved_concurrency), NoValue
        ),
    )
    accept(function, *FUNCTION_TRADE_OFFS)
    if options.runtime in DEPRECATED_RUNTIMES:
        accept(
            function,
            Skip(
                "CKV_AWS_363",
                f"{options.runtime} chosen explicitly with --runtime (deprecated by AWS on "
                f"{DEPRECATED_RUNTIMES[options.runtime]}); the default is {DEFAULT_RUNTIME}",
            ),
        )
    return function


def add_functions(
    template: Template,
    options: TemplateOptions,
    params: Parameters,
    tables: Mapping[str, Table],
    config: Mapping[str, SsmParameter],
) -> list[RouteFunction]:
    """Add the log group, role and function of every route, in route order."""
    result = []
    for route in options.routes:
        log_group = template.add_resource(_log_group(route, params))
        secrets = route_secrets(route.name, {r.name for r in options.routes})
        role = template.add_resource(_role(route, tables, config, log_group, secrets))
        function = template.add_resource(_function(route, options, params, tables, role, log_group))
        result.append(RouteFunction(route, function, role, log_group))
    return result
