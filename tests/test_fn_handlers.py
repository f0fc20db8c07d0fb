"""Every row of API.md, driven through the handlers with full proxy events on moto."""

from __future__ import annotations

import base64
import json
import re

import boto3
import pytest
from botocore.config import Config as BotoConfig
from fn_support import CORS_ORIGIN, STAGE, invoke, json_body, moto_api, proxy_event
from users import config, create, delete, get, update
from users import list as list_users

ADA = {
    "email": "Ada@Example.com",
    "name": "Ada Lovelace",
    "phone": "+442071838750",
    "locale": "en-GB",
}
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
MISSING_ID = "0d6f4a4e-4bde-4d4b-9a43-0a4a3f1f8f3e"


@pytest.fixture
def api():
    with moto_api() as account:
        yield account


def post(body, **kwargs):
    text = body if isinstance(body, (str, bytes)) or body is None else json_body(body)
    return invoke(create, proxy_event("POST", "/users", body=text, **kwargs))


def put(user_id, body, **kwargs):
    text = body if isinstance(body, (str, bytes)) or body is None else json_body(body)
    return invoke(
        update, proxy_event("PUT", f"/users/{user_id}", body=text, user_id=user_id, **kwargs)
    )


def read(user_id, **kwargs):
    return invoke(get, proxy_event("GET", f"/users/{user_id}", user_id=user_id, **kwargs))


def remove(user_id, **kwargs):
    return invoke(delete, proxy_event("DELETE", f"/users/{user_id}", user_id=user_id, **kwargs))


def page(**query):
    return invoke(
        list_users, proxy_event("GET", "/users", query={k: [v] for k, v in query.items()})
    )


def assert_error(answer, status, code, message=None):
    assert answer.status == status
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.headers["Access-Control-Allow-Origin"] == CORS_ORIGIN
    assert answer.json == {
        "error": {
            "code": code,
            "message": answer.error["message"],
            "request_id": answer.request_id,
        }
    }
    if message is not None:
        assert answer.error["message"] == message


# -- create ------------------------------------------------------------


def test_create_answers_201_with_the_normalized_user_location_and_etag(api):
    answer = post({**ADA, "email": "  Ada@Example.COM ", "name": "  Ada Lovelace  "})
    assert answer.status == 201
    user = answer.json
    assert UUID4.match(user["user_id"])
    assert user["email"] == "ada@example.com" and user["name"] == "Ada Lovelace"
    assert user["phone"] == "+442071838750" and user["locale"] == "en-GB"
    assert user["version"] == 1 and TIMESTAMP.match(user["created_at"])
    assert user["created_at"] == user["updated_at"]
    assert answer.headers["Location"] == f"/{STAGE}/users/{user['user_id']}"
    assert answer.headers["ETag"] == '"1"'
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.headers["Access-Control-Allow-Origin"] == CORS_ORIGIN
    assert read(user["user_id"]).json == user


def test_create_writes_the_user_and_its_email_guard(api):
    user = post(ADA).json
    assert api.scan("emails") == [
        {"email": {"S": "ada@example.com"}, "user_id": {"S": user["user_id"]}}
    ]
    assert api.user_item(user["user_id"])["email"] == {"S": "ada@example.com"}


def test_optional_fields_absent_or_null_on_create_are_absent_in_the_answer(api):
    user = post({"email": "a@b.co", "name": "A", "phone": None}).json
    assert "phone" not in user and "locale" not in user
    assert "phone" not in api.user_item(user["user_id"])


def test_a_name_round_trips_exactly_any_unicode(api):
    name = "Zoë 山田 🚀 O'Brien-Šćř"
    user = post({"email": "z@b.co", "name": name}).json
    assert user["name"] == name and read(user["user_id"]).json["name"] == name


