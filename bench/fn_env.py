"""A fake AWS account on a real ``moto_server`` for the handler benchmarks.

``handler_account()`` starts moto_server, creates the two tables (key schema
from the template's storage module) and the SSM parameters, and yields a
``HandlerAccount``: the environment a Lambda container would have (table
names, CONFIG_PATH, fake credentials, AWS_ENDPOINT_URL at the server, no
AWS config files) and helpers to seed users and build the proxy event each
route receives. Shared by bench/cold_start.py and bench/calls.py.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from stats import REPO_ROOT

from userapi_dev.moto_server import running_moto_server
from userapi_dev.tables import create_tables
from userapi_stack.routes import ROUTES, Caller

FUNCTIONS_DIR = REPO_ROOT / "functions"
if str(FUNCTIONS_DIR) not in sys.path:
    sys.path.insert(0, str(FUNCTIONS_DIR))
ENVIRONMENT = "bench"
CONFIG_PATH = f"/{ENVIRONMENT}/api/"
TABLE_NAMES = {"users": "userapi-bench-users", "emails": "userapi-bench-emails"}
STAGE = "bench"

#: The status a successful call of each route answers, in report order.
SUCCESS_STATUS = {
    "GetUser": 200,
    "ListUsers": 200,
    "CreateUser": 201,
    "UpdateUser": 200,
    "DeleteUser": 204,
}


def handler_module(route: str) -> str:
    """The module Lambda imports for ``route`` (``users.get``), from the route table."""
    return next(r for r in ROUTES if r.name == route).handler.rsplit(".", 1)[0]


def lambda_env(endpoint: str, auth: str = "none") -> dict[str, str]:
    """What a container sees: fake credentials, the endpoint, the template's variables."""
    from users import settings  # after FUNCTIONS_DIR is on sys.path

    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("AWS_") and key not in ("PYTHONPATH", "PYTHONSTARTUP")
    }
    env.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": endpoint,
            # Lambda has no shared config or credentials files, and no IMDS.
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
            "PYTHONPATH": str(FUNCTIONS_DIR),
            settings.ENV_USERS_TABLE: TABLE_NAMES["users"],
            settings.ENV_EMAILS_TABLE: TABLE_NAMES["emails"],
            settings.ENV_CONFIG_PATH: CONFIG_PATH,
            settings.ENV_AUTH_MODE: auth,
        }
    )
    return env


@dataclass
class HandlerAccount:
    """The fake account: its endpoint, the Lambda environment and an admin client."""

    endpoint: str
    env: dict[str, str]
    dynamodb: Any
    #: The auth mode the handlers run in; ``cognito`` events carry the owner's claims.
    auth: str = "none"

    def seed_user(self) -> str:
        """Put one user (and their email guard) straight into the tables; returns the id."""
        user_id = str(uuid.uuid4())
        email = f"seed-{user_id[:8]}@example.com"
        now = "2026-01-01T00:00:00.000Z"
        self.dynamodb.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": TABLE_NAMES["users"],
                        "Item": {
                            "user_id": {"S": user_id},
                            "email": {"S": email},
                            "name": {"S": "Seed User"},
                            "created_at": {"S": now},
                            "updated_at": {"S": now},
                            "version": {"N": "1"},
                        },
                    }
                },
                {
                    "Put": {
                        "TableName": TABLE_NAMES["emails"],
                        "Item": {"email": {"S": email}, "user_id": {"S": user_id}},
                    }
                },
            ]
        )
        return user_id

    def event(self, route: str, user_id: str) -> dict[str, Any]:
        """The proxy event a successful call of ``route`` gets (``user_id`` where it needs one)."""
        spec = next(r for r in ROUTES if r.name == route)
        method = spec.method
        body = None
        if route == "CreateUser":
            body = {"email": f"new-{uuid.uuid4().hex[:12]}@example.com", "name": "Ada Lovelace"}
        elif route == "UpdateUser":
            body = {"name": f"Renamed {uuid.uuid4().hex[:6]}", "locale": "en-GB"}
        path = "/users" if route in ("CreateUser", "ListUsers") else f"/users/{user_id}"
        query = {"limit": ["10"]} if route == "ListUsers" else None
        event = proxy_event(method, path, body, query, user_id if path != "/users" else None)
        if self.auth == "cognito" and spec.caller is Caller.OWNER:
            # What the COGNITO_USER_POOLS authorizer passes: the owner's ID-token claims.
            sub = str(uuid.uuid4()) if route == "CreateUser" else user_id
            email = body["email"] if body and "email" in body else f"seed-{sub[:8]}@example.com"
            event["requestContext"]["authorizer"] = {
                "claims": {
                    "sub": sub,
                    "email": email,
                    "email_verified": "true",
                    "token_use": "id",
                    "aud": "bench-client",
                    "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_bench",
                    "cognito:username": sub,
                    "exp": "Fri Jan 01 01:00:00 UTC 2027",
                }
            }
        return event

    def warm_up(self) -> None:
        """One call of each kind, so moto_server has loaded every backend before timing."""
        self.dynamodb.get_item(TableName=TABLE_NAMES["users"], Key={"user_id": {"S": "warm"}})


