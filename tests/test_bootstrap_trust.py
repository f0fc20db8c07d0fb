"""Who may assume each bootstrap role: written out by hand, so a wrong derivation fails."""

from __future__ import annotations

import pytest
from bootstrap_fixture import REPO, bootstrap_dict, role

PROVIDER = {
    "Fn::If": [
        "CreateOidcProvider",
        {"Ref": "GitHubOidcProvider"},
        {"Ref": "ExistingOidcProviderArn"},
    ]
}
AUD = "token.actions.githubusercontent.com:aud"
SUB = "token.actions.githubusercontent.com:sub"


def _trust(template: dict, logical_id: str) -> dict:
    [statement] = role(template, logical_id)["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Principal"] == {"Federated": PROVIDER}
    assert statement["Action"] == ["sts:AssumeRoleWithWebIdentity"]
    assert list(statement["Condition"]) == ["StringEquals"]  # never StringLike: no wildcard
    return statement["Condition"]["StringEquals"]


@pytest.mark.parametrize(
    ("logical_id", "subjects"),
    [
        ("DevDeployRole", [f"repo:{REPO}:environment:dev"]),
        ("ProdDeployRole", [f"repo:{REPO}:environment:prod"]),
        ("ReviewRole", [f"repo:{REPO}:pull_request"]),
    ],
)
def test_github_roles_trust_one_repository_and_one_context(logical_id, subjects) -> None:
    condition = _trust(bootstrap_dict(), logical_id)
    assert condition == {AUD: "sts.amazonaws.com", SUB: subjects}


def test_immutable_subject_form_carries_the_numeric_ids_and_not_the_names() -> None:
    template = bootstrap_dict(owner_id=1234567, repo_id=89012345)
    assert _trust(template, "ProdDeployRole")[SUB] == [
        "repo:octo-org@1234567/users-api@89012345:environment:prod"
    ]
    assert _trust(template, "ReviewRole")[SUB] == [
        "repo:octo-org@1234567/users-api@89012345:pull_request"
    ]


def test_branch_option_adds_exactly_that_branch_to_every_deploy_role_not_review() -> None:
    template = bootstrap_dict(branch="main")
    for environment in ("Dev", "Prod"):
        assert _trust(template, f"{environment}DeployRole")[SUB] == [
            f"repo:{REPO}:environment:{environment.lower()}",
            f"repo:{REPO}:ref:refs/heads/main",
        ]
    assert _trust(template, "ReviewRole")[SUB] == [f"repo:{REPO}:pull_request"]


def test_one_deploy_and_one_execution_role_per_environment_given() -> None:
    template = bootstrap_dict(environments=("staging",))
    roles = {k for k, v in template["Resources"].items() if v["Type"] == "AWS::IAM::Role"}
    assert roles == {"StagingDeployRole", "StagingExecutionRole", "ReviewRole"}
    assert _trust(template, "StagingDeployRole")[SUB] == [f"repo:{REPO}:environment:staging"]


def test_execution_roles_trust_cloudformation_only() -> None:
    template = bootstrap_dict()
    for logical_id in ("DevExecutionRole", "ProdExecutionRole"):
        [statement] = role(template, logical_id)["AssumeRolePolicyDocument"]["Statement"]
        assert statement["Principal"] == {"Service": ["cloudformation.amazonaws.com"]}
        assert statement["Action"] == ["sts:AssumeRole"]
        assert "Condition" not in statement


def test_oidc_provider_is_created_unless_an_existing_one_is_given() -> None:
    template = bootstrap_dict()
    provider = template["Resources"]["GitHubOidcProvider"]
    assert provider["Condition"] == "CreateOidcProvider"
    assert provider["Properties"] == {
        "Url": "https://token.actions.githubusercontent.com",
        "ClientIdList": ["sts.amazonaws.com"],
    }
    assert template["Conditions"]["CreateOidcProvider"] == {
        "Fn::Equals": [{"Ref": "ExistingOidcProviderArn"}, ""]
    }
    assert template["Outputs"]["OidcProviderArn"]["Value"] == PROVIDER


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"github_repo": "octo-org"}, "OWNER/REPO"),
        ({"github_repo": "octo-org/*"}, "OWNER/REPO"),
        ({"github_repo": "octo/.."}, "OWNER/REPO"),
        ({"github_repo": "a/b", "environments": ("Prod",)}, "must match"),
        ({"github_repo": "a/b", "environments": ("dev", "dev")}, "once"),
        ({"github_repo": "a/b", "environments": ()}, "at least one"),
        ({"github_repo": "a/b", "branch": "release/*"}, "no wildcards"),
        ({"github_repo": "a/b", "owner_id": 5}, "go together"),
        ({"github_repo": "a/b", "owner_id": 0, "repo_id": 3}, "positive"),
    ],
)
def test_bad_options_are_refused_before_synthesis(options, message) -> None:
    from userapi_stack.bootstrap import BootstrapOptions

    with pytest.raises(ValueError, match=message):
        BootstrapOptions(**options)
