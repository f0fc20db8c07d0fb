"""``userapi deploy`` (also ``scripts/deploy.py``): change set, review, execute.

Exit codes: 0 deployed or nothing to do, 1 the deployment failed (or was
declined), 2 usage error.
"""

from __future__ import annotations

import argparse
import logging

from userapi_deploy.flow import DeployOptions, deploy

from ..common import (
    add_aws_options,
    add_environment_option,
    add_wait_options,
    existing_directory,
)
from ..synthesis import add_synthesis_options, template_options


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Zip the handlers, upload them once, create a change set, show it, "
        "and execute it after confirmation. Exit codes: 0 deployed or nothing to do, "
        "1 deployment failed or declined, 2 usage error."
    )
    add_environment_option(parser)
    parser.add_argument("--stack-name", help="default: <AppName>-<environment>, e.g. userapi-dev")
    add_aws_options(parser)
    parser.add_argument(
        "--bucket",
        help="artifact bucket (must exist); default: a managed bucket "
        "userapi-artifacts-<account>-<region>, created on first use",
    )
    parser.add_argument(
        "--parameter",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="template parameter override (repeatable); on update, parameters "
        "not given keep their deployed values",
    )
    parser.add_argument("--yes", "-y", action="store_true", help="execute without asking (for CI)")
    parser.add_argument(
        "--no-execute",
        action="store_true",
        help="create and print the change set, then stop (it stays for review)",
    )
    parser.add_argument(
        "--review-only",
        action="store_true",
        help="create and print the change set, then delete it: nothing changes "
        "(pull-request reviews)",
    )
    parser.add_argument(
        "--review-markdown",
        metavar="FILE",
        help="also write the change-set review as markdown to FILE "
        "(a pull-request comment, a job summary); account ids are redacted",
    )
    parser.add_argument(
        "--role-arn",
        metavar="ARN",
        help="CloudFormation service role the stack's resources are created with "
        "(the bootstrap's execution role); CloudFormation keeps using it for the stack",
    )
    parser.add_argument(
        "--replace-failed-stack",
        action="store_true",
        help="delete a stack left in ROLLBACK_COMPLETE and create it again",
    )
    parser.add_argument(
        "--outputs-file", metavar="FILE", help="write the stack outputs here as JSON"
    )
    add_wait_options(parser)
    parser.add_argument(
        "--functions-dir",
        type=existing_directory,
        default=None,
        metavar="DIR",
        help="handler code to zip (default: the handlers shipped with this package)",
    )
    parser.add_argument("--verbose", "-v", action="store_true", help="log AWS calls (debug)")
    add_synthesis_options(parser)
    # The synthesis --tag also tags the stack (CloudFormation copies stack tags
    # to resources the template cannot tag itself).


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:
        logging.getLogger("botocore").setLevel(logging.WARNING)

    return deploy(DeployOptions.from_args(args, template_options(args)))
