"""The user JSON Schema and the request schemas derived from it.

``schema.json`` is the one definition of a user's fields. It has three
readers: these handlers (request validation), the template (API Gateway
request models) and the OpenAPI document. The derivation rules live here,
once, so the gateway and the handlers can never disagree on what a valid
body is. Standard library only: this module ships in the Lambda zip.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

SCHEMA_PATH = Path(__file__).with_name("schema.json")

#: The request-body kinds a route can declare (routes.py ``Route.body``).
CREATE = "create"
UPDATE = "update"


@cache
def _user_schema_text() -> str:
    return SCHEMA_PATH.read_text(encoding="utf-8")


def user_schema() -> dict[str, Any]:
    """The full user representation, read-only fields included (a fresh copy)."""
    return json.loads(_user_schema_text())


def read_only_fields() -> tuple[str, ...]:
    """Fields the server sets; a request body naming one is rejected."""
    props = user_schema()["properties"]
    return tuple(name for name, spec in props.items() if spec.get("readOnly"))


def writable_fields() -> tuple[str, ...]:
    """Fields a client may send, in schema order."""
    props = user_schema()["properties"]
    return tuple(name for name, spec in props.items() if not spec.get("readOnly"))


def request_schema(kind: str) -> dict[str, Any]:
    """The draft-04 schema a request body of ``kind`` must satisfy.

    Both kinds accept writable fields only (``additionalProperties: false``)
    and at least one of them. ``create`` keeps the ``required`` list of
    schema.json; ``update`` is a partial update, so nothing is required.
    """
    if kind not in (CREATE, UPDATE):
        raise ValueError(f"unknown request schema kind: {kind!r}")
    full = user_schema()
    writable = {
        name: {key: value for key, value in spec.items() if key != "readOnly"}
        for name, spec in full["properties"].items()
        if not spec.get("readOnly")
    }
    schema: dict[str, Any] = {
        "$schema": full["$schema"],
        "title": f"User{kind.capitalize()}Request",
        "type": "object",
        "properties": copy.deepcopy(writable),
        "additionalProperties": False,
        "minProperties": 1,
    }
    if kind == CREATE:
        schema["required"] = list(full["required"])
    return schema
