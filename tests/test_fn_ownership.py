"""Auth mode cognito in the handlers: one identity, one profile, a proven email.

Proxy events carry ``requestContext.authorizer.claims`` exactly as a
COGNITO_USER_POOLS authorizer sends them (a flat map of strings). The
handlers run on moto; the assertions check both the answer and what is (or
is not) in the tables afterwards.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from fn_support import CallRecorder, handler_clients, invoke, json_body, moto_api, proxy_event
from users import create, delete, get, ownership, settings, update

FUNCTIONS = Path(__file__).resolve().parent.parent / "functions"
ADA_SUB = str(uuid.uuid4())
EVE_SUB = str(uuid.uuid4())


def claims(sub: str, email: str, verified: str = "true") -> dict[str, str]:
    """What API Gateway passes for a Cognito ID token (values are strings)."""
    return {
        "sub": sub,
        "email": email,
        "email_verified": verified,
        "token_use": "id",
        "aud": "client-id",
        "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pool",
        "cognito:username": sub,
        "exp": "Fri Dec 04 04:00:00 UTC 2026",
    }


ADA = claims(ADA_SUB, "ada@example.com")
EVE = claims(EVE_SUB, "eve@example.com")
PROFILE = {"email": "ada@example.com", "name": "Ada Lovelace"}


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(ownership, "OWNER_ONLY", True)
    with moto_api() as account:
        yield account


def post(body, who):
    return invoke(create, proxy_event("POST", "/users", body=json_body(body), claims=who))


def on_item(module, method, user_id, who, body=None):
    text = json_body(body) if body is not None else None
    event = proxy_event(method, f"/users/{user_id}", body=text, user_id=user_id, claims=who)
    return invoke(module, event)


def test_the_mode_comes_from_the_environment_the_template_sets() -> None:
    code = "from users import ownership; print(ownership.OWNER_ONLY)"
    for mode, expected in (("cognito", "True"), ("none", "False"), (None, "False")):
        env = {k: v for k, v in os.environ.items() if k != settings.ENV_AUTH_MODE}
        if mode:
            env[settings.ENV_AUTH_MODE] = mode
        env["PYTHONPATH"] = str(FUNCTIONS)
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        assert out.stdout.strip() == expected, mode


def test_create_makes_the_callers_own_profile_keyed_by_sub(api) -> None:
    answer = post({**PROFILE, "email": " Ada@Example.com "}, ADA)
    assert answer.status == 201, answer.json
    assert answer.json["user_id"] == ADA_SUB
    assert answer.json["email"] == "ada@example.com"
    assert api.user_item(ADA_SUB)["email"] == {"S": "ada@example.com"}


def test_a_second_profile_for_the_same_identity_is_409_and_changes_nothing(api) -> None:
    first = post(PROFILE, ADA).json
    again = post({**PROFILE, "name": "Someone Else"}, ADA)
    assert again.status == 409 and again.error["code"] == "user_exists"
    assert api.user_item(ADA_SUB)["name"] == {"S": first["name"]}
    assert len(api.scan("users")) == 1 and len(api.scan("emails")) == 1


def test_an_unverified_email_cannot_be_registered(api) -> None:
    answer = post(PROFILE, claims(ADA_SUB, "ada@example.com", verified="false"))
    assert answer.status == 403 and answer.error["code"] == "forbidden"
    assert api.scan("users") == [] and api.scan("emails") == []


def test_a_body_email_other_than_the_tokens_is_refused(api) -> None:
    answer = post({**PROFILE, "email": "victim@example.com"}, ADA)
    assert answer.status == 400 and answer.error["code"] == "validation_failed"
    assert answer.error["message"].startswith("email:")
    assert api.scan("users") == [] and api.scan("emails") == []


@pytest.mark.parametrize("module", [create, get, update, delete])
def test_no_claims_at_all_is_401_and_touches_nothing(api, module) -> None:
    post(PROFILE, ADA)
    method = {create: "POST", get: "GET", update: "PUT", delete: "DELETE"}[module]
    path = "/users" if module is create else f"/users/{ADA_SUB}"
    event = proxy_event(
        method,
        path,
        body=json_body({"name": "X"}) if module in (create, update) else None,
        user_id=None if module is create else ADA_SUB,
    )
    recorder = CallRecorder()
    with recorder.watching(*handler_clients()):
        answer = invoke(module, event)
    assert answer.status == 401 and answer.error["code"] == "unauthorized"
    assert recorder.operations("dynamodb") == []
    assert api.user_item(ADA_SUB)["name"] == {"S": "Ada Lovelace"}


def test_claims_without_a_uuid_sub_are_401(api) -> None:
    answer = post(PROFILE, claims("not-a-uuid", "ada@example.com"))
    assert answer.status == 401


def test_the_owner_reads_changes_and_deletes_their_profile(api) -> None:
    post(PROFILE, ADA)
    assert on_item(get, "GET", ADA_SUB, ADA).status == 200
    changed = on_item(update, "PUT", ADA_SUB, ADA, {"name": "Countess"})
    assert changed.status == 200 and changed.json["name"] == "Countess"
    assert on_item(delete, "DELETE", ADA_SUB, ADA).status == 204
    assert api.user_item(ADA_SUB) is None and api.scan("emails") == []


def test_another_identity_can_neither_read_change_nor_delete_it(api) -> None:
    post(PROFILE, ADA)
    before = api.user_item(ADA_SUB)
    recorder = CallRecorder()
    with recorder.watching(*handler_clients()):
        answers = [
            on_item(get, "GET", ADA_SUB, EVE),
            on_item(update, "PUT", ADA_SUB, EVE, {"name": "Eve was here"}),
            on_item(delete, "DELETE", ADA_SUB, EVE),
        ]
    for answer in answers:
        # 404, as for a profile that does not exist: its existence is not revealed.
        assert answer.status == 404 and answer.error["code"] == "not_found"
    assert recorder.operations("dynamodb") == []  # nothing read, nothing written
    assert api.user_item(ADA_SUB) == before


def test_a_foreign_profile_and_a_missing_one_answer_alike(api) -> None:
    post(PROFILE, ADA)
    foreign = on_item(get, "GET", ADA_SUB, EVE)
    missing = on_item(get, "GET", EVE_SUB, EVE)
    assert (foreign.status, foreign.error["message"]) == (missing.status, missing.error["message"])


def test_an_email_change_must_be_the_tokens_verified_address(api) -> None:
    post(PROFILE, ADA)
    refused = on_item(update, "PUT", ADA_SUB, ADA, {"email": "elsewhere@example.com"})
    assert refused.status == 400 and refused.error["code"] == "validation_failed"
    assert api.user_item(ADA_SUB)["email"] == {"S": "ada@example.com"}
    # Changed (and confirmed) in Cognito first: the new token carries it.
    moved = claims(ADA_SUB, "countess@example.com")
    accepted = on_item(update, "PUT", ADA_SUB, moved, {"email": "countess@example.com"})
    assert accepted.status == 200 and accepted.json["email"] == "countess@example.com"
    assert [item["email"]["S"] for item in api.scan("emails")] == ["countess@example.com"]
    unverified = claims(ADA_SUB, "new@example.com", verified="false")
    pending = on_item(update, "PUT", ADA_SUB, unverified, {"email": "new@example.com"})
    assert pending.status == 403
    assert api.user_item(ADA_SUB)["email"] == {"S": "countess@example.com"}


def test_a_deleted_profile_can_be_registered_again_by_its_identity(api) -> None:
    post(PROFILE, ADA)
    assert on_item(delete, "DELETE", ADA_SUB, ADA).status == 204
    again = post(PROFILE, ADA)
    assert again.status == 201 and again.json["user_id"] == ADA_SUB
    assert again.json["version"] == 1


def test_mode_none_ignores_claims_and_keeps_server_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ownership, "OWNER_ONLY", False)
    with moto_api():
        answer = post({**PROFILE, "email": "other@example.com"}, ADA)
        assert answer.status == 201 and answer.json["user_id"] != ADA_SUB
        # Anyone may read it in mode none (the original requirement).
        user_id = answer.json["user_id"]
        assert on_item(get, "GET", user_id, None).status == 200
