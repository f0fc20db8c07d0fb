"""Secrets in the handlers: the pagination key from SSM (decrypted), signed tokens.

Tokens are taken from real answers and then forged, truncated, re-signed
for another environment or with another key, or rebuilt unsigned: every
one is a 400 with API.md's message, never a 500 and never a page.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import uuid

import pytest
from fn_support import CONFIG_PATH, ENVIRONMENT, PAGINATION_KEY, invoke, moto_api, proxy_event
from users import config, create, pagination, settings
from users import list as list_users

NOT_ISSUED = "next_token: not a token this API issued"


def _page(**query: str):
    return invoke(
        list_users, proxy_event("GET", "/users", query={k: [v] for k, v in query.items()})
    )


def _create(count: int) -> None:
    for i in range(count):
        body = f'{{"email": "u{i}@example.com", "name": "U{i}"}}'
        assert invoke(create, proxy_event("POST", "/users", body=body)).status == 201


def _issued_token() -> str:
    answer = _page(limit="1")
    assert answer.status == 200 and answer.json["next_token"]
    return answer.json["next_token"]


def _assert_not_issued(token: str) -> None:
    answer = _page(next_token=token)
    assert answer.status == 400, token
    assert answer.error == {**answer.error, "code": "bad_request", "message": NOT_ISSUED}


def _signed(user_id: str, key: str, environment: str) -> str:
    """What a token would be under another key or environment (same layout)."""
    raw = uuid.UUID(user_id).bytes
    message = b"userapi next_token v1\x00" + environment.encode() + b"\x00" + raw
    mac = hmac.new(key.encode(), message, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(raw + mac).decode().rstrip("=")


@pytest.fixture
def api():
    with moto_api() as account:
        _create(3)
        yield account


def test_an_issued_token_continues_the_listing(api):
    token = _issued_token()
    assert len(token) == pagination.TOKEN_LENGTH
    answer = _page(limit="5", next_token=token)
    assert answer.status == 200 and len(answer.json["users"]) == 2


def test_a_forged_token_is_400(api):
    token = _issued_token()
    raw = bytearray(base64.urlsafe_b64decode(token + "="))
    for index in (0, 15, 16, 31):  # flip a bit in the id, then in the MAC
        forged = bytearray(raw)
        forged[index] ^= 0x01
        _assert_not_issued(base64.urlsafe_b64encode(bytes(forged)).decode().rstrip("="))


def test_a_truncated_or_extended_token_is_400(api):
    token = _issued_token()
    for candidate in (token[:-1], token[:22], token[:1], token + "A", token + "=", ""):
        _assert_not_issued(candidate)


def test_a_token_of_another_environment_or_key_is_400(api):
    user_id = _page(limit="1").json["users"][0]["user_id"]
    assert _signed(user_id, PAGINATION_KEY, ENVIRONMENT) == _page(limit="1").json["next_token"]
    _assert_not_issued(_signed(user_id, PAGINATION_KEY, "prod"))  # same key, other environment
    _assert_not_issued(_signed(user_id, "another-key-" + "x" * 32, ENVIRONMENT))


def test_a_well_formed_but_unsigned_token_is_400(api):
    user_id = _page(limit="1").json["users"][0]["user_id"]
    raw = uuid.UUID(user_id).bytes
    for unsigned in (raw + bytes(16), raw + raw):
        _assert_not_issued(base64.urlsafe_b64encode(unsigned).decode().rstrip("="))
    # The previous, unsigned format of this API, for an existing user.
    legacy = base64.urlsafe_b64encode(f'{{"after":"{user_id}"}}'.encode()).decode().rstrip("=")
    _assert_not_issued(legacy)


def test_the_key_is_read_decrypted_in_the_one_configuration_call(api):
    config.CONFIG.clear()
    calls = []
    config.SSM.meta.events.register(
        "provide-client-params.ssm.GetParameters", lambda params, **_: calls.append(params)
    )
    try:
        assert _page().status == 200
        assert _page().status == 200
    finally:
        config.SSM.meta.events.unregister("provide-client-params.ssm.GetParameters")
    [params] = calls
    assert params["WithDecryption"] is True
    assert params["Names"] == [
        CONFIG_PATH + "APP_NAME",
        CONFIG_PATH + "CORS_ALLOW_ORIGIN",
        CONFIG_PATH + settings.PAGINATION_KEY,
    ]
    held = config.CONFIG.get(settings.secrets_of("ListUsers"))
    assert held.secret(settings.PAGINATION_KEY) == PAGINATION_KEY
    assert PAGINATION_KEY not in repr(held)


def test_a_missing_key_is_a_500_logged_once_by_name_and_other_routes_still_work(caplog):
    caplog.set_level(logging.INFO)
    with moto_api(pagination_key=None):
        body = '{"email": "a@example.com", "name": "A"}'
        assert invoke(create, proxy_event("POST", "/users", body=body)).status == 201
        first, second = _page(), _page()
    for answer in (first, second):
        assert answer.status == 500 and answer.error["message"] == "internal error"
        assert "PAGINATION_KEY" not in answer.raw_body
    named = [r for r in caplog.records if "PAGINATION_KEY" in r.getMessage()]
    assert len(named) == 1  # once per configuration read, not per request
    assert named[0].levelno == logging.ERROR
    assert f"{CONFIG_PATH}PAGINATION_KEY" in named[0].getMessage()
    failures = [r for r in caplog.records if getattr(r, "status", None) == 500]
    assert len(failures) == 2 and all(r.exc_info is None for r in failures)


def test_a_key_stored_as_a_plain_string_is_refused_like_a_missing_one(caplog):
    with moto_api(pagination_key=None) as account:
        account.ssm.put_parameter(
            Name=CONFIG_PATH + settings.PAGINATION_KEY, Value=PAGINATION_KEY, Type="String"
        )
        assert _page().status == 500
    assert "not a SecureString" in caplog.text


def test_no_secret_value_reaches_a_log_record(api, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    config.CONFIG.clear()
    token = _issued_token()
    _page(next_token=token)
    _page(next_token=token[:-2] + "zz")
    assert PAGINATION_KEY not in caplog.text
    assert PAGINATION_KEY not in capsys.readouterr().out
