"""IAM policy documents (awacs), computed from the route table.

A function's role allows exactly what its route declares: the DynamoDB
actions of routes.py on the exact table ARN(s) that route uses,
ssm:GetParameters on the exact configuration parameter ARNs, and log writes
on its own log group. X-Ray gets a separate document, attached only when
tracing is on.
"""

from __future__ import annotations

from collections.abc import Mapping

from awacs import logs, ssm, sts, xray
from awacs.aws import Allow, PolicyDocument, Principal, Statement
from troposphere import AWSHelperFn, GetAtt

from .routes import Route

POLICY_VERSION = "2012-10-17"


def service_trust_policy(service: str) -> PolicyDocument:
    """Trust policy letting one AWS service (``lambda.amazonaws.com``...) assume a role."""
    return PolicyDocument(
        Version=POLICY_VERSION,
        Statement=[
            Statement(
                Effect=Allow,
                Principal=Principal("Service", [service]),
                Action=[sts.AssumeRole],
            )
        ],
    )


def function_policy(
    route: Route,
    table_arns: Mapping[str, AWSHelperFn],
    config_parameter_arns: list[AWSHelperFn],
    log_group_arn: GetAtt,
) -> PolicyDocument:
    """The least-privilege document of one route's function.

    ``table_arns`` maps a table role (``users``/``emails``) to its ARN; only
    the tables the route declares actions on appear in the result.
    """
    statements = [
        Statement(
            Sid=f"{table_role.capitalize()}Table",
            Effect=Allow,
            Action=list(actions),
            Resource=[table_arns[table_role]],
        )
        for table_role, actions in route.table_actions().items()
    ]
    statements.append(
        Statement(
            Sid="ReadConfiguration",
            Effect=Allow,
            Action=[ssm.GetParameters],
            Resource=list(config_parameter_arns),
        )
    )
    statements.append(
        Statement(
            Sid="WriteOwnLogs",
            Effect=Allow,
            Action=[logs.CreateLogStream, logs.PutLogEvents],
            # The log group ARN attribute ends in ":*": its streams, nothing else.
            Resource=[log_group_arn],
        )
    )
    return PolicyDocument(Version=POLICY_VERSION, Statement=statements)


def xray_policy() -> PolicyDocument:
    """X-Ray trace upload, attached only when tracing is Active.

    Resource ``*`` is the one exception to specific ARNs: PutTraceSegments
    and PutTelemetryRecords support no resource-level permissions (the IAM
    service authorization reference lists no resource type for them).
    """
    return PolicyDocument(
        Version=POLICY_VERSION,
        Statement=[
            Statement(
                Sid="UploadTraces",
                Effect=Allow,
                Action=[xray.PutTraceSegments, xray.PutTelemetryRecords],
                Resource=["*"],
            )
        ],
    )
