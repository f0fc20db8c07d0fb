"""``userapi api-key NAME`` against a real moto_server process.

moto's CloudFormation cannot create an ``AWS::ApiGateway::UsagePlan`` (and a
change set it executes never gets Outputs, see test_deploy_moto.py), so the
stack here is a minimal one whose ``UsagePlanId`` output names a usage plan
created through moto's API Gateway API: the command sees what it would see
on AWS, a stack output and a plan. The one failure moto cannot produce (the
plan refusing the key) is played with botocore's Stubber.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from userapi_cli.commands.api_key import create_key
from userapi_cli.main import main
from userapi_dev.moto_server import reset

REGION = "us-east-1"
STACK = "userapi-dev"


@pytest.fixture
def endpoint(server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    reset(server)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return server


def client(endpoint: str, service: str) -> Any:
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION)


def stack_with_outputs(endpoint: str, outputs: dict[str, str], name: str = STACK) -> None:
    template = {
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {key: {"Value": value} for key, value in outputs.items()},
    }
    client(endpoint, "cloudformation").create_stack(
        StackName=name, TemplateBody=json.dumps(template)
    )


def usage_plan(endpoint: str) -> str:
    apigateway = client(endpoint, "apigateway")
    return str(apigateway.create_usage_plan(name="userapi-dev-usage-plan", apiStages=[])["id"])


def api_key(endpoint: str, *args: str) -> int:
    return main(["api-key", *args, "--endpoint-url", endpoint, "--region", REGION])


def plan_keys(endpoint: str, plan_id: str) -> list[dict[str, Any]]:
    return client(endpoint, "apigateway").get_usage_plan_keys(usagePlanId=plan_id)["items"]


def test_creates_a_named_key_in_the_plan_and_prints_its_value_once(
    endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    plan_id = usage_plan(endpoint)
    stack_with_outputs(endpoint, {"UsagePlanId": plan_id})

    assert api_key(endpoint, "partner-a") == 0
    out, err = capsys.readouterr()

    [member] = plan_keys(endpoint, plan_id)
    assert (member["name"], member["type"]) == ("partner-a", "API_KEY")
    key = client(endpoint, "apigateway").get_api_key(apiKey=member["id"], includeValue=True)
    assert key["enabled"] is True
    assert out == key["value"] + "\n"  # the value alone: KEY=$(userapi api-key ...)
    assert key["value"] not in err
    assert "partner-a" in err and plan_id in err and "x-api-key" in err


def test_a_second_key_with_the_same_name_is_refused_and_nothing_is_created(
    endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    plan_id = usage_plan(endpoint)
    stack_with_outputs(endpoint, {"UsagePlanId": plan_id})
    assert api_key(endpoint, "partner-a") == 0
    capsys.readouterr()

    assert api_key(endpoint, "partner-a") == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        f"userapi api-key: error: usage plan {plan_id} already has a key named "
        "'partner-a': choose another name\n"
    )
    assert len(client(endpoint, "apigateway").get_api_keys()["items"]) == 1
    # A name that only starts the same is another caller.
    assert api_key(endpoint, "partner") == 0
    assert sorted(item["name"] for item in plan_keys(endpoint, plan_id)) == [
        "partner",
        "partner-a",
    ]


def test_a_stack_without_a_usage_plan_is_one_line(
    endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    stack_with_outputs(endpoint, {"RestApiId": "abc"})
    assert api_key(endpoint, "partner-a") == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        f"userapi api-key: error: stack {STACK} has no usage plan (output UsagePlanId): "
        "deploy it with --api-keys first\n"
    )
    assert client(endpoint, "apigateway").get_api_keys()["items"] == []


def test_a_missing_stack_is_one_line_naming_the_option(
    endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert api_key(endpoint, "partner-a", "--environment", "prod") == 1
    _, err = capsys.readouterr()
    assert err == (
        "userapi api-key: error: stack userapi-prod does not exist in us-east-1 "
        "(check --environment, --stack-name and --region)\n"
    )


def test_stack_name_option_picks_the_stack(
    endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    plan_id = usage_plan(endpoint)
    stack_with_outputs(endpoint, {"UsagePlanId": plan_id}, name="custom-stack")
    assert api_key(endpoint, "partner-b", "--stack-name", "custom-stack") == 0
    assert [item["name"] for item in plan_keys(endpoint, plan_id)] == ["partner-b"]


@pytest.mark.parametrize("name", ["", "-dash-first", "has space", "x" * 129, "semi;colon"])
def test_a_bad_name_is_a_usage_error_before_any_aws_call(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["api-key", name, "--endpoint-url", "http://127.0.0.1:9"])
    assert exit_info.value.code == 2
    _, err = capsys.readouterr()
    assert len(err.strip().splitlines()) == 1
    assert "userapi api-key: error:" in err


def test_a_key_the_plan_refuses_is_deleted_again() -> None:
    apigateway = boto3.client(
        "apigateway",
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    with Stubber(apigateway) as stub:
        stub.add_response(
            "get_usage_plan_keys", {"items": []}, {"usagePlanId": "plan1", "nameQuery": "p"}
        )
        stub.add_response(
            "create_api_key",
            {"id": "key1", "value": "v" * 40, "name": "p"},
            {
                "name": "p",
                "description": "userapi caller key, stack s",
                "enabled": True,
                "tags": {"ManagedBy": "userapi", "Stack": "s"},
            },
        )
        stub.add_client_error(
            "create_usage_plan_key", "NotFoundException", "Invalid Usage Plan ID specified"
        )
        stub.add_response("delete_api_key", {}, {"apiKey": "key1"})
        with pytest.raises(ClientError, match="Invalid Usage Plan ID"):
            create_key(apigateway, "plan1", "p", "s", "")
        stub.assert_no_pending_responses()
