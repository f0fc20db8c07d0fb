"""The synthesized template, built once per test session and shared.

Synthesis takes ~0.1 s, but the tests read it hundreds of times; this
module caches the default template as a dict and offers small helpers to
look inside it. Not a test module (no ``test_`` prefix).
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from userapi_stack.template import TemplateOptions, build_template, render


@cache
def _default_text() -> str:
    return render(build_template(TemplateOptions()))


def template_dict() -> dict[str, Any]:
    """The default template, parsed from its JSON text (a fresh copy)."""
    return json.loads(_default_text())


def resources_of_type(template: dict[str, Any], resource_type: str) -> dict[str, Any]:
    """Logical id -> resource, for one CloudFormation type."""
    return {
        logical_id: resource
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == resource_type
    }


def resolve(value: Any, parameters: dict[str, str], stack: str) -> Any:
    """Resolve Ref/Fn::Sub of Parameters; other refs become ``<stack>:<id>``.

    Enough to compare the physical names two stacks would get.
    """
    if isinstance(value, dict) and "Ref" in value:
        name = value["Ref"]
        return parameters.get(name, f"<{stack}:{name}>")
    if isinstance(value, dict) and "Fn::Sub" in value:
        text = value["Fn::Sub"]
        return re.sub(
            r"\$\{([^}]+)\}", lambda m: parameters.get(m.group(1), f"<{stack}:{m.group(1)}>"), text
        )
    return value
