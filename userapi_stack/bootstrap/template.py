"""``build_bootstrap_template``: the one-time stack that lets CI deploy with no stored keys.

The AWS CDK bootstrap pattern, for one repository:

- the GitHub OIDC identity provider (or the account's existing one: an
  account holds one provider per URL, so ``ExistingOidcProviderArn`` reuses it);
- per environment, a **deploy role** that only GitHub jobs of that
  environment can assume, holding only what the deploy path calls on that
  environment's stack, and allowed to pass one role: the environment's
- **execution role**, which only CloudFormation can assume and which holds
  the power to create the stack's resources (execution_policy.py);
- one **review role** for pull-request jobs: it creates, shows and deletes
  change sets but cannot execute one, so code in a pull request can never
  change a stack;
- the artifact bucket the deploy uses (the managed bucket name, configured
  as the deploy script would), unless it exists already.

Everything here is free: IAM roles and OIDC providers cost nothing, and the
bucket holds a few kilobytes of zips.
"""

from __future__ import annotations

from awacs import sts
from awacs.aws import (
    Allow,
    Bool,
    Condition,
    Deny,
    PolicyDocument,
    Principal,
    Statement,
    StringEquals,
    StringNotEqualsIfExists,
)
from troposphere import (
    Equals,
    GetAtt,
    If,
    Output,
    Parameter,
    Ref,
    Sub,
    Tags,
    Template,
)
from troposphere.iam import OIDCProvider, Policy, Role
from troposphere.s3 import (
    AbortIncompleteMultipartUpload,
    Bucket,
    BucketEncryption,
    BucketPolicy,
    LifecycleConfiguration,
    LifecycleRule,
    OwnershipControls,
    OwnershipControlsRule,
    PublicAccessBlockConfiguration,
    ServerSideEncryptionByDefault,
    ServerSideEncryptionRule,
)

from userapi_deploy import secret_store
from userapi_deploy.bucket import (
    ARTIFACT_EXPIRY_DAYS,
    MANAGED_BUCKET_PREFIX,
    MANAGED_TAG,
    TEMPLATE_EXPIRY_DAYS,
    TEMPLATE_PREFIX,
)
from userapi_deploy.packaging import ARTIFACT_PREFIX

from ..naming import pascal
from ..policies import POLICY_VERSION, service_trust_policy
from ..template import build_template
from . import deploy_policy
from .execution_policy import ExecutionPolicy, awacs_action
from .options import BootstrapOptions
from .subjects import AUDIENCE, ISSUER_HOST, ISSUER_URL, deploy_subjects, pull_request_subject

DESCRIPTION = "userapi CI bootstrap: GitHub OIDC deploy roles and CloudFormation execution roles"
CREATE_PROVIDER = "CreateOidcProvider"
CREATE_BUCKET = "CreateArtifactBucket"
CLOUDFORMATION = "cloudformation.amazonaws.com"
BUCKET_NAME = f"{MANAGED_BUCKET_PREFIX}-${{AWS::AccountId}}-${{AWS::Region}}"
BUCKET_ARN = f"arn:${{AWS::Partition}}:s3:::{BUCKET_NAME}"
#: One hour, the default: a deploy that waits longer re-assumes on the next run.
MAX_SESSION_SECONDS = 3600


def _stack_arn(environment: str) -> Sub:
    return Sub(
        f"arn:${{AWS::Partition}}:cloudformation:${{AWS::Region}}:${{AWS::AccountId}}:"
        f"stack/${{AppName}}-{environment}/*"
    )


def _resources(kind: str, environments: list[str]) -> list[Sub]:
    if kind == deploy_policy.STACK:
        return [_stack_arn(e) for e in environments]
    if kind == deploy_policy.ARTIFACTS:
        return [Sub(f"{BUCKET_ARN}/{p}*") for p in (ARTIFACT_PREFIX, TEMPLATE_PREFIX)]
    if kind == deploy_policy.BUCKET:
        return [Sub(BUCKET_ARN)]
    if kind == deploy_policy.SECRETS:
        return [
            Sub(
                "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter"
                + secret_store.parameter_name(environment, name)
            )
            for environment in environments
            for name in secret_store.declared()
        ]
    if kind == deploy_policy.API_ACCOUNT:
        return [Sub("arn:${AWS::Partition}:apigateway:${AWS::Region}::/account")]
    raise ValueError(kind)


