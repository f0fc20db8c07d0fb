"""Auth modes in the template: the derived Deployment hash, and cognito mode's pieces.

Mode ``none`` must keep today's methods; mode ``cognito`` puts a
COGNITO_USER_POOLS authorizer on exactly the owner-only routes, leaves the
list route on SigV4 and the preflights and catch-alls open, and changes no
IAM role.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from troposphere import Template
from troposphere.apigateway import GatewayResponse, Method
from troposphere.awslambda import Permission

from userapi_stack.api import deployment_logical_id
from userapi_stack.template import TemplateOptions, build_template, render

#: The routes a caller must own (API.md, "Auth modes"), as method logical ids.
OWNER_METHODS = {"CreateUserMethod", "GetUserMethod", "UpdateUserMethod", "DeleteUserMethod"}
JSON = "application/json"


def _template(auth: str) -> dict[str, Any]:
    return json.loads(render(build_template(TemplateOptions(auth=auth))))


@pytest.fixture(scope="module")
def cognito() -> dict[str, Any]:
    return _template("cognito")


@pytest.fixture(scope="module")
def plain() -> dict[str, Any]:
    return _template("none")


def _of_type(template: dict[str, Any], kind: str) -> dict[str, Any]:
    return {k: r for k, r in template["Resources"].items() if r["Type"] == kind}


def _deployment(template: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    [(logical_id, deployment)] = _of_type(template, "AWS::ApiGateway::Deployment").items()
    return logical_id, deployment


# -- the Deployment hash, derived by type ----------------------------------


def _bare_api() -> Template:
    template = Template()
    template.add_resource(
        Method(
            "AMethod", RestApiId="api", ResourceId="r", HttpMethod="GET", AuthorizationType="NONE"
        )
    )
    return template


def test_any_snapshotted_resource_changes_the_deployment_id_whoever_adds_it() -> None:
    base = deployment_logical_id(_bare_api())
    assert base == deployment_logical_id(_bare_api())
    with_response = _bare_api()
    with_response.add_resource(
        GatewayResponse("Later", RestApiId="api", ResponseType="QUOTA_EXCEEDED")
    )
    assert deployment_logical_id(with_response) != base
    # Resources outside the snapshot leave it alone.
    with_permission = _bare_api()
    with_permission.add_resource(
        Permission(
            "P",
            Action="lambda:InvokeFunction",
            FunctionName="f",
            Principal="apigateway.amazonaws.com",
        )
    )
    assert deployment_logical_id(with_permission) == base


def test_the_authorizer_enters_the_deployment_hash_and_its_depends_on(
    plain: dict[str, Any], cognito: dict[str, Any]
) -> None:
    plain_id, _ = _deployment(plain)
    cognito_id, deployment = _deployment(cognito)
    assert plain_id != cognito_id
    assert "UserPoolAuthorizer" in deployment["DependsOn"]
    snapshotted = {
        k
        for k, r in cognito["Resources"].items()
        if r["Type"].startswith("AWS::ApiGateway::")
        and r["Type"] not in ("AWS::ApiGateway::Deployment", "AWS::ApiGateway::Stage")
        and r["Type"] != "AWS::ApiGateway::RestApi"
        and r["Type"] != "AWS::ApiGateway::Account"
    }
    assert snapshotted == set(deployment["DependsOn"])


def test_tags_do_not_move_the_deployment() -> None:
    base = _deployment(_template("cognito"))[0]
    tagged = json.loads(
        render(build_template(TemplateOptions(auth="cognito", tags=(("Team", "x"),))))
    )
    assert _deployment(tagged)[0] == base


# -- methods --------------------------------------------------------------


def test_mode_none_keeps_every_owner_route_open(plain: dict[str, Any]) -> None:
    methods = _of_type(plain, "AWS::ApiGateway::Method")
    for logical_id in OWNER_METHODS:
        assert methods[logical_id]["Properties"]["AuthorizationType"] == "NONE"
        assert "AuthorizerId" not in methods[logical_id]["Properties"]
    assert not _of_type(plain, "AWS::ApiGateway::Authorizer")
    assert not _of_type(plain, "AWS::Cognito::UserPool")


def test_cognito_authorizer_guards_exactly_the_owner_routes(cognito: dict[str, Any]) -> None:
    methods = _of_type(cognito, "AWS::ApiGateway::Method")
    guarded = {
        k
        for k, m in methods.items()
        if m["Properties"]["AuthorizationType"] == "COGNITO_USER_POOLS"
    }
    assert guarded == OWNER_METHODS
    for logical_id in OWNER_METHODS:
        properties = methods[logical_id]["Properties"]
        assert properties["AuthorizerId"] == {"Ref": "UserPoolAuthorizer"}
        # No scopes: the authorizer then accepts the ID token (email claims).
        assert "AuthorizationScopes" not in properties
    assert methods["ListUsersMethod"]["Properties"]["AuthorizationType"] == "AWS_IAM"
    for logical_id, method in methods.items():
        if method["Properties"]["HttpMethod"] in ("OPTIONS", "ANY"):
            assert method["Properties"]["AuthorizationType"] == "NONE", logical_id


def test_the_authorizer_reads_the_pool_from_the_authorization_header(
    cognito: dict[str, Any],
) -> None:
    [authorizer] = _of_type(cognito, "AWS::ApiGateway::Authorizer").values()
    properties = authorizer["Properties"]
    assert properties["Type"] == "COGNITO_USER_POOLS"
    assert properties["IdentitySource"] == "method.request.header.Authorization"
    assert properties["ProviderARNs"] == [
        {
            "Fn::If": [
                "CreateUserPool",
                {"Fn::GetAtt": ["UserPool", "Arn"]},
                {"Ref": "ExistingUserPoolArn"},
            ]
        }
    ]
    assert 0 < properties["AuthorizerResultTtlInSeconds"] <= 3600


def test_roles_and_functions_are_the_same_in_both_modes(
    plain: dict[str, Any], cognito: dict[str, Any]
) -> None:
    for kind in ("AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        assert _of_type(plain, kind) == _of_type(cognito, kind), kind
    for logical_id, function in _of_type(plain, "AWS::Lambda::Function").items():
        other = _of_type(cognito, "AWS::Lambda::Function")[logical_id]
        plain_env = function["Properties"]["Environment"]["Variables"]
        cognito_env = other["Properties"]["Environment"]["Variables"]
        # The one difference: the mode the handlers are told (never guessed).
        assert plain_env.pop("AUTH_MODE") == "none"
        assert cognito_env.pop("AUTH_MODE") == "cognito"
        assert plain_env == cognito_env


def test_cognito_template_is_deterministic() -> None:
    first = render(build_template(TemplateOptions(auth="cognito")))
    assert first == render(build_template(TemplateOptions(auth="cognito")))


# -- the user pool and its client -------------------------------------------


def test_user_pool_signs_in_by_verified_email_and_is_retained(cognito: dict[str, Any]) -> None:
    pool = cognito["Resources"]["UserPool"]
    assert pool["DeletionPolicy"] == "Retain" and pool["UpdateReplacePolicy"] == "Retain"
    assert pool["Condition"] == "CreateUserPool"
    properties = pool["Properties"]
    assert properties["DeletionProtection"] == "ACTIVE"
    assert properties["UsernameAttributes"] == ["email"]
    assert properties["UsernameConfiguration"] == {"CaseSensitive": False}
    assert properties["AutoVerifiedAttributes"] == ["email"]
    policy = properties["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] >= 12
    assert properties["UserPoolTags"] == {
        "Application": {"Ref": "AppName"},
        "Environment": {"Ref": "Environment"},
        "ManagedBy": "userapi",
    }


def test_app_client_is_public_with_srp_and_refresh_and_set_lifetimes(
    cognito: dict[str, Any],
) -> None:
    client = cognito["Resources"]["UserPoolClient"]
    assert client["Condition"] == "CreateUserPool"
    properties = client["Properties"]
    assert properties["GenerateSecret"] is False
    assert sorted(properties["ExplicitAuthFlows"]) == [
        "ALLOW_REFRESH_TOKEN_AUTH",
        "ALLOW_USER_SRP_AUTH",
    ]
    assert properties["IdTokenValidity"] == 60
    assert properties["RefreshTokenValidity"] == 30
    assert properties["TokenValidityUnits"] == {
        "AccessToken": "minutes",
        "IdToken": "minutes",
        "RefreshToken": "days",
    }
    assert properties["PreventUserExistenceErrors"] == "ENABLED"


def test_an_existing_pool_replaces_the_created_one(cognito: dict[str, Any]) -> None:
    assert cognito["Parameters"]["ExistingUserPoolArn"]["Default"] == ""
    assert cognito["Conditions"]["CreateUserPool"] == {
        "Fn::Equals": [{"Ref": "ExistingUserPoolArn"}, ""]
    }
    conditional = {
        k for k, r in cognito["Resources"].items() if r["Type"].startswith("AWS::Cognito::")
    }
    assert conditional == {"UserPool", "UserPoolClient"}
    for logical_id in conditional:
        assert cognito["Resources"][logical_id]["Condition"] == "CreateUserPool"
    outputs = cognito["Outputs"]
    assert {"UserPoolId", "UserPoolClientId", "UserPoolArn"} <= set(outputs)
    assert outputs["UserPoolClientId"]["Value"] == {
        "Fn::If": ["CreateUserPool", {"Ref": "UserPoolClient"}, {"Ref": "ExistingUserPoolClientId"}]
    }


def test_unauthorized_and_access_denied_answer_in_the_envelope_with_cors(
    cognito: dict[str, Any],
) -> None:
    responses = {
        r["Properties"]["ResponseType"]: r["Properties"]
        for r in _of_type(cognito, "AWS::ApiGateway::GatewayResponse").values()
    }
    expected = {"UNAUTHORIZED": ("401", "unauthorized"), "ACCESS_DENIED": ("403", "forbidden")}
    for response_type, (status, code) in expected.items():
        response = responses[response_type]
        assert response["StatusCode"] == status
        assert (
            "gatewayresponse.header.Access-Control-Allow-Origin" in response["ResponseParameters"]
        )
        body = response["ResponseTemplates"][JSON]
        filled = body.replace("$context.error.messageString", '"Unauthorized"').replace(
            "$context.requestId", "r1"
        )
        assert json.loads(filled)["error"]["code"] == code


def test_mode_none_has_no_unauthorized_response(plain: dict[str, Any]) -> None:
    types = {
        r["Properties"]["ResponseType"]
        for r in _of_type(plain, "AWS::ApiGateway::GatewayResponse").values()
    }
    assert "UNAUTHORIZED" not in types


def test_an_unknown_auth_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="auth mode"):
        TemplateOptions(auth="oauth")


def test_the_pool_sends_with_cognito_unless_an_ses_identity_is_given(
    cognito: dict[str, Any],
) -> None:
    from userapi_local.template_reader import TemplateReader

    arn = "arn:aws:ses:us-east-1:123456789012:identity/no-reply@example.com"
    parameter = cognito["Parameters"]["UserPoolEmailSenderArn"]
    assert parameter["Default"] == ""
    assert re.match(parameter["AllowedPattern"], arn)
    assert not re.match(parameter["AllowedPattern"], "no-reply@example.com")
    defaults = TemplateReader(cognito, {"ArtifactBucket": "b", "ArtifactKey": "k"})
    assert defaults.property("UserPool", "EmailConfiguration") == {
        "EmailSendingAccount": "COGNITO_DEFAULT"
    }
    with_ses = TemplateReader(
        cognito, {"ArtifactBucket": "b", "ArtifactKey": "k", "UserPoolEmailSenderArn": arn}
    )
    assert with_ses.property("UserPool", "EmailConfiguration") == {
        "EmailSendingAccount": "DEVELOPER",
        "SourceArn": arn,
    }
