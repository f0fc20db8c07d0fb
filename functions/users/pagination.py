"""The list page size and the opaque ``next_token``.

The token is the URL-safe base64 (no padding) of the compact JSON
``{"after":"<user_id>"}``: the last key DynamoDB evaluated. Opaque to
clients, but not secret (it only names a user id the caller already saw).
A token is accepted only if it is exactly what ``encode_token`` would
produce for a well-formed user id, so anything the server could not have
issued is a 400 before DynamoDB sees it.
"""

from __future__ import annotations

import base64
import binascii
import json

from .app import USER_ID_PATTERN
from .http import bad_request
from .settings import DEFAULT_LIMIT, MAX_LIMIT


def parse_limit(value: str | None) -> int:
    """``limit``: a decimal integer 1 to MAX_LIMIT; absent means DEFAULT_LIMIT."""
    if value is None:
        return DEFAULT_LIMIT
    if not (value.isascii() and value.isdigit() and len(value) <= 3) or not (
        1 <= int(value) <= MAX_LIMIT
    ):
        raise bad_request(f"limit: must be an integer from 1 to {MAX_LIMIT}")
    return int(value)


def encode_token(user_id: str) -> str:
    text = json.dumps({"after": user_id}, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode("ascii")).decode("ascii").rstrip("=")


def decode_token(token: str) -> str:
    """The user id to continue after; 400 for a token the server did not issue."""
    invalid = bad_request("next_token: not a token this API issued")
    if not token or len(token) > 128 or not token.isascii():
        raise invalid
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        value = json.loads(raw.decode("ascii"))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise invalid from None
    after = value.get("after") if isinstance(value, dict) else None
    if (
        not isinstance(after, str)
        or not USER_ID_PATTERN.match(after)
        or after != after.lower()
        or encode_token(after) != token
    ):
        raise invalid
    return after
