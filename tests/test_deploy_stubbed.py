"""Deploy paths moto 5.2.5 cannot produce, scripted with botocore's Stubber.

Each stub answers the way CloudFormation documents (shapes are checked by
Stubber against the service model). What moto lacks, verified on
moto_server: a change set that FAILS for a reason other than "no changes";
DescribeChangeSet property values (BeforeContext/AfterContext, Details,
Replacement); stack Outputs after a change set is executed; failed resources
and their events; a stack in ROLLBACK_COMPLETE; OnStackFailure (accepted,
ignored). The real template and the real artifact are used throughout.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from userapi_deploy import cli, flow
from userapi_deploy.packaging import build_artifact
from userapi_stack.handler_code import FUNCTIONS_DIR

STACK = "userapi-dev"
STACK_ID = "arn:aws:cloudformation:us-east-1:123456789012:stack/userapi-dev/1111"
CS_ARN = "arn:aws:cloudformation:us-east-1:123456789012:changeSet/userapi-deploy-x/2222"
BUCKET = "team-artifacts"
OLD_KEY = "artifacts/" + "0" * 64 + ".zip"
NOW = dt.datetime(2026, 11, 23, 8, 0, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def stubs(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Stubber]]:
    clients = {
        name: boto3.client(name, region_name="us-east-1")
        for name in ("s3", "sts", "cloudformation", "apigateway", "ssm")
    }
    stubbers = {name: Stubber(c) for name, c in clients.items()}
    for stubber in stubbers.values():
        stubber.activate()
    monkeypatch.setattr(flow, "_clients", lambda options: clients)
    # The secrets check runs against moto's SSM in test_deploy_moto.py and
    # test_secret_cli.py; these scripts are about CloudFormation's answers.
    monkeypatch.setattr(flow, "require_secrets", lambda *args, **kwargs: [])
    yield stubbers
    for stubber in stubbers.values():
        stubber.assert_no_pending_responses()


def deployed_stack(status: str = "UPDATE_COMPLETE", **extra: Any) -> dict[str, Any]:
    return {
        "StackId": STACK_ID,
        "StackName": STACK,
        "StackStatus": status,
        "CreationTime": NOW,
        "Parameters": [
            {"ParameterKey": "Environment", "ParameterValue": "dev"},
            {"ParameterKey": "ArtifactBucket", "ParameterValue": BUCKET},
            {"ParameterKey": "ArtifactKey", "ParameterValue": OLD_KEY},
            {"ParameterKey": "CreateApiGatewayAccountRole", "ParameterValue": "true"},
            {"ParameterKey": "FunctionMemorySize", "ParameterValue": "256"},
        ],
        "Tags": [],
        **extra,
    }


def expect_uploads_exist(stubs: dict[str, Stubber]) -> None:
    s3 = stubs["s3"]
    s3.add_response("head_bucket", {}, {"Bucket": BUCKET})
    s3.add_response("head_object", {}, {"Bucket": BUCKET, "Key": ANY})  # artifact
    s3.add_response("head_object", {}, {"Bucket": BUCKET, "Key": ANY})  # template


def event(event_id: str, logical_id: str, rtype: str, status: str, reason: str = "") -> dict:
    item = {
        "StackId": STACK_ID,
        "EventId": event_id,
        "StackName": STACK,
        "LogicalResourceId": logical_id,
        "ResourceType": rtype,
        "ResourceStatus": status,
        "Timestamp": NOW,
    }
    if reason:
        item["ResourceStatusReason"] = reason
    return item


def run(*extra: str) -> int:
    return cli.main(["--yes", "--bucket", BUCKET, "--poll-delay", "0.01", *extra])


def test_a_failed_change_set_is_explained_deleted_and_leaves_the_stack_as_it_was(
    stubs: dict[str, Stubber], capsys: pytest.CaptureFixture[str]
) -> None:
    cfn = stubs["cloudformation"]
    cfn.add_response("describe_stacks", {"Stacks": [deployed_stack()]}, {"StackName": STACK})
    expect_uploads_exist(stubs)
    cfn.add_response("create_change_set", {"Id": CS_ARN, "StackId": STACK_ID})
    reason = "Parameter 'FunctionMemorySize' must be a number not greater than 10240"
    cfn.add_response(
        "describe_change_set",
        {"ChangeSetId": CS_ARN, "StackId": STACK_ID, "Status": "FAILED", "StatusReason": reason},
        {"ChangeSetName": CS_ARN},
    )
    cfn.add_response("delete_change_set", {}, {"ChangeSetName": CS_ARN, "StackName": STACK_ID})
    # No execute_change_set is stubbed: calling it would fail the test.

    assert run() == 1

    err = capsys.readouterr().err
    assert reason in err
    assert "change set deleted; stack unchanged" in err
    assert "Waiter" not in err and "Traceback" not in err


def test_review_shows_property_changes_then_events_outputs_and_outputs_file(
    stubs: dict[str, Stubber], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    artifact = build_artifact(FUNCTIONS_DIR)
    cfn = stubs["cloudformation"]
    cfn.add_response("describe_stacks", {"Stacks": [deployed_stack()]}, {"StackName": STACK})
    expect_uploads_exist(stubs)
    cfn.add_response("create_change_set", {"Id": CS_ARN, "StackId": STACK_ID})
    cfn.add_response(
        "describe_change_set", {"Status": "CREATE_COMPLETE"}, {"ChangeSetName": CS_ARN}
    )
    before = {"Properties": {"Code": {"S3Key": OLD_KEY}, "MemorySize": 256, "Handler": "h"}}
    after = {"Properties": {"Code": {"S3Key": artifact.key}, "MemorySize": 256, "Handler": "h"}}
    change = {
        "Type": "Resource",
        "ResourceChange": {
            "Action": "Modify",
            "LogicalResourceId": "CreateUserFunction",
            "ResourceType": "AWS::Lambda::Function",
            "Replacement": "False",
            "BeforeContext": json.dumps(before),
            "AfterContext": json.dumps(after),
        },
    }
    cfn.add_response(
        "describe_change_set",
        {"Status": "CREATE_COMPLETE", "Changes": [change]},
        {"ChangeSetName": CS_ARN, "IncludePropertyValues": True},
    )
    marker = event("e0", STACK, "AWS::CloudFormation::Stack", "CREATE_COMPLETE")
    cfn.add_response("describe_stack_events", {"StackEvents": [marker]}, {"StackName": STACK_ID})
    cfn.add_response("execute_change_set", {}, {"ChangeSetName": CS_ARN, "ClientRequestToken": ANY})
    cfn.add_response("describe_stacks", {"Stacks": [deployed_stack()]}, {"StackName": STACK_ID})
    events = [
        event("e3", STACK, "AWS::CloudFormation::Stack", "UPDATE_COMPLETE"),
        event("e2", "CreateUserFunction", "AWS::Lambda::Function", "UPDATE_COMPLETE"),
        event("e1", STACK, "AWS::CloudFormation::Stack", "UPDATE_IN_PROGRESS", "User Initiated"),
        marker,
    ]
    cfn.add_response("describe_stack_events", {"StackEvents": events}, {"StackName": STACK_ID})
    cfn.add_response("describe_stack_events", {"StackEvents": events}, {"StackName": STACK_ID})
    cfn.add_response("describe_stacks", {"Stacks": [deployed_stack()]}, {"StackName": STACK_ID})
    outputs = [
        {"OutputKey": "ApiInvokeUrl", "OutputValue": "https://abc.execute-api/dev"},
        {"OutputKey": "TableName", "OutputValue": "userapi-dev-users"},
    ]
    cfn.add_response(
        "describe_stacks", {"Stacks": [deployed_stack(Outputs=outputs)]}, {"StackName": STACK_ID}
    )
    outputs_file = tmp_path / "outputs.json"

    assert run("--outputs-file", str(outputs_file)) == 0

    out = capsys.readouterr().out
    assert "* Modify  CreateUserFunction  AWS::Lambda::Function  False" in out
    assert f"  Code.S3Key: {OLD_KEY} -> {artifact.key}" in out
    assert "MemorySize:" not in out  # unchanged properties are not listed
    assert re.search(rf"^ArtifactKey +{OLD_KEY} +{artifact.key}$", out, re.MULTILINE)
    review, executed = out.split("Executing change set")
    streamed = executed.index("UPDATE_IN_PROGRESS"), executed.index("UPDATE_COMPLETE")
    assert streamed[0] < streamed[1]  # oldest first
    streamed_lines = executed.split("\n\n")[0]
    assert streamed_lines.count("UPDATE_COMPLETE") == 2  # each event once, despite two polls
    assert "ApiInvokeUrl  https://abc.execute-api/dev" in out
    assert json.loads(outputs_file.read_text()) == {
        "ApiInvokeUrl": "https://abc.execute-api/dev",
        "TableName": "userapi-dev-users",
    }
    assert f"Successfully updated stack {STACK}" in out


def test_a_failed_update_lists_the_failed_resources_and_exits_1(
    stubs: dict[str, Stubber], capsys: pytest.CaptureFixture[str]
) -> None:
    cfn = stubs["cloudformation"]
    cfn.add_response("describe_stacks", {"Stacks": [deployed_stack()]}, {"StackName": STACK})
    expect_uploads_exist(stubs)
    cfn.add_response("create_change_set", {"Id": CS_ARN, "StackId": STACK_ID})
    cfn.add_response(
        "describe_change_set", {"Status": "CREATE_COMPLETE"}, {"ChangeSetName": CS_ARN}
    )
    cfn.add_response("describe_change_set", {"Status": "CREATE_COMPLETE", "Changes": []})
    marker = event("e0", STACK, "AWS::CloudFormation::Stack", "CREATE_COMPLETE")
    cfn.add_response("describe_stack_events", {"StackEvents": [marker]})
    cfn.add_response("execute_change_set", {})
    rolled_back = deployed_stack("UPDATE_ROLLBACK_COMPLETE")
    cfn.add_response("describe_stacks", {"Stacks": [rolled_back]}, {"StackName": STACK_ID})
    reason = "Resource handler returned message: Memory size 99999 exceeds the maximum"
    events = [
        event("e3", STACK, "AWS::CloudFormation::Stack", "UPDATE_ROLLBACK_COMPLETE"),
        event("e2", "CreateUserFunction", "AWS::Lambda::Function", "UPDATE_FAILED", reason),
        event("e1", STACK, "AWS::CloudFormation::Stack", "UPDATE_IN_PROGRESS"),
        marker,
    ]
    cfn.add_response("describe_stack_events", {"StackEvents": events})
    cfn.add_response("describe_stack_events", {"StackEvents": events})
    cfn.add_response("describe_stacks", {"Stacks": [rolled_back]}, {"StackName": STACK_ID})

    assert run() == 1

    err = capsys.readouterr().err
    assert f"Deployment of {STACK} failed: stack is UPDATE_ROLLBACK_COMPLETE" in err
    assert f"CreateUserFunction (AWS::Lambda::Function): {reason}" in err


def test_rollback_complete_is_explained_and_nothing_is_touched(
    stubs: dict[str, Stubber], capsys: pytest.CaptureFixture[str]
) -> None:
    stack = deployed_stack("ROLLBACK_COMPLETE")
    stubs["cloudformation"].add_response("describe_stacks", {"Stacks": [stack]})

    assert run() == 1

    err = capsys.readouterr().err.strip()
    assert "is in ROLLBACK_COMPLETE" in err and "--replace-failed-stack" in err
    assert len(err.splitlines()) == 1


def test_replace_failed_stack_deletes_it_then_creates_with_on_stack_failure_delete(
    stubs: dict[str, Stubber], capsys: pytest.CaptureFixture[str]
) -> None:
    cfn = stubs["cloudformation"]
    cfn.add_response("describe_stacks", {"Stacks": [deployed_stack("ROLLBACK_COMPLETE")]})
    cfn.add_response("delete_stack", {}, {"StackName": STACK_ID})
    cfn.add_client_error(
        "describe_stacks", "ValidationError", f"Stack with id {STACK_ID} does not exist"
    )  # the delete waiter's success
    expect_uploads_exist(stubs)
    stubs["apigateway"].add_response("get_account", {})
    expected = {
        "StackName": STACK,
        "ChangeSetName": ANY,
        "ChangeSetType": "CREATE",
        "OnStackFailure": "DELETE",
        "Capabilities": ["CAPABILITY_IAM"],
        "TemplateURL": ANY,
        "Parameters": ANY,
        "Tags": ANY,
        "Description": ANY,
    }
    cfn.add_response("create_change_set", {"Id": CS_ARN, "StackId": STACK_ID}, expected)
    cfn.add_response("describe_change_set", {"Status": "CREATE_COMPLETE"})
    cfn.add_response("describe_change_set", {"Status": "CREATE_COMPLETE", "Changes": []})

    assert run("--no-execute", "--replace-failed-stack") == 0

    out = capsys.readouterr().out
    assert "deleting it (--replace-failed-stack)" in out
    assert "Creating CREATE change set" in out
    assert "none is set in this region; this stack will create it" in out


def test_an_unknown_parameter_is_a_usage_error_before_any_aws_call(
    stubs: dict[str, Stubber], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("--parameter", "MemorySize=512") == 2
    err = capsys.readouterr().err
    assert "unknown parameter 'MemorySize'" in err and "FunctionMemorySize" in err


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        ("FunctionMemorySize=99999", "maximum is 10240"),
        ("TracingMode=Sometimes", "allowed values are Active, PassThrough"),
        ("ArtifactKey=x", "the deploy sets it"),
        ("Environment=prod", "use --environment"),
        ("novalue", "expects KEY=VALUE"),
    ],
)
def test_bad_parameters_are_usage_errors(
    stubs: dict[str, Stubber], capsys: pytest.CaptureFixture[str], argument: str, message: str
) -> None:
    assert run("--parameter", argument) == 2
    assert message in capsys.readouterr().err
