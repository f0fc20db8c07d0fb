"""The API Gateway account CloudWatch role: an optional, retained singleton.

``AWS::ApiGateway::Account`` sets ONE role per account and region, shared by
every API there. Stage logging fails to deploy until it is set, so the
template can create it (Parameter ``CreateApiGatewayAccountRole``, default
``true`` so the template alone deploys on a fresh account). Both the role and
the setting are retained on delete: deleting this stack must not break
logging for every other API in the region. The deploy script passes
``false`` when the account already has a role, so only the first stack in an
account creates one.

The Stage must wait for the setting when it is created here, but a
``DependsOn`` cannot be conditional ("Every DependsOn value must be a
string"), so the Stage's Metadata ``Ref``s the Account inside ``Fn::If``
(``stage_dependency``): an implicit dependency that exists only when the
Condition holds (cloudonaut.io, "Optional DependsOn with CloudFormation").
"""

from __future__ import annotations

from troposphere import AWSHelperFn, If, Ref, Sub, Template
from troposphere.apigateway import Account
from troposphere.iam import Role

from .parameters import CREATE_ACCOUNT_ROLE
from .policies import service_trust_policy

#: AWS's own policy for this role, the one the API Gateway docs prescribe.
PUSH_TO_CLOUDWATCH_POLICY = (
    "arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
)


def add_account_role(template: Template) -> Account:
    """Add the conditional role and Account setting; return the Account."""
    role = template.add_resource(
        Role(
            "ApiGatewayCloudWatchRole",
            Condition=CREATE_ACCOUNT_ROLE,
            Description="Lets API Gateway write execution and access logs (account-wide)",
            AssumeRolePolicyDocument=service_trust_policy("apigateway.amazonaws.com"),
            ManagedPolicyArns=[Sub(PUSH_TO_CLOUDWATCH_POLICY)],
            DeletionPolicy="Retain",
            UpdateReplacePolicy="Retain",
        )
    )
    return template.add_resource(
        Account(
            "ApiGatewayAccount",
            Condition=CREATE_ACCOUNT_ROLE,
            CloudWatchRoleArn=role.get_att("Arn"),
            DeletionPolicy="Retain",
            UpdateReplacePolicy="Retain",
        )
    )


def stage_dependency(account: Account) -> dict[str, AWSHelperFn]:
    """Stage Metadata making the Stage wait for the Account when it is created."""
    return {"WaitsFor": If(CREATE_ACCOUNT_ROLE, Ref(account), "")}
