"""AWS clients and runtime configuration, once per container.

Why module level: Lambda runs module code in the INIT phase, once per
container, so the two botocore clients are built there and reused by every
request (creating a client costs tens of milliseconds; a request must not
pay it). botocore is used directly rather than through boto3: the clients
are the same objects, and skipping ``import boto3`` (its resource layer)
saves import time. The garbage collector is paused while the clients are
built: loading the service models allocates hundreds of thousands of small
objects and the collections this triggers were most of the cost of the
second client. Everything allocated so far (modules, service models,
clients) lives as long as the container, so it is then frozen
(``gc.freeze``) before collection resumes: otherwise the first collection
after ``gc.enable()`` would scan all of it at once, in the INIT phase, and
later ones again (bench/cold_start.py measures the difference).

Configuration (APP_NAME, CORS_ALLOW_ORIGIN) lives in SSM under CONFIG_PATH.
It is read with one GetParameters call on the first request of a container
and again only after ``settings.CONFIG_TTL_SECONDS``; a failed refresh keeps
the values already held, so an SSM outage does not fail warm containers.
"""

from __future__ import annotations

import gc
import logging
import os
import time
from dataclasses import dataclass
from typing import Any, Callable

from . import settings

_gc_was_enabled = gc.isenabled()
gc.disable()
try:
    import botocore.session
    from botocore.config import Config as _BotoConfig

    #: Short timeouts: API Gateway gives up after 29 s and the function after
    #: 10 s; a stuck connection should fail fast and be retried by botocore.
    BOTO_CONFIG = _BotoConfig(
        connect_timeout=2, read_timeout=5, retries={"mode": "standard", "max_attempts": 3}
    )
    _SESSION = botocore.session.get_session()
    DYNAMODB: Any = _SESSION.create_client("dynamodb", config=BOTO_CONFIG)
    SSM: Any = _SESSION.create_client("ssm", config=BOTO_CONFIG)
finally:
    # Objects that live as long as the container: never worth scanning again.
    gc.freeze()
    if _gc_was_enabled:
        gc.enable()

LOGGER = logging.getLogger("users.config")

#: Used for a parameter that does not exist in SSM; they match the template's
#: parameter defaults (AppName, CorsAllowOrigin).
DEFAULTS = {"APP_NAME": "userapi", "CORS_ALLOW_ORIGIN": "*"}


@dataclass(frozen=True)
class AppConfig:
    """The runtime configuration the handlers use."""

    app_name: str
    cors_allow_origin: str


#: What an answer that cannot wait for SSM uses: only a 500 when the very
#: first read of a container fails (the CORS header must still be present).
FALLBACK = AppConfig(DEFAULTS["APP_NAME"], DEFAULTS["CORS_ALLOW_ORIGIN"])


def config_path() -> str:
    """CONFIG_PATH with exactly one trailing slash (e.g. ``/dev/api/``)."""
    path = os.environ.get(settings.ENV_CONFIG_PATH, "/")
    return path if path.endswith("/") else path + "/"


def environment_name() -> str:
    """The environment, taken from CONFIG_PATH's first segment (``/dev/api/`` -> ``dev``)."""
    segments = [part for part in config_path().split("/") if part]
    return segments[0] if segments else "unknown"


class ConfigCache:
    """SSM configuration, read once and kept for ``ttl`` seconds."""

    def __init__(
        self,
        client: Any,
        ttl: float = settings.CONFIG_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._ttl = ttl
        self._clock = clock
        self._value: AppConfig | None = None
        self._expires = 0.0

    def get(self) -> AppConfig:
        """The current configuration; reads SSM only when absent or expired."""
        now = self._clock()
        if self._value is not None and now < self._expires:
            return self._value
        try:
            self._value = self._read()
        except Exception:
            if self._value is None:
                raise
            LOGGER.warning("configuration refresh failed; keeping the values held", exc_info=True)
        self._expires = now + self._ttl
        return self._value

    def clear(self) -> None:
        """Forget the values (a new container would); the next get() reads SSM."""
        self._value = None
        self._expires = 0.0

    def _read(self) -> AppConfig:
        prefix = config_path()
        names = [prefix + name for name in settings.CONFIG_PARAMETERS]
        answer = self._client.get_parameters(Names=names)
        found = {p["Name"][len(prefix) :]: p["Value"] for p in answer.get("Parameters", [])}
        missing = [name for name in settings.CONFIG_PARAMETERS if name not in found]
        if missing:
            LOGGER.warning("SSM parameters missing, using defaults: %s", ", ".join(missing))
        values = {name: found.get(name, DEFAULTS[name]) for name in settings.CONFIG_PARAMETERS}
        return AppConfig(values["APP_NAME"], values["CORS_ALLOW_ORIGIN"])


CONFIG = ConfigCache(SSM)
