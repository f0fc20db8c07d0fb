"""API keys and the usage plan, as API Gateway applies them to keyed methods.

A method whose template sets ``ApiKeyRequired`` needs an ``x-api-key`` header
naming a key of the stage's usage plan: a missing or unknown key is
INVALID_API_KEY (403), rendered from the template's gateway response like
every other refusal. A known key then spends a token of its own bucket (the
plan's ``Throttle``: THROTTLED, 429) and a unit of its quota for the current
UTC day, week or month (the plan's ``Quota``: QUOTA_EXCEEDED, 429).

Keys are not in the template (their values are secrets): the server is given
them (``userapi local --api-key VALUE``) or makes one at start-up and prints
it, as ``userapi api-key`` prints a deployed stack's.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from .gateway import GatewayError
from .routing import Method
from .template_reader import TemplateReader
from .throttle import TokenBucket

API_KEY_HEADER = "x-api-key"
#: API Gateway refuses imported key values shorter than this.
MIN_KEY_LENGTH = 20


def new_key() -> str:
    """A fresh key value, as long as the ones API Gateway generates (40 characters)."""
    return secrets.token_urlsafe(30)


def period_start(period: str, now: datetime) -> datetime:
    """The UTC start of the quota period ``now`` falls in (weeks start on Monday)."""
    day = now.astimezone(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "DAY":
        return day
    if period == "WEEK":
        return day - timedelta(days=day.weekday())
    if period == "MONTH":
        return day.replace(day=1)
    raise ValueError(f"unknown usage plan quota period {period!r}")


@dataclass(frozen=True)
class UsagePlan:
    """The stage's usage plan: per-key throttle and optional quota."""

    rate: float | None = None
    burst: int | None = None
    quota_limit: int | None = None
    quota_period: str = "MONTH"

    @classmethod
    def from_template(cls, reader: TemplateReader) -> UsagePlan | None:
        """The template's one usage plan (values resolved), or None without one."""
        for logical_id in reader.of_type("AWS::ApiGateway::UsagePlan"):
            props = reader.properties(logical_id)
            throttle = props.get("Throttle", {})
            quota = props.get("Quota", {})
            return cls(
                rate=float(throttle["RateLimit"]) if "RateLimit" in throttle else None,
                burst=int(throttle["BurstLimit"]) if "BurstLimit" in throttle else None,
                quota_limit=int(quota["Limit"]) if "Limit" in quota else None,
                quota_period=str(quota.get("Period", "MONTH")),
            )
        return None


@dataclass
class _KeyState:
    bucket: TokenBucket | None
    period: datetime | None = None
    used: int = 0


@dataclass
class ApiKeyGate:
    """The keys the server knows, each with its bucket and quota count."""

    plan: UsagePlan
    keys: Iterable[str]
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(timezone.utc))

    def __post_init__(self) -> None:
        self._state: dict[str, _KeyState] = {}
        for key in self.keys:
            if len(key) < MIN_KEY_LENGTH:
                raise ValueError(f"an API key must be at least {MIN_KEY_LENGTH} characters")
            has_throttle = self.plan.rate is not None and self.plan.burst is not None
            bucket = TokenBucket(self.plan.rate, self.plan.burst) if has_throttle else None
            self._state[key] = _KeyState(bucket)
        self._lock = threading.Lock()

    @staticmethod
    def key_of(headers: Mapping[str, str]) -> str | None:
        """The ``x-api-key`` header's value (header names are case-insensitive)."""
        return next((v for k, v in headers.items() if k.lower() == API_KEY_HEADER), None)

    def check(self, method: Method, headers: Mapping[str, str]) -> GatewayError | None:
        """None when the request may go on, else the gateway's refusal."""
        if not method.api_key_required:
            return None
        key = self.key_of(headers)
        state = self._state.get(key) if key is not None else None
        if state is None:  # missing or unknown: one answer, no hint which
            return GatewayError("INVALID_API_KEY", "Forbidden", 403)
        if state.bucket is not None and not state.bucket.take():
            return GatewayError("THROTTLED", "Too Many Requests", 429)
        if self.plan.quota_limit is None:
            return None
        with self._lock:
            period = period_start(self.plan.quota_period, self.clock())
            if state.period != period:
                state.period, state.used = period, 0
            if state.used >= self.plan.quota_limit:
                return GatewayError("QUOTA_EXCEEDED", "Limit Exceeded", 429)
            state.used += 1
        return None
