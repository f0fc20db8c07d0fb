"""Property-based run of schemathesis over the OpenAPI document, against the local server.

Every operation gets generated requests (valid and invalid), signed with
SigV4 so the list route is really exercised, and every response is checked
against the document: no 5xx, declared status codes, content types, headers
and schemas. Fixed seed (derandomized Hypothesis) and a bounded number of
examples per operation, so CI time is stable and failures reproduce.

The schema is loaded from the same builder the server uses (schemathesis'
``from_fixture`` loader breaks on pytest 9: it reads the removed
``Item._nodeid``); a separate test proves the served document is that one.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from local_api_fixture import NO_THROTTLING, LocalApi, SigV4, running
from schemathesis.checks import (
    missing_required_header,
    negative_data_rejection,
    positive_data_acceptance,
)

from userapi_stack.openapi import build_openapi_document

#: Examples per operation (7 operations, preflights included).
MAX_EXAMPLES = 40
CALLS: list[int] = []
#: Cases that left out the signature (and were checked to get 403).
UNSIGNED: list[int] = []

schema = schemathesis.openapi.from_dict(build_openapi_document())


@pytest.fixture(scope="module")
def local_api() -> Iterator[LocalApi]:
    with running(NO_THROTTLING) as api:
        yield api


@pytest.fixture(scope="module")
def session() -> Iterator[requests.Session]:
    with requests.Session() as http:
        yield http


def test_the_server_serves_this_document(local_api: LocalApi, session: requests.Session) -> None:
    served = session.get(f"{local_api.url}/openapi.json", timeout=10).json()
    assert served == build_openapi_document(local_api.url)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_every_response_conforms_to_the_document(
    case: schemathesis.Case, local_api: LocalApi, session: requests.Session
) -> None:
    CALLS.append(1)
    excluded = []
    if case.operation.label == "GET /users" and "next_token" in (case.query or {}):
        # next_token is opaque and validated by design (API.md): only a token
        # the server issued is accepted, anything else is 400 bad_request. No
        # schema can say "issued by the server", so a generated string is not
        # valid data; every other check still runs on these cases, and
        # positive_data_acceptance still runs on every list call without a token.
        excluded.append(positive_data_acceptance)
    unsigned = _drops_the_signature(case)
    if unsigned:
        # A case that leaves out Authorization must go out unsigned (the auth
        # below would add it back). Schemathesis then wants 401; API Gateway
        # answers an unsigned AWS_IAM call 403 forbidden, which API.md keeps:
        # asserted here instead of its two checks.
        excluded += [missing_required_header, negative_data_rejection]
    response = case.call_and_validate(
        base_url=local_api.url,
        session=session,
        auth=None if unsigned else SigV4(),
        timeout=10,
        excluded_checks=excluded,
    )
    if unsigned:
        UNSIGNED.append(1)
        assert response.status_code == 403, response.text
        assert response.json()["error"]["code"] == "forbidden"
        assert response.headers["access-control-allow-origin"] == ["*"]


def _drops_the_signature(case: schemathesis.Case) -> bool:
    """A case of a signed operation generated without its Authorization header.

    The document declares SigV4 as a required ``Authorization`` header, so
    every valid case carries one (its value is replaced by a real signature);
    only the cases that test its absence (coverage or negative) lack it.
    """
    signed = "security" in case.operation.definition.raw
    headers = {name.lower() for name in (case.headers or {})}
    return signed and "authorization" not in headers


def test_the_run_was_meaningful(local_api: LocalApi) -> None:
    """The property test above really ran, and reached the handlers of every route."""
    assert len(CALLS) >= 7 * 10
    assert UNSIGNED, "no case ever called the list route unsigned"
    for resource, status in (
        ("/users", "201"),
        ("/users", "200"),
        ("/users/{user_id}", "404"),
        ("/users", "405"),  # undeclared methods reached the MOCK catch-alls
        ("/users/{user_id}", "405"),
    ):
        assert any(
            f" {status} " in line and f"resource={resource} " in line for line in local_api.log
        ), (resource, status)
