"""Stage throttling: the token bucket API Gateway applies per stage.

Rate and burst come from the Stage's ``MethodSettings`` for ``*`` ``/*``
(the template's ThrottlingRateLimit / ThrottlingBurstLimit parameters), so
``--parameter ThrottlingBurstLimit=1`` makes 429s reproducible locally.
"""

from __future__ import annotations

import threading
import time

from .template_reader import TemplateReader


class TokenBucket:
    """``burst`` tokens, refilled at ``rate`` per second; one per request."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self._tokens = float(burst)
        self._updated = time.monotonic()
        self._lock = threading.Lock()

    def take(self) -> bool:
        """True if the request may go on, False if it is throttled."""
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
            self._updated = now
            if self._tokens >= 1:
                self._tokens -= 1
                return True
            return False


def stage_bucket(reader: TemplateReader) -> TokenBucket | None:
    """The stage-wide bucket, or None when the template sets no throttling."""
    for logical_id in reader.of_type("AWS::ApiGateway::Stage"):
        for setting in reader.property(logical_id, "MethodSettings", []):
            if setting.get("HttpMethod") == "*" and setting.get("ResourcePath") == "/*":
                rate = setting.get("ThrottlingRateLimit")
                burst = setting.get("ThrottlingBurstLimit")
                if rate is not None and burst is not None:
                    return TokenBucket(float(rate), int(burst))
    return None
