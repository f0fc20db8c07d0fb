"""``scripts/deploy.py``: options, exit codes, and one clear line per failure.

Exit codes: 0 deployed or nothing to do, 1 the deployment failed (or was
declined), 2 usage error. User mistakes and AWS refusals print one line on
stderr, never a traceback; a traceback means a bug in this tool.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    ParamValidationError,
    PartialCredentialsError,
    ProfileNotFound,
)
from botocore.parsers import ResponseParserError

from userapi_stack.cli_args import OneLineErrorParser
from userapi_stack.handler_code import FUNCTIONS_DIR

from .errors import EXIT_FAILED, EXIT_USAGE, DeployError
from .flow import DEFAULT_MAX_WAIT_MINUTES, DEFAULT_POLL_DELAY, DeployOptions, deploy

PROG = "deploy.py"
DEFAULT_REGION = "us-east-1"
DEFAULT_ENVIRONMENT = "dev"


def build_parser() -> argparse.ArgumentParser:
    """Every option, with the help text ``--help`` shows."""
    parser = OneLineErrorParser(
        prog=PROG,
        description="Zip the handlers, upload them once, create a change set, show it, "
        "and execute it after confirmation. Exit codes: 0 deployed or nothing to do, "
        "1 deployment failed or declined, 2 usage error.",
    )
    parser.add_argument(
        "--environment",
        default=DEFAULT_ENVIRONMENT,
        help="the Environment parameter and stage name (default: dev)",
    )
    parser.add_argument("--stack-name", help="default: <AppName>-<environment>, e.g. userapi-dev")
    parser.add_argument(
        "--region", default=DEFAULT_REGION, help=f"AWS region (default: {DEFAULT_REGION})"
    )
    parser.add_argument("--profile", help="named AWS profile for credentials")
    parser.add_argument(
        "--endpoint-url", help="an AWS-compatible endpoint for every service (e.g. moto_server)"
    )
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
    parser.add_argument(
        "--tag",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra stack tag (repeatable), added to the common tags",
    )
    parser.add_argument("--yes", "-y", action="store_true", help="execute without asking (for CI)")
    parser.add_argument(
        "--no-execute",
        action="store_true",
        help="create and print the change set, then stop (it stays for review)",
    )
    parser.add_argument(
        "--replace-failed-stack",
        action="store_true",
        help="delete a stack left in ROLLBACK_COMPLETE and create it again",
    )
    parser.add_argument(
        "--outputs-file", metavar="FILE", help="write the stack outputs here as JSON"
    )
    parser.add_argument(
        "--poll-delay",
        type=float,
        default=DEFAULT_POLL_DELAY,
        metavar="SECONDS",
        help=f"seconds between waiter polls (default: {DEFAULT_POLL_DELAY:g})",
    )
    parser.add_argument(
        "--max-wait",
        type=float,
        default=DEFAULT_MAX_WAIT_MINUTES,
        metavar="MINUTES",
        help=f"give up waiting after this long (default: {DEFAULT_MAX_WAIT_MINUTES:g})",
    )
    parser.add_argument(
        "--functions-dir",
        type=Path,
        default=FUNCTIONS_DIR,
        metavar="DIR",
        help="handler code to zip (default: functions/ of this checkout)",
    )
    parser.add_argument("--verbose", "-v", action="store_true", help="log AWS calls (debug)")
    return parser


def _client_error_line(error: ClientError) -> str:
    body = error.response.get("Error", {})
    code = body.get("Code", "Error")
    message = body.get("Message") or ""
    operation = getattr(error, "operation_name", "the request")
    if code in ("AccessDenied", "AccessDeniedException", "403", "UnauthorizedOperation"):
        return f"access denied by AWS ({operation}): {message or 'check your credentials'}"
    if code in ("InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch"):
        return f"AWS rejected your credentials ({operation}): {message}"
    if code in ("ExpiredToken", "ExpiredTokenException", "RequestExpired"):
        return f"your AWS credentials have expired ({operation}): refresh them and retry"
    return f"AWS refused {operation}: {code}: {message}".rstrip(": ")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the deploy; return the exit code."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:
        logging.getLogger("botocore").setLevel(logging.WARNING)
    options = DeployOptions.from_args(args)
    try:
        return deploy(options)
    except DeployError as error:
        return _fail(str(error), error.exit_code)
    except ProfileNotFound as error:
        return _fail(f"{error} (check --profile)", EXIT_USAGE)
    except (NoCredentialsError, PartialCredentialsError):
        return _fail(
            "no AWS credentials found: use --profile, or set AWS_PROFILE or "
            "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY",
            EXIT_FAILED,
        )
    except NoRegionError:
        return _fail("no region: pass --region", EXIT_USAGE)
    except EndpointConnectionError as error:
        return _fail(f"cannot reach AWS: {error}", EXIT_FAILED)
    except ParamValidationError as error:
        return _fail(f"invalid request: {error}".replace("\n", " "), EXIT_USAGE)
    except ClientError as error:
        return _fail(_client_error_line(error), EXIT_FAILED)
    except ResponseParserError as error:  # e.g. an emulator's 500 with a non-AWS body
        text = " ".join(str(error).split())
        return _fail(f"the endpoint sent an unreadable response: {text[:300]}", EXIT_FAILED)
    except BotoCoreError as error:
        return _fail(f"AWS call failed: {error}".replace("\n", " "), EXIT_FAILED)
    except KeyboardInterrupt:
        return _fail("interrupted (an operation already started continues in AWS)", 130)


def _fail(message: str, code: int) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return code
