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

Configuration (APP_NAME, CORS_ALLOW_ORIGIN) and the secrets a route reads
(``settings.SECRET_PARAMETERS``, SecureString) live in SSM under CONFIG_PATH.
They are read together, with one ``GetParameters(WithDecryption=True)`` call
on the first request of a container and again only after
``settings.CONFIG_TTL_SECONDS``; a failed refresh keeps the values already
held, so an SSM outage does not fail warm containers. Secret values never
appear in a repr, a log record or an error: a missing secret is logged by
its parameter name only.
"""

from __future__ import annotations

import gc
import logging
import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Callable

from . import settings

_gc_was_enabled = gc.isenabled()
gc.disable()
try:
    import botocore.session
    from botocore.config import Config as _BotoConfig

    #: Short timeouts: the function gives up after 5 s (the template's
    #: Timeout). DynamoDB and SSM answer in milliseconds, so 1 s to connect
    #: and 2 s to read, tried twice, fail a stuck call within ~4 s: a logged
    #: 500 from the handler, before Lambda's timeout.
    BOTO_CONFIG = _BotoConfig(
        connect_timeout=1, read_timeout=2, retries={"mode": "standard", "max_attempts": 2}
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
#: botocore's DEBUG records carry whole request and response bodies: the
#: decrypted secrets of GetParameters and users' personal data. Whatever log
#: level the function is given (ApplicationLogLevel), they never go out.
logging.getLogger("botocore").setLevel(logging.INFO)

#: Used for a parameter that does not exist in SSM; they match the template's
#: parameter defaults (AppName, CorsAllowOrigin).
DEFAULTS = {"APP_NAME": "userapi", "CORS_ALLOW_ORIGIN": "*"}


class MissingSecret(Exception):
    """A secret the route reads is not in SSM as a SecureString (a 500, logged by name)."""

    def __init__(self, parameter: str) -> None:
        super().__init__(parameter)
        self.parameter = parameter


@dataclass(frozen=True)
class AppConfig:
    """The runtime configuration the handlers use."""

    app_name: str
    cors_allow_origin: str
    #: Secret values by name (settings.SECRET_PARAMETERS): kept out of every
    #: repr and comparison, so no log or traceback can carry one.
    secrets: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    def secret(self, name: str) -> str:
        """The value of secret ``name``; MissingSecret when SSM did not have it."""
        value = self.secrets.get(name)
        if value is None:
            raise MissingSecret(config_path() + name)
        return value


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
        self._secret_names: frozenset[str] = frozenset()

    def get(self, secrets: Iterable[str] = ()) -> AppConfig:
        """The current configuration with ``secrets``; reads SSM only when absent or expired.

        A Lambda container serves one route, so it always asks for the same
        secrets; a process serving several (the local server) reads again
        the first time a route needs a secret not held yet.
        """
        now = self._clock()
        wanted = self._secret_names | frozenset(secrets)
        if self._value is not None and now < self._expires and wanted == self._secret_names:
            return self._value
        try:
            self._value = self._read(wanted)
            self._secret_names = wanted
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
        self._secret_names = frozenset()

    def _read(self, secret_names: frozenset[str]) -> AppConfig:
        prefix = config_path()
        secrets = [name for name in settings.SECRET_PARAMETERS if name in secret_names]
        names = [prefix + name for name in (*settings.CONFIG_PARAMETERS, *secrets)]
        answer = self._client.get_parameters(Names=names, WithDecryption=True)
        found = {p["Name"][len(prefix) :]: p for p in answer.get("Parameters", [])}
        missing = [name for name in settings.CONFIG_PARAMETERS if name not in found]
        if missing:
            LOGGER.warning("SSM parameters missing, using defaults: %s", ", ".join(missing))
        values = {
            name: found[name]["Value"] if name in found else DEFAULTS[name]
            for name in settings.CONFIG_PARAMETERS
        }
        held = {
            name: found[name]["Value"]
            for name in secrets
            if name in found and found[name].get("Type") == "SecureString"
        }
        for name in secrets:
            if name not in held:  # by name only: never a value
                LOGGER.error(
                    "SSM secret %s%s is missing or not a SecureString; "
                    "requests that need it answer 500 (set it with: userapi secret set %s)",
                    prefix,
                    name,
                    name,
                )
        return AppConfig(values["APP_NAME"], values["CORS_ALLOW_ORIGIN"], held)


CONFIG = ConfigCache(SSM)
