"""The CloudFormation execution role's permissions, derived from the main template.

What CloudFormation calls to create, read, update and delete a resource of a
given type is published by AWS in each type's resource provider schema
(``handlers.<op>.permissions``), which cfn-lint ships. The execution role
gets exactly those actions for the types that occur in any variant of the
main template (variants.py), with three narrowings:

- Cross-service actions are kept only when this stack uses that service or
  the action is on ``CROSS_SERVICE`` (with a reason). The schemas list
  permissions for optional features this stack does not use (Lambda in a
  VPC, customer-managed KMS keys, Kinesis streaming of a table...): a feature
  that starts using one adds its own resource type and so its service.
- Delete-only actions are dropped for a type whose every resource is
  retained (``DeletionPolicy`` and ``UpdateReplacePolicy`` Retain): the
  stack can never delete a users table, so the role cannot either.
- Item-level DynamoDB actions (``NOT_NEEDED``) are dropped: CloudFormation
  never touches user data.
- Each action is scoped to the ARNs of this environment's resources where
  the IAM reference says the action takes a resource: the physical names the
  main template gives (``${AppName}-<env>-...``, ``/<env>/api/...``), the
  generated role names (``<stack>-<LogicalId>-<suffix>``, stack =
  ``${AppName}-<env>``), otherwise the account and region. Actions that take
  no resource (Describe/List calls) get ``*``, as IAM requires.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from functools import cache
from typing import Any

from awacs.aws import Action, Allow, Condition, ForAnyValueStringEquals, PolicyDocument, Statement
from troposphere import Sub

from .variants import variant_templates

POLICY_VERSION = "2012-10-17"
#: Provider schemas are per region; the handler permissions are the same everywhere.
SCHEMA_REGION = "us-east-1"
HANDLER_OPERATIONS = ("create", "read", "update", "delete")

#: IAM service prefix of a CloudFormation type's service, where it is not the
#: lower-cased service segment (``AWS::Lambda::Function`` -> ``lambda``).
SERVICE_PREFIXES = {
    "Cognito": "cognito-idp",
    "CertificateManager": "acm",
    "ElasticLoadBalancingV2": "elasticloadbalancing",
    "Route53": "route53",
    "WAFv2": "wafv2",
}

#: Actions of another service that this stack's resources really use.
CROSS_SERVICE = {
    # Lambda, API Gateway and SNS hand roles of this stack to their service.
    "iam:PassRole": "roles of this stack, to the services that assume them",
    "iam:GetRole": "read back the role being passed",
    # Lambda reads the handler zip from the artifact bucket when it (re)creates code.
    "s3:GetObject": "the handler zip in the artifact bucket",
    "s3:GetObjectVersion": "the handler zip in the artifact bucket",
}

#: Handler permissions this stack never needs, with the reason.
NOT_NEEDED = {
    **dict.fromkeys(
        (
            "dynamodb:BatchWriteItem",
            "dynamodb:DeleteItem",
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:Query",
            "dynamodb:Scan",
            "dynamodb:UpdateItem",
            "dynamodb:ImportTable",
        ),
        # The table handler lists item access for ImportSourceSpecification (an
        # import from S3 at creation), which this stack does not use.
        "CloudFormation manages the tables, never their items: no user data is readable "
        "or writable through the execution role",
    ),
}

#: CloudFormation type -> (IAM resource type, name property) for named resources.
NAMED_RESOURCES = {
    "AWS::CloudWatch::Alarm": ("alarm", "AlarmName"),
    "AWS::CloudWatch::Dashboard": ("dashboard", "DashboardName"),
    "AWS::DynamoDB::Table": ("table", "TableName"),
    "AWS::Lambda::Function": ("function", "FunctionName"),
    "AWS::Logs::LogGroup": ("log-group", "LogGroupName"),
    "AWS::SNS::Topic": ("topic", "TopicName"),
    "AWS::SSM::Parameter": ("parameter", "Name"),
}
#: API Gateway ARNs are paths of generated ids: the region is as narrow as it gets.
API_GATEWAY_ARN = "arn:${AWS::Partition}:apigateway:${AWS::Region}::/*"
#: DynamoDB sub-resources live under their table's ARN.
SUB_RESOURCES = {("dynamodb", "index"): "table", ("dynamodb", "stream"): "table"}


@cache
def _iam_reference() -> dict[str, Any]:
    """The IAM service authorization reference, as cfn-lint ships it."""
    from importlib.resources import files

    return json.loads(
        files("cfnlint.data.AdditionalSpecs").joinpath("Policies.json").read_text("utf-8")
    )


@cache
def handler_permissions(resource_type: str) -> dict[str, frozenset[str]]:
    """``{"create": {...}, ...}`` from the type's resource provider schema."""
    from cfnlint.schema.manager import PROVIDER_SCHEMA_MANAGER

    schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(SCHEMA_REGION, resource_type).schema
    handlers = schema.get("handlers") or {}
    result = {
        op: frozenset(handlers.get(op, {}).get("permissions", [])) for op in HANDLER_OPERATIONS
    }
    if not any(result.values()):
        raise LookupError(
            f"{resource_type}: its provider schema lists no handler permissions; "
            "add the actions it needs to the bootstrap's execution policy by hand"
        )
    return result


