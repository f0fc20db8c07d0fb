"""``userapi api-key NAME``: create an API key for a caller and print its value once.

The stack must have been deployed with ``--api-keys``: its ``UsagePlanId``
output names the plan the key joins. The value is printed alone on stdout
(so ``KEY=$(userapi api-key partner-a)`` captures it) and never again by this
tool; the details go to stderr. A key that cannot join the plan is deleted
again, so a failure leaves no stray key behind.

API keys identify and meter callers (the plan's throttle and quota apply per
key); they do not authorize them.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any

from ..common import clients_from_args
from ..errors import UserapiError
from ..stack import add_stack_options, describe, outputs_of, stack_name

USAGE_PLAN_OUTPUT = "UsagePlanId"
#: What this tool accepts as a key name: readable in the console and in logs.
KEY_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def key_name(text: str) -> str:
    """A NAME argument, checked before any AWS call."""
    if not KEY_NAME.match(text):
        raise argparse.ArgumentTypeError(
            f"expected 1 to 128 letters, digits, '.', '_' or '-' (starting with a letter or "
            f"digit), got {text!r}"
        )
    return text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Create a named API key, attach it to the stack's usage plan (a stack deployed "
        "with --api-keys) and print its value once on stdout. Keys identify and meter "
        "callers; they do not authorize them."
    )
    parser.add_argument("name", type=key_name, metavar="NAME", help="who the key is for")
    parser.add_argument("--description", default="", help="free text stored with the key")
    add_stack_options(parser)


def usage_plan_id(cfn: Any, name: str, region: str) -> str:
    """The stack's ``UsagePlanId`` output, or one line saying why there is none."""
    outputs = outputs_of(describe(cfn, name, region))
    if USAGE_PLAN_OUTPUT not in outputs:
        raise UserapiError(
            f"stack {name} has no usage plan (output {USAGE_PLAN_OUTPUT}): "
            "deploy it with --api-keys first"
        )
    return outputs[USAGE_PLAN_OUTPUT]


def _plan_has_key_named(apigateway: Any, plan_id: str, name: str) -> bool:
    paginator = apigateway.get_paginator("get_usage_plan_keys")
    for page in paginator.paginate(usagePlanId=plan_id, nameQuery=name):
        if any(item.get("name") == name for item in page.get("items", [])):
            return True
    return False


def create_key(
    apigateway: Any, plan_id: str, name: str, stack_name: str, description: str
) -> dict[str, str]:
    """Create the key and attach it to the plan; return its id and value."""
    if _plan_has_key_named(apigateway, plan_id, name):
        raise UserapiError(
            f"usage plan {plan_id} already has a key named {name!r}: choose another name"
        )
    key = apigateway.create_api_key(
        name=name,
        description=description or f"userapi caller key, stack {stack_name}",
        enabled=True,
        tags={"ManagedBy": "userapi", "Stack": stack_name},
    )
    try:
        apigateway.create_usage_plan_key(usagePlanId=plan_id, keyId=key["id"], keyType="API_KEY")
    except Exception:
        apigateway.delete_api_key(apiKey=key["id"])  # no key outside the plan
        raise
    return {"id": key["id"], "value": key["value"]}


def run(args: argparse.Namespace) -> int:
    name = stack_name(args)
    clients = clients_from_args(args, "cloudformation", "apigateway")
    plan_id = usage_plan_id(clients["cloudformation"], name, args.region)
    key = create_key(clients["apigateway"], plan_id, args.name, name, args.description)
    print(
        f"Created API key {args.name!r} (id {key['id']}) on usage plan {plan_id} of stack "
        f"{name}. Its value follows on stdout, shown this once: store it now and send "
        "it as the x-api-key header.",
        file=sys.stderr,
    )
    print(key["value"], flush=True)
    return 0
