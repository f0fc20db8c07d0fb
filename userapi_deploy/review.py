"""What a change set will do, as text a reviewer can read before saying yes.

``sam deploy`` shows one line per resource and never what changes inside
it. Here modified resources also list each property that changes, before
and after, from ``DescribeChangeSet(IncludePropertyValues=True)`` where the
endpoint supports it; and the parameter changes are always shown, since they
are computed locally (deployed value vs the value this deploy sends).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

ACTION_SYMBOLS = {"Add": "+ Add", "Modify": "* Modify", "Remove": "- Remove", "Import": "> Import"}
#: Long values are cut in the diff so a policy document cannot flood the screen.
MAX_VALUE_WIDTH = 100


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A plain-text table with a header rule; wide enough for every cell."""
    rows = [list(map(str, row)) for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths)).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(headers), rule, *(line(row) for row in rows)])


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return text if len(text) <= MAX_VALUE_WIDTH else text[: MAX_VALUE_WIDTH - 3] + "..."


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """``{"Code": {"S3Key": "k"}}`` -> ``{"Code.S3Key": "k"}`` (lists indexed ``[i]``)."""
    if isinstance(value, Mapping) and value:
        result: dict[str, Any] = {}
        for key in value:
            result.update(flatten(value[key], f"{prefix}.{key}" if prefix else str(key)))
        return result
    if isinstance(value, list) and value:
        result = {}
        for index, item in enumerate(value):
            result.update(flatten(item, f"{prefix}[{index}]"))
        return result
    return {prefix: value}


def _context(text: str | None) -> dict[str, Any] | None:
    if not text:
        return None
    try:
        parsed = json.loads(text)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def property_diff(change: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """``(property path, before, after)`` for one modified resource.

    Prefers the full before/after property documents (BeforeContext and
    AfterContext); falls back to the per-attribute Details values.
    """
    before = _context(change.get("BeforeContext"))
    after = _context(change.get("AfterContext"))
    if before is not None and after is not None:
        old, new = (
            flatten(before.get("Properties", before)),
            flatten(after.get("Properties", after)),
        )
        keys = sorted(set(old) | set(new))
        return [
            (key, _short(old.get(key, "(absent)")), _short(new.get(key, "(absent)")))
            for key in keys
            if old.get(key) != new.get(key)
        ]
    diffs = []
    for detail in change.get("Details", []):
        target = detail.get("Target", {})
        if "BeforeValue" in target or "AfterValue" in target:
            path = ".".join(p for p in (target.get("Attribute"), target.get("Name")) if p)
            diffs.append(
                (path, _short(target.get("BeforeValue", "")), _short(target.get("AfterValue", "")))
            )
    return diffs


def render_changes(changes: Sequence[Mapping[str, Any]], property_values: bool) -> str:
    """The change table, then the property changes of each modified resource."""
    rows = []
    modified = []
    for item in changes:
        change = item.get("ResourceChange", {})
        action = change.get("Action", "?")
        rows.append(
            (
                ACTION_SYMBOLS.get(action, action),
                change.get("LogicalResourceId", ""),
                change.get("ResourceType", ""),
                change.get("Replacement") or "N/A",
            )
        )
        if action == "Modify":
            modified.append(change)
    parts = [table(("Action", "Logical id", "Resource type", "Replacement"), rows)]
    if not rows:
        parts.append("(no resource changes listed by the endpoint)")
    for change in modified:
        diff = property_diff(change)
        logical_id = change.get("LogicalResourceId", "")
        if diff:
            parts.append(f"\n{logical_id} ({change.get('ResourceType', '')}):")
            parts.extend(f"  {path}: {old} -> {new}" for path, old, new in diff)
    if modified and not any(property_diff(c) for c in modified):
        why = "" if property_values else " (IncludePropertyValues unsupported)"
        parts.append(f"\nProperty values: not reported by this endpoint{why}.")
    return "\n".join(parts)


def parameter_changes(
    previous: Mapping[str, str] | None,
    sent: Sequence[Mapping[str, Any]],
    declared: Mapping[str, Mapping[str, Any]],
) -> list[tuple[str, str, str]]:
    """``(name, deployed value, new value)`` for parameters this deploy changes."""
    changed = []
    for item in sent:
        if item.get("UsePreviousValue"):
            continue
        name, value = item["ParameterKey"], item["ParameterValue"]
        old = (previous or {}).get(name)
        if old != value:
            masked = str(declared.get(name, {}).get("NoEcho", "")).lower() == "true"
            shown_old = "(new)" if old is None else ("****" if masked else old)
            changed.append((name, shown_old, "****" if masked else value))
    return changed


def render_parameter_changes(changes: Sequence[tuple[str, str, str]]) -> str:
    """The parameter table ("Parameter, Deployed, New")."""
    return table(("Parameter", "Deployed", "New"), changes)


def render_outputs(outputs: Sequence[Mapping[str, Any]]) -> str:
    """The stack's outputs as a table (key, value)."""
    rows = [(o["OutputKey"], o.get("OutputValue", "")) for o in outputs]
    return table(("Output", "Value"), sorted(rows))