def service_prefix(resource_type: str) -> str:
    service = resource_type.split("::")[1]
    return SERVICE_PREFIXES.get(service, service.lower())


def _iam_action(action: str) -> dict[str, Any] | None:
    service, _, name = action.partition(":")
    return _iam_reference().get(service.lower(), {}).get("Actions", {}).get(name.lower())


def _is_retained(resource: dict[str, Any]) -> bool:
    return resource.get("DeletionPolicy") == "Retain" and (
        resource.get("UpdateReplacePolicy") == "Retain"
    )


def _name_glob(value: Any, environment: str) -> str | None:
    """A physical name as an IAM glob: ``${AppName}`` kept for Sub, other refs ``*``."""
    text = value.get("Fn::Sub") if isinstance(value, dict) else value
    if not isinstance(text, str):
        return None
    text = text.replace("${Environment}", environment)
    return re.sub(r"\$\{(?!AppName\})[^}]+\}", "*", text)


def _collapse(glob: str, stack_prefix: str) -> str:
    """``/aws/lambda/${AppName}-dev-get-user`` -> ``/aws/lambda/${AppName}-dev-*``.

    Every name under the stack's prefix becomes one glob (keeps the policy
    small and follows new resources); names outside it stay exact.
    """
    at = glob.find(stack_prefix)
    end = at + len(stack_prefix)
    if at < 0 or end >= len(glob) or glob[end] not in "-/":
        return glob
    return glob[: end + 1] + "*"


def _arn(format_: str, name: str, service: str) -> str:
    """An ARN format of the IAM reference with its variable part set to ``name``."""
    if service == "ssm":  # parameter ARNs drop the name's leading slash
        name = name.lstrip("/")
    arn = format_.replace("${Partition}", "${AWS::Partition}")
    arn = arn.replace("${Region}", "${AWS::Region}").replace("${Account}", "${AWS::AccountId}")
    return re.sub(r"\$\{(?!AWS::)[^}]+\}", "*", arn).replace(".*", name, 1).replace(".*", "*")


