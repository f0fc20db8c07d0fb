"""``userapi logs``: the functions' (and the access) log of an environment, one line each.

``--follow`` streams with CloudWatch Logs' live tail (StartLiveTail) where the
endpoint supports it and falls back to FilterLogEvents polling otherwise
(emulators, or an account without the permission). Ctrl-C ends it (exit 0).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from userapi_stack.routes import ROUTES

from ..common import clients_from_args
from ..errors import UserapiError
from ..log_lines import render
from ..stack import add_stack_options, describe, stack_name

#: The access log's logical id in the template (userapi_stack/api.py).
ACCESS_LOG_GROUP = "ApiAccessLogGroup"
#: Seconds between FilterLogEvents polls in follow mode.
POLL_SECONDS = 2.0
_DURATION = re.compile(r"^(\d+)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def since(text: str) -> datetime:
    """``--since``: ``30s``, ``10m``, ``2h``, ``1d`` ago, or an ISO 8601 time (UTC if naive)."""
    match = _DURATION.match(text)
    if match:
        amount, unit = match.groups()
        return datetime.now(timezone.utc) - timedelta(**{_UNITS[unit]: int(amount)})
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a duration (30s, 10m, 2h, 1d) or an ISO 8601 time, got {text!r}"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_stack_options(parser)
    parser.add_argument(
        "--route",
        choices=[route.name for route in ROUTES],
        action="append",
        help="only this route's function (repeatable; default: every function)",
    )
    parser.add_argument("--access", action="store_true", help="also the API's access log")
    parser.add_argument(
        "--since",
        type=since,
        default="10m",
        metavar="WHEN",
        help="start here: 30s, 10m, 2h, 1d ago or an ISO 8601 time (default: 10m)",
    )
    parser.add_argument(
        "--filter",
        metavar="PATTERN",
        help="a CloudWatch Logs filter pattern, e.g. '{ $.status >= 500 }' or ERROR",
    )
    parser.add_argument(
        "--follow", "-f", action="store_true", help="keep printing new events (Ctrl-C stops)"
    )


def _groups(cfn: Any, stack_id: str, routes: Sequence[str], access: bool) -> dict[str, str]:
    """``{log group name: label}`` of the selected routes (and the access log)."""
    wanted = {f"{name}LogGroup": name for name in routes}
    if access:
        wanted[ACCESS_LOG_GROUP] = "ACCESS"
    groups: dict[str, str] = {}
    for page in cfn.get_paginator("list_stack_resources").paginate(StackName=stack_id):
        for item in page.get("StackResourceSummaries", []):
            label = wanted.get(item.get("LogicalResourceId", ""))
            if label and item.get("PhysicalResourceId"):
                groups[item["PhysicalResourceId"]] = label
    missing = sorted(set(wanted.values()) - set(groups.values()))
    if missing:
        raise UserapiError(f"the stack has no log group for {', '.join(missing)}")
    return groups


def _filtered(
    logs: Any, groups: dict[str, str], start_ms: int, pattern: str | None
) -> Iterator[dict[str, Any]]:
    """Every event since ``start_ms`` in every group, oldest first (one paginator per group)."""
    events: list[dict[str, Any]] = []
    paginator = logs.get_paginator("filter_log_events")
    for group, label in groups.items():
        request: dict[str, Any] = {"logGroupName": group, "startTime": start_ms}
        if pattern:
            request["filterPattern"] = pattern
        for page in paginator.paginate(**request):
            for event in page.get("events", []):
                events.append({**event, "_label": label})
    yield from sorted(events, key=lambda e: (e.get("timestamp", 0), e.get("eventId", "")))


def _print(event: dict[str, Any]) -> None:
    print(render(event, event.get("_label", "")), flush=True)


def _poll_forever(
    logs: Any,
    groups: dict[str, str],
    start_ms: int,
    pattern: str | None,
    shown: set[tuple[Any, ...]],
) -> None:
    """Poll for events from ``start_ms`` on until interrupted (``shown``: (time, text) seen)."""
    at_newest: set[str] = set()  # ids already printed with the newest timestamp
    while True:
        newest, printed = start_ms, set(at_newest)
        for event in _filtered(logs, groups, start_ms, pattern):
            stamp, event_id = int(event.get("timestamp", 0)), str(event.get("eventId", ""))
            if event_id in printed or (stamp, event.get("message")) in shown:
                continue
            _print(event)
            if stamp > newest:
                newest, printed = stamp, set()
            if stamp == newest:
                printed.add(event_id)
        # Re-read from the newest time seen: later events may share that millisecond.
        start_ms, at_newest = newest, printed
        time.sleep(POLL_SECONDS)


def _key(event: dict[str, Any], label: str) -> tuple[Any, ...]:
    """What identifies an event in both APIs (live tail results carry no eventId)."""
    return label, event.get("logStreamName"), event.get("timestamp"), event.get("message")


def _live_tail(
    logs: Any, groups: dict[str, str], pattern: str | None, printed: set[tuple[Any, ...]]
) -> int:
    """Stream with StartLiveTail until the session ends; return the newest timestamp seen.

    Raises botocore's errors when the endpoint or the credentials do not allow it.
    Events already in ``printed`` (the history just shown) are not shown twice.
    """
    arns: dict[str, str] = {}
    for group, label in groups.items():
        described = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
        arn = next(g["arn"] for g in described if g["logGroupName"] == group)
        arns[arn.removesuffix(":*")] = label
    request: dict[str, Any] = {"logGroupIdentifiers": list(arns)}
    if pattern:
        request["logEventFilterPattern"] = pattern
    newest = 0
    for message in logs.start_live_tail(**request)["responseStream"]:
        for event in message.get("sessionUpdate", {}).get("sessionResults", []):
            label = arns.get(str(event.get("logGroupIdentifier", "")).removesuffix(":*"))
            if label is not None and _key(event, label) not in printed:
                printed.add(_key(event, label))
                _print({**event, "_label": label})
            newest = max(newest, int(event.get("timestamp", 0)))
    return newest


def _follow(logs: Any, groups: dict[str, str], start_ms: int, pattern: str | None) -> None:
    """The history, then live tail while the endpoint streams, then polling."""
    from botocore.exceptions import BotoCoreError, ClientError

    printed: set[tuple[Any, ...]] = set()
    for event in _filtered(logs, groups, start_ms, pattern):
        printed.add(_key(event, event["_label"]))
        start_ms = max(start_ms, int(event.get("timestamp", 0)))
        _print(event)
    try:
        start_ms = max(start_ms, _live_tail(logs, groups, pattern, printed))
        reason = "the live tail session ended"
    except (ClientError, BotoCoreError) as error:
        reason = f"live tail is unavailable here ({' '.join(str(error).split())})"
    print(
        f"{reason}; following by polling FilterLogEvents every {POLL_SECONDS:g} s",
        file=sys.stderr,
        flush=True,
    )
    _poll_forever(logs, groups, start_ms, pattern, {key[-2:] for key in printed})


def run(args: argparse.Namespace) -> int:
    clients = clients_from_args(args, "cloudformation", "logs")
    name = stack_name(args)
    stack = describe(clients["cloudformation"], name, args.region)
    routes = args.route or [route.name for route in ROUTES]
    groups = _groups(clients["cloudformation"], stack["StackId"], routes, args.access)
    start_ms = int(args.since.timestamp() * 1000)
    logs = clients["logs"]
    if not args.follow:
        for event in _filtered(logs, groups, start_ms, args.filter):
            _print(event)
        return 0
    try:
        _follow(logs, groups, start_ms, args.filter)
    except KeyboardInterrupt:
        return 0
    return 0