def proxy_event(
    method: str,
    path: str,
    body: dict[str, Any] | None,
    query: dict[str, list[str]] | None,
    user_id: str | None,
) -> dict[str, Any]:
    """A REST API (v1) Lambda proxy event with the headers API Gateway really sends."""
    resource = "/users/{user_id}" if user_id is not None else "/users"
    headers = {
        "Accept": "application/json",
        "Accept-Encoding": "gzip, deflate, br",
        "CloudFront-Forwarded-Proto": "https",
        "CloudFront-Is-Desktop-Viewer": "true",
        "CloudFront-Is-Mobile-Viewer": "false",
        "CloudFront-Viewer-Country": "GB",
        "Host": "abc123defg.execute-api.us-east-1.amazonaws.com",
        "Origin": "https://app.example.com",
        "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36",
        "Via": "2.0 4f2a1c3d.cloudfront.net (CloudFront)",
        "X-Amz-Cf-Id": "Xk3y1x2Lq0N8v6y1v1v0Yw0k9lW3Vq3bL8u5z2s7i6oZ0m2g9Q5bQ==",
        "X-Amzn-Trace-Id": "Root=1-67a1b2c3-0123456789abcdef01234567",
        "X-Forwarded-For": "198.51.100.7, 130.176.0.1",
        "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https",
    }
    if body is not None:
        headers["Content-Type"] = "application/json"
    request_id = str(uuid.uuid4())
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": {k: v[-1] for k, v in query.items()} if query else None,
        "multiValueQueryStringParameters": query or None,
        "pathParameters": {"user_id": user_id} if user_id is not None else None,
        "stageVariables": None,
        "requestContext": {
            "resourceId": "a1b2c3",
            "resourcePath": resource,
            "httpMethod": method,
            "extendedRequestId": "Fa1b2c3d4e5f6g7=",
            "requestTime": "01/Jan/2026:00:00:00 +0000",
            "path": f"/{STAGE}{path}",
            "accountId": "123456789012",
            "protocol": "HTTP/1.1",
            "stage": STAGE,
            "domainPrefix": "abc123defg",
            "requestTimeEpoch": 1767225600000,
            "requestId": request_id,
            "identity": {
                "cognitoIdentityPoolId": None,
                "accountId": None,
                "cognitoIdentityId": None,
                "caller": None,
                "sourceIp": "198.51.100.7",
                "principalOrgId": None,
                "accessKey": None,
                "cognitoAuthenticationType": None,
                "cognitoAuthenticationProvider": None,
                "userArn": None,
                "userAgent": headers["User-Agent"],
                "user": None,
            },
            "domainName": "abc123defg.execute-api.us-east-1.amazonaws.com",
            "apiId": "abc123defg",
        },
        "body": json.dumps(body) if body is not None else None,
        "isBase64Encoded": False,
    }


@contextlib.contextmanager
def handler_account(auth: str = "none") -> Iterator[HandlerAccount]:
    """moto_server with both tables, the SSM parameters and one warm-up call."""
    import boto3

    with running_moto_server() as endpoint:
        env = lambda_env(endpoint, auth)
        session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
        )
        dynamodb = session.client("dynamodb", endpoint_url=endpoint)
        ssm = session.client("ssm", endpoint_url=endpoint)
        create_tables(dynamodb, TABLE_NAMES)
        ssm.put_parameter(Name=CONFIG_PATH + "APP_NAME", Value="userapi-bench", Type="String")
        ssm.put_parameter(
            Name=CONFIG_PATH + "CORS_ALLOW_ORIGIN", Value="https://app.example.com", Type="String"
        )
        from users import settings  # after FUNCTIONS_DIR is on sys.path

        for name in settings.SECRET_PARAMETERS:  # what the deploy generates or asks for
            ssm.put_parameter(
                Name=CONFIG_PATH + name, Value=f"bench-{name}-{uuid.uuid4()}", Type="SecureString"
            )
        ssm.get_parameters(Names=[CONFIG_PATH + "APP_NAME"])
        account = HandlerAccount(endpoint, env, dynamodb, auth)
        account.warm_up()
        yield account