class ExecutionPolicy:
    """The derivation, for one environment."""

    def __init__(self, environment: str, artifact_objects_arn: str) -> None:
        self.environment = environment
        self.artifact_objects_arn = artifact_objects_arn
        #: The stack is ``${AppName}-<env>``: physical names and generated role names start so.
        self.stack_prefix = f"${{AppName}}-{environment}"
        templates = variant_templates()
        resources = [r for t in templates for r in t["Resources"].values()]
        self.types = sorted({r["Type"] for r in resources})
        self.services = {service_prefix(t) for t in self.types}
        self.retained_types = {
            t for t in self.types if all(_is_retained(r) for r in resources if r["Type"] == t)
        }
        self.names: dict[tuple[str, str], set[str]] = defaultdict(set)
        for resource in resources:
            named = NAMED_RESOURCES.get(resource["Type"])
            if named:
                glob = _name_glob(resource.get("Properties", {}).get(named[1]), environment)
                key = (service_prefix(resource["Type"]), named[0])
                self.names[key].add(_collapse(glob or "*", self.stack_prefix))
        self.passed_to = sorted(
            {
                service
                for resource in resources
                if resource["Type"] == "AWS::IAM::Role"
                for statement in resource["Properties"]["AssumeRolePolicyDocument"]["Statement"]
                for service in statement.get("Principal", {}).get("Service", [])
            }
        )

    def actions(self) -> set[str]:
        """Every action kept, before scoping."""
        kept: set[str] = set()
        for resource_type in self.types:
            handlers = handler_permissions(resource_type)
            actions = set().union(*handlers.values())
            if resource_type in self.retained_types:
                others = handlers["create"] | handlers["read"] | handlers["update"]
                actions -= handlers["delete"] - others
            kept |= {
                a
                for a in actions
                if _iam_action(a) is not None
                and a not in NOT_NEEDED
                and (a.split(":")[0] in self.services or a in CROSS_SERVICE)
            }
        return kept

    def resources_of(self, action: str) -> list[str]:
        """The scoped ARNs (as ``Sub`` text) one action may touch; ``["*"]`` if none apply.

        Of the IAM resource types an action takes, only those this stack
        creates count (a TagResource lists every type of its service); when
        it creates none of them, the action is scoped to the account and
        region through the IAM reference's ARN formats.
        """
        if action in ("s3:GetObject", "s3:GetObjectVersion"):
            return [self.artifact_objects_arn]
        service = action.split(":")[0]
        iam_types = [t.lower() for t in (_iam_action(action) or {}).get("Resources") or []]
        if not iam_types:
            return ["*"]
        if service == "apigateway":  # every id is generated: the region's API Gateway
            return [API_GATEWAY_ARN]
        if service == "iam" and "role" in iam_types:
            return [f"arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role/{self.stack_prefix}-*"]
        own = [SUB_RESOURCES.get((service, t), t) for t in iam_types]
        own = [t for t in own if (service, t) in self.names]
        reference = _iam_reference()[service]["Resources"]
        if not own:  # of the formats, only services this stack uses (WAF lists a dozen)
            return sorted(
                {
                    _arn(f, "*", service)
                    for t in iam_types
                    for f in reference[t]["ARNFormats"]
                    if f.split(":")[2] in self.services | {service}
                }
            )
        return sorted(
            {
                _arn(f, name, service)
                for t in own
                for name in self.names[(service, t)]
                for f in reference[t]["ARNFormats"]
            }
        )

    def document(self) -> PolicyDocument:
        groups: dict[tuple[str, ...], list[str]] = defaultdict(list)
        for action in sorted(self.actions(), key=str.lower):
            if action == "iam:PassRole":
                continue
            groups[tuple(self.resources_of(action))].append(action)
        statements = [
            _statement(f"Scoped{index}", actions, resources)
            for index, (resources, actions) in enumerate(
                sorted(groups.items(), key=lambda item: (item[0] == ("*",), item[0])), start=1
            )
        ]
        if "iam:PassRole" in self.actions():
            statements.append(
                Statement(
                    Sid="PassOwnRoles",
                    Effect=Allow,
                    Action=[awacs_action("iam:PassRole")],
                    Resource=[Sub(r) for r in self.resources_of("iam:PassRole")],
                    Condition=Condition(
                        ForAnyValueStringEquals("iam:PassedToService", self.passed_to)
                    ),
                )
            )
        return PolicyDocument(Version=POLICY_VERSION, Statement=statements)


def awacs_action(name: str) -> Action:
    """``"s3:GetObject"`` as an awacs Action."""
    prefix, _, action = name.partition(":")
    return Action(prefix, action)


def _statement(sid: str, actions: Iterable[str], resources: Iterable[str]) -> Statement:
    return Statement(
        Sid=sid,
        Effect=Allow,
        Action=[awacs_action(a) for a in actions],
        Resource=[r if r == "*" else Sub(r) for r in resources],
    )
