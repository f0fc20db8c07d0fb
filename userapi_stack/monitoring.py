"""Alarms, their SNS topic, and the dashboard.

Alarms use 1-minute periods, 2-of-3 datapoints (one bad minute is noise,
two in three is a trend) and treat missing data as not breaching: an idle
API is healthy, not alarming. Thresholds are Parameters.

Registrations: the handlers emit EMF metrics ``UserCreated`` and
``UserDeleted`` in namespace = the AppName Parameter value, with one
dimension ``Environment`` = the Environment Parameter value.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from troposphere import Parameter, Ref, Sub, Template
from troposphere.cloudwatch import (
    Alarm,
    Dashboard,
    Metric,
    MetricDataQuery,
    MetricDimension,
    MetricStat,
)
from troposphere.dynamodb import Table
from troposphere.sns import SubscriptionResource, Topic

from .functions import RouteFunction
from .naming import PREFIX, function_name_fragment, physical_name
from .parameters import HAS_ALARM_EMAIL, Parameters
from .scanner import Skip, accept
from .storage import PARTITION_KEYS, table_logical_id

PERIOD_SECONDS = 60
EVALUATION_PERIODS = 3
DATAPOINTS_TO_ALARM = 2
#: The handlers' EMF metric names (registrations and deletions).
REGISTRATION_METRICS = ("UserCreated", "UserDeleted")
#: DynamoDB reports ThrottledRequests and SystemErrors per table AND
#: operation (no table-only series), so an alarm sums the operations the
#: handlers can call. Eight metrics plus one expression stays within the
#: metric-math alarm limit.
DYNAMODB_OPERATIONS = (
    "GetItem",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "Scan",
    "Query",
    "TransactWriteItems",
    "TransactGetItems",
)
API_NAME = PREFIX  # RestApi Name (api.py), the ApiName dimension
GREATER = "GreaterThanThreshold"
AT_LEAST = "GreaterThanOrEqualToThreshold"


def alarm(
    title: str,
    topic: Topic,
    description: str,
    threshold: Parameter,
    comparison: str,
    **metric: Any,
) -> Alarm:
    """An alarm with the project's evaluation policy, notifying the topic."""
    if "Metrics" not in metric:
        metric["Period"] = PERIOD_SECONDS
    return Alarm(
        title,
        AlarmName=physical_name(title),
        AlarmDescription=description,
        AlarmActions=[Ref(topic)],
        OKActions=[Ref(topic)],
        Threshold=Ref(threshold),
        ComparisonOperator=comparison,
        EvaluationPeriods=EVALUATION_PERIODS,
        DatapointsToAlarm=DATAPOINTS_TO_ALARM,
        TreatMissingData="notBreaching",
        **metric,
    )


def _api_dimensions() -> list[MetricDimension]:
    return [
        MetricDimension(Name="ApiName", Value=Sub(API_NAME)),
        MetricDimension(Name="Stage", Value=Sub("${Environment}")),
    ]


def _table_sum(table: Table, metric_name: str) -> list[MetricDataQuery]:
    """Metric math: one table's ``metric_name`` summed over operations."""
    queries = [
        MetricDataQuery(
            Id=f"op{index}",
            ReturnData=False,
            MetricStat=MetricStat(
                Metric=Metric(
                    Namespace="AWS/DynamoDB",
                    MetricName=metric_name,
                    Dimensions=[
                        MetricDimension(Name="TableName", Value=Ref(table)),
                        MetricDimension(Name="Operation", Value=operation),
                    ],
                ),
                Period=PERIOD_SECONDS,
                Stat="Sum",
            ),
        )
        for index, operation in enumerate(DYNAMODB_OPERATIONS)
    ]
    queries.append(
        MetricDataQuery(Id="total", Expression="SUM(METRICS())", Label=metric_name, ReturnData=True)
    )
    return queries


def _concurrency_sum(functions: list[RouteFunction]) -> list[MetricDataQuery]:
    """Metric math: the peak concurrent instances of every function, summed."""
    queries = [
        MetricDataQuery(
            Id=f"fn{index}",
            ReturnData=False,
            MetricStat=MetricStat(
                Metric=Metric(
                    Namespace="AWS/Lambda",
                    MetricName="ConcurrentExecutions",
                    Dimensions=[MetricDimension(Name="FunctionName", Value=Ref(item.function))],
                ),
                Period=PERIOD_SECONDS,
                Stat="Maximum",
            ),
        )
        for index, item in enumerate(functions)
    ]
    queries.append(
        MetricDataQuery(
            Id="total", Expression="SUM(METRICS())", Label="ConcurrentExecutions", ReturnData=True
        )
    )
    return queries


