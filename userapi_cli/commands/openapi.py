"""``userapi openapi``: print the OpenAPI 3 document the API serves (JSON)."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from ..common import add_output_option, write_output
from ..synthesis import add_synthesis_options, template_options

if TYPE_CHECKING:  # the synthesizer is imported only when the document is built
    from userapi_stack.options import TemplateOptions


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_output_option(parser)
    parser.add_argument(
        "--server-url",
        metavar="URL",
        help="the document's server (default: the deployed stage's execute-api URL)",
    )
    # The document follows the template: --auth decides each operation's security.
    add_synthesis_options(parser)


def document_text(server_url: str | None = None, options: TemplateOptions | None = None) -> str:
    """The document as the API serves it: sorted keys, two-space indent, final newline."""
    from userapi_stack.openapi import build_openapi_document

    document = build_openapi_document(server_url, options)
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def run(args: argparse.Namespace) -> int:
    options = template_options(args)
    write_output(document_text(args.server_url, options), args.output)
    return 0
