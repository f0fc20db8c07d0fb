"""Finding the deployed stack of an environment: the options and the lookup ``outputs``,
``delete`` and ``logs`` share with each other (``deploy`` names it the same way)."""

from __future__ import annotations

import argparse
from typing import Any

from .common import add_aws_options, add_environment_option
from .errors import UserapiError

#: The template's AppName default: stacks are ``<AppName>-<environment>``.
DEFAULT_APP_NAME = "userapi"


def add_stack_options(parser: argparse.ArgumentParser) -> None:
    """``--environment``, ``--stack-name`` and the AWS options."""
    add_environment_option(parser)
    parser.add_argument(
        "--stack-name", help=f"default: {DEFAULT_APP_NAME}-<environment>, e.g. userapi-dev"
    )
    add_aws_options(parser)


def stack_name(args: argparse.Namespace) -> str:
    """The stack the options name."""
    return args.stack_name or f"{DEFAULT_APP_NAME}-{args.environment}"


def describe(cfn: Any, name: str, region: str) -> dict[str, Any]:
    """``DescribeStacks`` of one stack; a missing stack is one line (exit 1)."""
    from userapi_deploy.changeset import describe_stack

    if describe_stack(cfn, name) is None:
        raise UserapiError(
            f"stack {name} does not exist in {region} "
            "(check --environment, --stack-name and --region)"
        )
    return cfn.describe_stacks(StackName=name)["Stacks"][0]


def outputs_of(stack: dict[str, Any]) -> dict[str, str]:
    """The stack's outputs as ``{key: value}``."""
    return {item["OutputKey"]: item.get("OutputValue", "") for item in stack.get("Outputs") or []}
