"""``userapi local`` (also ``scripts/local_api.py``): serve the API on 127.0.0.1."""

from __future__ import annotations

import argparse
import os

from userapi_local.cognito import DEFAULT_COGNITO_PORT
from userapi_local.defaults import DEFAULT_READ_TIMEOUT_SECONDS
from userapi_local.sigv4 import DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY
from userapi_stack.cli_args import key_value

from ..common import endpoint_url, port_number
from ..extras import require_extra
from ..synthesis import add_synthesis_options, template_options

DEFAULT_PORT = 3000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Serve the Users API locally: the synthesized template's routes, "
        "gateway checks and handlers, on moto (no AWS account, no Docker)."
    )
    parser.add_argument(
        "--port",
        type=port_number,
        default=DEFAULT_PORT,
        help=f"default {DEFAULT_PORT}; 0 picks a free one",
    )
    parser.add_argument(
        "--dynamodb-endpoint",
        type=endpoint_url,
        metavar="URL",
        help="use this DynamoDB (e.g. DynamoDB Local) instead of the embedded moto one",
    )
    parser.add_argument(
        "--template",
        metavar="FILE",
        help="a synthesized template.json (default: synthesize now from the synthesis options)",
    )
    parser.add_argument(
        "--parameter",
        type=key_value,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="template parameter value (repeatable), e.g. Environment=test",
    )
    parser.add_argument(
        "--region",
        default=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
        help="region the emulated services report (default: $AWS_DEFAULT_REGION or us-east-1)",
    )
    parser.add_argument(
        "--access-key-id",
        default=DEFAULT_ACCESS_KEY_ID,
        help="the only access key SigV4 requests may be signed with (default testing)",
    )
    parser.add_argument(
        "--secret-access-key",
        default=DEFAULT_SECRET_ACCESS_KEY,
        help="its secret (default testing)",
    )
    parser.add_argument(
        "--read-timeout",
        type=positive_seconds,
        default=DEFAULT_READ_TIMEOUT_SECONDS,
        metavar="SECONDS",
        help="close a connection silent this long: idle between requests, or 408 mid-body "
        f"(default {DEFAULT_READ_TIMEOUT_SECONDS:g})",
    )
    parser.add_argument(
        "--cognito-port",
        type=port_number,
        default=DEFAULT_COGNITO_PORT,
        help="--auth cognito: the loopback port of the local identity provider (moto's "
        f"cognito-idp) that apps and `userapi token` call (default {DEFAULT_COGNITO_PORT}; "
        "0 picks a free one)",
    )
    parser.add_argument(
        "--api-key",
        action="append",
        default=[],
        metavar="VALUE",
        help="an API key the server accepts as x-api-key when the template requires keys "
        "(--api-keys; repeatable, 20+ characters); default: one made at start-up and printed",
    )
    add_synthesis_options(parser)


def positive_seconds(text: str) -> float:
    """A duration in seconds: a finite number above 0 (argparse type)."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"not a number of seconds above 0: {text!r}")
    return value


def run(args: argparse.Namespace) -> int:
    require_extra("local")
    from userapi_local.cli import serve

    return serve(args, template_options(args))
