"""The markdown change-set review (``--review-markdown``): a PR comment and a job summary."""

from __future__ import annotations

import json

from userapi_deploy.review_markdown import marker, render_markdown

ROLE_BEFORE = "arn:aws:iam::123456789012:role/userapi-dev-GetUserRole-OLD"
ROLE_AFTER = "arn:aws:iam::123456789012:role/userapi-dev-GetUserRole-NEW"
CHANGES = [
    {
        "ResourceChange": {
            "Action": "Add",
            "LogicalResourceId": "AuditTable",
            "ResourceType": "AWS::DynamoDB::Table",
        }
    },
    {
        "ResourceChange": {
            "Action": "Modify",
            "LogicalResourceId": "GetUserFunction",
            "ResourceType": "AWS::Lambda::Function",
            "Replacement": "False",
            "BeforeContext": json.dumps({"Properties": {"MemorySize": 256, "Role": ROLE_BEFORE}}),
            "AfterContext": json.dumps({"Properties": {"MemorySize": 512, "Role": ROLE_AFTER}}),
        }
    },
    {
        "ResourceChange": {
            "Action": "Modify",
            "LogicalResourceId": "RestApi",
            "ResourceType": "AWS::ApiGateway::RestApi",
            "Replacement": "True",
        }
    },
    {
        "ResourceChange": {
            "Action": "Remove",
            "LogicalResourceId": "OldAlarm",
            "ResourceType": "AWS::CloudWatch::Alarm",
        }
    },
]


def _render(**overrides) -> str:
    arguments = {
        "stack_name": "userapi-dev",
        "region": "us-east-1",
        "change_type": "UPDATE",
        "changes": CHANGES,
        "parameter_changes": [("FunctionMemorySize", "256", "512"), ("ApiKey", "****", "****")],
        "outcome": "Review only: the change set was deleted and nothing was changed.",
    }
    return render_markdown(**{**arguments, **overrides})


def test_first_line_is_the_marker_a_workflow_finds_its_comment_by() -> None:
    text = _render()
    assert text.splitlines()[0] == "<!-- userapi-review userapi-dev -->" == marker("userapi-dev")
    assert text.splitlines()[1] == "### userapi change set for `userapi-dev` (us-east-1)"


def test_summary_line_counts_actions_and_calls_out_replacements() -> None:
    assert "UPDATE: 1 to add, 2 to modify, 1 to remove, **1 replaced (or conditionally)**." in (
        _render().splitlines()
    )


def test_one_table_row_per_resource_change() -> None:
    lines = _render().splitlines()
    start = lines.index("| Action | Logical id | Resource type | Replacement |")
    assert lines[start + 1] == "|---|---|---|---|"
    assert lines[start + 2 : start + 6] == [
        "| + Add | `AuditTable` | `AWS::DynamoDB::Table` | N/A |",
        "| * Modify | `GetUserFunction` | `AWS::Lambda::Function` | False |",
        "| * Modify | `RestApi` | `AWS::ApiGateway::RestApi` | True |",
        "| - Remove | `OldAlarm` | `AWS::CloudWatch::Alarm` | N/A |",
    ]


def test_property_changes_fold_under_details_with_account_ids_redacted() -> None:
    text = _render()
    assert "<details><summary>GetUserFunction: 2 changed</summary>" in text
    assert "| `MemorySize` | `256` | `512` |" in text
    assert (
        "| `Role` | `arn:aws:iam::<account>:role/userapi-dev-GetUserRole-OLD` | "
        "`arn:aws:iam::<account>:role/userapi-dev-GetUserRole-NEW` |"
    ) in text
    assert "123456789012" not in text
    assert "RestApi: " not in text  # no property values reported: no empty details block


def test_parameter_table_keeps_noecho_values_masked() -> None:
    lines = _render().splitlines()
    start = lines.index("| Parameter | Deployed | New |")
    assert lines[start + 2 : start + 4] == [
        "| `FunctionMemorySize` | `256` | `512` |",
        "| `ApiKey` | `****` | `****` |",
    ]
    assert lines[-1] == "Review only: the change set was deleted and nothing was changed."


def test_no_changes_is_one_plain_sentence() -> None:
    text = _render(change_type=None, changes=[], parameter_changes=[], outcome="Up to date.")
    assert text == (
        "<!-- userapi-review userapi-dev -->\n"
        "### userapi change set for `userapi-dev` (us-east-1)\n"
        "\n"
        "**No changes.** Up to date.\n"
    )


def test_cells_cannot_break_the_table() -> None:
    text = _render(
        changes=[],
        parameter_changes=[("CorsAllowOrigin", "a|b", "line one\nline `two`")],
    )
    assert "| `CorsAllowOrigin` | `a\\|b` | `line one line 'two'` |" in text
