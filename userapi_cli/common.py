"""Options several subcommands share, declared once, and the AWS clients built from them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .errors import UsageError

DEFAULT_REGION = "us-east-1"
DEFAULT_ENVIRONMENT = "dev"


def add_environment_option(parser: argparse.ArgumentParser) -> None:
    """``--environment``: the Environment parameter, the stage and the stack name's suffix."""
    parser.add_argument(
        "--environment",
        default=DEFAULT_ENVIRONMENT,
        help=f"the Environment parameter and stage name (default: {DEFAULT_ENVIRONMENT})",
    )


def endpoint_url(text: str) -> str:
    """An ``--endpoint-url`` value: an http(s) URL with a host, checked before any AWS call."""
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(
            f"expected an http:// or https:// URL such as http://127.0.0.1:5000, got {text!r}"
        )
    return text


def add_aws_options(parser: argparse.ArgumentParser) -> None:
    """``--region``, ``--profile`` and ``--endpoint-url``: where the AWS calls go."""
    parser.add_argument(
        "--region", default=DEFAULT_REGION, help=f"AWS region (default: {DEFAULT_REGION})"
    )
    parser.add_argument("--profile", help="named AWS profile for credentials")
    parser.add_argument(
        "--endpoint-url",
        type=endpoint_url,
        metavar="URL",
        help="an AWS-compatible endpoint for every service (e.g. moto_server)",
    )


def aws_clients(
    *services: str,
    region: str,
    profile: str | None = None,
    endpoint_url: str | None = None,
    agent: str = "userapi",
) -> dict[str, Any]:
    """One session, one client per service, standard retries, the tool in the user agent.

    An unknown profile raises botocore's ``ProfileNotFound`` here, which the
    boundary turns into one line.
    """
    import boto3
    from botocore.config import Config

    session = boto3.Session(profile_name=profile, region_name=region)
    config = Config(
        retries={"mode": "standard"},
        user_agent_extra=agent,
        # A host prefix (e.g. logs' "streaming-" for StartLiveTail) belongs to AWS's
        # own endpoints; an --endpoint-url is one host for every operation.
        inject_host_prefix=endpoint_url is None,
    )
    return {
        name: session.client(name, endpoint_url=endpoint_url, config=config) for name in services
    }


def clients_from_args(args: argparse.Namespace, *services: str) -> dict[str, Any]:
    """``aws_clients`` for the options ``add_aws_options`` declared."""
    return aws_clients(
        *services,
        region=args.region,
        profile=args.profile,
        endpoint_url=args.endpoint_url,
        agent=f"userapi-{args.command}",
    )


def add_output_option(parser: argparse.ArgumentParser) -> None:
    """``--output FILE``: write there instead of stdout."""
    parser.add_argument("--output", metavar="FILE", help="write here instead of stdout")


def write_output(text: str, path: str | None) -> None:
    """``text`` to ``path`` (LF line ends on every platform), or to stdout without one."""
    if not path:
        sys.stdout.write(text)
        return
    try:
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None


def positive_number(text: str) -> float:
    """A number of seconds or minutes: finite and above zero."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (0 < value < float("inf")):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def existing_directory(text: str) -> Path:
    """A directory that exists now (checked before any work starts)."""
    path = Path(text)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"not a directory: {text}")
    return path


def port_number(text: str) -> int:
    """A TCP port, 0 (any free port) to 65535."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 0 to 65535, got {text!r}")
    return value


#: Seconds between waiter polls: CloudFormation takes minutes, so 5 s costs
#: little latency and few API calls. Against a local endpoint use 0.1 or so.
DEFAULT_POLL_DELAY = 5.0
DEFAULT_MAX_WAIT_MINUTES = 60.0


def add_wait_options(parser: argparse.ArgumentParser) -> None:
    """``--poll-delay`` and ``--max-wait``: how a stack operation is waited for."""
    parser.add_argument(
        "--poll-delay",
        type=positive_number,
        default=DEFAULT_POLL_DELAY,
        metavar="SECONDS",
        help=f"seconds between waiter polls (default: {DEFAULT_POLL_DELAY:g})",
    )
    parser.add_argument(
        "--max-wait",
        type=positive_number,
        default=DEFAULT_MAX_WAIT_MINUTES,
        metavar="MINUTES",
        help=f"give up waiting after this long (default: {DEFAULT_MAX_WAIT_MINUTES:g})",
    )


def max_attempts(poll_delay: float, max_wait_minutes: float) -> int:
    """Waiter attempts that add up to ``max_wait_minutes``."""
    return max(1, int(max_wait_minutes * 60 / max(poll_delay, 0.01)))