def _deploy_document(
    environments: list[str], execution_roles: list[Role], review: bool
) -> PolicyDocument:
    """A deploy role's policy (``review=False``) or the review role's, from DEPLOY_CALLS."""
    kinds = (
        deploy_policy.STACK,
        deploy_policy.ARTIFACTS,
        deploy_policy.BUCKET,
        deploy_policy.API_ACCOUNT,
        deploy_policy.SECRETS,
    )
    statements = [
        Statement(
            Sid=pascal(kind),
            Effect=Allow,
            Action=[awacs_action(a) for a in deploy_policy.actions_for(kind, review=review)],
            Resource=_resources(kind, environments),
        )
        for kind in kinds
        if deploy_policy.actions_for(kind, review=review)
    ]
    statements += [
        # Every change set runs as the execution role: never with the caller's rights.
        Statement(
            Sid="OnlyThroughTheExecutionRole",
            Effect=Deny,
            Action=[awacs_action("cloudformation:CreateChangeSet")],
            Resource=_resources(deploy_policy.STACK, environments),
            Condition=Condition(
                StringNotEqualsIfExists(
                    "cloudformation:RoleArn", [role.get_att("Arn") for role in execution_roles]
                )
            ),
        ),
        Statement(
            Sid="PassTheExecutionRole",
            Effect=Allow,
            Action=[awacs_action("iam:PassRole")],
            Resource=[role.get_att("Arn") for role in execution_roles],
            Condition=Condition(StringEquals("iam:PassedToService", CLOUDFORMATION)),
        ),
    ]
    return PolicyDocument(Version=POLICY_VERSION, Statement=statements)


def _github_trust(provider_arn, subjects: list[str]) -> PolicyDocument:
    return PolicyDocument(
        Version=POLICY_VERSION,
        Statement=[
            Statement(
                Effect=Allow,
                Principal=Principal("Federated", provider_arn),
                Action=[sts.AssumeRoleWithWebIdentity],
                Condition=Condition(
                    StringEquals({f"{ISSUER_HOST}:aud": AUDIENCE, f"{ISSUER_HOST}:sub": subjects})
                ),
            )
        ],
    )


def _add_bucket(template: Template) -> None:
    def expire(rule_id: str, prefix: str, days: int) -> LifecycleRule:
        return LifecycleRule(
            Id=rule_id,
            Prefix=prefix,
            Status="Enabled",
            ExpirationInDays=days,
            AbortIncompleteMultipartUpload=AbortIncompleteMultipartUpload(DaysAfterInitiation=1),
        )

    bucket = template.add_resource(
        Bucket(
            "ArtifactBucket",
            Condition=CREATE_BUCKET,
            BucketName=Sub(BUCKET_NAME),
            BucketEncryption=BucketEncryption(
                ServerSideEncryptionConfiguration=[
                    ServerSideEncryptionRule(
                        ServerSideEncryptionByDefault=ServerSideEncryptionByDefault(
                            SSEAlgorithm="AES256"
                        ),
                        BucketKeyEnabled=True,
                    )
                ]
            ),
            PublicAccessBlockConfiguration=PublicAccessBlockConfiguration(
                BlockPublicAcls=True,
                BlockPublicPolicy=True,
                IgnorePublicAcls=True,
                RestrictPublicBuckets=True,
            ),
            OwnershipControls=OwnershipControls(
                Rules=[OwnershipControlsRule(ObjectOwnership="BucketOwnerEnforced")]
            ),
            LifecycleConfiguration=LifecycleConfiguration(
                Rules=[
                    expire("expire-old-artifacts", ARTIFACT_PREFIX, ARTIFACT_EXPIRY_DAYS),
                    expire("expire-old-templates", TEMPLATE_PREFIX, TEMPLATE_EXPIRY_DAYS),
                ]
            ),
            Tags=Tags({MANAGED_TAG["Key"]: MANAGED_TAG["Value"]}),
            # Stacks deployed from it still point at its objects.
            DeletionPolicy="Retain",
            UpdateReplacePolicy="Retain",
        )
    )
    template.add_resource(
        BucketPolicy(
            "ArtifactBucketPolicy",
            Condition=CREATE_BUCKET,
            Bucket=Ref(bucket),
            PolicyDocument=PolicyDocument(
                Version=POLICY_VERSION,
                Statement=[
                    Statement(
                        Sid="DenyInsecureTransport",
                        Effect=Deny,
                        Principal=Principal("*"),
                        Action=[awacs_action("s3:*")],
                        Resource=[Sub(BUCKET_ARN), Sub(f"{BUCKET_ARN}/*")],
                        Condition=Condition(Bool("aws:SecureTransport", "false")),
                    )
                ],
            ),
        )
    )


