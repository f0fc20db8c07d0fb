"""API keys and a usage plan (opt-in, ``--api-keys``): meter third-party callers.

An API key identifies and meters a caller; it does not authorize one. AWS
says so: a key reaches every API of its usage plan, and throttles and quotas
are best effort (developerguide, "Usage plans and API keys"). So keys combine
with either auth mode and never replace it: the route table's
``api_key_required`` makes API Gateway refuse a request without a key of
this plan (403, INVALID_API_KEY) *before* any authorizer result is used.

The template creates the plan, not the keys: a key's value is a secret that
must not sit in a template or a stack's outputs. ``userapi api-key`` creates
a named key, attaches it to the plan (Output ``UsagePlanId``) and prints the
value once.

The plan's throttle and quota are Parameters (values), per key. The plan
must wait for the stage (its ``Ref``): created first it fails "API Stage not found"
(aws/serverless-application-model#32, aws/aws-cdk#6169).
"""

from __future__ import annotations

from dataclasses import replace

from troposphere import Equals, If, Not, NoValue, Parameter, Ref, Template
from troposphere.apigateway import ApiStage, QuotaSettings, ThrottleSettings, UsagePlan

from .api import Api
from .gateway_errors import GatewayError
from .naming import physical_name
from .outputs import export_output
from .routes import Route

HAS_QUOTA = "HasUsagePlanQuota"
#: The header API Gateway reads the key from (ApiKeySourceType HEADER, the default).
API_KEY_HEADER = "x-api-key"
QUOTA_PERIODS = ("DAY", "WEEK", "MONTH")

#: The gateway's own answers for key problems, in API.md's envelope. A missing
#: key and an unknown one are the same INVALID_API_KEY: the answer does not
#: tell a prober which it was.
API_KEY_ERRORS: tuple[GatewayError, ...] = (
    GatewayError("INVALID_API_KEY", "403", "forbidden", '"Forbidden: missing or invalid API key"'),
    GatewayError("QUOTA_EXCEEDED", "429", "too_many_requests", '"API key quota exceeded"'),
)


def require_api_keys(routes: tuple[Route, ...]) -> tuple[Route, ...]:
    """Every API route with ``api_key_required``: the whole API is metered.

    CORS preflights and the MOCK catch-alls (404/405) stay open: a browser
    sends no custom header on a preflight, and an unknown path costs no
    Lambda call.
    """
    return tuple(replace(route, api_key_required=True) for route in routes)


def add_usage_plan(template: Template, api: Api, enabled: bool) -> UsagePlan | None:
    """The usage plan on the stage, its Parameters and its Output; None when off."""
    if not enabled:
        return None
    rate = template.add_parameter(
        Parameter(
            "UsagePlanThrottleRateLimit",
            Type="Number",
            Default="25",
            MinValue=1,
            Description="Steady-state requests per second allowed to each API key (half "
            "the stage's default: one caller cannot take the whole stage).",
        )
    )
    burst = template.add_parameter(
        Parameter(
            "UsagePlanThrottleBurstLimit",
            Type="Number",
            Default="50",
            MinValue=1,
            Description="Burst (requests) allowed to each API key.",
        )
    )
    quota = template.add_parameter(
        Parameter(
            "UsagePlanQuotaLimit",
            Type="Number",
            Default="0",
            MinValue=0,
            Description="Requests each API key may make per UsagePlanQuotaPeriod; 0: no quota.",
        )
    )
    period = template.add_parameter(
        Parameter(
            "UsagePlanQuotaPeriod",
            Type="String",
            Default="MONTH",
            AllowedValues=list(QUOTA_PERIODS),
            Description="The period UsagePlanQuotaLimit counts over.",
        )
    )
    template.add_condition(HAS_QUOTA, Not(Equals(Ref(quota), "0")))
    plan = template.add_resource(
        UsagePlan(
            "UsagePlan",
            UsagePlanName=physical_name("usage-plan"),
            Description="Per-key throttle and quota of third-party callers (userapi api-key)",
            # A Ref to the Stage resource (not its name as text) makes the plan
            # wait for it: "API Stage not found" otherwise.
            ApiStages=[ApiStage(ApiId=Ref(api.rest_api), Stage=Ref(api.stage))],
            Throttle=ThrottleSettings(RateLimit=Ref(rate), BurstLimit=Ref(burst)),
            Quota=If(HAS_QUOTA, QuotaSettings(Limit=Ref(quota), Period=Ref(period)), NoValue),
        )
    )
    export_output(
        template,
        "UsagePlanId",
        Ref(plan),
        "Usage plan the API keys of `userapi api-key` are attached to",
    )
    return plan