def test_an_email_taken_case_insensitively_is_409_and_writes_nothing(api):
    first = post(ADA).json
    answer = post({"email": " ADA@example.com", "name": "Other"})
    assert_error(answer, 409, "email_taken", "email: already belongs to another user")
    assert len(api.scan("users")) == 1 and len(api.scan("emails")) == 1
    assert read(first["user_id"]).json == first


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"name": "A"}, "email: required"),
        ({"email": "a@b.co"}, "name: required"),
        ({"email": "not-an-email", "name": "A"}, "email: not a valid address"),
        ({"email": "a@@b.co", "name": "A"}, "email: not a valid address"),
        ({"email": "a b@c.co", "name": "A"}, "email: not a valid address"),
        ({"email": "a@nodot", "name": "A"}, "email: not a valid address"),
        ({"email": "a@b.co\n", "name": "A"}, None),  # trailing whitespace is trimmed: valid
        ({"email": "a" * 250 + "@b.co", "name": "A"}, "email: must be at most 254 characters"),
        ({"email": None, "name": "A"}, "email: cannot be null"),
        ({"email": 7, "name": "A"}, "email: must be a string"),
        ({"email": "a@b.co", "name": "   "}, "name: must not be blank"),
        ({"email": "a@b.co", "name": ""}, "name: must be at least 1 characters"),
        ({"email": "a@b.co", "name": "x" * 101}, "name: must be at most 100 characters"),
        ({"email": "a@b.co", "name": "A", "phone": "0044207"}, None),
        ({"email": "a@b.co", "name": "A", "phone": "+0123456789"}, None),
        ({"email": "a@b.co", "name": "A", "phone": "+123456"}, None),
        ({"email": "a@b.co", "name": "A", "phone": "+1234567890123456"}, None),
        ({"email": "a@b.co", "name": "A", "phone": "+4420718387\n"}, None),
        ({"email": "a@b.co", "name": "A", "locale": "en_GB"}, "locale: not a BCP 47 language tag"),
        ({"email": "a@b.co", "name": "A", "locale": "e" * 36}, None),
        ({"email": "a@b.co", "name": "A", "user_id": MISSING_ID}, "user_id: read-only field"),
        ({"email": "a@b.co", "name": "A", "version": 3}, "version: read-only field"),
        ({"email": "a@b.co", "name": "A", "nickname": "x"}, "nickname: unknown field"),
        ({}, "body: at least one field is required"),
    ],
)
def test_invalid_create_bodies_are_400_validation_failed_naming_the_field(api, body, message):
    answer = post(body)
    if message is None and body.get("email") == "a@b.co\n":
        assert answer.status == 201 and answer.json["email"] == "a@b.co"
        return
    assert_error(answer, 400, "validation_failed", message)
    field = next(iter(body.keys() - {"email", "name"}), None) if message is None else None
    if field:
        assert answer.error["message"].startswith(f"{field}: ")
    assert api.scan("users") == [] and api.scan("emails") == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (None, "body: required, a JSON object"),
        ("", "body: required, a JSON object"),
        ("{not json", "body: not valid JSON"),
        ("[1, 2]", "body: must be a JSON object"),
        ('"text"', "body: must be a JSON object"),
        ("null", "body: must be a JSON object"),
        ('{"email": "a@b.co", "email": "c@d.co", "name": "A"}', "body: duplicate key email"),
        ("[" * 5000 + "]" * 5000, "body: not valid JSON"),
    ],
)
def test_a_missing_or_malformed_body_is_400_bad_request(api, body, message):
    assert_error(post(body), 400, "bad_request", message)


def test_a_body_that_is_not_utf8_is_400(api):
    answer = post('{"email": "a@b.co", "name": "Ad\xe9"}'.encode("latin-1"))
    assert_error(answer, 400, "bad_request", "body: not valid UTF-8")


def test_a_base64_encoded_body_is_decoded(api):
    answer = post(json_body(ADA), base64_body=True)
    assert answer.status == 201 and answer.json["email"] == "ada@example.com"


def test_a_base64_flagged_body_that_is_not_base64_is_400(api):
    event = proxy_event("POST", "/users", body="not base64!")
    event["isBase64Encoded"] = True
    assert_error(invoke(create, event), 400, "bad_request", "body: not valid base64")


