"""API keys, the usage plan and the domain's base path on the local server, over real HTTP.

The server runs the template of ``--api-keys --domain`` (every API method
``ApiKeyRequired``, the usage plan, a base path mapping): a missing or
unknown ``x-api-key`` is the gateway's 403 in the envelope, a key does not
replace the caller check, the plan's quota answers 429 in the envelope, and
the API answers under the domain's base path with a matching ``Location``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
import requests
from local_api_fixture import NO_THROTTLING, LocalApi, SigV4, running, start

from userapi_local.api_keys import ApiKeyGate, UsagePlan, period_start
from userapi_local.routing import Method

KEY_A = "partner-a-key-0123456789abcdef"
KEY_B = "partner-b-key-0123456789abcdef"
TIMEOUT = 10


@pytest.fixture(scope="module")
def keyed() -> Iterator[LocalApi]:
    args = (
        "--api-keys",
        "--domain",
        "--parameter",
        "ApiBasePath=v1",
        "--api-key",
        KEY_A,
        "--api-key",
        KEY_B,
        *NO_THROTTLING,
    )
    with running(args) as api:
        yield api


def _user() -> dict[str, str]:
    return {"email": f"{uuid.uuid4().hex[:12]}@example.com", "name": "Ada"}


def _assert_forbidden_envelope(response: requests.Response) -> None:
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "forbidden"
    assert error["request_id"] == response.headers["x-amzn-RequestId"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("headers", [{}, {"x-api-key": "not-a-key-of-this-plan-000000"}])
def test_a_missing_or_unknown_key_is_403_in_the_envelope_and_reaches_no_handler(
    keyed: LocalApi, headers: dict[str, str]
) -> None:
    body = _user()
    refused = requests.post(f"{keyed.url}/users", json=body, headers=headers, timeout=TIMEOUT)
    _assert_forbidden_envelope(refused)
    # Nothing was written: the same email registers now, with a key.
    accepted = requests.post(
        f"{keyed.url}/users", json=body, headers={"x-api-key": KEY_A}, timeout=TIMEOUT
    )
    assert accepted.status_code == 201


def test_missing_and_unknown_keys_get_the_same_answer(keyed: LocalApi) -> None:
    missing = requests.get(f"{keyed.url}/users/{uuid.uuid4()}", timeout=TIMEOUT)
    unknown = requests.get(
        f"{keyed.url}/users/{uuid.uuid4()}", headers={"x-api-key": "x" * 30}, timeout=TIMEOUT
    )
    assert missing.json()["error"]["message"] == unknown.json()["error"]["message"]
    assert missing.status_code == unknown.status_code == 403


def test_every_key_of_the_plan_works_and_the_header_name_is_case_insensitive(
    keyed: LocalApi,
) -> None:
    created = requests.post(
        f"{keyed.url}/users", json=_user(), headers={"X-API-Key": KEY_A}, timeout=TIMEOUT
    )
    assert created.status_code == 201
    read = requests.get(
        f"{keyed.url}{created.headers['Location']}", headers={"x-api-key": KEY_B}, timeout=TIMEOUT
    )
    assert read.status_code == 200
    assert read.json()["user_id"] == created.json()["user_id"]


def test_a_key_does_not_replace_the_caller_check(keyed: LocalApi) -> None:
    """Keys meter callers, they do not authorize them: the list still needs SigV4."""
    unsigned = requests.get(f"{keyed.url}/users", headers={"x-api-key": KEY_A}, timeout=TIMEOUT)
    _assert_forbidden_envelope(unsigned)
    signed_without_key = requests.get(f"{keyed.url}/users", auth=SigV4(), timeout=TIMEOUT)
    _assert_forbidden_envelope(signed_without_key)
    both = requests.get(
        f"{keyed.url}/users", auth=SigV4(), headers={"x-api-key": KEY_A}, timeout=TIMEOUT
    )
    assert both.status_code == 200


def test_preflights_and_unknown_paths_need_no_key(keyed: LocalApi) -> None:
    preflight = requests.options(f"{keyed.url}/users", timeout=TIMEOUT)
    assert preflight.status_code == 200
    allowed = preflight.headers["Access-Control-Allow-Headers"].split(",")
    assert "X-Api-Key" in allowed
    unknown = requests.get(f"{keyed.url}/nowhere", timeout=TIMEOUT)
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "not_found"


def test_the_served_openapi_document_declares_the_key(keyed: LocalApi) -> None:
    document = requests.get(f"{keyed.url}/openapi.json", timeout=TIMEOUT).json()
    assert document["components"]["securitySchemes"]["ApiKey"]["name"] == "x-api-key"
    assert document["paths"]["/users"]["post"]["security"] == [{"ApiKey": []}]


def test_the_api_answers_under_the_domain_base_path(keyed: LocalApi) -> None:
    created = requests.post(
        f"{keyed.url}/v1/users", json=_user(), headers={"x-api-key": KEY_A}, timeout=TIMEOUT
    )
    assert created.status_code == 201
    user_id = created.json()["user_id"]
    # requestContext.path carries the base path, so Location does too.
    assert created.headers["Location"] == f"/v1/users/{user_id}"
    read = requests.get(
        f"{keyed.url}{created.headers['Location']}", headers={"x-api-key": KEY_A}, timeout=TIMEOUT
    )
    assert read.status_code == 200
    without_key = requests.get(f"{keyed.url}/v1/users/{user_id}", timeout=TIMEOUT)
    _assert_forbidden_envelope(without_key)
    assert keyed.log_lines_with(f"{keyed.url}/v1")


def test_the_quota_is_429_in_the_envelope_and_a_made_key_is_printed() -> None:
    args = ("--api-keys", "--parameter", "UsagePlanQuotaLimit=2", *NO_THROTTLING)
    with running(args) as api:
        [line] = api.log_lines_with("API key (send it as x-api-key): ")
        key = line.rsplit(" ", 1)[1]
        assert re.fullmatch(r"[A-Za-z0-9_-]{40}", key)
        statuses = [
            requests.get(
                f"{api.url}/users/{uuid.uuid4()}", headers={"x-api-key": key}, timeout=TIMEOUT
            )
            for _ in range(3)
        ]
    assert [r.status_code for r in statuses] == [404, 404, 429]
    error = statuses[2].json()["error"]
    assert error["code"] == "too_many_requests"
    assert statuses[2].headers["Access-Control-Allow-Origin"] == "*"


def test_a_short_api_key_is_one_line_at_start_up() -> None:
    with pytest.raises(RuntimeError) as failure:
        start(("--api-keys", "--api-key", "short"))
    log = str(failure.value).splitlines()[1:]
    assert [line for line in log if "error:" in line] == [
        "local_api.py: error: an API key must be at least 20 characters"
    ]
    assert "Traceback" not in str(failure.value)


# -- the usage plan's throttle and quota, per key (no server needed) ---------------------------

KEYED = Method("M", "GET", "/users/{user_id}", "NONE", api_key_required=True)
OPEN = Method("O", "OPTIONS", "/users", "NONE")


def test_each_key_has_its_own_bucket() -> None:
    gate = ApiKeyGate(UsagePlan(rate=0.001, burst=2), [KEY_A, KEY_B])
    answers = [gate.check(KEYED, {"x-api-key": KEY_A}) for _ in range(3)]
    assert answers[:2] == [None, None]
    assert answers[2] is not None and answers[2].response_type == "THROTTLED"
    assert answers[2].aws_status == 429
    assert gate.check(KEYED, {"x-api-key": KEY_B}) is None  # B's bucket is full
    assert gate.check(OPEN, {}) is None  # a method without ApiKeyRequired is not metered


def test_the_quota_starts_again_with_the_next_period() -> None:
    now = [datetime(2026, 12, 4, 23, 59, tzinfo=timezone.utc)]
    gate = ApiKeyGate(UsagePlan(quota_limit=1, quota_period="DAY"), [KEY_A], clock=lambda: now[0])
    assert gate.check(KEYED, {"x-api-key": KEY_A}) is None
    refused = gate.check(KEYED, {"x-api-key": KEY_A})
    assert refused is not None and refused.response_type == "QUOTA_EXCEEDED"
    now[0] = datetime(2026, 12, 5, 0, 0, 1, tzinfo=timezone.utc)
    assert gate.check(KEYED, {"x-api-key": KEY_A}) is None


@pytest.mark.parametrize(
    ("period", "start"),
    [
        ("DAY", datetime(2026, 12, 4, tzinfo=timezone.utc)),
        ("WEEK", datetime(2026, 11, 30, tzinfo=timezone.utc)),  # the Monday
        ("MONTH", datetime(2026, 12, 1, tzinfo=timezone.utc)),
    ],
)
def test_quota_periods_start_at_utc_boundaries(period: str, start: datetime) -> None:
    assert period_start(period, datetime(2026, 12, 4, 15, 30, tzinfo=timezone.utc)) == start