def build_bootstrap_template(options: BootstrapOptions) -> Template:
    """Synthesize the bootstrap stack for one repository (pure, deterministic)."""
    template = Template(Description=DESCRIPTION)
    template.set_version()
    main_app_name = build_template().parameters["AppName"]
    # Referenced as ${AppName} inside the Sub strings of the roles' policies.
    template.add_parameter(
        Parameter(
            "AppName",
            Type="String",
            Default=main_app_name.properties["Default"],
            AllowedPattern=main_app_name.properties["AllowedPattern"],
            Description="The AppName of the stacks to deploy (their names are <AppName>-<env>).",
        )
    )
    existing = template.add_parameter(
        Parameter(
            "ExistingOidcProviderArn",
            Type="String",
            Default="",
            AllowedPattern=r"^$|^arn:aws[a-z-]*:iam::\d{12}:oidc-provider/"
            + ISSUER_HOST.replace(".", r"\.")
            + "$",
            Description="The account's GitHub OIDC provider, if it has one (an account holds "
            "one provider per URL); empty creates it.",
        )
    )
    create_bucket = template.add_parameter(
        Parameter(
            "CreateArtifactBucket",
            Type="String",
            Default="true",
            AllowedValues=["true", "false"],
            Description="false when the artifact bucket exists already (an earlier "
            "deploy from a workstation created it with the same settings).",
        )
    )
    template.add_condition(CREATE_PROVIDER, Equals(Ref(existing), ""))
    template.add_condition(CREATE_BUCKET, Equals(Ref(create_bucket), "true"))
    provider = template.add_resource(
        OIDCProvider(
            "GitHubOidcProvider",
            Condition=CREATE_PROVIDER,
            Url=ISSUER_URL,
            ClientIdList=[AUDIENCE],
        )
    )
    provider_arn = If(CREATE_PROVIDER, Ref(provider), Ref(existing))
    _add_bucket(template)
    artifact_objects = f"{BUCKET_ARN}/{ARTIFACT_PREFIX}*"

    environments = list(options.environments)
    execution_roles: list[Role] = []
    for environment in environments:
        name = pascal(environment)
        policy = ExecutionPolicy(environment, artifact_objects)
        execution = template.add_resource(
            Role(
                f"{name}ExecutionRole",
                Description=f"CloudFormation creates the ${{AppName}}-{environment} stack's "
                "resources with this role",
                AssumeRolePolicyDocument=service_trust_policy(CLOUDFORMATION),
                Policies=[Policy(PolicyName="create-the-stack", PolicyDocument=policy.document())],
            )
        )
        execution.Description = Sub(execution.Description)
        execution_roles.append(execution)
        deploy = template.add_resource(
            Role(
                f"{name}DeployRole",
                Description=Sub(
                    f"GitHub Actions jobs of environment {environment} of "
                    f"{options.github_repo} deploy ${{AppName}}-{environment}"
                ),
                AssumeRolePolicyDocument=_github_trust(
                    provider_arn, deploy_subjects(options, environment)
                ),
                MaxSessionDuration=MAX_SESSION_SECONDS,
                Policies=[
                    Policy(
                        PolicyName="deploy",
                        PolicyDocument=_deploy_document([environment], [execution], False),
                    )
                ],
            )
        )
        template.add_output(
            Output(
                f"{name}DeployRoleArn",
                Description=f"role-to-assume of the {environment} deploy job",
                Value=GetAtt(deploy, "Arn"),
            )
        )
        template.add_output(
            Output(
                f"{name}ExecutionRoleArn",
                Description=f"deploy --role-arn for {environment}",
                Value=GetAtt(execution, "Arn"),
            )
        )
    review = template.add_resource(
        Role(
            "ReviewRole",
            Description=f"Pull-request jobs of {options.github_repo} preview change sets",
            AssumeRolePolicyDocument=_github_trust(provider_arn, [pull_request_subject(options)]),
            MaxSessionDuration=MAX_SESSION_SECONDS,
            Policies=[
                Policy(
                    PolicyName="review",
                    PolicyDocument=_deploy_document(environments, execution_roles, True),
                )
            ],
        )
    )
    template.add_output(
        Output(
            "ReviewRoleArn",
            Description="role-to-assume of the pull-request review job",
            Value=GetAtt(review, "Arn"),
        )
    )
    template.add_output(
        Output("ArtifactBucketName", Value=Sub(BUCKET_NAME), Description="deploy --bucket")
    )
    template.add_output(
        Output("OidcProviderArn", Value=provider_arn, Description="the GitHub OIDC provider")
    )
    return template