@pytest.mark.parametrize("encoded", [False, True])
def test_a_body_over_16_kib_is_413_and_exactly_16_kib_is_not(api, encoded):
    padding = 16 * 1024 - len(json_body({"email": "a@b.co", "name": ""}))
    exact = json_body({"email": "a@b.co", "name": "x" * padding})
    assert len(exact.encode()) == 16 * 1024
    # Exactly at the limit the body is read (and fails validation on name length, not size).
    assert post(exact, base64_body=encoded).error["code"] == "validation_failed"
    over = json_body({"email": "a@b.co", "name": "x" * (padding + 1)})
    assert_error(post(over, base64_body=encoded), 413, "payload_too_large")


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/json-patch+json",
        "application/json; charset=latin-1",
        None,
    ],
)
def test_a_body_with_another_content_type_is_415(api, content_type):
    event = proxy_event("POST", "/users", body=json_body(ADA))
    for key in ("headers", "multiValueHeaders"):
        event[key] = {k: v for k, v in event[key].items() if k.lower() != "content-type"}
    if content_type is not None:
        event["headers"]["content-type"] = content_type
        event["multiValueHeaders"]["content-type"] = [content_type]
    assert_error(invoke(create, event), 415, "unsupported_media_type")
    assert api.scan("users") == []


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "Application/JSON",
        "application/json; charset=utf-8",
        'application/json;charset="UTF-8"',
    ],
)
def test_application_json_is_accepted_with_or_without_a_utf8_charset(api, content_type):
    assert post(ADA, headers={"content-type": content_type}).status == 201


def test_headers_are_read_case_insensitively_and_multi_value_headers_win(api):
    event = proxy_event("POST", "/users", body=json_body(ADA))
    event["headers"] = None  # API Gateway sends null single-value maps sometimes
    event["multiValueHeaders"] = {"CONTENT-TYPE": ["application/json"]}
    assert invoke(create, event).status == 201


def test_the_location_is_relative_to_the_called_path_and_falls_back_to_users(api):
    event = proxy_event("POST", "/users", body=json_body(ADA))
    event["requestContext"]["path"] = "/v1/users"  # a custom domain's base path mapping
    answer = invoke(create, event)
    assert answer.headers["Location"] == f"/v1/users/{answer.json['user_id']}"
    event = proxy_event("POST", "/users", body=json_body({**ADA, "email": "b@b.co"}))
    del event["requestContext"]["path"]
    answer = invoke(create, event)
    assert answer.headers["Location"] == f"/users/{answer.json['user_id']}"


def test_unknown_query_parameters_are_400_on_every_route(api):
    event = proxy_event("POST", "/users", body=json_body(ADA), query={"debug": ["1"]})
    assert_error(invoke(create, event), 400, "bad_request", "debug: unknown query parameter")
    assert api.scan("users") == []
    assert_error(read(MISSING_ID, query={"x": ["1"]}), 400, "bad_request")


# -- get ------------------------------------------------------------


def test_get_answers_200_with_etag(api):
    user = post(ADA).json
    answer = read(user["user_id"])
    assert answer.status == 200 and answer.json == user and answer.headers["ETag"] == '"1"'
    assert answer.headers["Access-Control-Allow-Origin"] == CORS_ORIGIN


def test_ids_are_case_insensitive(api):
    user = post(ADA).json
    assert read(user["user_id"].upper()).json == user


def test_get_of_a_missing_user_is_404(api):
    assert_error(read(MISSING_ID), 404, "not_found", "no such user")


@pytest.mark.parametrize(
    "bad_id",
    [
        "not-a-uuid",
        "",
        "0d6f4a4e4bde4d4b9a430a4a3f1f8f3e",
        MISSING_ID + "0",
        MISSING_ID + "\n",
        "0d6f4a4e-4bde-1d4b-9a43-0a4a3f1f8f3e",
        "x" * 3000,
        "../users",
    ],
)
def test_a_malformed_id_is_404_on_every_id_route(api, bad_id):
    assert_error(read(bad_id), 404, "not_found")
    assert_error(put(bad_id, {"name": "x"}), 404, "not_found")
    assert_error(remove(bad_id), 404, "not_found")


