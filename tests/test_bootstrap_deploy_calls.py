"""The deploy roles grant exactly what the deploy path calls: recorded, not assumed.

A real deploy runs against moto_server with botocore ``before-call`` hooks on
every client it makes; the operations it calls in each mode are compared
with ``DEPLOY_CALLS``, the table the bootstrap's deploy and review roles are
built from. A new call in the flow (a secret check through SSM, say) fails
here until the table, and so the roles, include it.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from userapi_cli import common
from userapi_deploy import cli, synthesis
from userapi_deploy.bucket import managed_bucket_name
from userapi_dev.moto_server import reset
from userapi_dev.moto_template import moto_template
from userapi_stack.bootstrap.deploy_policy import DEPLOY_CALLS, NOT_RECORDED

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account
EXECUTION_ROLE = f"arn:aws:iam::{ACCOUNT}:role/userapi-bootstrap-DevExecutionRole-ABC123"
_real_render = synthesis.render_template


@pytest.fixture
def calls(server: str, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every (service, operation) the deploy makes, in order."""
    reset(server)
    monkeypatch.setattr(
        synthesis, "render_template", lambda options=None: moto_template(_real_render(options))
    )
    # What the bootstrap stack provides: the managed artifact bucket.
    s3 = boto3.client("s3", endpoint_url=server, region_name=REGION)
    s3.create_bucket(Bucket=managed_bucket_name(ACCOUNT, REGION))
    recorded: list[tuple[str, str]] = []
    real_clients = common.aws_clients

    def recording_clients(*services: str, **kwargs: Any) -> dict[str, Any]:
        clients = real_clients(*services, **kwargs)
        for client in clients.values():
            client.meta.events.register(
                "before-call",
                lambda model, **_: recorded.append((model.service_model.service_name, model.name)),
            )
        return clients

    monkeypatch.setattr("userapi_deploy.flow.aws_clients", recording_clients)
    return recorded


def _deploy(server: str, *extra: str) -> int:
    return cli.main(
        ["--endpoint-url", server, "--poll-delay", "0.05", "--role-arn", EXECUTION_ROLE, *extra]
    )


def _declared(*, review: bool) -> set[tuple[str, str]]:
    return {
        (call.service, call.operation)
        for call in DEPLOY_CALLS
        if call.review or not review
        if call.operation not in NOT_RECORDED
    }


def test_create_update_no_op_and_review_call_exactly_the_deploy_table(server, calls) -> None:
    assert _deploy(server, "--yes") == 0  # CREATE
    assert _deploy(server, "--yes", "--parameter", "FunctionMemorySize=512") == 0  # UPDATE
    assert _deploy(server, "--yes", "--parameter", "FunctionMemorySize=512") == 0  # no-op
    assert _deploy(server, "--review-only", "--parameter", "FunctionMemorySize=1024") == 0
    assert set(calls) == _declared(review=False)


def test_a_pull_request_review_calls_only_what_the_review_role_may(server, calls) -> None:
    assert _deploy(server, "--yes") == 0
    calls.clear()
    assert _deploy(server, "--review-only", "--parameter", "FunctionMemorySize=512") == 0
    assert set(calls) <= _declared(review=True)
    assert ("cloudformation", "ExecuteChangeSet") not in calls
    cfn = boto3.client("cloudformation", endpoint_url=server, region_name=REGION)
    stack = cfn.describe_stacks(StackName="userapi-dev")["Stacks"][0]
    params = {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}
    assert params["FunctionMemorySize"] == "256"  # the review changed nothing
    pending = [
        s
        for s in cfn.list_change_sets(StackName="userapi-dev")["Summaries"]
        if s["ExecutionStatus"] != "EXECUTE_COMPLETE"
    ]
    assert pending == []  # and left no change set behind


def test_role_arn_becomes_the_stacks_service_role(server, calls) -> None:
    assert _deploy(server, "--yes") == 0
    cfn = boto3.client("cloudformation", endpoint_url=server, region_name=REGION)
    assert cfn.describe_stacks(StackName="userapi-dev")["Stacks"][0]["RoleARN"] == EXECUTION_ROLE


def test_every_declared_operation_is_a_real_botocore_operation() -> None:
    session = boto3.Session(region_name=REGION)
    for call in DEPLOY_CALLS:
        model = session._session.get_service_model(call.service)  # noqa: SLF001
        assert call.operation in model.operation_names, call


def test_review_markdown_of_a_real_review_is_written_and_redacted(server, calls, tmp_path) -> None:
    review = tmp_path / "review.md"
    assert _deploy(server, "--review-only", "--review-markdown", str(review)) == 0
    text = review.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "<!-- userapi-review userapi-dev -->"
    assert lines[3].startswith("CREATE: ")
    assert "| + Add | `CreateUserFunction` | `AWS::Lambda::Function` | N/A |" in lines
    assert lines[-1] == "Review only: the change set was deleted and nothing was changed."
    assert ACCOUNT not in text
    cfn = boto3.client("cloudformation", endpoint_url=server, region_name=REGION)
    live = [s for s in cfn.list_stacks()["StackSummaries"] if s["StackStatus"] != "DELETE_COMPLETE"]
    assert live == []  # the review's empty REVIEW_IN_PROGRESS shell was deleted too
    ssm = boto3.client("ssm", endpoint_url=server, region_name=REGION)
    assert ssm.describe_parameters()["Parameters"] == []  # no secret generated by a review
    assert ("ssm", "PutParameter") not in calls
