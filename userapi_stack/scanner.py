"""Accepted scanner findings, recorded on the resource they concern.

A deliberate trade-off (no VPC, AWS-managed keys, no stage cache...) is a
decision about one resource, so its reason lives in that resource's
``Metadata``, written once, by the code that builds the resource:

    accept(function, Skip("CKV_AWS_117", "no private resource to reach; ..."))

checkov reads ``Metadata.checkov.skip`` (a list of ``{id, comment}``) and
reports the check as skipped with that comment, so the template itself says
why, and the README's security section can be generated from it rather than
kept in step by hand (``accepted_findings``). Anything not accepted here
must pass: tests/test_template_checkov.py scans every option combination.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import Any

from troposphere import AWSObject, Template

from .options import SCAN_EACH, SCAN_FIXED, TemplateOptions

#: checkov's check ids: CKV_AWS_59, CKV2_AWS_75...
CHECK_ID = re.compile(r"^CKV2?_AWS_\d+$")


@dataclass(frozen=True)
class Skip:
    """One checkov check this resource deliberately does not satisfy, and why."""

    check_id: str
    #: One line: the reason a reviewer needs, not a restatement of the check.
    comment: str

    def __post_init__(self) -> None:
        if not CHECK_ID.match(self.check_id):
            raise ValueError(f"not a checkov check id: {self.check_id!r}")
        if not self.comment.strip() or "\n" in self.comment:
            raise ValueError(f"{self.check_id}: the reason must be one non-empty line")


def accept(resource: AWSObject, *skips: Skip) -> AWSObject:
    """Record ``skips`` in ``resource``'s Metadata (kept alongside any other metadata).

    Returns the resource, so a builder can write ``return accept(Function(...), ...)``.
    A check accepted twice on one resource is a mistake (two reasons, one
    decision) and raises.
    """
    metadata: dict[str, Any] = dict(resource.resource.get("Metadata") or {})
    checkov = dict(metadata.get("checkov") or {})
    entries = list(checkov.get("skip") or [])
    known = {entry["id"] for entry in entries}
    for skip in skips:
        if skip.check_id in known:
            raise ValueError(f"{resource.title}: {skip.check_id} is already accepted")
        known.add(skip.check_id)
        entries.append({"id": skip.check_id, "comment": skip.comment})
    checkov["skip"] = entries
    metadata["checkov"] = checkov
    resource.resource["Metadata"] = metadata
    return resource


def accepted_findings(template: Template) -> Iterator[tuple[str, str, str, str]]:
    """(logical id, resource type, check id, reason) of every accepted finding."""
    for title, resource in sorted(template.resources.items()):
        metadata = resource.resource.get("Metadata") or {}
        for entry in (metadata.get("checkov") or {}).get("skip", []):
            yield title, resource.resource_type, entry["id"], entry["comment"]


def _choices(option: Any) -> tuple[Any, ...]:
    if option.type in ("bool", bool):
        return (False, True)
    if "choices" in option.metadata:
        return tuple(option.metadata["choices"])
    raise TypeError(
        f"TemplateOptions.{option.name}: declare its values for the security scan "
        '(a bool, metadata={"choices": ...}, or metadata={"scan": "fixed"}); see options.py'
    )


def option_combinations(options_type: Any = TemplateOptions) -> list[Any]:
    """Every option combination the security scan must see, the default first.

    Feature options (bools, choices) are combined exhaustively; each value of
    a ``scan: each`` option appears at least once, cycled across that grid.
    ``options_type`` is TemplateOptions but for the tests of this function.
    """
    grid: list[tuple[str, tuple[Any, ...]]] = []
    each: list[tuple[str, tuple[Any, ...]]] = []
    for option in fields(options_type):
        if option.metadata.get("scan") == SCAN_FIXED:
            continue
        (each if option.metadata.get("scan") == SCAN_EACH else grid).append(
            (option.name, _choices(option))
        )
    products = list(itertools.product(*(values for _, values in grid)))
    count = max([len(products)] + [len(values) for _, values in each])
    combinations = [options_type()]
    for index in range(count):
        chosen = dict(zip((name for name, _ in grid), products[index % len(products)]))
        chosen.update({name: values[index % len(values)] for name, values in each})
        options = options_type(**chosen)
        if options not in combinations:
            combinations.append(options)
    return combinations


def findings_table(template: Template) -> str:
    """The accepted findings as a Markdown table, one row per (check, reason).

    The README's table is this output (a test keeps them equal), so the
    reasons are written once, in the code that builds each resource.
    """
    rows: dict[tuple[str, str, str], list[str]] = {}
    for title, kind, check, comment in accepted_findings(template):
        rows.setdefault((check, kind, comment), []).append(title)
    lines = ["| check | resources | reason |", "|---|---|---|"]
    for (check, kind, comment), titles in sorted(rows.items()):
        lines.append(f"| `{check}` | {len(titles)} × `{kind}` | {comment} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # python -m userapi_stack.scanner
    from .template import build_template

    print(findings_table(build_template()), end="")
