"""``userapi openapi``: print the OpenAPI 3 document the API serves (JSON)."""

from __future__ import annotations

import argparse
import json

from ..common import add_output_option, write_output


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_output_option(parser)
    parser.add_argument(
        "--server-url",
        metavar="URL",
        help="the document's server (default: the deployed stage's execute-api URL)",
    )


def document_text(server_url: str | None = None) -> str:
    """The document as the API serves it: sorted keys, two-space indent, final newline."""
    from userapi_stack.openapi import build_openapi_document

    document = build_openapi_document(server_url) if server_url else build_openapi_document()
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def run(args: argparse.Namespace) -> int:
    write_output(document_text(args.server_url), args.output)
    return 0
