"""Each function role allows exactly what its route needs, on exact ARNs.

The expectations are written out here by hand, not derived from the route
table, so a wrong action in routes.py or a wrong derivation both fail.
"""

from __future__ import annotations

from typing import Any

import pytest
from stack_fixture import resources_of_type, template_dict

USERS = {"Fn::GetAtt": ["UsersTable", "Arn"]}
EMAILS = {"Fn::GetAtt": ["EmailsTable", "Arn"]}
SSM_PREFIX = "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/${Environment}"
CONFIG_ARNS = [
    {"Fn::Sub": f"{SSM_PREFIX}/api/APP_NAME"},
    {"Fn::Sub": f"{SSM_PREFIX}/api/CORS_ALLOW_ORIGIN"},
]


def _logs(name: str) -> tuple[set[str], list[Any]]:
    return (
        {"logs:CreateLogStream", "logs:PutLogEvents"},
        [{"Fn::GetAtt": [f"{name}LogGroup", "Arn"]}],
    )


def _ssm(*secrets: str) -> tuple[set[str], list[Any]]:
    return ({"ssm:GetParameters"}, CONFIG_ARNS + [_secret_arn(name) for name in secrets])


def _secret_arn(name: str) -> dict[str, str]:
    return {"Fn::Sub": f"{SSM_PREFIX}/api/{name}"}


REGION_KEYS = {"Fn::Sub": "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*"}
#: kms:Decrypt on the aws/ssm key, only through SSM, only for the list route's key.
LIST_DECRYPT = {
    "Sid": "DecryptOwnSecrets",
    "Effect": "Allow",
    "Action": ["kms:Decrypt"],
    "Resource": [REGION_KEYS],
    "Condition": {
        "StringEquals": {
            "kms:ViaService": {"Fn::Sub": "ssm.${AWS::Region}.amazonaws.com"},
            "kms:EncryptionContext:PARAMETER_ARN": [_secret_arn("PAGINATION_KEY")],
        },
        "ForAnyValue:StringEquals": {"kms:ResourceAliases": ["alias/aws/ssm"]},
    },
}


#: Role -> the (actions, resources) pairs of its least-privilege policy.
EXPECTED: dict[str, list[tuple[set[str], list[Any]]]] = {
    "CreateUser": [
        ({"dynamodb:PutItem"}, [USERS]),
        ({"dynamodb:PutItem"}, [EMAILS]),
        _ssm(),
        _logs("CreateUser"),
    ],
    "ListUsers": [
        ({"dynamodb:Scan"}, [USERS]),
        _ssm("PAGINATION_KEY"),
        ({"kms:Decrypt"}, [REGION_KEYS]),
        _logs("ListUsers"),
    ],
    "GetUser": [({"dynamodb:GetItem"}, [USERS]), _ssm(), _logs("GetUser")],
    "UpdateUser": [
        ({"dynamodb:GetItem", "dynamodb:UpdateItem"}, [USERS]),
        ({"dynamodb:DeleteItem", "dynamodb:PutItem"}, [EMAILS]),
        _ssm(),
        _logs("UpdateUser"),
    ],
    "DeleteUser": [
        ({"dynamodb:GetItem", "dynamodb:DeleteItem"}, [USERS]),
        ({"dynamodb:DeleteItem"}, [EMAILS]),
        _ssm(),
        _logs("DeleteUser"),
    ],
}
XRAY_ACTIONS = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}


def _role(name: str) -> dict[str, Any]:
    return template_dict()["Resources"][f"{name}Role"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_least_privilege_policy_matches_expectation(name: str) -> None:
    policies = _role(name)["Properties"]["Policies"]
    plain = [p for p in policies if "Fn::If" not in p]
    assert len(plain) == 1
    statements = plain[0]["PolicyDocument"]["Statement"]
    got = [(set(s["Action"]), s["Resource"]) for s in statements]
    assert all(s["Effect"] == "Allow" for s in statements)
    assert sorted(got, key=repr) == sorted(EXPECTED[name], key=repr)
    # Only the list route reads a secret; its decrypt is pinned by conditions.
    decrypts = [s for s in statements if "kms:Decrypt" in s["Action"]]
    assert decrypts == ([LIST_DECRYPT] if name == "ListUsers" else [])
    assert all("Condition" not in s for s in statements if s not in decrypts)


def test_no_role_has_any_other_kms_action_or_a_kms_wildcard() -> None:
    for logical_id, role in resources_of_type(template_dict(), "AWS::IAM::Role").items():
        for policy in role["Properties"].get("Policies", []):
            body = policy["Fn::If"][1] if "Fn::If" in policy else policy
            for statement in body["PolicyDocument"]["Statement"]:
                kms = [a for a in statement["Action"] if a.startswith("kms:")]
                assert kms in ([], ["kms:Decrypt"]), logical_id


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_xray_only_under_the_tracing_condition(name: str) -> None:
    conditional = [p["Fn::If"] for p in _role(name)["Properties"]["Policies"] if "Fn::If" in p]
    assert len(conditional) == 1
    condition, policy, otherwise = conditional[0]
    assert condition == "TracingEnabled"
    assert otherwise == {"Ref": "AWS::NoValue"}
    [statement] = policy["PolicyDocument"]["Statement"]
    assert set(statement["Action"]) == XRAY_ACTIONS
    assert statement["Resource"] == ["*"]
    conditions = template_dict()["Conditions"]
    assert conditions["TracingEnabled"] == {"Fn::Equals": [{"Ref": "TracingMode"}, "Active"]}


def _statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    return document["Statement"]


def test_every_wildcard_resource_is_the_xray_exception() -> None:
    roles = resources_of_type(template_dict(), "AWS::IAM::Role")
    for logical_id, role in roles.items():
        for policy in role["Properties"].get("Policies", []):
            body = policy["Fn::If"][1] if "Fn::If" in policy else policy
            for statement in _statements(body["PolicyDocument"]):
                for resource in statement["Resource"]:
                    if isinstance(resource, str):
                        assert resource == "*", logical_id
                        assert set(statement["Action"]) == XRAY_ACTIONS, logical_id
                    elif statement.get("Sid") == "DecryptOwnSecrets":
                        # The aws/ssm key's id is unknown at synthesis: the
                        # conditions, not the ARN, name the key and parameters.
                        assert statement == LIST_DECRYPT, logical_id
                    else:  # an intrinsic naming one table, parameter or log group
                        assert "*" not in repr(resource), (logical_id, resource)


def test_function_roles_trust_lambda_only_have_no_managed_policy_and_no_name() -> None:
    for name in EXPECTED:
        properties = _role(name)["Properties"]
        assert "ManagedPolicyArns" not in properties
        assert "RoleName" not in properties  # avoids CAPABILITY_NAMED_IAM
        [trust] = properties["AssumeRolePolicyDocument"]["Statement"]
        assert trust["Principal"] == {"Service": ["lambda.amazonaws.com"]}
        assert trust["Action"] == ["sts:AssumeRole"]


def test_each_function_uses_its_own_role() -> None:
    template = template_dict()
    for name in EXPECTED:
        function = template["Resources"][f"{name}Function"]["Properties"]
        assert function["Role"] == {"Fn::GetAtt": [f"{name}Role", "Arn"]}


def test_only_function_roles_and_the_conditional_account_role_exist() -> None:
    roles = resources_of_type(template_dict(), "AWS::IAM::Role")
    assert set(roles) == {f"{name}Role" for name in EXPECTED} | {"ApiGatewayCloudWatchRole"}
