"""API Gateway: models, CORS, gateway responses, stage, deployment, account role."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from stack_fixture import resources_of_type, template_dict

from userapi_stack import api as api_module
from userapi_stack.handler_code import user_schema_module
from userapi_stack.routes import ROUTES, Caller
from userapi_stack.template import TemplateOptions, build_template

ORIGIN = {"Fn::Sub": "'${CorsAllowOrigin}'"}
JSON = "application/json"
ALLOW_HEADERS = {"Content-Type", "If-Match", "Authorization", "X-Amz-Date", "X-Amz-Security-Token"}


def _resources() -> dict[str, Any]:
    return template_dict()["Resources"]


def test_rest_api_is_regional() -> None:
    api = _resources()["RestApi"]["Properties"]
    assert api["EndpointConfiguration"] == {"Types": ["REGIONAL"]}


def test_post_and_put_validate_their_body_against_the_shared_schema() -> None:
    resources = _resources()
    schema = user_schema_module()
    for method_id, kind in (("CreateUserMethod", "create"), ("UpdateUserMethod", "update")):
        method = resources[method_id]["Properties"]
        [model_ref] = method["RequestModels"].values()
        model = resources[model_ref["Ref"]]["Properties"]
        # troposphere serializes a dict Schema to a JSON string; both are valid CFN.
        model_schema = model["Schema"]
        if isinstance(model_schema, str):
            model_schema = json.loads(model_schema)
        assert model_schema == schema.request_schema(kind)
        assert model_schema["$schema"] == "http://json-schema.org/draft-04/schema#"
        assert model["ContentType"] == "application/json"
        assert method["RequestValidatorId"] == {"Ref": "BodyValidator"}
    validator = resources_of_type(template_dict(), "AWS::ApiGateway::RequestValidator")
    assert list(validator) == ["BodyValidator"]
    assert validator["BodyValidator"]["Properties"]["ValidateRequestBody"] is True
    for method_id in ("GetUserMethod", "ListUsersMethod", "DeleteUserMethod"):
        assert "RequestModels" not in resources[method_id]["Properties"]


def _preflight_headers(logical_id: str) -> dict[str, Any]:
    method = _resources()[logical_id]["Properties"]
    assert method["HttpMethod"] == "OPTIONS"
    assert method["AuthorizationType"] == "NONE"
    assert method["Integration"]["Type"] == "MOCK"
    [response] = method["Integration"]["IntegrationResponses"]
    prefix = "method.response.header."
    return {k.removeprefix(prefix): v for k, v in response["ResponseParameters"].items()}


def test_cors_preflights_allow_the_methods_of_their_path() -> None:
    users = _preflight_headers("UsersOptionsMethod")
    user = _preflight_headers("UsersUserIdOptionsMethod")
    assert set(users["Access-Control-Allow-Methods"].strip("'").split(",")) == {
        "GET",
        "POST",
        "OPTIONS",
    }
    assert set(user["Access-Control-Allow-Methods"].strip("'").split(",")) == {
        "GET",
        "PUT",
        "DELETE",
        "OPTIONS",
    }
    for headers in (users, user):
        assert headers["Access-Control-Allow-Origin"] == ORIGIN
        assert set(headers["Access-Control-Allow-Headers"].strip("'").split(",")) == ALLOW_HEADERS


#: Response type -> (status, code); None keeps API Gateway's own status.
EXPECTED_RESPONSES = {
    "DEFAULT_4XX": (None, "bad_request"),
    "DEFAULT_5XX": (None, "internal_error"),
    "BAD_REQUEST_BODY": ("400", "validation_failed"),
    "THROTTLED": ("429", "too_many_requests"),
    "ACCESS_DENIED": ("403", "forbidden"),
    "MISSING_AUTHENTICATION_TOKEN": ("403", "forbidden"),
    "RESOURCE_NOT_FOUND": ("404", "not_found"),
    "INVALID_SIGNATURE": ("403", "forbidden"),
}
#: What API Gateway substitutes (simple substitution: gateway response
#: templates are not VTL). messageString is the message already quoted; the
#: validator's string holds raw double quotes.
CONTEXT = {
    "$context.error.validationErrorString": '[object has missing required properties (["name"])]',
    "$context.error.messageString": json.dumps('Invalid "request" body'),
    "$context.requestId": "req-1",
}


def _substitute(template: str) -> str:
    for name, value in CONTEXT.items():  # longest names first, as listed
        template = template.replace(name, value)
    return template


def test_gateway_responses_use_the_error_envelope_with_cors() -> None:
    responses = {
        r["Properties"]["ResponseType"]: r["Properties"]
        for r in resources_of_type(template_dict(), "AWS::ApiGateway::GatewayResponse").values()
    }
    for response_type, (status, code) in EXPECTED_RESPONSES.items():
        response = responses[response_type]
        assert response.get("StatusCode") == status, response_type
        assert (
            response["ResponseParameters"]["gatewayresponse.header.Access-Control-Allow-Origin"]
            == ORIGIN
        )
        body = response["ResponseTemplates"]["application/json"]
        assert "#" not in body and "$util" not in body, "gateway responses are not VTL"
        envelope = json.loads(_substitute(body))
        assert envelope["error"]["code"] == code
        assert envelope["error"]["request_id"] == "req-1"
        assert isinstance(envelope["error"]["message"], str)
    bad_body = json.loads(_substitute(responses["BAD_REQUEST_BODY"]["ResponseTemplates"][JSON]))
    assert bad_body["error"] == {
        "code": "validation_failed",
        "message": "request body does not match the schema (see the OpenAPI document)",
        "request_id": "req-1",
    }


def test_no_gateway_response_embeds_the_unescapable_validation_string() -> None:
    for response in resources_of_type(template_dict(), "AWS::ApiGateway::GatewayResponse").values():
        body = response["Properties"]["ResponseTemplates"][JSON]
        assert "validationErrorString" not in body
        json.loads(_substitute(body))


#: Catch-all -> (resource, status, code, Allow); written out, not derived.
CATCH_ALLS = {
    "RootAnyMethod": ({"Fn::GetAtt": ["RestApi", "RootResourceId"]}, "404", "not_found", None),
    "ProxyAnyMethod": ({"Ref": "ProxyResource"}, "404", "not_found", None),
    "UsersAnyMethod": ({"Ref": "UsersResource"}, "405", "method_not_allowed", "GET,POST,OPTIONS"),
    "UsersUserIdAnyMethod": (
        {"Ref": "UsersUserIdResource"},
        "405",
        "method_not_allowed",
        "GET,PUT,DELETE,OPTIONS",
    ),
}


def test_unmatched_requests_are_caught_by_mock_any_methods() -> None:
    resources = _resources()
    proxy = resources["ProxyResource"]["Properties"]
    assert proxy["PathPart"] == "{proxy+}"
    assert proxy["ParentId"] == {"Fn::GetAtt": ["RestApi", "RootResourceId"]}
    for logical_id, (resource, status, code, allow) in CATCH_ALLS.items():
        method = resources[logical_id]["Properties"]
        assert method["HttpMethod"] == "ANY"
        assert method["AuthorizationType"] == "NONE"
        assert method["ResourceId"] == resource
        integration = method["Integration"]
        assert integration["Type"] == "MOCK"
        assert json.loads(integration["RequestTemplates"][JSON]) == {"statusCode": int(status)}
        [response] = integration["IntegrationResponses"]
        assert response["StatusCode"] == status and "SelectionPattern" not in response
        headers = {
            k.removeprefix("method.response.header."): v
            for k, v in response["ResponseParameters"].items()
        }
        assert headers["Access-Control-Allow-Origin"] == ORIGIN
        if allow is None:
            assert "Allow" not in headers
        else:
            assert set(headers["Allow"].strip("'").split(",")) == set(allow.split(","))
        [declared] = method["MethodResponses"]
        assert declared["StatusCode"] == status
        assert set(declared["ResponseParameters"]) == set(response["ResponseParameters"])
        # The integration response template is VTL: $context.requestId is substituted.
        envelope = json.loads(_substitute(response["ResponseTemplates"][JSON]))
        assert envelope["error"]["code"] == code
        assert envelope["error"]["request_id"] == "req-1"


def test_catch_alls_are_part_of_the_deployment_snapshot(monkeypatch: Any) -> None:
    template = template_dict()
    [(deployment_id, deployment)] = resources_of_type(
        template, "AWS::ApiGateway::Deployment"
    ).items()
    assert set(CATCH_ALLS) <= set(deployment["DependsOn"])
    original = api_module.catch_alls

    def reworded(routes: Any) -> Any:
        return [(path, replace(c, message="Gone")) for path, c in original(routes)]

    monkeypatch.setattr(api_module, "catch_alls", reworded)
    assert _deployment_id(build_template(TemplateOptions())) != deployment_id


def _deployment_id(template: Any) -> str:
    [deployment] = [
        k for k, r in template.resources.items() if r.resource_type == "AWS::ApiGateway::Deployment"
    ]
    return deployment


def test_deployment_id_changes_exactly_when_a_method_changes() -> None:
    base = _deployment_id(build_template(TemplateOptions()))
    assert base.startswith("ApiDeployment")
    assert base == _deployment_id(build_template(TemplateOptions()))
    # Not an API change: tags and runtime leave the deployment alone.
    unrelated = TemplateOptions(tags=(("Team", "x"),), runtime="python3.12")
    assert base == _deployment_id(build_template(unrelated))
    # An API change: GetUser now needs SigV4.
    routes = tuple(replace(r, caller=Caller.OPERATOR) if r.name == "GetUser" else r for r in ROUTES)
    changed = _deployment_id(build_template(TemplateOptions(routes=routes)))
    assert changed != base


def test_stage_logging_throttling_and_name() -> None:
    stage = _resources()["ApiStage"]
    properties = stage["Properties"]
    assert properties["StageName"] == {"Ref": "Environment"}
    deployments = resources_of_type(template_dict(), "AWS::ApiGateway::Deployment")
    assert properties["DeploymentId"] == {"Ref": next(iter(deployments))}
    [setting] = properties["MethodSettings"]
    assert setting["LoggingLevel"] == "ERROR"
    assert setting["DataTraceEnabled"] is False
    assert setting["ThrottlingRateLimit"] == {"Ref": "ThrottlingRateLimit"}
    assert setting["ThrottlingBurstLimit"] == {"Ref": "ThrottlingBurstLimit"}
    access = properties["AccessLogSetting"]
    assert access["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]}
    log_format = json.loads(access["Format"])
    for variable in (
        "$context.requestId",
        "$context.extendedRequestId",
        "$context.identity.sourceIp",
        "$context.httpMethod",
        "$context.resourcePath",
        "$context.status",
        "$context.responseLatency",
        "$context.integration.error",
    ):
        assert variable in log_format.values()
    assert template_dict()["Parameters"]["Environment"]["Default"] == "dev"


def test_account_role_is_conditional_retained_and_awaited_by_the_stage() -> None:
    resources = _resources()
    template = template_dict()
    parameter = template["Parameters"]["CreateApiGatewayAccountRole"]
    assert parameter["AllowedValues"] == ["true", "false"]
    # Default true: the template alone deploys on a fresh account.
    assert parameter["Default"] == "true"
    condition = "CreateApiGatewayAccountRoleCondition"
    assert template["Conditions"][condition] == {
        "Fn::Equals": [{"Ref": "CreateApiGatewayAccountRole"}, "true"]
    }
    for logical_id in ("ApiGatewayAccount", "ApiGatewayCloudWatchRole"):
        assert resources[logical_id]["Condition"] == condition
        assert resources[logical_id]["DeletionPolicy"] == "Retain"
        assert resources[logical_id]["UpdateReplacePolicy"] == "Retain"
    # A DependsOn cannot be conditional: the Stage waits through a conditional Ref.
    stage = resources["ApiStage"]
    assert "ApiGatewayAccount" not in stage.get("DependsOn", [])
    assert stage["Metadata"]["WaitsFor"] == {
        "Fn::If": [condition, {"Ref": "ApiGatewayAccount"}, ""]
    }
