"""One readable line per CloudWatch log event, whatever wrote it.

The handlers log one JSON record per request (Lambda's LogFormat JSON:
``timestamp``, ``level``, ``route``, ``status``, ``latency_ms``,
``request_id``), Lambda adds ``platform.*`` records, the handlers' metrics are
EMF documents, and API Gateway writes the access log in the stage's JSON
format. Each kind becomes one line that starts with the time; anything else
(a print, a non-JSON line) is shown as it is, on one line.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any


def _time(milliseconds: int) -> str:
    stamp = datetime.fromtimestamp(milliseconds / 1000, tz=timezone.utc)
    return stamp.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] + "Z"


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _request(record: dict[str, Any]) -> str:
    latency = record.get("latency_ms")
    parts = [
        str(record.get("level", "")).ljust(5),
        str(record.get("route", "-")),
        str(record.get("status", "-")),
        f"{latency}ms" if latency is not None else "-",
        str(record.get("request_id") or record.get("requestId") or "-"),
    ]
    message = record.get("message")
    if message and message != "request":
        parts.append(_one_line(message))
    if record.get("errorType") or record.get("stackTrace"):
        parts.append(_one_line(f"{record.get('errorType', '')}: {record.get('errorMessage', '')}"))
    return " ".join(parts)


def _access(record: dict[str, Any]) -> str:
    latency = record.get("responseLatency")
    return " ".join(
        [
            f"{record.get('httpMethod', '-')} {record.get('resourcePath', '-')}",
            str(record.get("status", "-")),
            f"{latency}ms" if latency not in (None, "-") else "-",
            str(record.get("requestId", "-")),
            *(
                [_one_line(record["errorMessage"])]
                if record.get("errorMessage") not in (None, "-")
                else []
            ),
        ]
    )


def render(event: dict[str, Any], group_label: str = "") -> str:
    """``event`` (FilterLogEvents or live tail shape) as one line."""
    stamp = _time(int(event.get("timestamp", 0)))
    message = str(event.get("message", "")).rstrip("\n")
    prefix = f"{stamp} {group_label} " if group_label else f"{stamp} "
    try:
        record = json.loads(message)
    except ValueError:
        return prefix + _one_line(message)
    if not isinstance(record, dict):
        return prefix + _one_line(message)
    if "_aws" in record:  # an EMF metric document
        metrics = [
            metric["Name"]
            for directive in record["_aws"].get("CloudWatchMetrics", [])
            for metric in directive.get("Metrics", [])
        ]
        return prefix + f"METRIC {', '.join(metrics)} {record.get('request_id', '-')}"
    if str(record.get("type", "")).startswith("platform."):
        detail = record.get("record", {})
        request_id = detail.get("requestId", "-") if isinstance(detail, dict) else "-"
        return prefix + f"{record['type']} {request_id}"
    if "httpMethod" in record and "resourcePath" in record:
        return prefix + _access(record)
    return prefix + _request(record)
