"""``userapi token EMAIL``: print an ID token for a test user of the local server."""

from __future__ import annotations

import argparse
import sys

from userapi_local.cognito import DEFAULT_COGNITO_PORT, HOST

from ..common import DEFAULT_REGION, endpoint_url
from ..errors import UserapiError

DEFAULT_ENDPOINT = f"http://{HOST}:{DEFAULT_COGNITO_PORT}"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from userapi_local.tokens import DEFAULT_PASSWORD

    parser.description = (
        "Sign a test user up on the local identity provider of `userapi local --auth cognito` "
        "(or sign them in again) and print their ID token: the Authorization header value."
    )
    parser.add_argument("email", help="the user's email (their sign-in name)")
    parser.add_argument(
        "--password", default=DEFAULT_PASSWORD, help="the user's password (default: a fixed one)"
    )
    parser.add_argument(
        "--unverified",
        action="store_true",
        help="leave the email unverified (the API then refuses to register it)",
    )
    parser.add_argument(
        "--endpoint",
        type=endpoint_url,
        default=DEFAULT_ENDPOINT,
        metavar="URL",
        help=f"the local identity provider (default: {DEFAULT_ENDPOINT})",
    )
    parser.add_argument("--region", default=DEFAULT_REGION, help="default us-east-1")


def run(args: argparse.Namespace) -> int:
    from userapi_local.tokens import TokenError, id_token

    try:
        token = id_token(
            args.endpoint,
            args.email,
            args.password,
            verified=not args.unverified,
            region=args.region,
        )
    except TokenError as exc:
        raise UserapiError(str(exc)) from None
    sys.stdout.write(token + "\n")
    return 0
