"""The list page size and the signed, opaque ``next_token``.

A token is the URL-safe base64 (no padding, 43 characters) of 32 bytes: the
16 bytes of the last user id DynamoDB evaluated, then the first 16 bytes of
an HMAC-SHA256 over a fixed label, the environment name and that id, keyed
with the PAGINATION_KEY secret (SSM SecureString). So a token is accepted
only if this API, in this environment, with this key, issued it: a forged,
truncated, edited or unsigned token, or one issued by another environment
(even one sharing the key), is a 400 before DynamoDB sees it. 128 bits of
MAC leave a forger a 2^-128 chance per try. The id inside is not secret (the
caller saw that user on the page); the signature stops clients from steering
the scan to keys of their choosing.

Rotating the key (``userapi secret set PAGINATION_KEY``) invalidates every
token in flight once a container reads the new key (within
``settings.CONFIG_TTL_SECONDS``): a client then gets 400 and starts its walk
again from the first page; nothing is lost, since tokens only mark a place.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import uuid

from .app import USER_ID_PATTERN
from .http import bad_request
from .settings import DEFAULT_LIMIT, MAX_LIMIT

#: Domain separation: this MAC means "a next_token of the users list, v1".
_LABEL = b"userapi next_token v1\x00"
_ID_BYTES = 16
_MAC_BYTES = 16
TOKEN_LENGTH = 43  # base64 of 32 bytes, padding stripped


def parse_limit(value: str | None) -> int:
    """``limit``: a decimal integer 1 to MAX_LIMIT; absent means DEFAULT_LIMIT."""
    if value is None:
        return DEFAULT_LIMIT
    if not (value.isascii() and value.isdigit() and len(value) <= 3) or not (
        1 <= int(value) <= MAX_LIMIT
    ):
        raise bad_request(f"limit: must be an integer from 1 to {MAX_LIMIT}")
    return int(value)


def _mac(key: str, environment: str, id_bytes: bytes) -> bytes:
    message = _LABEL + environment.encode("utf-8") + b"\x00" + id_bytes
    return hmac.new(key.encode("utf-8"), message, hashlib.sha256).digest()[:_MAC_BYTES]


def encode_token(user_id: str, key: str, environment: str) -> str:
    """The token that continues a listing after ``user_id`` (a lower-case UUID)."""
    id_bytes = uuid.UUID(user_id).bytes
    raw = id_bytes + _mac(key, environment, id_bytes)
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_token(token: str, key: str, environment: str) -> str:
    """The user id to continue after; 400 for a token this API did not issue here."""
    invalid = bad_request("next_token: not a token this API issued")
    if len(token) != TOKEN_LENGTH or not token.isascii():
        raise invalid
    try:
        raw = base64.urlsafe_b64decode(token + "=")
    except (binascii.Error, ValueError):
        raise invalid from None
    id_bytes, mac = raw[:_ID_BYTES], raw[_ID_BYTES:]
    # The canonical encoding only: no second spelling of the same bytes.
    if base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=") != token:
        raise invalid
    if not hmac.compare_digest(mac, _mac(key, environment, id_bytes)):
        raise invalid
    after = str(uuid.UUID(bytes=id_bytes))
    if not USER_ID_PATTERN.match(after):  # signed, so only a key leak could get here
        raise invalid
    return after