def _add_alarms(
    template: Template,
    params: Parameters,
    topic: Topic,
    functions: list[RouteFunction],
    tables: Mapping[str, Table],
) -> None:
    template.add_resource(
        alarm(
            "Api5xxAlarm",
            topic,
            "Share of API answers that are 5XX is above Api5xxRateThreshold",
            params.api_5xx_rate_threshold,
            GREATER,
            Namespace="AWS/ApiGateway",
            MetricName="5XXError",
            Dimensions=_api_dimensions(),
            Statistic="Average",  # Average of 5XXError is a 0-1 fraction
        )
    )
    template.add_resource(
        alarm(
            "ApiLatencyAlarm",
            topic,
            "API p99 latency is above ApiP99LatencyThresholdMs",
            params.api_p99_latency_threshold,
            GREATER,
            Namespace="AWS/ApiGateway",
            MetricName="Latency",
            Dimensions=_api_dimensions(),
            ExtendedStatistic="p99",
        )
    )
    template.add_resource(
        alarm(
            "FunctionConcurrencyAlarm",
            topic,
            "The API's functions together hold more concurrent instances than "
            "FunctionConcurrencyThreshold (the region's Lambda quota is shared)",
            params.concurrency_threshold,
            GREATER,
            Metrics=_concurrency_sum(functions),
        )
    )
    for item in functions:
        for metric_name, threshold in (
            ("Errors", params.function_errors_threshold),
            ("Throttles", params.function_throttles_threshold),
        ):
            template.add_resource(
                alarm(
                    f"{item.route.name}{metric_name}Alarm",
                    topic,
                    f"{item.route.name} function {metric_name.lower()}",
                    threshold,
                    AT_LEAST,
                    Namespace="AWS/Lambda",
                    MetricName=metric_name,
                    Dimensions=[MetricDimension(Name="FunctionName", Value=Ref(item.function))],
                    Statistic="Sum",
                )
            )
    for role, table in tables.items():
        for metric_name, threshold in (
            ("ThrottledRequests", params.table_throttles_threshold),
            ("SystemErrors", params.table_system_errors_threshold),
        ):
            template.add_resource(
                alarm(
                    f"{table_logical_id(role)}{metric_name}Alarm",
                    topic,
                    f"DynamoDB {metric_name} on the {role} table",
                    threshold,
                    AT_LEAST,
                    Metrics=_table_sum(table, metric_name),
                )
            )


def _widget(title: str, metrics: list[list[Any]], y: int, x: int, stat: str) -> dict[str, Any]:
    return {
        "type": "metric",
        "x": x,
        "y": y,
        "width": 12,
        "height": 6,
        "properties": {
            "title": title,
            "region": "${AWS::Region}",
            "stat": stat,
            "period": PERIOD_SECONDS,
            "view": "timeSeries",
            "metrics": metrics,
        },
    }


def dashboard_body(functions: list[RouteFunction]) -> str:
    """The dashboard JSON as ``Sub`` text (deterministic: sorted keys)."""
    api = ["AWS/ApiGateway", None, "ApiName", API_NAME, "Stage", "${Environment}"]

    def api_metric(name: str) -> list[Any]:
        return [api[0], name, *api[2:]]

    def per_function(metric_name: str) -> list[list[Any]]:
        return [
            ["AWS/Lambda", metric_name, "FunctionName", function_name_fragment(item.route.name)]
            for item in functions
        ]

    tables = [f"{PREFIX}-{role}" for role in PARTITION_KEYS]
    widgets = [
        _widget("API requests", [api_metric("Count")], 0, 0, "Sum"),
        _widget("API 4XX and 5XX", [api_metric("4XXError"), api_metric("5XXError")], 0, 12, "Sum"),
        _widget("API latency p99 (ms)", [api_metric("Latency")], 6, 0, "p99"),
        _widget(
            "Registrations",
            [
                ["${AppName}", name, "Environment", "${Environment}"]
                for name in REGISTRATION_METRICS
            ],
            6,
            12,
            "Sum",
        ),
        _widget("Lambda invocations", per_function("Invocations"), 12, 0, "Sum"),
        _widget("Lambda errors", per_function("Errors"), 12, 12, "Sum"),
        _widget("Lambda duration p99 (ms)", per_function("Duration"), 18, 0, "p99"),
        _widget(
            "DynamoDB consumed capacity",
            [
                ["AWS/DynamoDB", metric, "TableName", table]
                for table in tables
                for metric in ("ConsumedReadCapacityUnits", "ConsumedWriteCapacityUnits")
            ],
            18,
            12,
            "Sum",
        ),
    ]
    return json.dumps({"widgets": widgets}, sort_keys=True, separators=(",", ":"))


def add_monitoring(
    template: Template,
    params: Parameters,
    functions: list[RouteFunction],
    tables: Mapping[str, Table],
) -> Topic:
    """Add the alarm topic (and optional email), every alarm and the dashboard."""
    topic = template.add_resource(
        # Not KMS-encrypted: CloudWatch cannot publish to a topic encrypted
        # with the AWS managed key, and a customer key costs $1/month.
        accept(
            Topic(
                "AlarmTopic", TopicName=physical_name("alarms"), DisplayName=Sub(f"{PREFIX} alarms")
            ),
            Skip(
                "CKV_AWS_26",
                "CloudWatch alarms cannot publish to a topic under the AWS-managed aws/sns key; "
                "the messages are alarm states, no personal data, so no CMK is made for them",
            ),
        )
    )
    template.add_resource(
        SubscriptionResource(
            "AlarmEmailSubscription",
            Condition=HAS_ALARM_EMAIL,
            TopicArn=Ref(topic),
            Protocol="email",
            Endpoint=Ref(params.alarm_email),
        )
    )
    _add_alarms(template, params, topic, functions, tables)
    template.add_resource(
        Dashboard(
            "Dashboard",
            DashboardName=physical_name("dashboard"),
            DashboardBody=Sub(dashboard_body(functions)),
        )
    )
    return topic
