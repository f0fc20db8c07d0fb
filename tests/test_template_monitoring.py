"""Alarms, the alarm topic, the dashboard, and the outputs."""

from __future__ import annotations

import json
import re
from typing import Any

from stack_fixture import resources_of_type, template_dict

FUNCTIONS = ("CreateUser", "ListUsers", "GetUser", "UpdateUser", "DeleteUser")
EXPECTED_ALARMS = (
    {"Api5xxAlarm", "ApiLatencyAlarm", "FunctionConcurrencyAlarm"}
    | {f"{name}{kind}Alarm" for name in FUNCTIONS for kind in ("Errors", "Throttles")}
    | {
        f"{table}Table{kind}Alarm"
        for table in ("Users", "Emails")
        for kind in ("ThrottledRequests", "SystemErrors")
    }
)


def test_expected_alarms_all_notify_the_topic_with_m_of_n() -> None:
    alarms = resources_of_type(template_dict(), "AWS::CloudWatch::Alarm")
    assert set(alarms) == EXPECTED_ALARMS
    params = template_dict()["Parameters"]
    for logical_id, alarm in alarms.items():
        properties = alarm["Properties"]
        assert properties["AlarmActions"] == [{"Ref": "AlarmTopic"}], logical_id
        assert properties["TreatMissingData"] == "notBreaching"
        assert properties["EvaluationPeriods"] == 3
        assert properties["DatapointsToAlarm"] == 2
        assert properties["Threshold"]["Ref"] in params  # a Parameter, not a literal


def test_api_5xx_alarm_uses_the_average_fraction() -> None:
    alarm = template_dict()["Resources"]["Api5xxAlarm"]["Properties"]
    assert alarm["MetricName"] == "5XXError"
    assert alarm["Statistic"] == "Average"
    assert alarm["Threshold"] == {"Ref": "Api5xxRateThreshold"}
    assert template_dict()["Parameters"]["Api5xxRateThreshold"]["MaxValue"] == 1


def test_concurrency_alarm_sums_the_peak_instances_of_every_function() -> None:
    alarm = template_dict()["Resources"]["FunctionConcurrencyAlarm"]["Properties"]
    assert alarm["Threshold"] == {"Ref": "FunctionConcurrencyThreshold"}
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
    *per_function, total = alarm["Metrics"]
    assert total == {
        "Id": "total",
        "Expression": "SUM(METRICS())",
        "Label": "ConcurrentExecutions",
        "ReturnData": True,
    }
    functions = set()
    for query in per_function:
        assert query["ReturnData"] is False
        stat = query["MetricStat"]
        assert stat["Stat"] == "Maximum" and stat["Period"] == 60
        assert stat["Metric"]["Namespace"] == "AWS/Lambda"
        assert stat["Metric"]["MetricName"] == "ConcurrentExecutions"
        [dimension] = stat["Metric"]["Dimensions"]
        assert dimension["Name"] == "FunctionName"
        functions.add(dimension["Value"]["Ref"])
    assert functions == {f"{name}Function" for name in FUNCTIONS}
    assert template_dict()["Parameters"]["FunctionConcurrencyThreshold"]["Default"] == "50"


def test_the_default_bounds_leave_most_of_the_default_regional_quota() -> None:
    """rate x timeout is the most instances a hung dependency can pile up."""
    template = template_dict()
    rate = int(template["Parameters"]["ThrottlingRateLimit"]["Default"])
    burst = int(template["Parameters"]["ThrottlingBurstLimit"]["Default"])
    timeouts = {
        r["Properties"]["Timeout"]
        for r in resources_of_type(template, "AWS::Lambda::Function").values()
    }
    assert timeouts == {5}
    # 50 rps x 5 s + a burst of 100: at most 350 of the default quota of 1,000.
    assert rate * 5 + burst <= 0.35 * 1000
    reserved = template["Parameters"]["FunctionReservedConcurrency"]
    assert reserved["Default"] == "-1"  # reserving fails on new low-quota accounts


def test_latency_alarm_is_p99() -> None:
    alarm = template_dict()["Resources"]["ApiLatencyAlarm"]["Properties"]
    assert alarm["ExtendedStatistic"] == "p99"


def test_alarm_email_subscription_is_optional() -> None:
    template = template_dict()
    subscription = template["Resources"]["AlarmEmailSubscription"]
    assert subscription["Condition"] == "HasAlarmEmail"
    assert subscription["Properties"]["Endpoint"] == {"Ref": "AlarmEmail"}
    assert template["Parameters"]["AlarmEmail"]["Default"] == ""


def _dashboard() -> dict[str, Any]:
    body = template_dict()["Resources"]["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    values = {"AWS::Region": "eu-west-1", "AppName": "userapi", "Environment": "dev"}
    rendered = re.sub(r"\$\{([^}]+)\}", lambda m: values[m.group(1)], body)
    return json.loads(rendered)


def test_dashboard_shows_api_lambda_dynamodb_and_registrations() -> None:
    metrics = [
        tuple(m[:2]) for widget in _dashboard()["widgets"] for m in widget["properties"]["metrics"]
    ]
    for expected in (
        ("AWS/ApiGateway", "Count"),
        ("AWS/ApiGateway", "4XXError"),
        ("AWS/ApiGateway", "5XXError"),
        ("AWS/ApiGateway", "Latency"),
        ("AWS/Lambda", "Invocations"),
        ("AWS/Lambda", "Errors"),
        ("AWS/Lambda", "Duration"),
        ("AWS/DynamoDB", "ConsumedWriteCapacityUnits"),
        ("userapi", "UserCreated"),  # EMF: namespace = AppName
    ):
        assert expected in metrics


def test_registrations_metric_has_the_environment_dimension() -> None:
    for widget in _dashboard()["widgets"]:
        for metric in widget["properties"]["metrics"]:
            if metric[1] == "UserCreated":
                assert metric == ["userapi", "UserCreated", "Environment", "dev"]
                return
    raise AssertionError("no UserCreated metric")


EXPECTED_OUTPUTS = {
    "ApiInvokeUrl",
    "ApiExecutionArn",
    "RestApiId",
    "TableName",
    "EmailsTableName",
    "AlarmTopicArn",
    *(f"{name}FunctionName" for name in FUNCTIONS),
}


def test_outputs_are_exported_under_the_stack_name() -> None:
    outputs = template_dict()["Outputs"]
    assert set(outputs) == EXPECTED_OUTPUTS
    for name, output in outputs.items():
        assert output["Export"] == {"Name": {"Fn::Sub": f"${{AWS::StackName}}-{name}"}}
    assert outputs["TableName"]["Value"] == {"Ref": "UsersTable"}
    assert outputs["ApiInvokeUrl"]["Value"] == {
        "Fn::Sub": "https://${RestApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${ApiStage}"
    }
