"""DynamoDB and SSM for the local server: embedded moto, or a DynamoDB endpoint.

By default everything AWS is moto's in-process backend (``mock_aws``),
started once for the whole server: it patches botocore process-wide, so the
handler modules' own clients (created at import, in any thread) talk to it.
With a DynamoDB endpoint (DynamoDB Local, LocalStack, a moto_server) the
handlers are pointed at it through ``AWS_ENDPOINT_URL_DYNAMODB``, which
boto3 honours without any handler change; SSM stays embedded, since the API
only reads a few parameters from it (the secrets too, made here).

Tables and parameters are created from the template's own resources, so
the local data model cannot drift from the deployed one.
"""

from __future__ import annotations

import os
import secrets as random_source
from typing import Any

import boto3
from botocore.exceptions import ClientError

from userapi_stack.configuration import environment_config_path
from userapi_stack.handler_code import settings_module

from .template_reader import TemplateReader

#: Properties of AWS::DynamoDB::Table that CreateTable takes unchanged.
_CREATE_TABLE_KEYS = (
    "TableName",
    "AttributeDefinitions",
    "KeySchema",
    "BillingMode",
    "GlobalSecondaryIndexes",
    "LocalSecondaryIndexes",
    "ProvisionedThroughput",
)


class Backend:
    """Owns the moto mock (if any) and the resources created in it."""

    def __init__(self, dynamodb_endpoint: str | None = None) -> None:
        self.dynamodb_endpoint = dynamodb_endpoint
        self._mock: Any = None

    def start(self, region: str) -> None:
        """Start moto and route DynamoDB; call before any handler is imported."""
        os.environ["AWS_REGION"] = region
        os.environ["AWS_DEFAULT_REGION"] = region
        # Fake credentials unless the caller set some (moto accepts anything).
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
        if self.dynamodb_endpoint:
            os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = self.dynamodb_endpoint
        from moto import mock_aws  # slow import: only when serving

        from . import moto_fixes

        self._mock = mock_aws()
        self._mock.start()
        moto_fixes.install()  # thread safety and transaction cost: see moto_fixes

    def stop(self) -> None:
        if self._mock is not None:
            self._mock.stop()
            self._mock = None

    def provision(self, reader: TemplateReader) -> list[str]:
        """Create the template's tables and SSM parameters; return what was made."""
        created: list[str] = []
        dynamodb = boto3.client("dynamodb")
        for logical_id in reader.of_type("AWS::DynamoDB::Table"):
            props = reader.properties(logical_id)
            request = {key: props[key] for key in _CREATE_TABLE_KEYS if key in props}
            try:
                dynamodb.create_table(**request)
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "ResourceInUseException":
                    raise
                created.append(f"table {request['TableName']} (kept: it already existed)")
                continue
            dynamodb.get_waiter("table_exists").wait(
                TableName=request["TableName"], WaiterConfig={"Delay": 1, "MaxAttempts": 30}
            )
            created.append(f"table {request['TableName']}")
        ssm = boto3.client("ssm")
        for logical_id in reader.of_type("AWS::SSM::Parameter"):
            props = reader.properties(logical_id)
            ssm.put_parameter(
                Name=props["Name"], Value=str(props["Value"]), Type=props["Type"], Overwrite=True
            )
            created.append(f"parameter {props['Name']}")
        created.extend(self._provision_secrets(ssm, reader))
        return created

    @staticmethod
    def _provision_secrets(ssm: Any, reader: TemplateReader) -> list[str]:
        """Every declared secret as a SecureString, with fresh local-only randomness.

        CloudFormation cannot create them in AWS (the deploy does, or asks
        for them); here the server is the whole account, so it makes them.
        """
        settings = settings_module()
        path = environment_config_path(str(reader.ref("Environment")))
        made = []
        for name in settings.SECRET_PARAMETERS:
            value = random_source.token_urlsafe(settings.GENERATED_SECRETS.get(name, 32))
            ssm.put_parameter(Name=path + name, Value=value, Type="SecureString", Overwrite=True)
            made.append(f"secret {path}{name} (SecureString, generated for this server)")
        return made
