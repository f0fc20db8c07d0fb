"""End to end over real HTTP: the local server running the real handlers on moto.

Every expectation comes from shared/API.md (the contract), not from the code.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from http.client import HTTPConnection
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from local_api_fixture import NO_THROTTLING, LocalApi, SigV4, running

JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def api() -> Iterator[LocalApi]:
    with running(NO_THROTTLING) as server:
        yield server


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


def _email() -> str:
    return f"user-{uuid.uuid4().hex[:12]}@Example.com"


def _create(api: LocalApi, http: requests.Session, **fields: Any) -> requests.Response:
    body = {"email": _email(), "name": "Ada Lovelace", **fields}
    return http.post(f"{api.url}/users", data=json.dumps(body), headers=JSON, timeout=10)


def _error(response: requests.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    error = response.json()["error"]
    assert error["code"] == code
    assert error["request_id"]
    assert isinstance(error["message"], str)
    return error


def test_create_read_update_delete(api: LocalApi, http: requests.Session) -> None:
    email = _email()
    created = http.post(
        f"{api.url}/users",
        data=json.dumps({"email": f"  {email} ", "name": "Ada Lovelace", "phone": "+442071838750"}),
        headers=JSON,
        timeout=10,
    )
    assert created.status_code == 201, created.text
    user = created.json()
    assert user["email"] == email.lower()
    assert user["name"] == "Ada Lovelace" and user["phone"] == "+442071838750"
    assert "locale" not in user
    assert user["version"] == 1 and created.headers["ETag"] == '"1"'
    assert uuid.UUID(user["user_id"]).version == 4
    assert created.headers["Location"].endswith(f"/users/{user['user_id']}")
    assert created.headers["Access-Control-Allow-Origin"] == "*"
    url = f"{api.url}/users/{user['user_id']}"

    read = http.get(url, timeout=10)
    assert read.status_code == 200 and read.json() == user
    assert read.headers["ETag"] == '"1"'

    updated = http.put(
        url, data=json.dumps({"locale": "en-GB", "phone": None}), headers=JSON, timeout=10
    )
    assert updated.status_code == 200, updated.text
    changed = updated.json()
    assert changed["locale"] == "en-GB" and "phone" not in changed
    assert changed["version"] == 2 and updated.headers["ETag"] == '"2"'
    assert changed["created_at"] == user["created_at"]

    stale = http.put(
        url, data=json.dumps({"name": "X"}), headers={**JSON, "If-Match": '"1"'}, timeout=10
    )
    _error(stale, 412, "precondition_failed")
    assert http.get(url, timeout=10).json()["name"] == "Ada Lovelace"

    _error(http.delete(url, headers={"If-Match": '"1"'}, timeout=10), 412, "precondition_failed")
    deleted = http.delete(url, headers={"If-Match": '"2"'}, timeout=10)
    assert deleted.status_code == 204 and deleted.content == b""
    _error(http.get(url, timeout=10), 404, "not_found")
    _error(http.delete(url, timeout=10), 404, "not_found")


def test_emails_are_unique_case_insensitively_and_freed_on_delete(
    api: LocalApi, http: requests.Session
) -> None:
    first = _create(api, http)
    email = first.json()["email"]
    clash = http.post(
        f"{api.url}/users",
        data=json.dumps({"email": email.upper(), "name": "Other"}),
        headers=JSON,
        timeout=10,
    )
    _error(clash, 409, "email_taken")
    second = _create(api, http)
    moved = http.put(
        f"{api.url}/users/{second.json()['user_id']}",
        data=json.dumps({"email": email}),
        headers=JSON,
        timeout=10,
    )
    _error(moved, 409, "email_taken")
    http.delete(f"{api.url}/users/{first.json()['user_id']}", timeout=10)
    again = http.post(
        f"{api.url}/users",
        data=json.dumps({"email": email, "name": "New"}),
        headers=JSON,
        timeout=10,
    )
    assert again.status_code == 201


def test_list_walks_every_page_exactly_once(api: LocalApi, http: requests.Session) -> None:
    created = {_create(api, http).json()["user_id"] for _ in range(7)}
    seen: list[str] = []
    token = None
    pages = 0
    while True:
        params = {"limit": "3", **({"next_token": token} if token else {})}
        page = http.get(f"{api.url}/users", params=params, auth=SigV4(), timeout=10)
        assert page.status_code == 200, page.text
        body = page.json()
        assert len(body["users"]) <= 3
        assert all(set(user) >= {"user_id", "email", "name", "version"} for user in body["users"])
        seen += [user["user_id"] for user in body["users"]]
        pages += 1
        token = body["next_token"]
        if token is None:
            break
    assert pages >= 3
    assert len(seen) == len(set(seen))
    assert created <= set(seen)


def _tampered_tokens(token: str, user_id: str) -> dict[str, str]:
    """Tokens this server did not issue, built from one it did."""
    raw = base64.urlsafe_b64decode(token + "=")
    flipped = bytes([raw[0] ^ 1]) + raw[1:]
    unsigned = uuid.UUID(user_id).bytes + bytes(16)
    legacy = json.dumps({"after": user_id}, separators=(",", ":")).encode()

    def encode(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    return {
        "forged": encode(flipped),
        "truncated": token[:-3],
        "unsigned": encode(unsigned),
        "unsigned, previous format": encode(legacy),
    }


def test_tokens_the_server_did_not_issue_are_400_over_http(
    api: LocalApi, http: requests.Session
) -> None:
    for _ in range(2):
        _create(api, http)
    page = http.get(f"{api.url}/users", params={"limit": "1"}, auth=SigV4(), timeout=10)
    assert page.status_code == 200, page.text
    token, user_id = page.json()["next_token"], page.json()["users"][0]["user_id"]
    for what, bad in _tampered_tokens(token, user_id).items():
        response = http.get(
            f"{api.url}/users", params={"next_token": bad}, auth=SigV4(), timeout=10
        )
        error = _error(response, 400, "bad_request")
        assert error["message"] == "next_token: not a token this API issued", what
    again = http.get(f"{api.url}/users", params={"next_token": token}, auth=SigV4(), timeout=10)
    assert again.status_code == 200, again.text


def test_a_token_from_another_server_is_400(api: LocalApi, http: requests.Session) -> None:
    """Another local server generated its own key, as another environment would."""
    _create(api, http)
    _create(api, http)
    with running(NO_THROTTLING) as other:
        _create(other, http)
        _create(other, http)
        page = http.get(f"{other.url}/users", params={"limit": "1"}, auth=SigV4(), timeout=10)
        foreign = page.json()["next_token"]
    assert foreign
    response = http.get(
        f"{api.url}/users", params={"next_token": foreign}, auth=SigV4(), timeout=10
    )
    _error(response, 400, "bad_request")


def test_the_location_header_resolves_on_the_server(api: LocalApi, http: requests.Session) -> None:
    """Location keeps the stage (``/dev/users/<id>``, as on execute-api), and
    the local server answers under the stage prefix as well as without it."""
    created = _create(api, http)
    assert created.status_code == 201, created.text
    location = created.headers["Location"]
    assert location == f"/dev/users/{created.json()['user_id']}"
    fetched = http.get(f"{api.url}{location}", timeout=10)
    assert fetched.status_code == 200 and fetched.json() == created.json()
    signed = http.get(f"{api.url}/dev/users?limit=1", auth=SigV4(), timeout=10)
    assert signed.status_code == 200, signed.text
    _error(http.get(f"{api.url}/devx/users", timeout=10), 404, "not_found")


def test_list_requires_a_valid_signature(api: LocalApi, http: requests.Session) -> None:
    wrong = http.get(f"{api.url}/users", auth=SigV4(secret="not-the-secret"), timeout=10)
    _error(wrong, 403, "forbidden")
    stranger = http.get(f"{api.url}/users", auth=SigV4(key="AKIDSOMEONEELSE"), timeout=10)
    _error(stranger, 403, "forbidden")
    # Unsigned: API Gateway's MISSING_AUTHENTICATION_TOKEN, 403 forbidden (API.md).
    _error(http.get(f"{api.url}/users", timeout=10), 403, "forbidden")


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ({"limit": "0"}, "limit below 1"),
        ({"limit": "101"}, "limit above 100"),
        ({"limit": "ten"}, "limit not an integer"),
        ({"next_token": "not-a-token"}, "a token the server did not issue"),
    ],
)
def test_bad_list_parameters_are_bad_requests(
    api: LocalApi, http: requests.Session, query: dict[str, str], reason: str
) -> None:
    response = http.get(f"{api.url}/users", params=query, auth=SigV4(), timeout=10)
    _error(response, 400, "bad_request")


@pytest.mark.parametrize(
    ("body", "headers", "status", "code"),
    [
        (b"", JSON, 400, "bad_request"),
        # Not JSON: API Gateway's body validator refuses it before the handler
        # (BAD_REQUEST_BODY cannot tell it from a schema failure; README, API).
        (b'{"email": "a@example.com", "name": ', JSON, 400, "validation_failed"),
        (
            b'{"email": "a@example.com", "name": "A", "user_id": "x"}',
            JSON,
            400,
            "validation_failed",
        ),
        (b'{"email": "a@example.com", "name": "A", "nick": "x"}', JSON, 400, "validation_failed"),
        (b'{"email": "no-at-sign", "name": "A"}', JSON, 400, "validation_failed"),
        (b'{"email": "a@example.com", "name": "   "}', JSON, 400, "validation_failed"),
        (
            b'{"email": "a@example.com", "name": "A"}',
            {"Content-Type": "text/plain"},
            415,
            "unsupported_media_type",
        ),
        (
            b'{"email": "big@example.com", "name": "A"' + b" " * 17_000 + b"}",
            JSON,
            413,
            "payload_too_large",
        ),
    ],
)
def test_create_errors(
    api: LocalApi,
    http: requests.Session,
    body: bytes,
    headers: dict[str, str],
    status: int,
    code: str,
) -> None:
    response = http.post(f"{api.url}/users", data=body, headers=headers, timeout=10)
    _error(response, status, code)


GATEWAY_VALIDATION_MESSAGE = "request body does not match the schema (see the OpenAPI document)"


def test_the_gateway_validator_refuses_a_body_before_the_handler(
    api: LocalApi, http: requests.Session
) -> None:
    """A read-only key breaks the create model: the gateway's fixed message,
    not the handler's (which would name the key), proves who answered."""
    response = _create(api, http, version=7)
    assert _error(response, 400, "validation_failed")["message"] == GATEWAY_VALIDATION_MESSAGE


