"""Stack outputs, each exported as ``${AWS::StackName}-<Output>``.

The deploy script prints them; other stacks may import them. The export
name carries the stack name, so two environments never clash.
"""

from __future__ import annotations

from collections.abc import Mapping

from troposphere import AWSHelperFn, Export, Output, Ref, Sub, Template
from troposphere.dynamodb import Table
from troposphere.sns import Topic

from .api import Api
from .functions import RouteFunction
from .routes import EMAILS_TABLE, USERS_TABLE


def export_output(template: Template, name: str, value: AWSHelperFn, description: str) -> None:
    template.add_output(
        Output(
            name,
            Description=description,
            Value=value,
            Export=Export(Sub(f"${{AWS::StackName}}-{name}")),
        )
    )


def add_outputs(
    template: Template,
    api: Api,
    tables: Mapping[str, Table],
    functions: list[RouteFunction],
    topic: Topic,
) -> None:
    """Add every Output (see README, Template section)."""
    rest_api, stage = api.rest_api.title, api.stage.title
    export_output(
        template,
        "ApiInvokeUrl",
        Sub(
            f"https://${{{rest_api}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}/${{{stage}}}"
        ),
        "Base URL of the API (the stage URL)",
    )
    export_output(
        template,
        "ApiExecutionArn",
        Sub(
            "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:"
            f"${{{rest_api}}}/${{{stage}}}"
        ),
        "execute-api ARN of the stage: the prefix of IAM policies allowing SigV4 callers",
    )
    export_output(template, "RestApiId", Ref(api.rest_api), "REST API id")
    export_output(template, "TableName", Ref(tables[USERS_TABLE]), "Users table name")
    export_output(template, "EmailsTableName", Ref(tables[EMAILS_TABLE]), "Email guard table name")
    for item in functions:
        export_output(
            template,
            f"{item.route.name}FunctionName",
            Ref(item.function),
            f"Function serving {item.route.method} {item.route.path}",
        )
    export_output(template, "AlarmTopicArn", Ref(topic), "SNS topic every alarm notifies")
