"""A WAF web ACL in front of the stage (opt-in, ``--waf``).

REGIONAL ``AWS::WAFv2::WebACL`` associated with the stage: a rate-based rule
per source IP (limit and window are Parameters) and, unless
``WafManagedCommonRules`` is ``false``, AWS's managed common rule set
(``AWSManagedRulesCommonRuleSet``: the OWASP-style baseline). Requests WAF
blocks reach the client as API Gateway's WAF_FILTERED gateway response, in
the API's error envelope with CORS (without it they fall through to
DEFAULT_4XX as ``bad_request``).

Logging keeps only what WAF blocked or counted (the rest is every request
again, already in the access log), with the ``authorization``, ``x-api-key``
and ``cookie`` headers redacted: WAF logs hold whole request headers. The
log group has the stack's retention. An alarm fires when blocks reach
``WafBlockedRequestsThreshold`` a minute: an attack, or a rule hurting real
users.
"""

from __future__ import annotations

from troposphere import Equals, GetAtt, If, NoValue, Parameter, Ref, Sub, Template
from troposphere.cloudwatch import MetricDimension
from troposphere.sns import Topic
from troposphere.wafv2 import (
    ActionCondition,
    AllowAction,
    BlockAction,
    DefaultAction,
    Filter,
    LoggingConfiguration,
    LoggingConfigurationFieldToMatch,
    LoggingFilter,
    ManagedRuleGroupStatement,
    OverrideAction,
    RateBasedStatement,
    RuleAction,
    SingleHeader,
    Statement,
    VisibilityConfig,
    WebACL,
    WebACLAssociation,
    WebACLRule,
)
from troposphere.wafv2 import Condition as LogCondition

from .api import Api
from .gateway_errors import GatewayError
from .log_groups import log_group
from .monitoring import AT_LEAST, alarm
from .naming import PREFIX
from .parameters import Parameters
from .scanner import Skip, accept

USE_MANAGED_RULES = "UseWafManagedCommonRules"
#: WAF only delivers to log groups whose name starts with this.
WAF_LOG_PREFIX = "aws-waf-logs-"
#: Evaluation windows WAF accepts for a rate-based rule (seconds).
RATE_WINDOWS = ("60", "120", "300", "600")
#: Headers never written to WAF logs: credentials and session data.
REDACTED_HEADERS = ("authorization", "x-api-key", "cookie")
MANAGED_COMMON_RULES = "AWSManagedRulesCommonRuleSet"
NO_LOG4J_RULES = Skip(
    "CKV_AWS_192",
    "no Java behind this API (Python handlers, stdlib and boto3 only): the Log4j rule of "
    "AWSManagedRulesKnownBadInputsRuleSet would guard nothing and costs a rule a month",
)
WAF_LOG_NO_CMK = Skip(
    "CKV_AWS_158",
    "CloudWatch Logs encrypts every group at rest already; WAF logs keep only blocked or "
    "counted requests, with authorization, x-api-key and cookie redacted; a CMK adds $1/month",
)

WAF_ERRORS: tuple[GatewayError, ...] = (
    GatewayError(
        "WAF_FILTERED", "403", "forbidden", '"Forbidden: blocked by the web application firewall"'
    ),
)


def _visibility(metric: str) -> VisibilityConfig:
    return VisibilityConfig(
        CloudWatchMetricsEnabled=True, SampledRequestsEnabled=True, MetricName=Sub(metric)
    )


def _rules(limit: Parameter, window: Parameter) -> list[object]:
    rate_rule = WebACLRule(
        Name="rate-limit-per-ip",
        Priority=0,
        Action=RuleAction(Block=BlockAction()),
        Statement=Statement(
            RateBasedStatement=RateBasedStatement(
                Limit=Ref(limit), EvaluationWindowSec=Ref(window), AggregateKeyType="IP"
            ),
        ),
        VisibilityConfig=_visibility(f"{PREFIX}-rate-limit-per-ip"),
    )
    managed = WebACLRule(
        Name="aws-common-rule-set",
        Priority=1,
        OverrideAction=OverrideAction(**{"None": {}}),
        Statement=Statement(
            ManagedRuleGroupStatement=ManagedRuleGroupStatement(
                VendorName="AWS", Name=MANAGED_COMMON_RULES
            )
        ),
        VisibilityConfig=_visibility(f"{PREFIX}-aws-common-rule-set"),
    )
    return [rate_rule, If(USE_MANAGED_RULES, managed, NoValue)]


