"""The deploy command against a real moto_server process (userapi_deploy.cli).

One moto_server serves the whole module (``reset`` between tests keeps it
fast); the CLI runs in-process through ``main(argv)`` with ``--endpoint-url``.

moto 5.2.5 cannot execute the real template through a change set as is, so
the synthesized template goes through ``userapi_dev.moto_template`` (which
says what it rewrites, and why).

Other moto gaps, tested with botocore's Stubber in test_deploy_stubbed.py:
a change set executed by moto never gets stack Outputs (moto builds the
output map from the empty REVIEW_IN_PROGRESS template and never rebuilds
it); moto's only FAILED change set is the empty one; DescribeChangeSet has no
Details/BeforeContext/AfterContext or Replacement; no resource ever fails,
so there are no failure events; ROLLBACK_COMPLETE cannot be produced.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import boto3
import pytest

from userapi_deploy import changeset, cli, parameters, synthesis
from userapi_deploy.bucket import managed_bucket_name
from userapi_deploy.packaging import build_artifact
from userapi_dev.moto_server import reset
from userapi_dev.moto_template import moto_template
from userapi_stack.options import TemplateOptions

REPO_ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS_DIR = REPO_ROOT / "functions"
BUCKET = "deploy-test-artifacts"
STACK = "userapi-dev"
REGION = "us-east-1"
_real_render = synthesis.render_template


@pytest.fixture
def endpoint(server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    reset(server)
    monkeypatch.setattr(
        synthesis, "render_template", lambda options=None: moto_template(_real_render(options))
    )
    client(server, "s3").create_bucket(Bucket=BUCKET)
    return server


def client(endpoint: str, service: str) -> Any:
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION)


def deploy(endpoint: str, *extra: str, bucket: bool = True) -> int:
    argv = ["--endpoint-url", endpoint, "--poll-delay", "0.05", *extra]
    if bucket:
        argv += ["--bucket", BUCKET]
    return cli.main(argv)


def stack_of(endpoint: str) -> dict[str, Any]:
    return client(endpoint, "cloudformation").describe_stacks(StackName=STACK)["Stacks"][0]


def stack_parameters(endpoint: str) -> dict[str, str]:
    return {p["ParameterKey"]: p["ParameterValue"] for p in stack_of(endpoint)["Parameters"]}


def function_names(endpoint: str) -> list[str]:
    functions = client(endpoint, "lambda").list_functions()["Functions"]
    return sorted(f["FunctionName"] for f in functions if f["FunctionName"].startswith(STACK))


def pending_change_sets(endpoint: str) -> list[dict[str, Any]]:
    """Change sets not executed (moto keeps executed ones listed; AWS deletes them)."""
    summaries = client(endpoint, "cloudformation").list_change_sets(StackName=STACK)["Summaries"]
    return [s for s in summaries if s["ExecutionStatus"] != "EXECUTE_COMPLETE"]


def artifact_keys(endpoint: str) -> list[str]:
    listing = client(endpoint, "s3").list_objects_v2(Bucket=BUCKET, Prefix="artifacts/")
    return sorted(item["Key"] for item in listing.get("Contents", []))


def test_first_deploy_creates_the_stack_from_the_artifact(
    endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert deploy(endpoint, "--yes", "--tag", "Team=identity") == 0

    out = capsys.readouterr().out
    artifact = build_artifact(FUNCTIONS_DIR)
    stack = stack_of(endpoint)
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert f"Successfully created stack {STACK} in {REGION}" in out
    assert "+ Add   CreateUserFunction" in out  # the change table came first
    assert "CREATE_COMPLETE" in out.split("stack events:")[1]  # streamed events
    params = stack_parameters(endpoint)
    assert params["ArtifactBucket"] == BUCKET
    assert params["ArtifactKey"] == artifact.key
    assert params["Environment"] == "dev"
    tags = {t["Key"]: t["Value"] for t in stack["Tags"]}
    assert tags == {
        "Application": "userapi",
        "Environment": "dev",
        "ManagedBy": "userapi",
        "Team": "identity",
    }
    names = function_names(endpoint)
    assert len(names) == 5
    for name in names:
        config = client(endpoint, "lambda").get_function(FunctionName=name)["Configuration"]
        assert config["CodeSha256"] == artifact.code_sha256
    # --tag is a synthesis option: the template tags its resources with it too.
    template = synthesis.synthesize(TemplateOptions(tags=(("Team", "identity"),)))
    assert '"Key": "Team"' in template.text
    assert f"Uploaded {artifact.size + template.size} bytes" in out


def test_synthesis_options_reach_the_deployed_functions(endpoint: str) -> None:
    """The deploy builds the template from the same flags as ``userapi template``."""
    assert deploy(endpoint, "--yes", "--runtime", "python3.12", "--architecture", "x86_64") == 0

    for name in function_names(endpoint):
        config = client(endpoint, "lambda").get_function(FunctionName=name)["Configuration"]
        assert config["Runtime"] == "python3.12"
        assert config["Architectures"] == ["x86_64"]


def test_second_deploy_with_nothing_changed_uploads_nothing(
    endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert deploy(endpoint, "--yes") == 0
    capsys.readouterr()

    assert deploy(endpoint, "--yes") == 0

    out = capsys.readouterr().out
    assert "Uploaded 0 bytes (artifact already in s3://" in out
    assert f"No changes to deploy. Stack {STACK} is up to date" in out
    assert "Executing" not in out
    assert pending_change_sets(endpoint) == []
    assert len(artifact_keys(endpoint)) == 1


def test_changed_handler_code_uploads_one_artifact_and_updates_every_function(
    endpoint: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert deploy(endpoint, "--yes") == 0
    code = tmp_path / "functions"
    shutil.copytree(FUNCTIONS_DIR, code, ignore=shutil.ignore_patterns("__pycache__"))
    (code / "users" / "__init__.py").write_text("CHANGED = True\n")  # code, not a docstring
    changed = build_artifact(code)
    capsys.readouterr()

    assert deploy(endpoint, "--yes", "--functions-dir", str(code)) == 0

    out = capsys.readouterr().out
    assert f"Uploaded {changed.size} bytes (artifact {changed.size} bytes to s3://" in out
    assert "template already in s3://" in out
    assert f"Successfully updated stack {STACK}" in out
    assert len(artifact_keys(endpoint)) == 2
    assert stack_parameters(endpoint)["ArtifactKey"] == changed.key
    for name in function_names(endpoint):
        function = client(endpoint, "lambda").get_function(FunctionName=name)
        assert function["Code"]["Location"].endswith(changed.key)
        assert function["Configuration"]["CodeSha256"] == changed.code_sha256


def test_parameter_overrides_reach_the_stack_and_others_keep_their_values(
    endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert deploy(endpoint, "--yes", "--parameter", "FunctionMemorySize=512") == 0
    assert deploy(endpoint, "--yes", "--parameter", "LogRetentionDays=7") == 0

    out = capsys.readouterr().out
    assert "LogRetentionDays  30        7" in out  # the parameter diff in the review
    params = stack_parameters(endpoint)
    assert params["LogRetentionDays"] == "7"
    assert params["FunctionMemorySize"] == "512"  # not given again: previous value kept
    for name in function_names(endpoint):
        config = client(endpoint, "lambda").get_function(FunctionName=name)["Configuration"]
        assert config["MemorySize"] == 512


def test_an_empty_change_set_is_reported_as_no_changes_and_deleted(endpoint: str) -> None:
    """The CLI skips the change set when nothing changed; the module path is tested here."""
    assert deploy(endpoint, "--yes") == 0
    cfn = client(endpoint, "cloudformation")
    stack = changeset.describe_stack(cfn, STACK)
    assert stack is not None
    template = synthesis.synthesize()
    sent = [
        {"ParameterKey": name, "ParameterValue": value} for name, value in stack.parameters.items()
    ]

    with pytest.raises(changeset.NoChanges, match="didn't contain changes"):
        changeset.create_change_set(
            cfn,
            stack_name=STACK,
            name="empty-one",
            change_type="UPDATE",
            template={"TemplateBody": json.dumps(template.body)},
            parameters=sent,
            tags=[],
            capabilities=template.capabilities,
            description="test",
            delay=0.05,
            max_attempts=20,
        )
    assert pending_change_sets(endpoint) == []


def test_without_a_terminal_and_without_yes_it_refuses_and_changes_nothing(
    endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert deploy(endpoint, bucket=False) == 2  # pytest's stdin is not a terminal

    err = capsys.readouterr().err
    assert "no terminal to confirm the deployment: pass --yes" in err
    assert len(err.strip().splitlines()) == 1
    assert client(endpoint, "cloudformation").describe_stacks()["Stacks"] == []
    buckets = [b["Name"] for b in client(endpoint, "s3").list_buckets()["Buckets"]]
    assert buckets == [BUCKET]
    assert artifact_keys(endpoint) == []


def test_no_execute_leaves_the_change_set_for_review(
    endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Executing it later from REVIEW_IN_PROGRESS is not tested here: a second
    CREATE change set on a REVIEW_IN_PROGRESS stack makes moto create a second
    stack of the same name (AWS reuses the stack); see test_deploy_stubbed."""
    assert deploy(endpoint, "--no-execute") == 0
    out = capsys.readouterr().out
    assert "Change set left for review (--no-execute)" in out
    assert "+ Add   UsersTable" in out
    assert stack_of(endpoint)["StackStatus"] == "REVIEW_IN_PROGRESS"
    (summary,) = pending_change_sets(endpoint)
    assert summary["ExecutionStatus"] == "AVAILABLE"
    assert function_names(endpoint) == []


