"""The local server against a real DynamoDB endpoint, stage throttling, backend loss."""

from __future__ import annotations

import json
import time

import boto3
import requests
from local_api_fixture import running

from userapi_dev.moto_server import reset, running_moto_server

JSON = {"Content-Type": "application/json"}


def test_a_dynamodb_endpoint_holds_the_data_and_its_failure_is_a_clean_500() -> None:
    with running_moto_server() as endpoint:
        args = ("--dynamodb-endpoint", endpoint, "--parameter", "Environment=e2e")
        with running(args) as api:
            body = json.dumps({"email": "ada@example.com", "name": "Ada"})
            created = requests.post(f"{api.url}/users", data=body, headers=JSON, timeout=10)
            assert created.status_code == 201, created.text
            user_id = created.json()["user_id"]
            dynamodb = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1")
            # The tables are named from the template with the overridden Environment.
            item = dynamodb.get_item(TableName="userapi-e2e-users", Key={"user_id": {"S": user_id}})
            assert item["Item"]["email"]["S"] == "ada@example.com"
            assert "userapi-e2e-emails" in dynamodb.list_tables()["TableNames"]

            reset(endpoint)  # the tables vanish under the running API
            response = requests.get(f"{api.url}/users/{user_id}", timeout=30)
            assert response.status_code == 500, response.text
            error = response.json()["error"]
            assert error["code"] == "internal_error"
            assert error["request_id"] == response.headers["x-amzn-RequestId"]
            for leak in ("ResourceNotFound", "Traceback", "botocore", "userapi-e2e"):
                assert leak not in response.text


def test_stage_throttling_answers_429_in_the_envelope() -> None:
    args = ("--parameter", "ThrottlingRateLimit=1", "--parameter", "ThrottlingBurstLimit=2")
    with running(args) as api, requests.Session() as http:
        statuses = [http.options(f"{api.url}/users", timeout=10).status_code for _ in range(4)]
        assert statuses[:2] == [200, 200]
        assert 429 in statuses[2:]
        throttled = http.options(f"{api.url}/users", timeout=10)
        assert throttled.status_code == 429
        error = throttled.json()["error"]
        assert error["code"] == "too_many_requests"
        assert throttled.headers["Access-Control-Allow-Origin"] == "*"
        time.sleep(1.1)
        assert http.options(f"{api.url}/users", timeout=10).status_code == 200