def _add_parameters(template: Template) -> tuple[Parameter, Parameter, Parameter, Parameter]:
    limit = template.add_parameter(
        Parameter(
            "WafRateLimit",
            Type="Number",
            Default="1000",
            MinValue=10,
            MaxValue=2000000000,
            Description="Requests one source IP may make per WafRateWindowSeconds before WAF "
            "blocks it (carrier NAT puts many phones behind one IP: keep it generous).",
        )
    )
    window = template.add_parameter(
        Parameter(
            "WafRateWindowSeconds",
            Type="Number",
            Default="300",
            AllowedValues=list(RATE_WINDOWS),
            Description="Window WafRateLimit counts over (seconds).",
        )
    )
    managed = template.add_parameter(
        Parameter(
            "WafManagedCommonRules",
            Type="String",
            Default="true",
            AllowedValues=["true", "false"],
            Description="Add AWS's managed common rule set (AWSManagedRulesCommonRuleSet).",
        )
    )
    threshold = template.add_parameter(
        Parameter(
            "WafBlockedRequestsThreshold",
            Type="Number",
            Default="100",
            MinValue=1,
            Description="Alarm when WAF blocks this many requests in a minute (2 of 3 minutes).",
        )
    )
    template.add_condition(USE_MANAGED_RULES, Equals(Ref(managed), "true"))
    return limit, window, managed, threshold


def add_waf(
    template: Template, api: Api, params: Parameters, topic: Topic, enabled: bool
) -> WebACL | None:
    """The web ACL, its association, logging and alarm; None when off."""
    if not enabled:
        return None
    limit, window, _, threshold = _add_parameters(template)
    acl_name = f"{PREFIX}-waf"
    acl = template.add_resource(
        accept(
            WebACL(
                "WebAcl",
                Name=Sub(acl_name),
                Description="Rate limit per source IP, and AWS managed rules",
                Scope="REGIONAL",
                DefaultAction=DefaultAction(Allow=AllowAction()),
                Rules=_rules(limit, window),
                VisibilityConfig=_visibility(acl_name),
            ),
            NO_LOG4J_RULES,
        )
    )
    template.add_resource(
        WebACLAssociation(
            "WebAclAssociation",
            ResourceArn=Sub(
                "arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/"
                f"${{{api.rest_api.title}}}/stages/${{{api.stage.title}}}"
            ),
            WebACLArn=GetAtt(acl, "Arn"),
        )
    )
    logs = template.add_resource(
        log_group("WafLogGroup", f"{WAF_LOG_PREFIX}{PREFIX}", params, WAF_LOG_NO_CMK)
    )
    template.add_resource(
        LoggingConfiguration(
            "WafLogging",
            ResourceArn=GetAtt(acl, "Arn"),
            # The log group ARN without the ":*" that GetAtt Arn ends with.
            LogDestinationConfigs=[
                Sub(
                    "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:"
                    f"${{{logs.title}}}"
                )
            ],
            RedactedFields=[
                LoggingConfigurationFieldToMatch(SingleHeader=SingleHeader(Name=name))
                for name in REDACTED_HEADERS
            ],
            LoggingFilter=LoggingFilter(
                DefaultBehavior="DROP",
                Filters=[
                    Filter(
                        Behavior="KEEP",
                        Requirement="MEETS_ANY",
                        Conditions=[
                            LogCondition(ActionCondition=ActionCondition(Action=action))
                            for action in ("BLOCK", "COUNT")
                        ],
                    )
                ],
            ),
        )
    )
    template.add_resource(
        alarm(
            "WafBlockedRequestsAlarm",
            topic,
            "WAF blocked requests reach WafBlockedRequestsThreshold a minute",
            threshold,
            AT_LEAST,
            Namespace="AWS/WAFV2",
            MetricName="BlockedRequests",
            Dimensions=[
                MetricDimension(Name="WebACL", Value=Sub(acl_name)),
                MetricDimension(Name="Region", Value=Ref("AWS::Region")),
                MetricDimension(Name="Rule", Value="ALL"),
            ],
            Statistic="Sum",
        )
    )
    return acl
