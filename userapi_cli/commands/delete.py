"""``userapi delete``: tear a stack down, keep every piece of data, say how to remove it.

Exit codes as deploy: 0 deleted (or nothing to delete), 1 the deletion failed
or was declined, 2 usage error (including no terminal to confirm on).
"""

from __future__ import annotations

import argparse
import contextlib
from typing import Any

from ..common import add_wait_options, clients_from_args, max_attempts
from ..errors import EXIT_FAILED, EXIT_OK, UsageError, UserapiError
from ..stack import add_stack_options, stack_name

#: Stack states in which CloudFormation refuses (or would race) a delete.
BUSY_SUFFIX = "_IN_PROGRESS"
#: ...except this one: a stack created by a change set never executed.
IDLE_REVIEW = "REVIEW_IN_PROGRESS"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Delete the stack of an environment. Lists what goes and what stays first; "
        "tables, the user pool, the logging role and the artifact bucket always stay "
        "(their data is never deleted by a command), with the commands to remove them "
        "yourself. Exit codes: 0 deleted or nothing to delete, 1 failed or declined, "
        "2 usage error."
    )
    add_stack_options(parser)
    parser.add_argument("--yes", "-y", action="store_true", help="delete without asking (for CI)")
    add_wait_options(parser)


def _connection(args: argparse.Namespace) -> list[str]:
    """The AWS CLI options that reach the same account, region and endpoint."""
    options = ["--region", args.region]
    if args.profile:
        options += ["--profile", args.profile]
    if args.endpoint_url:
        options += ["--endpoint-url", args.endpoint_url]
    return options


def _print_resources(title: str, resources: Any) -> None:
    from userapi_deploy.review import table

    print(f"{title} ({len(resources)}):")
    headers = ["Logical id", "Type", "Physical id", "Note"]
    rows = [[r.logical_id, r.resource_type, r.physical_id or "-", r.detail] for r in resources]
    if not any(r.detail for r in resources):
        headers, rows = headers[:3], [row[:3] for row in rows]
    print(table(headers, rows))


def _print_removal(plan: Any, iam: Any, args: argparse.Namespace) -> None:
    from userapi_deploy.teardown import aws_command, removal_commands

    print(
        "\nKept, because a userapi command never deletes data. To remove them yourself "
        "(irreversible), run:"
    )
    for resource in plan.stays:
        note, commands = removal_commands(resource, iam)
        print(
            f"\n  # {resource.resource_type} {resource.physical_id}" + (f": {note}" if note else "")
        )
        for command in commands:
            print(f"  {aws_command(command, _connection(args))}")


def run(args: argparse.Namespace) -> int:
    from botocore.exceptions import WaiterError

    from userapi_deploy.changeset import describe_stack
    from userapi_deploy.events import EventStream, latest_event_id
    from userapi_deploy.flow import ask, is_interactive, report_failure
    from userapi_deploy.teardown import plan_delete

    clients = clients_from_args(args, "cloudformation", "dynamodb", "iam")
    cfn = clients["cloudformation"]
    name = stack_name(args)
    if describe_stack(cfn, name) is None:
        print(f"Nothing to delete: stack {name} does not exist in {args.region}")
        return EXIT_OK
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    status = stack["StackStatus"]
    if status.endswith(BUSY_SUFFIX) and status != IDLE_REVIEW:
        raise UserapiError(f"stack {name} is {status}; wait until it finishes, then delete")
    if stack.get("EnableTerminationProtection"):
        raise UserapiError(
            f"stack {name} has termination protection; turn it off first: aws cloudformation "
            f"update-termination-protection --no-enable-termination-protection "
            f"--stack-name {name} --region {args.region}"
        )
    plan = plan_delete(cfn, clients["dynamodb"], stack)
    print(f"Stack {name} in {args.region} ({status})\n")
    _print_resources("Deleted with the stack", plan.goes)
    print()
    _print_resources("Kept (never deleted by userapi)", plan.stays)
    print(flush=True)
    if not (args.yes or is_interactive()):
        raise UsageError(
            "no terminal to confirm the deletion: pass --yes to delete without asking "
            "(nothing was deleted)"
        )
    if not args.yes and not ask(f"Delete stack {name}? [y/N] "):
        print("Not deleted; nothing changed.")
        return EXIT_FAILED

    marker = latest_event_id(cfn, plan.stack_id)
    cfn.delete_stack(StackName=plan.stack_id)
    print(f"Deleting stack {name}; stack events:", flush=True)
    waiter = cfn.get_waiter("stack_delete_complete")
    attempts = max_attempts(args.poll_delay, args.max_wait)
    with EventStream(cfn, plan.stack_id, marker, lambda line: print(line, flush=True)) as stream:
        with contextlib.suppress(WaiterError):  # the final status below says what happened
            waiter.wait(
                StackName=plan.stack_id,
                WaiterConfig={"Delay": args.poll_delay, "MaxAttempts": attempts},
            )
        stream.poll()
    final = describe_stack(cfn, plan.stack_id)
    final_status = final.status if final else "DELETE_COMPLETE"
    if final_status != "DELETE_COMPLETE":
        report_failure(stream, f"Deletion of {name} failed: stack is {final_status}")
        return EXIT_FAILED
    print(f"\nDeleted stack {name} in {args.region} (DELETE_COMPLETE)")
    _print_removal(plan, clients["iam"], args)
    return EXIT_OK
