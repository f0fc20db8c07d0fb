"""The change-set review as GitHub-flavoured markdown: a pull-request comment, a job summary.

The same facts as the terminal review (review.py): one row per resource
change, the before/after of each changed property, the parameter changes,
and a plain sentence when there is nothing to do. Two things differ because
the text leaves the CI log: account ids are redacted (GitHub masks them in
logs, not in comments or summaries), and the first line is an HTML comment
naming the stack, so a workflow can find and update its own earlier comment
instead of adding one per push.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from .review import ACTION_SYMBOLS, property_diff

#: A 12-digit AWS account id, inside an ARN or alone.
ACCOUNT_ID = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")
REDACTED_ACCOUNT = "<account>"


def marker(stack_name: str) -> str:
    """The first line of every review of this stack (find-and-update key)."""
    return f"<!-- userapi-review {stack_name} -->"


def redact(text: str) -> str:
    """Replace account ids: the review is posted where GitHub's log masking does not reach."""
    return ACCOUNT_ID.sub(REDACTED_ACCOUNT, text)


def cell(value: Any) -> str:
    """One table cell: code-formatted, pipes escaped, newlines folded."""
    text = " ".join(str(value).split())
    if not text:
        return ""
    return "`" + text.replace("`", "'").replace("|", "\\|") + "`"


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def render_markdown(
    *,
    stack_name: str,
    region: str,
    change_type: str | None,
    changes: Sequence[Mapping[str, Any]],
    parameter_changes: Sequence[tuple[str, str, str]] = (),
    outcome: str,
) -> str:
    """The whole review; ``change_type`` None means no change set was needed."""
    title = f"### userapi change set for `{stack_name}` ({region})"
    lines = [marker(stack_name), title, ""]
    if change_type is None or not (changes or parameter_changes):
        lines.append(f"**No changes.** {outcome}")
        return redact("\n".join(lines)) + "\n"
    adds = sum(1 for c in changes if c.get("ResourceChange", {}).get("Action") == "Add")
    mods = sum(1 for c in changes if c.get("ResourceChange", {}).get("Action") == "Modify")
    removes = sum(1 for c in changes if c.get("ResourceChange", {}).get("Action") == "Remove")
    replaced = sum(
        1
        for c in changes
        if c.get("ResourceChange", {}).get("Replacement") in ("True", "Conditional")
    )
    lines.append(
        f"{change_type}: {adds} to add, {mods} to modify, {removes} to remove"
        + (f", **{replaced} replaced (or conditionally)**" if replaced else "")
        + "."
    )
    lines.append("")
    rows = []
    for item in changes:
        change = item.get("ResourceChange", {})
        action = change.get("Action", "?")
        rows.append(
            [
                ACTION_SYMBOLS.get(action, action),
                cell(change.get("LogicalResourceId", "")),
                cell(change.get("ResourceType", "")),
                change.get("Replacement") or "N/A",
            ]
        )
    if rows:
        lines += _table(("Action", "Logical id", "Resource type", "Replacement"), rows)
    for item in changes:
        change = item.get("ResourceChange", {})
        if change.get("Action") != "Modify":
            continue
        diff = property_diff(change)
        if not diff:
            continue
        logical_id = change.get("LogicalResourceId", "")
        lines += ["", f"<details><summary>{logical_id}: {len(diff)} changed</summary>", ""]
        lines += _table(
            ("Property", "Before", "After"), [[cell(p), cell(b), cell(a)] for p, b, a in diff]
        )
        lines += ["", "</details>"]
    if parameter_changes:
        lines += ["", "**Parameters**", ""]
        lines += _table(
            ("Parameter", "Deployed", "New"),
            [[cell(n), cell(old), cell(new)] for n, old, new in parameter_changes],
        )
    lines += ["", outcome]
    return redact("\n".join(lines)) + "\n"
