"""CloudFormation Parameters and Conditions: the environment-specific knobs.

Everything that differs between two deployments of the same template (the
environment name, sizes, thresholds, the account-level logging role choice)
is a Parameter here, so ``dev`` and ``prod`` share one synthesized template.
"""

from __future__ import annotations

from dataclasses import dataclass

from troposphere import Equals, Not, Parameter, Ref, Template

from .tls import endpoint_access_mode_parameter, security_policy_parameter

#: Condition names, shared by the modules that use them.
CREATE_ACCOUNT_ROLE = "CreateApiGatewayAccountRoleCondition"
TRACING_ENABLED = "TracingEnabled"
HAS_RESERVED_CONCURRENCY = "HasReservedConcurrency"
HAS_ALARM_EMAIL = "HasAlarmEmail"

#: Log retention values CloudWatch Logs accepts (troposphere validates them too).
# fmt: off
RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
)
# fmt: on


@dataclass(frozen=True)
class Parameters:
    """The template's Parameters, as objects the other modules ``Ref``."""

    environment: Parameter
    app_name: Parameter
    cors_allow_origin: Parameter
    artifact_bucket: Parameter
    artifact_key: Parameter
    memory_size: Parameter
    reserved_concurrency: Parameter
    tracing: Parameter
    log_retention_days: Parameter
    throttling_rate: Parameter
    throttling_burst: Parameter
    create_account_role: Parameter
    alarm_email: Parameter
    api_5xx_rate_threshold: Parameter
    api_p99_latency_threshold: Parameter
    concurrency_threshold: Parameter
    function_errors_threshold: Parameter
    function_throttles_threshold: Parameter
    table_throttles_threshold: Parameter
    table_system_errors_threshold: Parameter
    security_policy: Parameter
    endpoint_access_mode: Parameter


def _count_threshold(title: str, what: str) -> Parameter:
    return Parameter(
        title,
        Type="Number",
        Default="1",
        MinValue=1,
        Description=f"Alarm when {what} reach this count in a minute (2 of 3 minutes).",
    )


def add_parameters(template: Template) -> Parameters:
    """Add every Parameter and Condition; return the Parameters for ``Ref``."""
    params = Parameters(
        environment=Parameter(
            "Environment",
            Type="String",
            Default="dev",
            AllowedPattern="^[a-z][a-z0-9]{0,15}$",
            Description="Environment name: the stage name, the SSM path /<Environment>/api/ "
            "and part of every physical name, so environments deploy side by side.",
        ),
        app_name=Parameter(
            "AppName",
            Type="String",
            Default="userapi",
            AllowedPattern="^[a-z][a-z0-9-]{0,23}[a-z0-9]$",
            Description="Application name: prefix of physical names, the APP_NAME setting "
            "and the CloudWatch namespace of the handlers' metrics.",
        ),
        cors_allow_origin=Parameter(
            "CorsAllowOrigin",
            Type="String",
            Default="*",
            AllowedPattern="^(\\*|https?://[^\\s',]+)$",
            Description="Access-Control-Allow-Origin of every response: * or one origin.",
        ),
        artifact_bucket=Parameter(
            "ArtifactBucket",
            Type="String",
            MinLength=3,
            Description="S3 bucket holding the Lambda code zip (the deploy script uploads it).",
        ),
        artifact_key=Parameter(
            "ArtifactKey",
            Type="String",
            MinLength=1,
            Description="S3 key of the Lambda code zip (content-hashed by the deploy script).",
        ),
        memory_size=Parameter(
            "FunctionMemorySize",
            Type="Number",
            Default="256",
            MinValue=128,
            MaxValue=10240,
            Description="Memory (MB) of every function; CPU scales with it.",
        ),
        reserved_concurrency=Parameter(
            "FunctionReservedConcurrency",
            Type="Number",
            Default="-1",
            MinValue=-1,
            Description="Reserved concurrency per function; -1 leaves it unreserved. Off by "
            "default: reserving fails on new accounts with a low concurrency quota.",
        ),
        tracing=Parameter(
            "TracingMode",
            Type="String",
            Default="PassThrough",
            AllowedValues=["Active", "PassThrough"],
            Description="X-Ray tracing of functions and the stage (Active costs per trace).",
        ),
        log_retention_days=Parameter(
            "LogRetentionDays",
            Type="Number",
            Default="30",
            AllowedValues=[str(days) for days in RETENTION_DAYS],
            Description="Retention of every log group this stack creates.",
        ),
        throttling_rate=Parameter(
            "ThrottlingRateLimit",
            Type="Number",
            Default="50",
            MinValue=1,
            Description="Stage steady-state request rate limit (requests per second). With the "
            "5 s function timeout it caps the API's Lambda concurrency at 5 x this value.",
        ),
        throttling_burst=Parameter(
            "ThrottlingBurstLimit",
            Type="Number",
            Default="100",
            MinValue=1,
            Description="Stage burst limit (requests).",
        ),
        create_account_role=Parameter(
            "CreateApiGatewayAccountRole",
            Type="String",
            Default="true",
            AllowedValues=["true", "false"],
            Description="Create the region's API Gateway CloudWatch role and account setting "
            "(retained on delete). Use false when the account already has one: the deploy "
            "script decides from apigateway get-account.",
        ),
        alarm_email=Parameter(
            "AlarmEmail",
            Type="String",
            Default="",
            AllowedPattern="^$|^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$",
            Description="Optional email subscribed to the alarm topic (empty: none).",
        ),
        api_5xx_rate_threshold=Parameter(
            "Api5xxRateThreshold",
            Type="Number",
            Default="0.01",
            MinValue=0,
            MaxValue=1,
            Description="Alarm when the fraction (0-1) of 5XX answers exceeds this.",
        ),
        api_p99_latency_threshold=Parameter(
            "ApiP99LatencyThresholdMs",
            Type="Number",
            Default="2000",
            MinValue=1,
            Description="Alarm when the API's p99 latency (ms) exceeds this.",
        ),
        concurrency_threshold=Parameter(
            "FunctionConcurrencyThreshold",
            Type="Number",
            Default="50",
            MinValue=1,
            Description="Alarm when the functions together run more than this many instances "
            "at once (5% of the default regional quota of 1,000; a healthy peak is ~1).",
        ),
        function_errors_threshold=_count_threshold("FunctionErrorsThreshold", "function errors"),
        function_throttles_threshold=_count_threshold(
            "FunctionThrottlesThreshold", "function throttles"
        ),
        table_throttles_threshold=_count_threshold(
            "TableThrottlesThreshold", "DynamoDB throttled requests"
        ),
        table_system_errors_threshold=_count_threshold(
            "TableSystemErrorsThreshold", "DynamoDB system errors"
        ),
        security_policy=security_policy_parameter(),
        endpoint_access_mode=endpoint_access_mode_parameter(),
    )
    for parameter in vars(params).values():
        template.add_parameter(parameter)

    template.add_condition(CREATE_ACCOUNT_ROLE, Equals(Ref(params.create_account_role), "true"))
    template.add_condition(TRACING_ENABLED, Equals(Ref(params.tracing), "Active"))
    template.add_condition(
        HAS_RESERVED_CONCURRENCY, Not(Equals(Ref(params.reserved_concurrency), "-1"))
    )
    template.add_condition(HAS_ALARM_EMAIL, Not(Equals(Ref(params.alarm_email), "")))
    return params
