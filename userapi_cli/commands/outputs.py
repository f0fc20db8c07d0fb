"""``userapi outputs``: the deployed stack's outputs (API URL, table names, ...)."""

from __future__ import annotations

import argparse
import json

from ..common import clients_from_args
from ..stack import add_stack_options, describe, outputs_of, stack_name


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_stack_options(parser)
    parser.add_argument(
        "--json",
        action="store_true",
        help="print {key: value} as JSON (what deploy --outputs-file writes)",
    )


def run(args: argparse.Namespace) -> int:
    from userapi_deploy.review import render_outputs

    cfn = clients_from_args(args, "cloudformation")["cloudformation"]
    name = stack_name(args)
    stack = describe(cfn, name, args.region)
    outputs = outputs_of(stack)
    if args.json:
        print(json.dumps(outputs, indent=2, sort_keys=True))
    elif outputs:
        print(render_outputs(stack["Outputs"]))
    else:
        print(f"Stack {name} has no outputs (status {stack['StackStatus']})")
    return 0
