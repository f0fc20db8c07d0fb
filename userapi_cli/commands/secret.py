"""``userapi secret``: set and inspect the environment's SecureString secrets.

``userapi secret set NAME`` reads the value from standard input when it is
not a terminal (``printf %s "$VALUE" | userapi secret set NAME``) or from a
prompt that does not echo (asked twice); never from the command line, where
shell history and ``ps`` would keep it. ``--generate`` makes one for the
secrets the tool can generate. ``userapi secret list`` shows names, state,
version and date. No value is ever printed, logged or quoted in an error.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..common import add_aws_options, add_environment_option, clients_from_args
from ..errors import UsageError, UserapiError

DEFAULT_APP_NAME = "userapi"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Set or list the environment's secrets (SSM SecureString under /<environment>/api/). "
        "Values come from standard input or a no-echo prompt, never from arguments."
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", title="actions")
    actions.required = True
    setter = actions.add_parser(
        "set", help="write a secret from stdin, a no-echo prompt, or --generate"
    )
    setter.add_argument("name", metavar="NAME", help="a declared secret, e.g. PAGINATION_KEY")
    # Caught, to be refused without echoing it (argparse would print it back).
    setter.add_argument("value", nargs="*", default=[], help=argparse.SUPPRESS)
    setter.add_argument(
        "--generate",
        action="store_true",
        help="generate fresh random bytes instead of reading a value (rotation)",
    )
    setter.add_argument(
        "--app-name",
        default=DEFAULT_APP_NAME,
        help=f"the stack's AppName, for the Application tag (default: {DEFAULT_APP_NAME})",
    )
    lister = actions.add_parser("list", help="show each declared secret's state (no values)")
    for sub in (setter, lister):
        add_environment_option(sub)
        add_aws_options(sub)


def _read_value(name: str) -> str:
    """The value from stdin (one trailing newline dropped) or a no-echo prompt, twice."""
    if sys.stdin is None:
        raise UsageError("no standard input to read the value from (or use --generate)")
    if not sys.stdin.isatty():
        text = sys.stdin.read()
        return text[:-2] if text.endswith("\r\n") else text[:-1] if text.endswith("\n") else text
    import getpass

    first = getpass.getpass(f"Value for {name} (not echoed): ")
    if getpass.getpass(f"Repeat the value for {name}: ") != first:
        raise UsageError(f"secret {name}: the two values differ; nothing was written")
    return first


def _set(args: argparse.Namespace, ssm: Any) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    from userapi_deploy import secret_store
    from userapi_deploy.parameters import stack_tags

    if args.value:
        raise UsageError(
            "a secret value is never taken from the command line (shell history and ps keep "
            "it): pipe it on stdin or answer the prompt; nothing was written"
        )
    name = secret_store.check_name(args.name)
    if args.generate:
        if name not in secret_store.generated():
            raise UsageError(f"secret {name} cannot be generated; pipe its value on stdin")
        value = secret_store.new_value(name)
    else:
        value = secret_store.check_value(name, _read_value(name))
    tags = stack_tags(args.app_name, args.environment, {})
    try:
        outcome = secret_store.put_secret(ssm, args.environment, name, value, tags)
    except (ClientError, BotoCoreError) as error:
        if value in str(error):  # never let an AWS message carry the value to the terminal
            raise UserapiError(
                f"AWS refused the value of secret {name} (its message quoted the value, "
                "so it is not shown)"
            ) from None
        raise
    [state] = [s for s in secret_store.states(ssm, args.environment) if s.name == name]
    how = "generated" if args.generate else "from stdin" if not sys.stdin.isatty() else "prompted"
    minutes = secret_store.CACHE_SECONDS // 60
    print(
        f"Secret {state.parameter} {outcome} (SecureString, aws/ssm key, version "
        f"{state.version}, {how}); running functions read it within {minutes} minutes"
    )
    return 0


def _list(args: argparse.Namespace, ssm: Any) -> int:
    from userapi_deploy import secret_store

    rows = secret_store.describe(secret_store.states(ssm, args.environment))
    columns = ("secret", "parameter", "state", "version", "modified")
    widths = {c: max([len(c), *(len(row[c]) for row in rows)]) for c in columns}
    for row in [{c: c.upper() for c in columns}, *rows]:
        print("  ".join(row[c].ljust(widths[c]) for c in columns).rstrip())
    return 0


def run(args: argparse.Namespace) -> int:
    ssm = clients_from_args(args, "ssm")["ssm"]
    return _set(args, ssm) if args.action == "set" else _list(args, ssm)
