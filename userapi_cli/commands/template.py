"""``userapi template`` (also ``python -m userapi_stack``): print the CloudFormation template."""

from __future__ import annotations

import argparse

from ..common import add_output_option, write_output
from ..errors import UsageError
from ..synthesis import add_synthesis_options, template_options


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("json", "yaml"), default="json", help="default json")
    add_output_option(parser)
    parser.add_argument(
        "--openapi",
        action="store_true",
        help="write the OpenAPI 3 document (JSON) instead, as `userapi openapi` does",
    )
    add_synthesis_options(parser)


def run(args: argparse.Namespace) -> int:
    if args.openapi:
        if args.format != "json":
            raise UsageError("--openapi writes JSON only")
        from .openapi import document_text

        text = document_text(options=template_options(args))
    else:
        from userapi_stack.template import build_template, render

        text = render(build_template(template_options(args)), args.format)
    write_output(text, args.output)
    return 0
