"""The README's table of accepted scanner findings is what the code records."""

from __future__ import annotations

from pathlib import Path

from userapi_stack.scanner import findings_table
from userapi_stack.template import build_template

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_lists_exactly_the_accepted_findings_of_the_default_template() -> None:
    text = README.read_text(encoding="utf-8")
    start, end = "<!-- scanner-table:start -->\n", "<!-- scanner-table:end -->"
    documented = text[text.index(start) + len(start) : text.index(end)]
    assert documented == findings_table(build_template())
