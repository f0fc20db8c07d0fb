"""Every taggable resource carries every common tag.

"Taggable" comes from the resource schemas bundled with the installed
cfn-lint (the same data the linter validates against), not from
troposphere, so a class that forgot its Tags property would be caught.
"""

from __future__ import annotations

from typing import Any

import pytest
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER
from stack_fixture import template_dict

from userapi_stack.template import TemplateOptions, build_template, render

EXPECTED_TAGS = {
    "Application": {"Ref": "AppName"},
    "Environment": {"Ref": "Environment"},
    "ManagedBy": "userapi",
}


def _taggable(resource_type: str) -> bool:
    schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", resource_type)
    return "Tags" in schema.schema.get("properties", {})


def _as_dict(tags: Any) -> dict[str, Any]:
    if isinstance(tags, dict):  # AWS::SSM::Parameter: a plain map
        return tags
    return {tag["Key"]: tag["Value"] for tag in tags}


def test_schema_lookup_tells_taggable_from_untaggable() -> None:
    assert _taggable("AWS::Lambda::Function")
    assert not _taggable("AWS::ApiGateway::Method")


def test_every_taggable_resource_carries_every_common_tag() -> None:
    resources = template_dict()["Resources"]
    taggable = {k: r for k, r in resources.items() if _taggable(r["Type"])}
    # Sanity: the stack has many taggable types (functions, tables, roles, ...).
    assert {"AWS::Lambda::Function", "AWS::DynamoDB::Table", "AWS::SSM::Parameter"} <= {
        r["Type"] for r in taggable.values()
    }
    for logical_id, resource in taggable.items():
        tags = _as_dict(resource["Properties"].get("Tags", []))
        assert tags == EXPECTED_TAGS, logical_id


def test_tag_option_is_merged_over_the_defaults() -> None:
    import json

    options = TemplateOptions(tags=(("ManagedBy", "platform-team"), ("CostCenter", "42")))
    template = json.loads(render(build_template(options)))
    tags = _as_dict(template["Resources"]["UsersTable"]["Properties"]["Tags"])
    assert tags == {**EXPECTED_TAGS, "ManagedBy": "platform-team", "CostCenter": "42"}


@pytest.mark.parametrize("key", ["Environment", "aws:created-by", ""])
def test_reserved_or_invalid_tag_keys_are_refused(key: str) -> None:
    with pytest.raises(ValueError):
        TemplateOptions(tags=((key, "x"),))