@pytest.mark.parametrize("user_id", ["nope", "0" * 300, str(uuid.uuid4()), "%F0%9F%92%A9"])
def test_unknown_or_malformed_ids_are_not_found(
    api: LocalApi, http: requests.Session, user_id: str
) -> None:
    _error(http.get(f"{api.url}/users/{user_id}", timeout=10), 404, "not_found")
    update = http.put(
        f"{api.url}/users/{user_id}", data=json.dumps({"name": "x"}), headers=JSON, timeout=10
    )
    _error(update, 404, "not_found")


def test_update_needs_a_field_and_keeps_email_and_name_non_null(
    api: LocalApi, http: requests.Session
) -> None:
    url = f"{api.url}/users/{_create(api, http).json()['user_id']}"
    _error(http.put(url, data=b"{}", headers=JSON, timeout=10), 400, "validation_failed")
    for field in ("email", "name"):
        body = json.dumps({field: None})
        _error(http.put(url, data=body, headers=JSON, timeout=10), 400, "validation_failed")


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/accounts"), ("GET", "/"), ("DELETE", "/users/x/y"), ("POST", "/a/b/c")],
)
def test_unknown_routes_are_not_found(
    api: LocalApi, http: requests.Session, method: str, path: str
) -> None:
    _error(http.request(method, f"{api.url}{path}", timeout=10), 404, "not_found")


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PATCH", f"/users/{uuid.uuid4()}", {"GET", "PUT", "DELETE", "OPTIONS"}),
        ("POST", "/users/abc", {"GET", "PUT", "DELETE", "OPTIONS"}),
        ("PATCH", "/users", {"GET", "POST", "OPTIONS"}),
        ("DELETE", "/users", {"GET", "POST", "OPTIONS"}),
        ("TRACE", "/users", {"GET", "POST", "OPTIONS"}),
    ],
)
def test_other_methods_on_a_route_are_not_allowed(
    api: LocalApi, http: requests.Session, method: str, path: str, allow: set[str]
) -> None:
    response = http.request(method, f"{api.url}{path}", timeout=10)
    error = _error(response, 405, "method_not_allowed")
    assert error["request_id"] == response.headers["x-amzn-RequestId"]
    assert set(response.headers["Allow"].split(",")) == allow


