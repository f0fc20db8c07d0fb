"""Property tests: whatever a client sends, the answer is JSON and never a 500.

Bodies, ids, headers and query strings are random; the moto account lives for
the whole test (one per property), so examples also hit existing users.
"""

from __future__ import annotations

import json
import string

from fn_support import CORS_ORIGIN, invoke, moto_api, proxy_event
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from users import create, delete, get, update
from users import list as list_users

PROPERTY_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
FIELDS = ["email", "name", "phone", "locale", "user_id", "version", "created_at", "x"]
json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
objects = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), json_values, max_size=6)
valid_like = st.fixed_dictionaries(
    {"email": st.emails() | st.text(max_size=30), "name": st.text(max_size=110)},
    optional={
        "phone": st.none() | st.from_regex(r"\A\+[0-9]{5,17}\Z") | st.text(max_size=16),
        "locale": st.none() | st.from_regex(r"\A[a-zA-Z]{2,8}(-[a-zA-Z0-9]{1,8}){0,2}\Z"),
    },
)
bodies = (
    st.none()
    | st.text(max_size=200)
    | st.binary(max_size=200)
    | objects.map(json.dumps)
    | valid_like.map(json.dumps)
    | json_values.map(json.dumps)
)
header_names = st.sampled_from(["Content-Type", "content-type", "If-Match", "X-Other"]) | st.text(
    string.ascii_letters + "-", min_size=1, max_size=12
)
headers = st.dictionaries(header_names, st.text(max_size=40), max_size=4)
ids = st.uuids().map(str) | st.text(max_size=60) | st.uuids().map(lambda u: str(u).upper())
queries = st.dictionaries(
    st.sampled_from(["limit", "next_token", "x"]) | st.text(max_size=6),
    st.lists(st.text(max_size=30), min_size=1, max_size=2),
    max_size=3,
)
base64_flags = st.booleans()


def assert_json_answer(answer):
    assert answer.status != 500, answer.raw_body
    assert answer.status in (200, 201, 204, 400, 404, 409, 412, 413, 415)
    assert answer.headers["Access-Control-Allow-Origin"] == CORS_ORIGIN
    if answer.status == 204:
        assert answer.raw_body == ""
    else:
        assert answer.headers["Content-Type"] == "application/json"
        assert isinstance(answer.json, dict)
    if answer.status >= 400:
        assert set(answer.json["error"]) == {"code", "message", "request_id"}
        assert answer.json["error"]["request_id"] == answer.request_id


def test_random_requests_never_produce_a_500_or_a_non_json_answer():
    with moto_api():

        @PROPERTY_SETTINGS
        @given(body=bodies, headers=headers, query=queries, encoded=base64_flags)
        def create_anything(body, headers, query, encoded):
            event = proxy_event(
                "POST", "/users", body=body, headers=headers, query=query, base64_body=encoded
            )
            assert_json_answer(invoke(create, event))

        @PROPERTY_SETTINGS
        @given(user_id=ids, body=bodies, headers=headers, query=queries)
        def change_anything(user_id, body, headers, query):
            path = f"/users/{user_id}"
            for method, module in (("PUT", update), ("GET", get), ("DELETE", delete)):
                event = proxy_event(
                    method, path, body=body, headers=headers, query=query, user_id=user_id
                )
                assert_json_answer(invoke(module, event))

        @PROPERTY_SETTINGS
        @given(query=queries, headers=headers)
        def list_anything(query, headers):
            event = proxy_event("GET", "/users", headers=headers, query=query)
            assert_json_answer(invoke(list_users, event))

        create_anything()
        change_anything()
        list_anything()