# -- update -----------------------------------------------------------


def test_update_is_partial_and_increments_the_version(api):
    user = post(ADA).json
    answer = put(user["user_id"], {"name": " Countess "})
    assert answer.status == 200 and answer.headers["ETag"] == '"2"'
    assert answer.json == {
        **user,
        "name": "Countess",
        "version": 2,
        "updated_at": answer.json["updated_at"],
    }
    assert answer.json["updated_at"] >= user["updated_at"]
    assert read(user["user_id"]).json == answer.json


def test_null_removes_phone_and_locale_on_update(api):
    user = post(ADA).json
    answer = put(user["user_id"], {"phone": None, "locale": None})
    assert answer.status == 200
    assert "phone" not in answer.json and "locale" not in answer.json
    assert read(user["user_id"]).json == answer.json
    assert "phone" not in api.user_item(user["user_id"])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"email": None}, "email: cannot be null"),
        ({"name": None}, "name: cannot be null"),
        ({}, "body: at least one field is required"),
        ({"created_at": "2020-01-01T00:00:00.000Z"}, "created_at: read-only field"),
        ({"phone": "12"}, None),
        ({"zzz": 1, "name": "x"}, "zzz: unknown field"),
    ],
)
def test_invalid_update_bodies_are_400_and_change_nothing(api, body, message):
    user = post(ADA).json
    assert_error(put(user["user_id"], body), 400, "validation_failed", message)
    assert read(user["user_id"]).json == user


def test_update_of_a_missing_user_is_404_and_creates_nothing(api):
    assert_error(put(MISSING_ID, {"name": "x"}), 404, "not_found")
    assert_error(put(MISSING_ID, {"email": "new@b.co"}), 404, "not_found")
    assert api.scan("users") == [] and api.scan("emails") == []


def test_changing_the_email_moves_the_guard_atomically(api):
    user = post(ADA).json
    answer = put(user["user_id"], {"email": "NEW@b.co"})
    assert answer.status == 200 and answer.json["email"] == "new@b.co"
    assert answer.json["version"] == 2
    assert read(user["user_id"]).json == answer.json
    assert api.scan("emails") == [{"email": {"S": "new@b.co"}, "user_id": {"S": user["user_id"]}}]
    # The old address is free again.
    assert post({"email": ADA["email"], "name": "B"}).status == 201


def test_an_email_in_another_unicode_form_is_the_same_address(api):
    composed = post({"email": "Jos\u00e9@Example.com", "name": "Jos\u00e9"})
    assert composed.status == 201 and composed.json["email"] == "jos\u00e9@example.com"
    decomposed = post({"email": "jose\u0301@example.com", "name": "Impostor"})
    assert_error(decomposed, 409, "email_taken")
    bob = post({"email": "bob@b.co", "name": "Bob"}).json
    assert_error(put(bob["user_id"], {"email": "JOSE\u0301@example.com"}), 409, "email_taken")
    assert [i["email"]["S"] for i in api.scan("emails")].count("jos\u00e9@example.com") == 1


def test_changing_only_the_case_of_the_email_keeps_the_guard(api):
    user = post(ADA).json
    answer = put(user["user_id"], {"email": "ADA@EXAMPLE.COM"})
    assert answer.status == 200 and answer.json["email"] == "ada@example.com"
    assert len(api.scan("emails")) == 1


def test_changing_to_a_taken_email_is_409_and_changes_nothing(api):
    ada = post(ADA).json
    bob = post({"email": "bob@b.co", "name": "Bob"}).json
    assert_error(put(bob["user_id"], {"email": "ada@example.com", "name": "X"}), 409, "email_taken")
    assert read(bob["user_id"]).json == bob and read(ada["user_id"]).json == ada
    assert sorted(i["email"]["S"] for i in api.scan("emails")) == ["ada@example.com", "bob@b.co"]


