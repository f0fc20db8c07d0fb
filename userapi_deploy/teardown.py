"""Deleting a stack without deleting data: what goes, what stays, and how a person removes
what stays.

CloudFormation keeps every resource whose ``DeletionPolicy`` is Retain (the
tables, the Cognito user pool, the region-wide API Gateway logging role) and
never touches the artifact bucket, which is not part of the stack. The plan is
read from the deployed stack itself (its resources and its original template),
so it is right for any feature mix. For what stays, ``removal_commands`` gives
the exact AWS CLI commands, deletion protection first: a person runs them, the
tool never does.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from .parameters import ARTIFACT_BUCKET

#: DeletionPolicy values under which CloudFormation leaves the resource in place.
KEPT_POLICIES = ("Retain", "RetainExceptOnCreate")


@dataclass(frozen=True)
class Resource:
    """One resource of the stack as deployed."""

    logical_id: str
    resource_type: str
    physical_id: str
    detail: str = ""


@dataclass(frozen=True)
class Plan:
    """The resources a delete removes, and those it leaves (with why)."""

    stack_id: str
    goes: tuple[Resource, ...]
    stays: tuple[Resource, ...]


def _template_body(cfn: Any, stack_id: str) -> dict[str, Any]:
    body = cfn.get_template(StackName=stack_id, TemplateStage="Original")["TemplateBody"]
    return json.loads(body) if isinstance(body, str) else dict(body)


def _table_detail(dynamodb: Any, name: str) -> str:
    try:
        table = dynamodb.describe_table(TableName=name)["Table"]
    except (ClientError, BotoCoreError):
        return "its data stays"
    protected = "deletion protection on" if table.get("DeletionProtectionEnabled") else ""
    count = f"about {table.get('ItemCount', 0)} items (updated every ~6 h)"
    return ", ".join(part for part in (count, protected) if part)


def plan_delete(
    cfn: Any, dynamodb: Any, stack: dict[str, Any], bucket_note: str = "artifact bucket"
) -> Plan:
    """Read the stack's resources and template; sort them into goes and stays."""
    stack_id = stack["StackId"]
    declared = _template_body(cfn, stack_id).get("Resources", {})
    listed: dict[str, Resource] = {}
    paginator = cfn.get_paginator("list_stack_resources")
    for page in paginator.paginate(StackName=stack_id):
        for item in page.get("StackResourceSummaries", []):
            if item.get("LogicalResourceId"):  # moto lists some types with every field empty
                listed[item["LogicalResourceId"]] = Resource(
                    item["LogicalResourceId"],
                    item["ResourceType"],
                    item.get("PhysicalResourceId", ""),
                )
    for logical_id, declaration in declared.items():
        # Declared, unconditional and not listed: it exists, the listing just lacks it.
        if logical_id not in listed and "Condition" not in declaration:
            listed[logical_id] = Resource(logical_id, declaration.get("Type", ""), "")
    goes: list[Resource] = []
    stays: list[Resource] = []
    for resource in listed.values():
        policy = declared.get(resource.logical_id, {}).get("DeletionPolicy", "Delete")
        if policy not in KEPT_POLICIES:
            goes.append(resource)
            continue
        detail = f"DeletionPolicy {policy}"
        if resource.resource_type == "AWS::DynamoDB::Table":
            detail = f"{detail}; {_table_detail(dynamodb, resource.physical_id)}"
        stays.append(
            Resource(resource.logical_id, resource.resource_type, resource.physical_id, detail)
        )
    parameters = {p["ParameterKey"]: p.get("ParameterValue", "") for p in stack.get("Parameters")}
    bucket = parameters.get(ARTIFACT_BUCKET)
    if bucket:
        stays.append(
            Resource(
                "(not in the stack)",
                "AWS::S3::Bucket",
                bucket,
                f"{bucket_note}: shared by every deploy to this account and region",
            )
        )
    return Plan(stack_id, tuple(sorted(goes, key=_order)), tuple(sorted(stays, key=_order)))


def _order(resource: Resource) -> tuple[str, str]:
    return resource.resource_type, resource.logical_id


def _role_commands(iam: Any, role: str) -> list[list[str]]:
    """Detach and delete every policy of the role, then the role (IAM refuses otherwise)."""
    commands: list[list[str]] = []
    try:
        attached = iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
        inline = iam.list_role_policies(RoleName=role)["PolicyNames"]
    except (ClientError, BotoCoreError):
        attached, inline = [], []
        commands.append(["iam", "list-attached-role-policies", "--role-name", role])
    for policy in attached:
        commands.append(
            ["iam", "detach-role-policy", "--role-name", role, "--policy-arn", policy["PolicyArn"]]
        )
    for name in inline:
        commands.append(["iam", "delete-role-policy", "--role-name", role, "--policy-name", name])
    commands.append(["iam", "delete-role", "--role-name", role])
    return commands


def removal_commands(resource: Resource, iam: Any) -> tuple[str, list[list[str]]]:
    """``(note, AWS CLI argument lists)`` that remove one kept resource by hand."""
    kind, name = resource.resource_type, resource.physical_id
    if kind == "AWS::DynamoDB::Table":
        return "its items are deleted with it", [
            ["dynamodb", "update-table", "--table-name", name, "--no-deletion-protection-enabled"],
            ["dynamodb", "delete-table", "--table-name", name],
        ]
    if kind == "AWS::Cognito::UserPool":
        return "every user account goes with it", [
            ["cognito-idp", "update-user-pool", "--user-pool-id", name,
             "--deletion-protection", "INACTIVE"],
            ["cognito-idp", "delete-user-pool", "--user-pool-id", name],
        ]  # fmt: skip
    if kind == "AWS::ApiGateway::Account":
        return "a region-wide API Gateway setting: nothing to delete", []
    if kind == "AWS::IAM::Role":
        return (
            "API Gateway's region-wide logging role: delete it only if no other API "
            "in this account and region logs to CloudWatch",
            _role_commands(iam, name),
        )
    if kind == "AWS::S3::Bucket":
        return "deletes every artifact and template in it", [
            ["s3", "rb", f"s3://{name}", "--force"]
        ]
    return "", [["cloudcontrol", "delete-resource", "--type-name", kind, "--identifier", name]]


def aws_command(arguments: Sequence[str], connection: Sequence[str]) -> str:
    """One shell-quoted ``aws ...`` line with the same region, profile and endpoint."""
    return shlex.join(["aws", *arguments, *connection])
