"""Stack parameters and tags from the command line, checked against the template.

The template's own Parameters section is the only list of valid keys, so a
misspelt ``--parameter`` is a usage error before any AWS call, and values are
checked against the same rules CloudFormation applies (AllowedValues,
AllowedPattern, Min/MaxLength, Min/MaxValue) so a typo costs no round trip.
On update, a parameter nobody gives keeps its deployed value
(``UsePreviousValue``), as ``sam deploy`` does; one the stack never had
takes the template default.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from userapi_stack.cli_args import split_key_value
from userapi_stack.options import DEFAULT_TAGS, validate_tag

from .errors import UsageError

#: Parameters the deploy script sets itself (from its own options and checks).
ENVIRONMENT = "Environment"
APP_NAME = "AppName"
ARTIFACT_BUCKET = "ArtifactBucket"
ARTIFACT_KEY = "ArtifactKey"
ACCOUNT_ROLE = "CreateApiGatewayAccountRole"


def parse_pairs(pairs: Iterable[str], what: str) -> dict[str, str]:
    """``["K=V", ...]`` -> ``{"K": "V"}``; a later key wins."""
    result: dict[str, str] = {}
    for text in pairs:
        try:
            key, value = split_key_value(text)
        except ValueError:
            raise UsageError(f"{what} expects KEY=VALUE, got {text!r}") from None
        result[key] = value
    return result


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def check_value(name: str, value: str, declaration: Mapping[str, Any]) -> None:
    """Raise ``UsageError`` when CloudFormation would reject ``value``."""
    allowed = declaration.get("AllowedValues")
    if allowed is not None and value not in [str(item) for item in allowed]:
        raise UsageError(f"parameter {name}={value!r}: allowed values are {', '.join(allowed)}")
    pattern = declaration.get("AllowedPattern")
    if pattern is not None and not re.fullmatch(pattern, value):
        raise UsageError(f"parameter {name}={value!r} does not match {pattern}")
    if "MinLength" in declaration and len(value) < int(declaration["MinLength"]):
        raise UsageError(f"parameter {name}: at least {declaration['MinLength']} characters")
    if "MaxLength" in declaration and len(value) > int(declaration["MaxLength"]):
        raise UsageError(f"parameter {name}: at most {declaration['MaxLength']} characters")
    if declaration.get("Type") == "Number":
        number = _number(value)
        if number is None:
            raise UsageError(f"parameter {name}={value!r} is not a number")
        if "MinValue" in declaration and number < float(declaration["MinValue"]):
            raise UsageError(f"parameter {name}={value}: minimum is {declaration['MinValue']}")
        if "MaxValue" in declaration and number > float(declaration["MaxValue"]):
            raise UsageError(f"parameter {name}={value}: maximum is {declaration['MaxValue']}")


def check_overrides(
    overrides: Mapping[str, str], declared: Mapping[str, Mapping[str, Any]]
) -> None:
    """Every key must be a template Parameter and every value acceptable."""
    for name, value in overrides.items():
        if name not in declared:
            raise UsageError(
                f"unknown parameter {name!r}; the template declares: {', '.join(sorted(declared))}"
            )
        check_value(name, value, declared[name])


def stack_parameters(
    declared: Mapping[str, Mapping[str, Any]],
    values: Mapping[str, str],
    previous: Mapping[str, str] | None,
) -> list[dict[str, Any]]:
    """The ``Parameters`` of a change set.

    ``values`` are set explicitly. On create (``previous`` is None) every
    other parameter is sent with its template default, so the review shows
    the whole configuration and the stack records every value. On update
    (``previous`` is the deployed stack's parameters) every other parameter
    the stack already has keeps its value; one new to the stack gets its
    default.
    """
    result: list[dict[str, Any]] = []
    for name in sorted(declared):
        if name in values:
            result.append({"ParameterKey": name, "ParameterValue": values[name]})
        elif previous is not None and name in previous:
            result.append({"ParameterKey": name, "UsePreviousValue": True})
        elif "Default" in declared[name]:
            value = str(declared[name]["Default"])
            result.append({"ParameterKey": name, "ParameterValue": value})
    return result


def stack_tags(app_name: str, environment: str, extra: Mapping[str, str]) -> list[dict[str, str]]:
    """The common tags (as the template applies them) plus ``--tag`` values.

    CloudFormation copies stack tags to every resource that supports tags,
    including the ones the template cannot tag itself.
    """
    tags = {"Application": app_name, **DEFAULT_TAGS}
    for key, value in extra.items():
        try:
            validate_tag(key, value)
        except ValueError as error:
            raise UsageError(f"--tag {key}: {error}") from None
        tags[key] = value
    tags["Environment"] = environment
    return [{"Key": key, "Value": value} for key, value in sorted(tags.items())]