def test_if_match_matching_updates_and_stale_is_412_changing_nothing(api):
    user = post(ADA).json
    assert put(user["user_id"], {"name": "B"}, headers={"If-Match": '"1"'}).status == 200
    stale = put(user["user_id"], {"name": "C", "email": "c@c.co"}, headers={"If-Match": '"1"'})
    assert_error(stale, 412, "precondition_failed")
    assert read(user["user_id"]).json["name"] == "B"
    assert [i["email"]["S"] for i in api.scan("emails")] == ["ada@example.com"]


@pytest.mark.parametrize(
    ("if_match", "status"),
    [
        ('"1"', 200),
        ('"7", "1"', 200),
        ("*", 200),
        ('W/"1"', 412),
        ("1", 412),
        ("garbage", 412),
        ('"99999999999999999999999"', 412),
        # Strong comparison is character for character: not the same tag as "1".
        ('"01"', 412),
        ('"+1"', 412),
        ('" 1"', 412),
        ('"1.0"', 412),
        ('"١"', 412),  # ARABIC-INDIC DIGIT ONE: a digit to str.isdigit, not to an ETag
    ],
)
def test_if_match_forms(api, if_match, status):
    user = post(ADA).json
    assert put(user["user_id"], {"name": "B"}, headers={"If-Match": if_match}).status == status


@pytest.mark.parametrize(
    ("lines", "status"),
    [(['"1"', '"7"'], 200), (['"7"', '"1"'], 200), (['"7"', '"8"'], 412), (['"7"', "*"], 200)],
)
def test_several_if_match_lines_are_one_list(api, lines, status):
    """RFC 9110 5.3: repeated field lines combine; neither the first nor the last wins."""
    user = post(ADA).json
    answer = put(user["user_id"], {"name": "B"}, multi_headers={"If-Match": lines})
    assert answer.status == status
    gone = remove(user["user_id"], multi_headers={"If-Match": [*lines, '"2"']})
    assert gone.status == (204 if status == 200 else 412)


def test_if_match_on_a_missing_user_is_404(api):
    assert_error(put(MISSING_ID, {"name": "x"}, headers={"If-Match": '"1"'}), 404, "not_found")


# -- delete -----------------------------------------------------------


def test_delete_answers_204_empty_frees_the_email_and_never_deletes_twice(api):
    user = post(ADA).json
    answer = remove(user["user_id"])
    assert answer.status == 204 and answer.raw_body == ""
    assert answer.headers["Access-Control-Allow-Origin"] == CORS_ORIGIN
    assert api.scan("users") == [] and api.scan("emails") == []
    assert_error(remove(user["user_id"]), 404, "not_found")
    assert_error(read(user["user_id"]), 404, "not_found")
    assert post({"email": ADA["email"], "name": "Again"}).status == 201


def test_delete_with_a_stale_if_match_is_412_and_deletes_nothing(api):
    user = post(ADA).json
    put(user["user_id"], {"name": "B"})
    assert_error(remove(user["user_id"], headers={"If-Match": '"1"'}), 412, "precondition_failed")
    assert read(user["user_id"]).status == 200 and len(api.scan("emails")) == 1
    assert remove(user["user_id"], headers={"If-Match": '"2"'}).status == 204


# -- list -----------------------------------------------------------


def test_list_defaults_and_shape(api):
    users = [post({"email": f"u{i}@b.co", "name": f"U{i}"}).json for i in range(3)]
    answer = page()
    assert answer.status == 200
    assert answer.json["next_token"] is None
    assert sorted(answer.json["users"], key=lambda u: u["user_id"]) == sorted(
        users, key=lambda u: u["user_id"]
    )
    assert answer.headers["Access-Control-Allow-Origin"] == CORS_ORIGIN


