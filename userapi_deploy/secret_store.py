"""An environment's secrets: SecureString parameters the template grants but cannot create.

The names are ``functions/users/settings.py``'s SECRET_PARAMETERS, under the
environment's configuration path (``/dev/api/PAGINATION_KEY``). Values are
written as SecureString with the AWS-managed ``aws/ssm`` key, tagged like the
stack, and never printed, logged or put in an error message: this module
only ever reports names, types and dates. ``require_secrets`` is the deploy's
check: a missing secret the tool can generate (GENERATED_SECRETS) is created
with fresh randomness; any other missing one stops the deploy in one line.
"""

from __future__ import annotations

import secrets as random_source
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from userapi_stack.configuration import environment_config_path
from userapi_stack.handler_code import settings_module

from .errors import DeployError, UsageError

#: SSM's limit for a standard-tier parameter value (bytes).
MAX_VALUE_BYTES = 4096
#: How long a running function keeps what it read (settings.CONFIG_TTL_SECONDS).
CACHE_SECONDS: int = settings_module().CONFIG_TTL_SECONDS


@dataclass(frozen=True)
class SecretState:
    """What SSM says about one declared secret: never its value."""

    name: str
    parameter: str
    #: ``SecureString``, ``String``... or None when it does not exist.
    type: str | None
    last_modified: datetime | None
    version: int | None

    @property
    def ok(self) -> bool:
        return self.type == "SecureString"


def declared() -> dict[str, tuple[str, ...]]:
    """Secret name -> the routes that read it (settings.SECRET_PARAMETERS)."""
    return dict(settings_module().SECRET_PARAMETERS)


def generated() -> dict[str, int]:
    """Secret name -> bytes of randomness, for the secrets the tool can make itself."""
    return dict(settings_module().GENERATED_SECRETS)


def parameter_name(environment: str, name: str) -> str:
    """``/dev/api/PAGINATION_KEY``: the template's CONFIG_PATH for this environment."""
    return environment_config_path(environment) + name


def check_name(name: str) -> str:
    """``name`` if it is a declared secret; a usage error naming the declared ones."""
    if name not in declared():
        known = ", ".join(sorted(declared())) or "none"
        raise UsageError(f"unknown secret {name!r}; declared secrets: {known}")
    return name


def check_value(name: str, value: str) -> str:
    """Reject a value SSM would refuse or that is too weak for a key the tool could generate."""
    if not value or not value.strip():
        raise UsageError(f"secret {name}: the value is empty")
    if value != value.strip():
        raise UsageError(f"secret {name}: the value starts or ends with whitespace")
    if len(value.encode("utf-8")) > MAX_VALUE_BYTES:
        raise UsageError(f"secret {name}: the value is over {MAX_VALUE_BYTES} bytes")
    minimum = len(new_value(name)) if name in generated() else 1
    if len(value) < minimum:
        raise UsageError(
            f"secret {name}: at least {minimum} characters (the length of a generated one); "
            f"use --generate to have one made"
        )
    return value


def new_value(name: str) -> str:
    """Fresh randomness for a generated secret: URL-safe base64 of N random bytes."""
    return random_source.token_urlsafe(generated()[name])


def states(ssm: Any, environment: str) -> list[SecretState]:
    """Every declared secret of ``environment``, in declaration order (one API call)."""
    names = list(declared())
    if not names:
        return []
    parameters = [parameter_name(environment, name) for name in names]
    # No decryption: only the type and metadata are needed, never the value.
    answer = ssm.get_parameters(Names=parameters, WithDecryption=False)
    found = {item["Name"]: item for item in answer.get("Parameters", [])}
    result = []
    for name, parameter in zip(names, parameters):
        item = found.get(parameter)
        result.append(
            SecretState(
                name,
                parameter,
                item.get("Type") if item else None,
                item.get("LastModifiedDate") if item else None,
                item.get("Version") if item else None,
            )
        )
    return result


def put_secret(
    ssm: Any, environment: str, name: str, value: str, tags: list[dict[str, str]]
) -> str:
    """Write ``value`` as the SecureString ``name``; return "created" or "replaced".

    SSM refuses Tags together with Overwrite, so a new parameter is created
    with its tags and an existing one is overwritten, then tagged.
    """
    parameter = parameter_name(environment, name)
    request = {
        "Name": parameter,
        "Value": value,
        "Type": "SecureString",
        "Description": f"userapi secret {name} ({environment}); read by "
        + ", ".join(declared()[name]),
    }
    try:
        ssm.put_parameter(**request, Tags=tags)
        return "created"
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ParameterAlreadyExists":
            raise
    ssm.put_parameter(**request, Overwrite=True)
    ssm.add_tags_to_resource(ResourceType="Parameter", ResourceId=parameter, Tags=tags)
    return "replaced"


def require_secrets(
    ssm: Any,
    environment: str,
    tags: list[dict[str, str]],
    say: Callable[[str], None],
    create: bool = True,
) -> list[str]:
    """Before a deploy: every declared secret exists as a SecureString.

    Generated secrets that are missing are created (and announced); any
    other missing one, or one of the wrong type, raises DeployError in one
    line before anything else in AWS has changed. Returns the names created.
    ``create=False`` (a review, which changes nothing) only announces them.
    """
    current = states(ssm, environment)
    wrong = [s for s in current if s.type is not None and not s.ok]
    if wrong:
        first = wrong[0]
        raise DeployError(
            f"secret {first.parameter} is a {first.type}, not a SecureString: set it again "
            f"with `userapi secret set {first.name} --environment {environment}`"
        )
    missing = [s for s in current if s.type is None]
    by_hand = [s for s in missing if s.name not in generated()]
    if by_hand:
        names = ", ".join(s.parameter for s in by_hand)
        raise DeployError(
            f"missing secret {names}: set it with `userapi secret set {by_hand[0].name} "
            f"--environment {environment}` (nothing was deployed)"
        )
    created = []
    for state in missing:
        if not create:
            say(f"Secret {state.parameter} is missing; the first real deploy will generate it")
            continue
        put_secret(ssm, environment, state.name, new_value(state.name), tags)
        say(
            f"Created secret {state.parameter} (SecureString, aws/ssm key): "
            f"{generated()[state.name]} random bytes, generated because it was missing"
        )
        created.append(state.name)
    return created


def describe(states_: list[SecretState]) -> list[Mapping[str, str]]:
    """Rows for a table of secrets: name, parameter, state, version, date (no values)."""
    rows = []
    for state in states_:
        if state.type is None:
            status = "missing (generated on deploy)" if state.name in generated() else "missing"
        else:
            status = "set" if state.ok else f"wrong type: {state.type}"
        rows.append(
            {
                "secret": state.name,
                "parameter": state.parameter,
                "state": status,
                "version": "" if state.version is None else str(state.version),
                "modified": state.last_modified.isoformat(timespec="seconds")
                if state.last_modified
                else "",
            }
        )
    return rows
