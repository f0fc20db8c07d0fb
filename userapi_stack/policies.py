"""IAM policy documents (awacs), computed from the route table.

A function's role allows exactly what its route declares: the DynamoDB
actions of routes.py on the exact table ARN(s) that route uses,
ssm:GetParameters on the exact configuration parameter ARNs and on the
secrets its route reads (with kms:Decrypt for those only, through SSM),
and log writes on its own log group. X-Ray gets a separate document, attached only when
tracing is on.
"""

from __future__ import annotations

from collections.abc import Mapping

from awacs import kms, logs, ssm, sts, xray
from awacs.aws import (
    Allow,
    Condition,
    ForAnyValueStringEquals,
    PolicyDocument,
    Principal,
    Statement,
    StringEquals,
)
from troposphere import AWSHelperFn, GetAtt, Sub

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


#: The account's keys in this region: the AWS-managed aws/ssm key's id is
#: not known at synthesis time, so the conditions below pin which key and
#: which decryptions (a bare alias ARN in Resource would match no key).
REGION_KEYS = "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*"
SSM_MANAGED_KEY_ALIAS = "alias/aws/ssm"


def decrypt_secrets_statement(secret_parameter_arns: list[AWSHelperFn]) -> Statement:
    """kms:Decrypt on the aws/ssm key, only as SSM decrypting these exact parameters.

    ``kms:ViaService``: only a request SSM makes on the role's behalf (a
    direct kms:Decrypt call is refused). ``kms:EncryptionContext:PARAMETER_ARN``:
    Parameter Store puts the parameter's ARN in the encryption context of
    every SecureString encryption and decryption (AWS KMS Developer Guide,
    "How AWS Systems Manager Parameter Store uses AWS KMS"), so only these
    parameters' values can be decrypted. ``kms:ResourceAliases`` (IAM
    policies only, multi-valued, hence ForAnyValue): only the key aliased
    aws/ssm. That AWS-managed key's own policy already lets every principal
    of the account use it through SSM, so for it this statement records the
    intent; what restricts reading is ssm:GetParameters on the exact ARNs.
    """
    return Statement(
        Sid="DecryptOwnSecrets",
        Effect=Allow,
        Action=[kms.Decrypt],
        Resource=[Sub(REGION_KEYS)],
        Condition=Condition(
            [
                StringEquals(
                    {
                        "kms:ViaService": Sub("ssm.${AWS::Region}.amazonaws.com"),
                        "kms:EncryptionContext:PARAMETER_ARN": list(secret_parameter_arns),
                    }
                ),
                ForAnyValueStringEquals({"kms:ResourceAliases": [SSM_MANAGED_KEY_ALIAS]}),
            ]
        ),
    )


def function_policy(
    route: Route,
    table_arns: Mapping[str, AWSHelperFn],
    config_parameter_arns: list[AWSHelperFn],
    log_group_arn: GetAtt,
    secret_parameter_arns: list[AWSHelperFn] | None = None,
) -> PolicyDocument:
    """The least-privilege document of one route's function.

    ``table_arns`` maps a table role (``users``/``emails``) to its ARN; only
    the tables the route declares actions on appear in the result.
    ``secret_parameter_arns``: the SecureString parameters this route reads
    (settings.SECRET_PARAMETERS), readable and decryptable by it alone.
    """
    secret_parameter_arns = list(secret_parameter_arns or [])
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
            Resource=[*config_parameter_arns, *secret_parameter_arns],
        )
    )
    if secret_parameter_arns:
        statements.append(decrypt_secrets_statement(secret_parameter_arns))
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
