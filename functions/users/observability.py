"""One log record per request, and the business metrics as EMF.

Logs go through the standard ``logging`` module: with the function's
LogFormat JSON, Lambda's runtime turns each record into a JSON object and
the ``extra`` fields (route, method, status, latency_ms, request_id,
cold_start) become top-level keys, queryable in Logs Insights. Nothing from
the request body, headers or query goes into a record: emails and phone
numbers are personal data. A 500's stack trace rides on the same record
(``exc_info``), so there is still one record per request.

Metrics use the CloudWatch Embedded Metric Format: one JSON line on stdout,
which Lambda passes through unchanged and CloudWatch turns into metrics,
with no PutMetricData call (and no IAM permission) needed.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

LOGGER = logging.getLogger("users")

#: The one dimension of every metric; its value comes from CONFIG_PATH.
DIMENSION = "Environment"


def log_request(
    *,
    route: str,
    method: str,
    status: int,
    latency_ms: float,
    request_id: str,
    cold_start: bool,
    exc_info: Any = None,
) -> None:
    """The request's one log record: ERROR (with the stack trace) for a 500, else INFO."""
    level = logging.ERROR if status >= 500 else logging.INFO
    LOGGER.log(
        level,
        "request",
        exc_info=exc_info,
        extra={
            "route": route,
            "method": method,
            "status": status,
            "latency_ms": round(latency_ms, 2),
            "request_id": request_id,
            "cold_start": cold_start,
        },
    )


def emf_record(
    metric: str, namespace: str, environment: str, request_id: str, now_ms: int | None = None
) -> dict[str, Any]:
    """An EMF document counting one ``metric`` in ``namespace`` by Environment."""
    return {
        "_aws": {
            "Timestamp": int(time.time() * 1000) if now_ms is None else now_ms,
            "CloudWatchMetrics": [
                {
                    "Namespace": namespace,
                    "Dimensions": [[DIMENSION]],
                    "Metrics": [{"Name": metric, "Unit": "Count"}],
                }
            ],
        },
        DIMENSION: environment,
        metric: 1,
        # A property, not a dimension: links the metric to the request's log record.
        "request_id": request_id,
    }


def emit_metric(metric: str, namespace: str, environment: str, request_id: str) -> None:
    """Print one EMF line to stdout (Lambda forwards it to CloudWatch as is)."""
    line = json.dumps(emf_record(metric, namespace, environment, request_id), separators=(",", ":"))
    sys.stdout.write(line + "\n")
    sys.stdout.flush()