def test_pages_visit_every_user_exactly_once_and_never_a_guard(api):
    created = {post({"email": f"u{i}@b.co", "name": f"U{i}"}).json["user_id"] for i in range(23)}
    seen: list[str] = []
    token = None
    pages = 0
    while True:
        query = {"limit": "5", **({"next_token": token} if token else {})}
        answer = page(**query)
        assert answer.status == 200
        assert len(answer.json["users"]) <= 5
        for user in answer.json["users"]:
            assert set(user) >= {"user_id", "email", "name", "version"}
        seen.extend(u["user_id"] for u in answer.json["users"])
        token = answer.json["next_token"]
        pages += 1
        if token is None:
            break
        assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
    assert sorted(seen) == sorted(created) and len(seen) == len(created)
    assert pages >= 5


@pytest.mark.parametrize("limit", ["0", "101", "-1", "ten", "", "1.5", " 5", "+5", "1e1", "٣"])
def test_a_bad_limit_is_400(api, limit):
    assert_error(page(limit=limit), 400, "bad_request")


@pytest.mark.parametrize("limit", ["1", "100", "25"])
def test_limits_in_range_are_accepted(api, limit):
    assert page(limit=limit).status == 200


def _token(value):
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "token",
    [
        "",
        "not-a-token",
        "!!!!",
        _token({"after": "nope"}),
        _token({"after": MISSING_ID.upper()}),
        _token({"after": MISSING_ID, "more": 1}),
        _token(["after", MISSING_ID]),
        _token({"user_id": {"S": MISSING_ID}}),
        base64.urlsafe_b64encode(b'{"after":"' + MISSING_ID.encode() + b'"}').decode() + "=",
        "A" * 5000,
    ],
)
def test_a_token_the_server_did_not_issue_is_400(api, token):
    assert_error(
        page(next_token=token), 400, "bad_request", "next_token: not a token this API issued"
    )


def test_repeated_query_parameters_are_400(api):
    event = proxy_event("GET", "/users", query={"limit": ["5", "6"]})
    assert_error(invoke(list_users, event), 400, "bad_request", "limit: given more than once")


# -- configuration and failures ----------------------------------------


def test_cors_origin_defaults_to_star_when_the_parameter_is_missing():
    with moto_api(cors_origin=None):
        assert read(MISSING_ID).headers["Access-Control-Allow-Origin"] == "*"
        assert post(ADA).headers["Access-Control-Allow-Origin"] == "*"


def test_anything_unexpected_is_a_500_with_a_fixed_message_and_the_trace_in_the_log(
    api, monkeypatch, caplog
):
    monkeypatch.setenv("USERS_TABLE", "no-such-table")  # DynamoDB answers ResourceNotFound
    caplog.set_level("INFO", logger="users")
    answer = read(MISSING_ID)
    assert_error(answer, 500, "internal_error", "internal error")
    assert "ResourceNotFound" not in answer.raw_body and "Traceback" not in answer.raw_body
    record = next(r for r in caplog.records if r.name == "users")
    assert record.status == 500 and record.request_id == answer.request_id
    assert record.exc_info and "ResourceNotFound" in caplog.text


def test_a_malformed_event_is_a_500_not_a_crash(api):
    result = get.handler({"pathParameters": {"user_id": MISSING_ID}, "requestContext": []}, None)
    # No requestContext: the id is unknown, the answer is still the envelope.
    assert result["statusCode"] == 404
    assert json.loads(result["body"])["error"]["request_id"] == ""


def test_a_failed_first_configuration_read_is_a_500_with_the_default_origin(api, monkeypatch):
    # SSM unreachable (connection refused on a closed local port) on a cold start.
    unreachable = boto3.client(
        "ssm",
        region_name="us-east-1",
        endpoint_url="http://127.0.0.1:9",
        config=BotoConfig(retries={"total_max_attempts": 1}, connect_timeout=1),
    )
    monkeypatch.setattr(config, "CONFIG", config.ConfigCache(unreachable))
    answer = read(MISSING_ID)
    assert answer.status == 500 and answer.error["message"] == "internal error"
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert "127.0.0.1" not in answer.raw_body