def test_managed_bucket_is_created_locked_down_and_reused(
    endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert deploy(endpoint, "--yes", bucket=False) == 0
    assert deploy(endpoint, "--yes", bucket=False) == 0

    out = capsys.readouterr().out
    assert out.count("Created artifact bucket") == 1
    name = managed_bucket_name("123456789012", REGION)
    s3 = client(endpoint, "s3")
    assert stack_parameters(endpoint)["ArtifactBucket"] == name
    block = s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"]
    assert all(block.values()) and len(block) == 4
    rules = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    lifecycle = s3.get_bucket_lifecycle_configuration(Bucket=name)["Rules"]
    assert {r["ID"] for r in lifecycle} == {"expire-old-artifacts", "expire-old-templates"}
    assert all(r["Expiration"]["Days"] > 0 for r in lifecycle)


def test_the_account_logging_role_is_left_alone_when_one_is_set(
    endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    role = "arn:aws:iam::123456789012:role/someone-elses-apigw-logs"
    client(endpoint, "apigateway").update_account(
        patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": role}]
    )

    assert deploy(endpoint, "--yes") == 0

    out = capsys.readouterr().out
    assert f"already set to {role}; leaving it alone" in out
    assert stack_parameters(endpoint)[parameters.ACCOUNT_ROLE] == "false"
    assert client(endpoint, "apigateway").get_account()["cloudwatchRoleArn"] == role


def test_the_account_logging_role_is_created_when_none_is_set(
    endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert deploy(endpoint, "--yes") == 0
    assert "none is set in this region; this stack will create it" in capsys.readouterr().out
    assert stack_parameters(endpoint)[parameters.ACCOUNT_ROLE] == "true"
    # Next deploy: the stack owns the setting now, so it keeps it (no flip-flop).
    assert deploy(endpoint, "--yes") == 0
    assert "managed by this stack" in capsys.readouterr().out


def test_a_missing_bucket_is_one_clear_line(
    endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert deploy(endpoint, "--yes", "--bucket", "no-such-bucket-here", bucket=False) == 1
    err = capsys.readouterr().err
    assert err.strip() == (
        "deploy.py: error: bucket 'no-such-bucket-here' does not exist "
        "(check --bucket and --region)"
    )


def test_a_different_environment_on_an_existing_stack_is_refused(
    endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert deploy(endpoint, "--yes") == 0
    code = deploy(endpoint, "--yes", "--stack-name", STACK, "--environment", "prod")
    assert code == 2
    assert "is the 'dev' environment; pass --environment dev" in capsys.readouterr().err
