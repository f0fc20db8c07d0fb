"""What the deploy path calls, as IAM actions: the deploy role and the review role.

``DEPLOY_CALLS`` is the one list of AWS operations the deploy flow makes
(userapi_deploy.flow), each with the IAM action it needs and the resource it
touches. tests/test_bootstrap_deploy_calls.py records the operations a real
deploy makes against moto_server (botocore hooks) and fails when the flow
calls anything this table does not grant, or the table grants what the flow
never calls: change the flow, and this table (so the role) follows.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Resource kinds, turned into ARNs by template.py.
STACK = "stack"
ARTIFACTS = "artifact-objects"
BUCKET = "artifact-bucket"
API_ACCOUNT = "apigateway-account"
SECRETS = "secret-parameters"
NONE = "no-permission"  # sts:GetCallerIdentity needs no permission


@dataclass(frozen=True)
class Call:
    """One operation of the deploy flow and what IAM needs for it."""

    service: str
    operation: str
    action: str | None
    resource: str
    #: Whether a review-only run (pull requests) makes it too.
    review: bool = True
    #: Further actions IAM checks for this call (e.g. tagging on create).
    also: tuple[str, ...] = ()


DEPLOY_CALLS: tuple[Call, ...] = (
    Call("sts", "GetCallerIdentity", None, NONE),
    Call("s3", "HeadBucket", "s3:ListBucket", BUCKET),
    Call("s3", "HeadObject", "s3:GetObject", ARTIFACTS),
    Call("s3", "PutObject", "s3:PutObject", ARTIFACTS),
    Call("apigateway", "GetAccount", "apigateway:GET", API_ACCOUNT),
    # The secrets check: metadata only (no decryption, so no kms:Decrypt); a missing
    # generated secret is created as a SecureString with tags (the aws/ssm key's own
    # policy lets the account's principals encrypt through SSM: no KMS grant needed).
    Call("ssm", "GetParameters", "ssm:GetParameters", SECRETS),
    Call("ssm", "PutParameter", "ssm:PutParameter", SECRETS, False, ("ssm:AddTagsToResource",)),
    Call("cloudformation", "DescribeStacks", "cloudformation:DescribeStacks", STACK),
    Call("cloudformation", "GetTemplate", "cloudformation:GetTemplate", STACK),
    Call("cloudformation", "CreateChangeSet", "cloudformation:CreateChangeSet", STACK),
    Call("cloudformation", "DescribeChangeSet", "cloudformation:DescribeChangeSet", STACK),
    Call("cloudformation", "DeleteChangeSet", "cloudformation:DeleteChangeSet", STACK),
    Call("cloudformation", "ExecuteChangeSet", "cloudformation:ExecuteChangeSet", STACK, False),
    Call(
        "cloudformation", "DescribeStackEvents", "cloudformation:DescribeStackEvents", STACK, False
    ),
    # --replace-failed-stack, and the empty shell a declined first deploy leaves.
    Call("cloudformation", "DeleteStack", "cloudformation:DeleteStack", STACK, False),
)

#: Calls the tests cannot make moto produce, with the reason.
NOT_RECORDED = {
    "DeleteStack": "only after a ROLLBACK_COMPLETE, which moto cannot produce "
    "(test_deploy_stubbed.py covers the path)",
}


def actions_for(resource: str, *, review: bool) -> list[str]:
    """The IAM actions on one resource kind, for the deploy role or the review role."""
    return sorted(
        {
            action
            for call in DEPLOY_CALLS
            if call.action and call.resource == resource and (call.review or not review)
            for action in (call.action, *call.also)
        }
    )
