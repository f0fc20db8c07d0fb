"""Schema patterns mean in the handlers what they mean in JSON Schema (ECMA-262).

Found by schemathesis: an email with U+001E in it matches schema.json's
pattern (ECMA ``\\s`` does not include it) but Python's ``\\s`` does, so the
handler refused a schema-valid body with 400.
"""

from __future__ import annotations

import pytest
from users import model

EMAIL = r"^\s*[^\s@]+@[^\s@]+\.[^\s@]+\s*$"


@pytest.mark.parametrize(
    ("value", "matches"),
    [
        ("a\x1eb@example.com", True),  # record separator: not ECMA whitespace
        ("a\x85b@example.com", True),  # NEL: not ECMA whitespace
        ("a\ufeffb@example.com", False),  # BOM: ECMA whitespace
        ("a\u00a0b@example.com", False),  # no-break space
        ("a\u2028b@example.com", False),  # line separator
        ("  a@example.com\t", True),
        ("a@example.com\n", True),  # \s* then end, not Python's "before a final newline"
        ("a@examplecom", False),
    ],
)
def test_whitespace_is_ecma_whitespace(value: str, matches: bool) -> None:
    assert bool(model.compile_pattern(EMAIL).search(value)) is matches


def test_dollar_does_not_match_before_a_final_newline() -> None:
    assert not model.compile_pattern(r"^\+[1-9][0-9]{6,14}$").search("+4420718387\n")


def test_trimming_uses_the_same_whitespace() -> None:
    changes = model.parse_create({"email": "\ufeffAda@Example.com\u3000", "name": "\x1eAda\x1e"})
    assert changes.set_fields == {"email": "ada@example.com", "name": "\x1eAda\x1e"}
    with pytest.raises(model.ApiError):
        model.parse_create({"email": "a@example.com", "name": "\u3000\ufeff"})
