"""The bootstrap template: lint-clean in every shape, its bucket, its commands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from bootstrap_fixture import REPO, bootstrap_dict, bootstrap_text

from userapi_cli.main import main as userapi
from userapi_deploy.bucket import managed_bucket_name

CFN_LINT = Path(sys.executable).with_name("cfn-lint")
SHAPES = [
    {},
    {"environments": ("staging",)},
    {"environments": ("dev", "qa", "prod"), "branch": "main"},
    {"owner_id": 59704711, "repo_id": 1000000001},
]


@pytest.mark.parametrize("options", SHAPES, ids=lambda o: ",".join(o) or "default")
def test_cfn_lint_reports_nothing_including_informational(tmp_path: Path, options) -> None:
    path = tmp_path / "bootstrap.json"
    path.write_text(bootstrap_text(**options), encoding="utf-8")
    result = subprocess.run(
        [str(CFN_LINT), "--include-checks", "I", "--", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_synthesis_is_deterministic() -> None:
    from userapi_stack.bootstrap import BootstrapOptions, build_bootstrap_template
    from userapi_stack.template import render

    first = render(build_bootstrap_template(BootstrapOptions(REPO)))
    assert render(build_bootstrap_template(BootstrapOptions(REPO))) == first


def test_artifact_bucket_is_the_one_deploy_finds_and_is_locked_down() -> None:
    template = bootstrap_dict()
    bucket = template["Resources"]["ArtifactBucket"]
    name = bucket["Properties"]["BucketName"]["Fn::Sub"]
    assert name.replace("${AWS::AccountId}", "123456789012").replace(
        "${AWS::Region}", "eu-west-1"
    ) == managed_bucket_name("123456789012", "eu-west-1")
    assert bucket["Condition"] == "CreateArtifactBucket"
    assert (bucket["DeletionPolicy"], bucket["UpdateReplacePolicy"]) == ("Retain", "Retain")
    properties = bucket["Properties"]
    assert properties["PublicAccessBlockConfiguration"] == dict.fromkeys(
        ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"),
        True,
    )
    [rule] = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    expiry = {
        r["Prefix"]: r["ExpirationInDays"] for r in properties["LifecycleConfiguration"]["Rules"]
    }
    assert expiry == {"artifacts/": 365, "templates/": 30}
    [deny] = template["Resources"]["ArtifactBucketPolicy"]["Properties"]["PolicyDocument"][
        "Statement"
    ]
    assert deny["Effect"] == "Deny"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_outputs_name_every_value_the_workflow_needs() -> None:
    outputs = bootstrap_dict()["Outputs"]
    assert set(outputs) == {
        "ArtifactBucketName",
        "DevDeployRoleArn",
        "DevExecutionRoleArn",
        "OidcProviderArn",
        "ProdDeployRoleArn",
        "ProdExecutionRoleArn",
        "ReviewRoleArn",
    }


def test_userapi_bootstrap_and_the_module_print_the_same_bytes(capsys) -> None:
    argv = ["--github-repo", REPO, "--environment", "dev", "--environment", "prod"]
    assert userapi(["bootstrap", *argv]) == 0
    from_tool = capsys.readouterr().out
    module = subprocess.run(
        [sys.executable, "-m", "userapi_stack.bootstrap", *argv],
        capture_output=True,
        text=True,
        check=True,
    )
    assert from_tool == module.stdout == bootstrap_text()


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["--github-repo", "octo"], "--github-repo must be OWNER/REPO, got 'octo'"),
        (["--github-repo", "a/b", "--owner-id", "7"], "--owner-id and --repo-id go together"),
        (["--github-repo", "a/b", "--environment", "bootstrap"], "reserved"),
        (["--github-repo", "a/b", "--owner-id", "x", "--repo-id", "1"], "invalid int value"),
        ([], "the following arguments are required: --github-repo"),
    ],
)
def test_mistakes_are_one_line_and_exit_2(argv, line, capsys) -> None:
    try:
        code = userapi(["bootstrap", *argv])
    except SystemExit as exit_info:  # argparse's own errors exit from inside parse_args
        code = exit_info.code
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("userapi bootstrap: error: ")
    assert line in err