def test_a_body_the_catch_all_has_no_template_for_is_unsupported(
    api: LocalApi, http: requests.Session
) -> None:
    response = http.patch(
        f"{api.url}/users", data=b"x=1", headers={"Content-Type": "text/plain"}, timeout=10
    )
    _error(response, 415, "unsupported_media_type")


def test_cors_preflights_answer_like_the_gateway(api: LocalApi, http: requests.Session) -> None:
    for path, methods in (
        ("/users", {"GET", "POST"}),
        (f"/users/{uuid.uuid4()}", {"GET", "PUT", "DELETE"}),
    ):
        response = http.options(
            f"{api.url}{path}",
            headers={"Origin": "https://app.example", "Access-Control-Request-Method": "PUT"},
            timeout=10,
        )
        assert response.status_code == 200
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        allowed = set(response.headers["Access-Control-Allow-Methods"].split(","))
        assert allowed == methods | {"OPTIONS"}
        assert "If-Match" in response.headers["Access-Control-Allow-Headers"]


@pytest.mark.parametrize(
    ("template", "status"),
    [
        ("/users/{id}", 200),
        ("/users/{id}/", 200),
        ("/users/{id}//", 200),
        ("//users/{id}", 200),
        ("//dev/users/{id}", 200),
        ("/dev//users/{id}", 200),
        # An empty segment inside the path: no {user_id} matches it, the catch-all does.
        ("/users//{id}", 404),
        ("//users//{id}", 404),
    ],
)
def test_slashes_route_as_on_api_gateway(
    api: LocalApi, http: requests.Session, template: str, status: int
) -> None:
    """Leading slashes are one, trailing ones do not count, inner empty segments do
    (README "Try it locally": what AWS does, from LocalStack's AWS-recorded tests)."""
    user = _create(api, http).json()
    connection = HTTPConnection(*urlsplit(api.url).netloc.split(":"), timeout=10)
    try:
        connection.request("GET", template.format(id=user["user_id"]))  # sent verbatim
        response = connection.getresponse()
        body = json.loads(response.read())
    finally:
        connection.close()
    assert response.status == status
    assert response.getheader("Access-Control-Allow-Origin") == "*"
    if status == 200:
        assert body == user
    else:
        assert body["error"]["code"] == "not_found"
