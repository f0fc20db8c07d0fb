"""Every route has its method, integration, permission, function, role and log group."""

from __future__ import annotations

from typing import Any

import pytest
from stack_fixture import resources_of_type, template_dict

from userapi_stack.routes import ROUTES, Caller, Route

EXECUTE_API = "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${RestApi}"
#: Written out: the invoke permission of each route, method and path pattern.
EXPECTED_SOURCE_ARNS = {
    "CreateUser": f"{EXECUTE_API}/*/POST/users",
    "ListUsers": f"{EXECUTE_API}/*/GET/users",
    "GetUser": f"{EXECUTE_API}/*/GET/users/*",
    "UpdateUser": f"{EXECUTE_API}/*/PUT/users/*",
    "DeleteUser": f"{EXECUTE_API}/*/DELETE/users/*",
}
EXPECTED_FUNCTION_NAMES = {
    "CreateUser": "${AppName}-${Environment}-create-user",
    "ListUsers": "${AppName}-${Environment}-list-users",
    "GetUser": "${AppName}-${Environment}-get-user",
    "UpdateUser": "${AppName}-${Environment}-update-user",
    "DeleteUser": "${AppName}-${Environment}-delete-user",
}
ROUTE_IDS = [route.name for route in ROUTES]


def _resource(logical_id: str) -> dict[str, Any]:
    return template_dict()["Resources"][logical_id]


def test_the_route_table_is_the_one_the_expectations_describe() -> None:
    assert sorted(ROUTE_IDS) == sorted(EXPECTED_SOURCE_ARNS)


NONE_MODE_AUTHORIZATION = {Caller.OWNER: "NONE", Caller.OPERATOR: "AWS_IAM"}


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_method_and_proxy_integration(route: Route) -> None:
    method = _resource(f"{route.name}Method")
    assert method["Type"] == "AWS::ApiGateway::Method"
    properties = method["Properties"]
    assert properties["HttpMethod"] == route.method
    # Auth mode none: owner routes are open (the original requirement).
    assert properties["AuthorizationType"] == NONE_MODE_AUTHORIZATION[route.caller]
    integration = properties["Integration"]
    assert integration["Type"] == "AWS_PROXY"
    assert integration["IntegrationHttpMethod"] == "POST"
    assert f"${{{route.name}Function.Arn}}" in integration["Uri"]["Fn::Sub"]


def test_only_list_requires_sigv4() -> None:
    methods = resources_of_type(template_dict(), "AWS::ApiGateway::Method")
    iam = sorted(k for k, m in methods.items() if m["Properties"]["AuthorizationType"] != "NONE")
    assert iam == ["ListUsersMethod"]
    assert methods["ListUsersMethod"]["Properties"]["AuthorizationType"] == "AWS_IAM"


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_method_sits_on_its_path(route: Route) -> None:
    resources = resources_of_type(template_dict(), "AWS::ApiGateway::Resource")
    expected_parent = {
        "/users": ("UsersResource", {"Fn::GetAtt": ["RestApi", "RootResourceId"]}),
        "/users/{user_id}": ("UsersUserIdResource", {"Ref": "UsersResource"}),
    }[route.path]
    logical_id, parent = expected_parent
    assert _resource(f"{route.name}Method")["Properties"]["ResourceId"] == {"Ref": logical_id}
    assert resources[logical_id]["Properties"]["ParentId"] == parent
    assert resources[logical_id]["Properties"]["PathPart"] == route.path.rsplit("/", 1)[1]


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_permission_scoped_to_method_and_path(route: Route) -> None:
    permission = _resource(f"{route.name}Permission")["Properties"]
    assert permission["Action"] == "lambda:InvokeFunction"
    assert permission["Principal"] == "apigateway.amazonaws.com"
    assert permission["FunctionName"] == {"Fn::GetAtt": [f"{route.name}Function", "Arn"]}
    assert permission["SourceArn"] == {"Fn::Sub": EXPECTED_SOURCE_ARNS[route.name]}


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_function(route: Route) -> None:
    function = _resource(f"{route.name}Function")["Properties"]
    assert function["Handler"] == route.handler
    assert function["Runtime"] == "python3.13"
    assert function["Architectures"] == ["arm64"]
    assert function["Timeout"] == 5
    assert function["MemorySize"] == {"Ref": "FunctionMemorySize"}
    assert function["FunctionName"] == {"Fn::Sub": EXPECTED_FUNCTION_NAMES[route.name]}
    assert function["Code"] == {
        "S3Bucket": {"Ref": "ArtifactBucket"},
        "S3Key": {"Ref": "ArtifactKey"},
    }
    assert function["TracingConfig"] == {"Mode": {"Ref": "TracingMode"}}
    assert function["ReservedConcurrentExecutions"] == {
        "Fn::If": [
            "HasReservedConcurrency",
            {"Ref": "FunctionReservedConcurrency"},
            {"Ref": "AWS::NoValue"},
        ]
    }
    # Only the table names, the SSM path and the auth mode, nothing else.
    assert function["Environment"] == {
        "Variables": {
            "USERS_TABLE": {"Ref": "UsersTable"},
            "EMAILS_TABLE": {"Ref": "EmailsTable"},
            "CONFIG_PATH": {"Fn::Sub": "/${Environment}/api/"},
            "AUTH_MODE": "none",
        }
    }


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_json_logs_go_to_the_functions_own_log_group(route: Route) -> None:
    function = _resource(f"{route.name}Function")["Properties"]
    assert function["LoggingConfig"] == {
        "LogFormat": "JSON",
        "LogGroup": {"Ref": f"{route.name}LogGroup"},
    }
    log_group = _resource(f"{route.name}LogGroup")
    assert log_group["Type"] == "AWS::Logs::LogGroup"
    assert log_group["Properties"]["LogGroupName"] == {
        "Fn::Sub": "/aws/lambda/" + EXPECTED_FUNCTION_NAMES[route.name]
    }
    assert log_group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_role_exists(route: Route) -> None:
    assert _resource(f"{route.name}Role")["Type"] == "AWS::IAM::Role"


def test_no_other_methods_than_routes_preflights_and_catch_alls() -> None:
    methods = resources_of_type(template_dict(), "AWS::ApiGateway::Method")
    assert sorted(methods) == sorted(
        [f"{name}Method" for name in ROUTE_IDS]
        + ["UsersOptionsMethod", "UsersUserIdOptionsMethod"]
        + ["RootAnyMethod", "ProxyAnyMethod", "UsersAnyMethod", "UsersUserIdAnyMethod"]
    )


def test_only_route_methods_invoke_lambda() -> None:
    """Preflights and catch-alls are MOCKs: no function, role or permission behind them."""
    template = template_dict()
    methods = resources_of_type(template, "AWS::ApiGateway::Method")
    proxies = {k for k, m in methods.items() if m["Properties"]["Integration"]["Type"] != "MOCK"}
    assert proxies == {f"{name}Method" for name in ROUTE_IDS}
    permissions = resources_of_type(template, "AWS::Lambda::Permission")
    assert sorted(permissions) == sorted(f"{name}Permission" for name in ROUTE_IDS)
    for logical_id in set(methods) - proxies:
        assert methods[logical_id]["Properties"]["AuthorizationType"] == "NONE"
        assert "Uri" not in methods[logical_id]["Properties"]["Integration"]
