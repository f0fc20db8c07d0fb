"""``userapi``: the argparse tree and the one boundary every subcommand runs through.

The boundary is the only place that prints an error: a ``UserapiError`` (or
a botocore exception, mapped here to one plain line) becomes
``<prog>: error: <line>`` on stderr and an exit status (2 usage, 1 runtime),
never a traceback. A traceback therefore means a bug in this tool.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from userapi_stack.cli_args import OneLineErrorParser

from .commands import BY_NAME, COMMANDS, Command
from .config import add_config_option, apply_config
from .errors import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_USAGE, UserapiError

PROG = "userapi"


def version() -> str:
    """The installed distribution's version (the tool and the package are one)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed_version

    try:
        return installed_version("userapi")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "unknown (not installed)"


def _chosen(argv: Sequence[str]) -> Command | None:
    """The subcommand named on the command line (the first word that is not an option)."""
    for word in argv:
        if not word.startswith("-"):
            return BY_NAME.get(word)
    return None


class CommandListFormatter(argparse.HelpFormatter):
    """argparse's layout, with the help column past the longest command name.

    argparse sizes the column from the options only, so a command name longer
    than ``--version`` (``bootstrap``) would push its help to the next line.
    """

    def add_argument(self, action: argparse.Action) -> None:
        super().add_argument(action)
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001 - no public type
            longest = max((len(name) for name in action.choices), default=0)
            # subcommands are indented two more than their group's entries
            self._action_max_length = max(
                self._action_max_length, longest + self._current_indent + 2
            )


def _declare(command: Command, parser: argparse.ArgumentParser, argv: Sequence[str]) -> None:
    """The command's own arguments, ``--config``, then the config file's defaults."""
    command.load().add_arguments(parser)
    add_config_option(parser)
    apply_config(parser, argv)


def build_parser(
    chosen: Command | None = None, argv: Sequence[str] = ()
) -> argparse.ArgumentParser:
    """The whole tree; only ``chosen``'s module is imported to declare its arguments.

    Raises ``UserapiError`` for a bad config file (``argv`` names it, or ./userapi.toml).
    """
    parser = OneLineErrorParser(
        prog=PROG,
        description="Generate, run locally, deploy and operate the serverless Users API stack.",
        formatter_class=CommandListFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for command in COMMANDS:
        sub = subparsers.add_parser(command.name, help=command.help, description=command.help)
        if command is chosen:
            _declare(command, sub, argv)
            parser.chosen_parser = sub  # type: ignore[attr-defined]
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``userapi ARGS``; return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    chosen = _chosen(argv)
    try:
        parser = build_parser(chosen, argv)
    except UserapiError as error:
        assert chosen is not None  # only a chosen command reads the config file
        return _fail(f"{PROG} {chosen.name}", str(error), error.exit_code)
    args, extra = parser.parse_known_args(argv)
    if extra and chosen is not None:  # in the subcommand's words, like its other errors
        parser.chosen_parser.error(f"unrecognized arguments: {' '.join(extra)}")  # type: ignore[attr-defined]
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if chosen is None:  # no word at all (a wrong one is argparse's "invalid choice")
        parser.error(
            "choose a command: " + ", ".join(c.name for c in COMMANDS) + " (see userapi --help)"
        )
    return run_guarded(f"{PROG} {chosen.name}", chosen, args)


def run_command(name: str, argv: Sequence[str] | None, prog: str) -> int:
    """One subcommand as a program of its own (``python -m userapi_stack``, ``scripts/*.py``).

    Same arguments, same words and exit codes as ``userapi NAME``; only the
    program name in usage and error lines is the one the user typed.
    """
    command = BY_NAME[name]
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = OneLineErrorParser(prog=prog, description=command.help)
    try:
        _declare(command, parser, argv)
    except UserapiError as error:
        return _fail(prog, str(error), error.exit_code)
    args = parser.parse_args(argv)
    args.command = name
    return run_guarded(prog, command, args)


def run_guarded(prog: str, command: Command, args: argparse.Namespace) -> int:
    """``command.run(args)``, with every user-facing failure turned into one line."""
    try:
        return command.load().run(args)
    except UserapiError as error:
        return _fail(prog, str(error), error.exit_code)
    except KeyboardInterrupt:
        return _fail(
            prog, "interrupted (an operation already started continues in AWS)", EXIT_INTERRUPTED
        )
    except Exception as error:
        mapped = aws_error_line(error)
        if mapped is None:
            raise
        return _fail(prog, *mapped)


def _fail(prog: str, message: str, code: int) -> int:
    print(f"{prog}: error: {message}", file=sys.stderr, flush=True)
    return code


def aws_error_line(error: Exception) -> tuple[str, int] | None:
    """A botocore exception as one plain line and its exit status; None for anything else."""
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

    if isinstance(error, ProfileNotFound):
        return f"{error} (check --profile)", EXIT_USAGE
    if isinstance(error, (NoCredentialsError, PartialCredentialsError)):
        return (
            "no AWS credentials found: use --profile, or set AWS_PROFILE or "
            "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY",
            EXIT_FAILED,
        )
    if isinstance(error, NoRegionError):
        return "no region: pass --region", EXIT_USAGE
    if isinstance(error, EndpointConnectionError):
        return f"cannot reach AWS: {error}", EXIT_FAILED
    if isinstance(error, ParamValidationError):
        return f"invalid request: {error}".replace("\n", " "), EXIT_USAGE
    if isinstance(error, ClientError):
        return _client_error_line(error), EXIT_FAILED
    if isinstance(error, ResponseParserError):  # e.g. an emulator's 500 with a non-AWS body
        text = " ".join(str(error).split())
        return f"the endpoint sent an unreadable response: {text[:300]}", EXIT_FAILED
    if isinstance(error, BotoCoreError):
        return f"AWS call failed: {error}".replace("\n", " "), EXIT_FAILED
    return None


def _client_error_line(error: Exception) -> str:
    response = getattr(error, "response", {}) or {}
    body = response.get("Error", {})
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
