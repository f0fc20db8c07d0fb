"""Stack state, change set creation, and what to do with a change set that fails.

Differences from ``sam deploy``, each for a pain its users report:
- ``ROLLBACK_COMPLETE`` (a first create that failed) is explained, and
  replaced only when ``--replace-failed-stack`` says so.
- A CREATE change set asks CloudFormation to delete a stack whose first
  create fails (``OnStackFailure=DELETE``), so there is no roadblock to clear.
- "No changes" is not an error: the empty change set is deleted and the
  caller exits 0. Any other failure comes with CloudFormation's own reason
  (never a bare "Waiter ChangeSetCreateComplete failed") and the change set
  is deleted, with the empty REVIEW_IN_PROGRESS stack shell a failed CREATE
  change set leaves behind.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError, WaiterError

from .errors import DeployError

log = logging.getLogger(__name__)

#: Reasons CloudFormation gives for a change set with nothing in it.
EMPTY_REASONS = ("didn't contain changes", "No updates are to be performed")


@dataclass(frozen=True)
class StackState:
    """What the deploy needs to know about the stack as deployed now."""

    stack_id: str
    status: str
    parameters: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ChangeSet:
    """A created change set, ready for review."""

    arn: str
    name: str
    stack_id: str
    change_type: str
    changes: list[dict[str, Any]]
    property_values: bool


class NoChanges(Exception):
    """The change set is empty: the stack already matches."""


def _error(error: ClientError) -> tuple[str, str]:
    body = error.response.get("Error", {})
    return str(body.get("Code", "")), str(body.get("Message", ""))


def describe_stack(cfn: Any, stack_name: str) -> StackState | None:
    """The stack, or None when it does not exist."""
    try:
        stacks = cfn.describe_stacks(StackName=stack_name)["Stacks"]
    except ClientError as error:
        code, message = _error(error)
        if code == "ValidationError" and "does not exist" in message:
            return None
        raise
    stack = stacks[0]
    parameters = {
        item["ParameterKey"]: item.get("ParameterValue", "")
        for item in stack.get("Parameters") or []
    }
    tags = {item["Key"]: item["Value"] for item in stack.get("Tags") or []}
    return StackState(stack["StackId"], stack["StackStatus"], parameters, tags)


def change_set_type(stack: StackState | None, stack_name: str, replace_failed: bool) -> str:
    """CREATE or UPDATE, or a DeployError saying why neither is possible now."""
    if stack is None or stack.status == "REVIEW_IN_PROGRESS":
        return "CREATE"
    status = stack.status
    if status == "ROLLBACK_COMPLETE":
        if replace_failed:
            return "REPLACE"
        raise DeployError(
            f"stack {stack_name} is in ROLLBACK_COMPLETE: its first creation failed and was "
            "rolled back, and CloudFormation cannot update such a stack. It holds no "
            "resources (only retained ones survive); re-run with --replace-failed-stack "
            "to delete it and create it again"
        )
    if status == "UPDATE_ROLLBACK_FAILED":
        raise DeployError(
            f"stack {stack_name} is in UPDATE_ROLLBACK_FAILED: fix the resource that blocks "
            "the rollback, then run `aws cloudformation continue-update-rollback "
            f"--stack-name {stack_name}` and deploy again"
        )
    if status.endswith("_IN_PROGRESS"):
        raise DeployError(
            f"stack {stack_name} is busy ({status}); wait for it to finish and deploy again"
        )
    if status in ("DELETE_FAILED", "ROLLBACK_FAILED", "CREATE_FAILED"):
        raise DeployError(
            f"stack {stack_name} is in {status} and cannot be updated; see its events in "
            "the CloudFormation console, delete it, and deploy again"
        )
    return "UPDATE"


def delete_stack(cfn: Any, stack_id: str, delay: float, max_attempts: int) -> None:
    """Delete a stack and wait until it is gone."""
    cfn.delete_stack(StackName=stack_id)
    waiter = cfn.get_waiter("stack_delete_complete")
    try:
        waiter.wait(StackName=stack_id, WaiterConfig={"Delay": delay, "MaxAttempts": max_attempts})
    except WaiterError as error:
        raise DeployError(f"could not delete stack {stack_id}: {error.last_response}") from None


def is_unchanged(
    cfn: Any,
    stack: StackState,
    body: Mapping[str, Any],
    parameters: Sequence[Mapping[str, Any]],
    tags: Sequence[Mapping[str, str]],
) -> bool:
    """True when the stack already runs this template, these parameters and tags.

    Then a change set could only come back empty, so it is not created at
    all: a no-op deploy costs two reads instead of a change set round trip
    (tens of seconds on AWS). Anything unsure (a template that is not JSON,
    a parameter the stack lacks) answers False and takes the change set path.
    """
    for item in parameters:
        name = item["ParameterKey"]
        if name not in stack.parameters:
            return False
        if not item.get("UsePreviousValue") and item["ParameterValue"] != stack.parameters[name]:
            return False
    if {t["Key"]: t["Value"] for t in tags} != stack.tags:
        return False
    deployed = cfn.get_template(StackName=stack.stack_id, TemplateStage="Original")
    text = deployed.get("TemplateBody")
    if isinstance(text, str):
        try:
            text = json.loads(text)
        except ValueError:
            return False
    return text == body


def _is_empty(reason: str) -> bool:
    return any(text in reason for text in EMPTY_REASONS)


def discard(cfn: Any, change_set: str, stack_id: str, change_type: str) -> None:
    """Delete a change set nobody will execute, and a CREATE's empty stack shell.

    The shell (REVIEW_IN_PROGRESS, no resources) may stay when the caller may
    not delete stacks, e.g. the CI review role: harmless, the first real
    deploy creates the stack from it.
    """
    try:
        cfn.delete_change_set(ChangeSetName=change_set, StackName=stack_id)
    except ClientError as error:  # clean-up must not hide the real outcome
        log.warning("could not delete change set %s: %s", change_set, error)
        return
    if change_type != "CREATE":
        return
    try:
        state = describe_stack(cfn, stack_id)
        if state is not None and state.status == "REVIEW_IN_PROGRESS":
            cfn.delete_stack(StackName=stack_id)
    except ClientError as error:
        log.warning("left the empty stack %s (REVIEW_IN_PROGRESS) in place: %s", stack_id, error)


def _describe_all(cfn: Any, arn: str, property_values: bool) -> dict[str, Any]:
    """Every page of DescribeChangeSet, changes concatenated."""
    kwargs: dict[str, Any] = {"ChangeSetName": arn}
    if property_values:
        kwargs["IncludePropertyValues"] = True
    first = cfn.describe_change_set(**kwargs)
    changes = list(first.get("Changes", []))
    token = first.get("NextToken")
    while token:
        page = cfn.describe_change_set(NextToken=token, **kwargs)
        changes.extend(page.get("Changes", []))
        token = page.get("NextToken")
    first["Changes"] = changes
    return first


def describe_changes(cfn: Any, arn: str) -> tuple[list[dict[str, Any]], bool]:
    """The changes, with before/after property values where the endpoint gives them."""
    try:
        return _describe_all(cfn, arn, True)["Changes"], True
    except ClientError as error:
        code, message = _error(error)
        if code == "ValidationError" and "IncludePropertyValues" in message:
            return _describe_all(cfn, arn, False)["Changes"], False
        raise


def create_change_set(
    cfn: Any,
    *,
    stack_name: str,
    name: str,
    change_type: str,
    template: Mapping[str, str],
    parameters: Sequence[Mapping[str, Any]],
    tags: Sequence[Mapping[str, str]],
    capabilities: Sequence[str],
    description: str,
    role_arn: str | None = None,
    delay: float,
    max_attempts: int,
) -> ChangeSet:
    """Create the change set and wait for it; raise NoChanges or DeployError."""
    kwargs: dict[str, Any] = {
        "StackName": stack_name,
        "ChangeSetName": name,
        "ChangeSetType": change_type,
        "Parameters": list(parameters),
        "Tags": list(tags),
        "Capabilities": list(capabilities),
        "Description": description,
        **template,
    }
    if role_arn:  # the stack's service role: CloudFormation acts with it, not the caller
        kwargs["RoleARN"] = role_arn
    if change_type == "CREATE":
        kwargs["OnStackFailure"] = "DELETE"  # no ROLLBACK_COMPLETE roadblock
    try:
        created = cfn.create_change_set(**kwargs)
    except ClientError as error:
        code, message = _error(error)
        if code == "ValidationError" and _is_empty(message):
            raise NoChanges(message) from None
        raise DeployError(f"CloudFormation refused the change set: {message or code}") from None
    arn, stack_id = created["Id"], created["StackId"]
    waiter = cfn.get_waiter("change_set_create_complete")
    try:
        waiter.wait(ChangeSetName=arn, WaiterConfig={"Delay": delay, "MaxAttempts": max_attempts})
    except WaiterError as error:
        described = error.last_response or {}
        if "Status" not in described:  # timed out or ValidationError: ask directly
            try:
                described = cfn.describe_change_set(ChangeSetName=arn)
            except ClientError:
                described = {}
        reason = str(described.get("StatusReason") or error)
        discard(cfn, arn, stack_id, change_type)
        if described.get("Status") == "FAILED" and _is_empty(reason):
            raise NoChanges(reason) from None
        raise DeployError(
            f"change set {name} failed: {reason} (change set deleted; stack unchanged)"
        ) from None
    changes, property_values = describe_changes(cfn, arn)
    return ChangeSet(arn, name, stack_id, change_type, changes, property_values)
