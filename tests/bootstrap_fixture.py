"""The bootstrap template for a sample repository, built once and shared (not a test module)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from userapi_stack.bootstrap import BootstrapOptions, build_bootstrap_template
from userapi_stack.template import render

REPO = "octo-org/users-api"


@cache
def bootstrap_text(**options: Any) -> str:
    return render(build_bootstrap_template(BootstrapOptions(REPO, **options)))


def bootstrap_dict(**options: Any) -> dict[str, Any]:
    """A fresh parsed copy (default options unless given)."""
    return json.loads(bootstrap_text(**options))


def role(template: dict[str, Any], logical_id: str) -> dict[str, Any]:
    return template["Resources"][logical_id]["Properties"]


def statements(template: dict[str, Any], logical_id: str) -> list[dict[str, Any]]:
    [policy] = role(template, logical_id)["Policies"]
    return policy["PolicyDocument"]["Statement"]


def subs(resources: list[Any]) -> list[str]:
    """``[{"Fn::Sub": "x"}, "*"]`` -> ``["x", "*"]`` (GetAtts stay as they are)."""
    return [r["Fn::Sub"] if isinstance(r, dict) and "Fn::Sub" in r else r for r in resources]
