"""Request-body validation and normalization, driven by schema.json.

The validator implements the draft-04 subset the user schema uses (type,
required, properties, additionalProperties, minProperties, minLength,
maxLength, pattern, minimum), so the handlers accept exactly what the API
Gateway request models accept, from the same document (``schema.py``).
Messages name the field (``email: not a valid address``) and are safe to
show: they never echo a value, and a client-chosen key is length-bounded.

Normalization follows validation: strings are trimmed and an email takes
its canonical form (``canonical_email``); ``null`` on create means
"absent"; ``null`` on update removes ``phone`` / ``locale`` (the schema
allows null only where removal is allowed). The rules are then checked again
on the normalized values, so what is stored obeys every rule too (the
request models can only check the text as sent).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

from . import schema
from .http import ApiError, quote_name

#: What a pattern failure means, per field; the default is generic.
PATTERN_MESSAGES = {
    "email": "not a valid address",
    "name": "must not be blank",
    "phone": "not an E.164 number (+ then 7 to 15 digits, the first not 0)",
    "locale": "not a BCP 47 language tag",
}

_JSON_TYPES = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
}

_ARTICLES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "object": "an object",
    "array": "an array",
}


def invalid(message: str) -> ApiError:
    return ApiError(400, "validation_failed", message)


#: ECMA-262 ``\s`` (WhiteSpace and LineTerminator), as a regex class body.
#: Python's ``\s`` differs: it also matches U+001C..U+001F and U+0085, and
#: not U+FEFF, so a schema-valid email could be refused (or a blank name kept).
_ECMA_SPACE_CLASS = r"\t\n\x0b\x0c\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
#: The same characters, for trimming.
ECMA_SPACE = (
    "\t\n\x0b\x0c\r \xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + "\u2028\u2029\u202f\u205f\u3000\ufeff"
)


def _ecma_to_python(pattern: str) -> str:
    """Rewrite the ECMA-only meanings: ``$`` (no final-newline match), ``\\s``, ``\\S``."""
    out: list[str] = []
    in_class = False
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            escape = pattern[index + 1]
            if escape == "s":
                out.append(_ECMA_SPACE_CLASS if in_class else f"[{_ECMA_SPACE_CLASS}]")
            elif escape == "S" and not in_class:
                out.append(f"[^{_ECMA_SPACE_CLASS}]")
            elif escape == "S":
                raise ValueError(f"\\S inside a class is not supported: {pattern}")
            else:
                out.append(pattern[index : index + 2])
            index += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        elif char == "$" and not in_class:
            char = r"\Z"
        out.append(char)
        index += 1
    return "".join(out)


@cache
def compile_pattern(pattern: str) -> re.Pattern[str]:
    """An ECMA-262 pattern (JSON Schema's dialect) as Python ``re``."""
    return re.compile(_ecma_to_python(pattern))


def _type_names(spec: dict[str, Any]) -> list[str]:
    kind = spec.get("type")
    if kind is None:
        return []
    return [kind] if isinstance(kind, str) else list(kind)


def check_value(name: str, value: Any, spec: dict[str, Any]) -> None:
    """Raise ``validation_failed`` naming ``name`` if ``value`` breaks ``spec``."""
    types = _type_names(spec)
    if types and not any(_JSON_TYPES[t](value) for t in types):
        if value is None:
            raise invalid(f"{name}: cannot be null")
        raise invalid(f"{name}: must be {' or '.join(_ARTICLES.get(t, t) for t in types)}")
    if isinstance(value, str):
        if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
            raise invalid(f"{name}: not valid Unicode")
        if "minLength" in spec and len(value) < spec["minLength"]:
            raise invalid(f"{name}: must be at least {spec['minLength']} characters")
        if "maxLength" in spec and len(value) > spec["maxLength"]:
            raise invalid(f"{name}: must be at most {spec['maxLength']} characters")
        if "pattern" in spec and not compile_pattern(spec["pattern"]).search(value):
            raise invalid(f"{name}: {PATTERN_MESSAGES.get(name, 'not in the expected format')}")
    if "minimum" in spec and _JSON_TYPES["number"](value) and value < spec["minimum"]:
        raise invalid(f"{name}: must be at least {spec['minimum']}")


def check_object(body: dict[str, Any], spec: dict[str, Any]) -> None:
    """Validate an object against a request schema: keys first, then each field."""
    properties: dict[str, Any] = spec.get("properties", {})
    read_only = set(schema.read_only_fields())
    if spec.get("additionalProperties") is False:
        for key in sorted(set(body) - set(properties)):
            reason = "read-only field" if key in read_only else "unknown field"
            raise invalid(f"{quote_name(key)}: {reason}")
    if len(body) < spec.get("minProperties", 0):
        raise invalid("body: at least one field is required")
    for key in spec.get("required", []):
        if key not in body:
            raise invalid(f"{key}: required")
    for key, field_spec in properties.items():
        if key in body:
            check_value(key, body[key], field_spec)


@dataclass(frozen=True)
class Changes:
    """A validated, normalized request: fields to set and fields to remove."""

    set_fields: dict[str, str]
    remove_fields: tuple[str, ...] = ()


def canonical_email(value: str) -> str:
    """The one form an email is checked, stored, compared and returned in.

    Trimmed (ECMA-262 whitespace, as the schema means it), lower-cased,
    then Unicode NFC: two addresses that are canonically equivalent (the
    same text, e.g. ``é`` precomposed or as ``e`` + combining acute) are
    one address, as RFC 6532 asks of internationalized mail. NFC comes last
    because lower-casing can leave a string that is not NFC any more (it
    never changes which strings are equivalent). Compatibility forms (NFKC:
    full-width letters, ligatures) are not folded: they are different
    characters, not other spellings of the same ones.
    """
    return unicodedata.normalize("NFC", value.strip(ECMA_SPACE).lower())


def _normalize(name: str, value: str) -> str:
    if name == "email":
        return canonical_email(value)
    return value.strip(ECMA_SPACE)  # the schema's \s: a name matching \S stays non-blank


def _normalized(fields: dict[str, Any], spec: dict[str, Any]) -> dict[str, str]:
    """Normalize the given (non-null) fields, then hold each result to its rules again."""
    normalized = {key: _normalize(key, value) for key, value in fields.items() if value is not None}
    for key, value in normalized.items():
        check_value(key, value, spec["properties"][key])
    return normalized


@cache
def _request_schema(kind: str) -> dict[str, Any]:
    return schema.request_schema(kind)


def parse_create(body: dict[str, Any]) -> Changes:
    """A create body: required fields present; ``null`` on an optional one means absent."""
    spec = _request_schema(schema.CREATE)
    check_object(body, spec)
    return Changes(_normalized(body, spec))


def parse_update(body: dict[str, Any]) -> Changes:
    """An update body: at least one field; ``null`` removes a nullable field."""
    spec = _request_schema(schema.UPDATE)
    check_object(body, spec)
    return Changes(_normalized(body, spec), tuple(sorted(k for k, v in body.items() if v is None)))
