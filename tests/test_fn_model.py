"""Schema patterns mean in the handlers what they mean in JSON Schema (ECMA-262).

Found by schemathesis: an email with U+001E in it matches schema.json's
pattern (ECMA ``\\s`` does not include it) but Python's ``\\s`` does, so the
handler refused a schema-valid body with 400.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
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


# -- the canonical email (README "API": one form, every rule applied to it) --


def test_canonically_equivalent_emails_are_one_address() -> None:
    composed = "jos\u00e9@example.com"  # é as one code point (NFC)
    decomposed = "jose\u0301@example.com"  # e + COMBINING ACUTE ACCENT (NFD)
    assert composed != decomposed
    assert model.canonical_email(decomposed) == model.canonical_email(composed) == composed
    assert model.canonical_email(" JOSE\u0301@Example.COM ") == composed


def test_compatibility_forms_stay_distinct() -> None:
    assert model.canonical_email("\uff41@example.com") != "a@example.com"  # FULLWIDTH a


def test_the_length_rule_applies_to_the_canonical_form() -> None:
    # U+0130 lower-cases to two code points (i + COMBINING DOT ABOVE): 132 sent, 257 stored.
    sent = "\u0130" * 125 + "@ex.com"
    assert len(sent) <= 254 < len(model.canonical_email(sent))
    with pytest.raises(model.ApiError) as refused:
        model.parse_create({"email": sent, "name": "Ada"})
    assert refused.value.message == "email: must be at most 254 characters"
    with pytest.raises(model.ApiError):
        model.parse_update({"email": sent})


text = st.text(st.characters(codec="utf-8"), max_size=40)


@settings(max_examples=300, deadline=None)
@given(text)
def test_the_canonical_form_is_stable_and_ignores_the_normalization_sent(value: str) -> None:
    canonical = model.canonical_email(value)
    assert model.canonical_email(canonical) == canonical
    for form in ("NFC", "NFD"):
        assert model.canonical_email(unicodedata.normalize(form, value)) == canonical
