"""``python -m userapi_stack``: write the template (or the OpenAPI document).

Errors in options or values are one line on stderr and exit status 2, like
argparse, but without the usage dump and never with a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from .cli_args import OneLineErrorParser, key_value
from .options import (
    DEFAULT_ARCHITECTURE,
    DEFAULT_RUNTIME,
    SUPPORTED_ARCHITECTURES,
    SUPPORTED_RUNTIMES,
    TemplateOptions,
    validate_tag,
)

PROG = "python -m userapi_stack"


def _tag(text: str) -> tuple[str, str]:
    key, value = key_value(text)
    try:
        validate_tag(key, value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return key, value


def _parser() -> argparse.ArgumentParser:
    parser = OneLineErrorParser(
        prog=PROG,
        description="Synthesize the CloudFormation template of the Users API (no AWS calls).",
    )
    parser.add_argument("--format", choices=("json", "yaml"), default="json", help="default json")
    parser.add_argument("--output", metavar="FILE", help="write here instead of stdout")
    parser.add_argument(
        "--tag",
        type=_tag,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra tag on every taggable resource (repeatable; overrides defaults)",
    )
    parser.add_argument("--runtime", choices=SUPPORTED_RUNTIMES, default=DEFAULT_RUNTIME)
    parser.add_argument(
        "--architecture", choices=SUPPORTED_ARCHITECTURES, default=DEFAULT_ARCHITECTURE
    )
    parser.add_argument(
        "--openapi",
        action="store_true",
        help="write the OpenAPI 3 document (JSON) instead of the template",
    )
    return parser


def _openapi_text() -> str:
    # Imported here: openapi.py is another module's concern and may be absent.
    try:
        from .openapi import build_openapi_document
    except ModuleNotFoundError as exc:
        if exc.name != f"{__package__}.openapi":
            raise
        sys.exit(f"{PROG}: error: --openapi is unavailable: userapi_stack/openapi.py is missing")
    return json.dumps(build_openapi_document(), indent=2, sort_keys=True) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Parse options, synthesize, write. Returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.openapi:
        if args.format != "json":
            parser.error("--openapi writes JSON only")
        text = _openapi_text()
    else:
        from .template import build_template, render

        tags = tuple(dict(args.tag).items())  # a later --tag KEY wins
        options = TemplateOptions(runtime=args.runtime, architecture=args.architecture, tags=tags)
        text = render(build_template(options), args.format)
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
        except OSError as exc:
            parser.error(f"cannot write {args.output}: {exc.strerror}")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
