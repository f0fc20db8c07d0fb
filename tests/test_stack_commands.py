"""``userapi outputs`` and ``userapi delete`` against a stack deployed to moto_server."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from userapi_cli.main import main
from userapi_deploy import synthesis
from userapi_dev.moto_server import reset
from userapi_dev.moto_template import moto_template

REGION = "us-east-1"
STACK = "userapi-dev"
TABLES = ("userapi-dev-users", "userapi-dev-emails")
BUCKET = "stack-commands-artifacts"
_real_render = synthesis.render_template


def client(endpoint: str, service: str) -> Any:
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION)


@pytest.fixture
def deployed(
    server: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> str:
    """A fresh moto_server state with the dev stack deployed and one user in the table."""
    reset(server)
    monkeypatch.setattr(
        synthesis, "render_template", lambda options=None: moto_template(_real_render(options))
    )
    client(server, "s3").create_bucket(Bucket=BUCKET)
    argv = ["deploy", "--endpoint-url", server, "--poll-delay", "0.05", "--bucket", BUCKET]
    assert main([*argv, "--yes"]) == 0
    client(server, "dynamodb").put_item(
        TableName=TABLES[0], Item={"user_id": {"S": "u1"}, "email": {"S": "a@example.com"}}
    )
    capsys.readouterr()
    return server


def stack_exists(endpoint: str) -> bool:
    stacks = client(endpoint, "cloudformation").list_stacks()["StackSummaries"]
    return any(s["StackName"] == STACK and s["StackStatus"] != "DELETE_COMPLETE" for s in stacks)


@pytest.fixture
def with_outputs(server: str) -> str:
    """A stack made by CreateStack: moto never gives a change-set-executed stack its
    Outputs (see test_deploy_moto.py), and ``outputs`` only reads them."""
    reset(server)
    template = {
        "Resources": {"Alarms": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {
            "AlarmTopicArn": {"Value": {"Ref": "Alarms"}},
            "AlarmTopicName": {"Value": {"Fn::GetAtt": ["Alarms", "TopicName"]}},
            "ApiUrl": {"Value": "https://abc.execute-api.us-east-1.amazonaws.com/dev"},
        },
    }
    client(server, "cloudformation").create_stack(
        StackName=STACK, TemplateBody=json.dumps(template)
    )
    return server


def test_outputs_as_table_and_json_match_the_stack(
    with_outputs: str, capsys: pytest.CaptureFixture[str]
) -> None:
    deployed = with_outputs
    stack = client(deployed, "cloudformation").describe_stacks(StackName=STACK)["Stacks"][0]
    expected = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    assert sorted(expected) == ["AlarmTopicArn", "AlarmTopicName", "ApiUrl"]

    assert main(["outputs", "--endpoint-url", deployed, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == expected

    assert main(["outputs", "--endpoint-url", deployed]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["Output", "Value"]
    for key, value in expected.items():
        assert any(line.split() == [key, value] for line in lines), key


def test_outputs_of_a_missing_stack_is_one_line(
    with_outputs: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["outputs", "--endpoint-url", with_outputs, "--environment", "prod"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "userapi outputs: error: stack userapi-prod does not exist in us-east-1 "
        "(check --environment, --stack-name and --region)"
    ]


def test_delete_without_a_terminal_or_yes_lists_the_plan_and_refuses(
    deployed: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["delete", "--endpoint-url", deployed, "--poll-delay", "0.05"]) == 2
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        "userapi delete: error: no terminal to confirm the deletion: pass --yes to delete "
        "without asking (nothing was deleted)"
    ]
    assert "Deleted with the stack" in captured.out and "CreateUserFunction" in captured.out
    assert stack_exists(deployed)


def test_delete_declined_at_the_prompt_changes_nothing(
    deployed: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("userapi_deploy.flow.is_interactive", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    assert main(["delete", "--endpoint-url", deployed, "--poll-delay", "0.05"]) == 1
    assert capsys.readouterr().out.endswith("Not deleted; nothing changed.\n")
    assert stack_exists(deployed)


def test_delete_removes_the_stack_and_keeps_every_piece_of_data(
    deployed: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["delete", "--endpoint-url", deployed, "--poll-delay", "0.05", "--yes"]) == 0
    out = capsys.readouterr().out

    assert not stack_exists(deployed)
    dynamodb = client(deployed, "dynamodb")
    for table in TABLES:
        assert dynamodb.describe_table(TableName=table)["Table"]["TableStatus"] == "ACTIVE"
    item = dynamodb.get_item(TableName=TABLES[0], Key={"user_id": {"S": "u1"}})["Item"]
    assert item["email"] == {"S": "a@example.com"}
    assert client(deployed, "s3").head_bucket(Bucket=BUCKET)

    kept = out.split("Kept (never deleted by userapi)")[1].split("Delete stack")[0]
    for table in TABLES:
        assert table in kept
    assert BUCKET in kept
    assert "Deleting stack userapi-dev; stack events:" in out
    assert "DELETE_COMPLETE" in out.split("stack events:")[1]
    removal = out.split("Kept, because a userapi command never deletes data.")[1]
    connection = f"--region us-east-1 --endpoint-url {deployed}"
    for table in TABLES:
        protection = (
            f"aws dynamodb update-table --table-name {table} --no-deletion-protection-enabled"
        )
        delete = f"aws dynamodb delete-table --table-name {table}"
        assert f"  {protection} {connection}\n  {delete} {connection}\n" in removal
    assert f"aws s3 rb s3://{BUCKET} --force {connection}" in removal


def test_delete_of_a_missing_stack_has_nothing_to_do(
    deployed: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["delete", "--endpoint-url", deployed, "--environment", "qa", "--yes"]) == 0
    assert (
        capsys.readouterr().out
        == "Nothing to delete: stack userapi-qa does not exist in us-east-1\n"
    )
    assert stack_exists(deployed)
