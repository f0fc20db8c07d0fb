"""Tables, SSM configuration and physical names."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from stack_fixture import resolve, resources_of_type, template_dict


@pytest.mark.parametrize(
    ("logical_id", "key"), [("UsersTable", "user_id"), ("EmailsTable", "email")]
)
def test_table_is_protected_and_retained(logical_id: str, key: str) -> None:
    table = template_dict()["Resources"][logical_id]
    assert table["DeletionPolicy"] == "Retain"
    assert table["UpdateReplacePolicy"] == "Retain"
    properties = table["Properties"]
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert "ProvisionedThroughput" not in properties
    assert properties["KeySchema"] == [{"AttributeName": key, "KeyType": "HASH"}]
    assert properties["AttributeDefinitions"] == [{"AttributeName": key, "AttributeType": "S"}]
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert properties["SSESpecification"] == {"SSEEnabled": True}
    assert properties["DeletionProtectionEnabled"] is True


def test_exactly_two_tables() -> None:
    assert set(resources_of_type(template_dict(), "AWS::DynamoDB::Table")) == {
        "UsersTable",
        "EmailsTable",
    }


def test_ssm_parameters_are_exactly_the_shared_settings() -> None:
    parameters = resources_of_type(template_dict(), "AWS::SSM::Parameter")
    got = {k: (p["Properties"]["Name"], p["Properties"]["Value"]) for k, p in parameters.items()}
    assert got == {
        "AppNameConfigParameter": ({"Fn::Sub": "/${Environment}/api/APP_NAME"}, {"Ref": "AppName"}),
        "CorsAllowOriginConfigParameter": (
            {"Fn::Sub": "/${Environment}/api/CORS_ALLOW_ORIGIN"},
            {"Ref": "CorsAllowOrigin"},
        ),
    }
    assert all(p["Properties"]["Type"] == "String" for p in parameters.values())
    params = template_dict()["Parameters"]
    assert params["AppName"]["Default"] == "userapi"
    assert params["CorsAllowOrigin"]["Default"] == "*"


#: Properties that hold a physical name, by resource type.
NAME_PROPERTIES = {
    "AWS::DynamoDB::Table": "TableName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::SSM::Parameter": "Name",
    "AWS::ApiGateway::RestApi": "Name",
    "AWS::SNS::Topic": "TopicName",
    "AWS::CloudWatch::Alarm": "AlarmName",
    "AWS::CloudWatch::Dashboard": "DashboardName",
}
#: Account-wide or region-wide names must not depend on the stack's own ids.
GLOBAL_NAME_TYPES = set(NAME_PROPERTIES) - {"AWS::Logs::LogGroup"}


def _physical_names(environment: str) -> list[str]:
    template: dict[str, Any] = template_dict()
    parameters = {"Environment": environment, "AppName": "userapi"}
    names = []
    for resource in template["Resources"].values():
        prop = NAME_PROPERTIES.get(resource["Type"])
        if prop:
            name = resolve(resource["Properties"][prop], parameters, stack=environment)
            assert isinstance(name, str)
            if resource["Type"] in GLOBAL_NAME_TYPES:
                assert "<" not in name, name  # fully determined by the Parameters
            names.append(name)
    return names


def test_every_named_resource_type_is_covered() -> None:
    named = {r["Type"] for r in template_dict()["Resources"].values()} & set(NAME_PROPERTIES)
    assert named == set(NAME_PROPERTIES)


def test_two_environments_have_no_clashing_physical_names() -> None:
    dev, prod = _physical_names("dev"), _physical_names("prod")
    assert [n for n, c in Counter(dev).items() if c > 1] == []
    assert set(dev).isdisjoint(prod)
    assert "userapi-dev-users" in dev and "userapi-prod-users" in prod
