"""Stack events, printed as they happen, driven by the waiter's own polls.

The stack waiters already poll ``DescribeStacks`` every ``Delay`` seconds.
Rather than a second loop with its own ``sleep`` (what SAM does), a botocore
``after-call`` hook on ``DescribeStacks`` fetches the events that are new
since the last poll each time the waiter polls. One cadence, one timeout
(the waiter's), no sleep in this code; and the final poll that ends the wait
also prints the final events.

Only events of this operation are shown: paging stops at the newest event
that existed before execution (the marker), so a long-lived stack's history
is never re-read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import TracebackType
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

log = logging.getLogger(__name__)

HOOK = "after-call.cloudformation.DescribeStacks"


def latest_event_id(cfn: Any, stack_id: str) -> str | None:
    """The id of the newest event so far (one call, first page only)."""
    events = cfn.describe_stack_events(StackName=stack_id).get("StackEvents", [])
    return events[0]["EventId"] if events else None


#: Column widths of the event lines (they are printed as they come, so fixed).
WIDTHS = (8, 28, 34, 36)


def _line(cells: tuple[str, str, str, str, str]) -> str:
    fixed = "  ".join(cell.ljust(width) for cell, width in zip(cells, WIDTHS))
    return f"{fixed}  {cells[-1]}".rstrip()


class EventStream:
    """Prints a stack's new events each time the waiter polls the stack."""

    def __init__(
        self, cfn: Any, stack_id: str, marker: str | None, write: Callable[[str], None]
    ) -> None:
        self.cfn = cfn
        self.stack_id = stack_id
        self.marker = marker
        self.write = write
        self.seen: set[str] = set()
        self.events: list[dict[str, Any]] = []
        self._header_written = False
        self._unique_id = f"userapi-deploy-events-{id(self)}"

    def __enter__(self) -> EventStream:
        self.cfn.meta.events.register(HOOK, self._on_poll, unique_id=self._unique_id)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.cfn.meta.events.unregister(HOOK, unique_id=self._unique_id)

    def _on_poll(self, **_: Any) -> None:
        try:
            self.poll()
        except (ClientError, BotoCoreError) as error:  # events are a view, not the verdict
            log.debug("could not read stack events: %s", error)

    def _new_events(self) -> list[dict[str, Any]]:
        fresh: list[dict[str, Any]] = []
        paginator = self.cfn.get_paginator("describe_stack_events")
        for page in paginator.paginate(StackName=self.stack_id):
            for event in page.get("StackEvents", []):
                event_id = event["EventId"]
                if event_id == self.marker or event_id in self.seen:
                    return fresh
                fresh.append(event)
        return fresh

    def poll(self) -> None:
        """Print the events that are new since the last poll, oldest first."""
        fresh = list(reversed(self._new_events()))
        if not fresh:
            return
        for event in fresh:
            self.seen.add(event["EventId"])
        self.events.extend(fresh)
        if not self._header_written:
            self.write(_line(("Time", "Status", "Type", "Logical id", "Reason")))
            self._header_written = True
        for event in fresh:
            stamp = event["Timestamp"].strftime("%H:%M:%S") if "Timestamp" in event else ""
            self.write(
                _line(
                    (
                        stamp,
                        event.get("ResourceStatus", ""),
                        event.get("ResourceType", ""),
                        event.get("LogicalResourceId", ""),
                        event.get("ResourceStatusReason") or "",
                    )
                )
            )

    def failures(self) -> list[tuple[str, str, str]]:
        """``(logical id, type, reason)`` of every resource that failed in this operation."""
        return [
            (
                event.get("LogicalResourceId", ""),
                event.get("ResourceType", ""),
                event.get("ResourceStatusReason") or "(no reason given)",
            )
            for event in self.events
            if str(event.get("ResourceStatus", "")).endswith("_FAILED")
        ]
