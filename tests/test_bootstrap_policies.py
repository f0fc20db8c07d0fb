"""What each bootstrap role may do. Deploy and review statements are written out by hand;
the execution role's are derived, so the tests check its properties on the result."""

from __future__ import annotations

import fnmatch
import json
import re
from typing import Any

import pytest
from bootstrap_fixture import bootstrap_dict, statements, subs

from userapi_stack.bootstrap.execution_policy import handler_permissions
from userapi_stack.bootstrap.variants import variant_templates

STACK = "arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/${AppName}-"
BUCKET = "arn:${AWS::Partition}:s3:::userapi-artifacts-${AWS::AccountId}-${AWS::Region}"
ACCOUNT = "arn:${AWS::Partition}:apigateway:${AWS::Region}::/account"
SSM = "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter"
READ_AND_PLAN = [
    "cloudformation:CreateChangeSet",
    "cloudformation:DeleteChangeSet",
    "cloudformation:DescribeChangeSet",
    "cloudformation:DescribeStacks",
    "cloudformation:GetTemplate",
]


def _exec_arn(env: str) -> dict[str, Any]:
    return {"Fn::GetAtt": [f"{env}ExecutionRole", "Arn"]}


def _expected(stacks: list[str], execution: list[str], review: bool) -> list[dict[str, Any]]:
    stack_actions = READ_AND_PLAN + (
        []
        if review
        else [
            "cloudformation:DeleteStack",
            "cloudformation:DescribeStackEvents",
            "cloudformation:ExecuteChangeSet",
        ]
    )
    stack_arns = [f"{STACK}{name}/*" for name in stacks]
    return [
        {"Sid": "Stack", "Action": sorted(stack_actions), "Resource": stack_arns},
        {
            "Sid": "ArtifactObjects",
            "Action": ["s3:GetObject", "s3:PutObject"],
            "Resource": [f"{BUCKET}/artifacts/*", f"{BUCKET}/templates/*"],
        },
        {"Sid": "ArtifactBucket", "Action": ["s3:ListBucket"], "Resource": [BUCKET]},
        {"Sid": "ApigatewayAccount", "Action": ["apigateway:GET"], "Resource": [ACCOUNT]},
        {
            "Sid": "SecretParameters",
            # Reviews only look (no decryption); deploys create a missing generated secret.
            "Action": ["ssm:GetParameters"]
            if review
            else ["ssm:AddTagsToResource", "ssm:GetParameters", "ssm:PutParameter"],
            "Resource": [f"{SSM}/{name}/api/PAGINATION_KEY" for name in stacks],
        },
        {
            "Sid": "OnlyThroughTheExecutionRole",
            "Effect": "Deny",
            "Action": ["cloudformation:CreateChangeSet"],
            "Resource": stack_arns,
            "Condition": {
                "StringNotEqualsIfExists": {
                    "cloudformation:RoleArn": [_exec_arn(e) for e in execution]
                }
            },
        },
        {
            "Sid": "PassTheExecutionRole",
            "Action": ["iam:PassRole"],
            "Resource": [_exec_arn(e) for e in execution],
            "Condition": {"StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}},
        },
    ]


def _normalised(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    result = []
    for statement in found:
        item = {
            "Sid": statement["Sid"],
            "Action": statement["Action"],
            "Resource": subs(statement["Resource"]),
        }
        if statement["Effect"] != "Allow":
            item["Effect"] = statement["Effect"]
        if "Condition" in statement:
            item["Condition"] = statement["Condition"]
        result.append(item)
    return result


@pytest.mark.parametrize("env", ["Dev", "Prod"])
def test_deploy_role_holds_only_the_deploy_path_on_its_own_stack(env: str) -> None:
    found = _normalised(statements(bootstrap_dict(), f"{env}DeployRole"))
    assert found == _expected([env.lower()], [env], review=False)


def test_review_role_plans_on_every_stack_but_can_never_execute_or_delete() -> None:
    found = _normalised(statements(bootstrap_dict(), "ReviewRole"))
    assert found == _expected(["dev", "prod"], ["Dev", "Prod"], review=True)
    actions = {a for s in found for a in s["Action"]}
    assert not actions & {"cloudformation:ExecuteChangeSet", "cloudformation:DeleteStack"}


# --- the execution role ------------------------------------------------------------------

#: Actions IAM authorizes on no resource (the IAM reference lists none): only these get "*".
#: A feature whose resource type brings another such action fails here until it is
#: looked at and added.
STAR_ACTIONS = {
    "cognito-idp:CreateUserPool",  # the pool id does not exist yet (auth=cognito)
    "acm:RequestCertificate",  # nor the certificate's (domain)
    "route53:ListHostedZones",  # a list call (domain)
    "logs:DeleteLogDelivery",  # WAF logging's delivery (waf)
    "logs:CreateLogDelivery",
    "logs:DeleteIndexPolicy",
    "logs:DeleteResourcePolicy",
    "logs:DescribeIndexPolicies",
    "logs:DescribeLogGroups",
    "logs:DescribeResourcePolicies",
    "logs:PutIndexPolicy",
    "logs:PutResourcePolicy",
}
#: A deployed environment's names, to resolve the policy's ${...} as IAM would.
CONTEXT = {
    "AWS::Partition": "aws",
    "AWS::Region": "us-east-1",
    "AWS::AccountId": "123456789012",
    "AppName": "userapi",
}


def _resolve(text: str) -> str:
    return re.sub(r"\$\{([^}]+)\}", lambda m: CONTEXT[m.group(1)], text)


def _execution(env: str = "Dev") -> list[dict[str, Any]]:
    return statements(bootstrap_dict(), f"{env}ExecutionRole")


def _allowed(env: str, action: str, arn: str) -> bool:
    return any(
        statement["Effect"] == "Allow"
        and action in statement["Action"]
        and any(fnmatch.fnmatchcase(arn, _resolve(r)) for r in subs(statement["Resource"]))
        for statement in _execution(env)
    )


def test_star_resources_are_exactly_the_actions_iam_cannot_scope() -> None:
    star = {a for s in _execution() if s["Resource"] == ["*"] for a in s["Action"]}
    assert star == STAR_ACTIONS
    for statement in _execution():
        if statement["Resource"] != ["*"]:
            assert "*" not in statement["Resource"]


def test_the_execution_role_can_never_touch_user_data() -> None:
    actions = {a for s in _execution() for a in s["Action"]}
    item_actions = {a for a in actions if re.match(r"dynamodb:(.*Item|Query|Scan)$", a)}
    assert item_actions == set()
    # The tables are retained: CloudFormation never deletes one, so neither can the role.
    assert "dynamodb:DeleteTable" not in actions
    assert "dynamodb:CreateTable" in actions
    # The same for the retained user pool of auth=cognito.
    assert "cognito-idp:DeleteUserPool" not in actions
    assert "cognito-idp:CreateUserPool" in actions


def test_pass_role_only_own_roles_only_to_the_services_that_assume_them() -> None:
    [passing] = [s for s in _execution() if "iam:PassRole" in s["Action"]]
    assert passing["Action"] == ["iam:PassRole"]
    assert subs(passing["Resource"]) == [
        "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${AppName}-dev-*"
    ]
    assert passing["Condition"] == {
        "ForAnyValue:StringEquals": {
            "iam:PassedToService": ["apigateway.amazonaws.com", "lambda.amazonaws.com"]
        }
    }


#: (action, resource ARN of the deployed dev stack) the execution role must be allowed...
DEV_RESOURCES = [
    (
        "lambda:CreateFunction",
        "arn:aws:lambda:us-east-1:123456789012:function:userapi-dev-get-user",
    ),
    ("dynamodb:CreateTable", "arn:aws:dynamodb:us-east-1:123456789012:table/userapi-dev-users"),
    ("dynamodb:UpdateTable", "arn:aws:dynamodb:us-east-1:123456789012:table/userapi-dev-emails"),
    (
        "logs:CreateLogGroup",
        "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/userapi-dev-list-users",
    ),
    (
        "logs:PutRetentionPolicy",
        "arn:aws:logs:us-east-1:123456789012:log-group:/aws/apigateway/userapi-dev/access",
    ),
    ("iam:CreateRole", "arn:aws:iam::123456789012:role/userapi-dev-GetUserRole-1A2B3C4D5E6F"),
    ("ssm:PutParameter", "arn:aws:ssm:us-east-1:123456789012:parameter/dev/api/APP_NAME"),
    ("sns:CreateTopic", "arn:aws:sns:us-east-1:123456789012:userapi-dev-alarms"),
    (
        "cloudwatch:PutMetricAlarm",
        "arn:aws:cloudwatch:us-east-1:123456789012:alarm:userapi-dev-Api5xxAlarm",
    ),
    ("cloudwatch:PutDashboard", "arn:aws:cloudwatch::123456789012:dashboard/userapi-dev-dashboard"),
    ("apigateway:POST", "arn:aws:apigateway:us-east-1::/restapis"),
    ("apigateway:PATCH", "arn:aws:apigateway:us-east-1::/account"),
    (
        "s3:GetObject",
        "arn:aws:s3:::userapi-artifacts-123456789012-us-east-1/artifacts/0123abcd.zip",
    ),
]
#: ...and what it must not be: other environments, other apps, other buckets.
NOT_DEV = [
    (
        "lambda:CreateFunction",
        "arn:aws:lambda:us-east-1:123456789012:function:userapi-prod-get-user",
    ),
    ("lambda:UpdateFunctionCode", "arn:aws:lambda:us-east-1:123456789012:function:billing-dev-x"),
    ("dynamodb:UpdateTable", "arn:aws:dynamodb:us-east-1:123456789012:table/userapi-prod-users"),
    ("iam:PutRolePolicy", "arn:aws:iam::123456789012:role/userapi-bootstrap-DevDeployRole-X"),
    ("iam:CreateRole", "arn:aws:iam::123456789012:role/Admin"),
    ("ssm:PutParameter", "arn:aws:ssm:us-east-1:123456789012:parameter/prod/api/APP_NAME"),
    ("s3:GetObject", "arn:aws:s3:::someone-elses-bucket/artifacts/x.zip"),
    ("logs:DeleteLogGroup", "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/other"),
]


#: API Gateway ids are generated and the artifact bucket is shared: no name to scope by.
SHARED = ("apigateway:", "s3:")


@pytest.mark.parametrize(("action", "arn"), DEV_RESOURCES)
def test_execution_role_reaches_each_resource_of_its_environment(action: str, arn: str) -> None:
    assert _allowed("Dev", action, arn)
    # One environment's role never reaches another's named resources.
    assert _allowed("Prod", action, arn) == action.startswith(SHARED)


@pytest.mark.parametrize(("action", "arn"), NOT_DEV)
def test_execution_role_reaches_nothing_outside_its_environment(action: str, arn: str) -> None:
    assert not _allowed("Dev", action, arn)


def test_every_resource_type_of_every_variant_can_be_created_updated_and_read() -> None:
    granted = {a for s in _execution() for a in s["Action"]}
    types = {r["Type"] for t in variant_templates() for r in t["Resources"].values()}
    missing = {}
    for resource_type in sorted(types):
        service = resource_type.split("::")[1].lower()
        handlers = handler_permissions(resource_type)
        needed = {
            a
            for op in ("create", "read", "update")
            for a in handlers[op]
            if a.split(":")[0] == service and not re.match(r"dynamodb:(.*Item|Query|Scan)$", a)
        }
        needed -= {"dynamodb:ImportTable", "lambda:AssociateRuntimeAlias"}
        if needed - granted:
            missing[resource_type] = sorted(needed - granted)
    assert missing == {}


def test_execution_policy_fits_an_inline_role_policy() -> None:
    for env in ("Dev", "Prod"):
        text = json.dumps({"Statement": _execution(env)}, separators=(",", ":"))
        assert len(text) < 10_240  # IAM's limit for a role's inline policies, whitespace excluded
