"""The local server's fixes to embedded moto keep DynamoDB's transaction semantics.

The journal replaces moto's whole-table backup, so what matters is that a
cancelled transaction still leaves no trace, including the actions moto had
already applied before the one that failed, on any table it touched, while
committed ones stay. The fixes patch moto process-wide (the local server
installs them once); they only change how a rollback is done, so the other
moto tests in this process see the same behaviour.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from botocore.exceptions import ClientError
from fn_support import TABLE_NAMES, MotoApi, moto_api
from users import store

from userapi_local import moto_fixes


@pytest.fixture
def api() -> Iterator[MotoApi]:
    moto_fixes.install()
    with moto_api() as account:
        yield account


def _store(api: MotoApi) -> store.UserStore:
    return store.UserStore(api.dynamodb, TABLE_NAMES["users"], TABLE_NAMES["emails"])


def _guards(api: MotoApi) -> dict[str, str]:
    return {item["email"]["S"]: item["user_id"]["S"] for item in api.scan("emails")}


def test_a_create_cancelled_on_a_taken_email_leaves_no_user(api: MotoApi) -> None:
    users = _store(api)
    ada = users.create({"email": "ada@example.com", "name": "Ada"})
    with pytest.raises(store.EmailTaken):
        # The user Put (first action) succeeds before the guard Put fails.
        users.create({"email": "ada@example.com", "name": "Impostor"})
    assert [item["user_id"]["S"] for item in api.scan("users")] == [ada["user_id"]]
    assert _guards(api) == {"ada@example.com": ada["user_id"]}


def test_an_email_change_cancelled_on_a_taken_email_restores_user_and_guards(
    api: MotoApi,
) -> None:
    users = _store(api)
    ada = users.create({"email": "ada@example.com", "name": "Ada"})
    bob = users.create({"email": "bob@example.com", "name": "Bob"})
    # Update user, delete old guard: applied; put new guard: fails.
    with pytest.raises(store.EmailTaken):
        users.update(ada["user_id"], {"email": "bob@example.com", "name": "Ada B"})
    assert users.get(ada["user_id"]) == ada
    assert _guards(api) == {"ada@example.com": ada["user_id"], "bob@example.com": bob["user_id"]}


def test_committed_transactions_stay_and_deletes_free_the_email(api: MotoApi) -> None:
    users = _store(api)
    ada = users.create({"email": "ada@example.com", "name": "Ada"})
    moved = users.update(ada["user_id"], {"email": "ada@example.org"})
    assert moved["version"] == 2 and users.get(ada["user_id"]) == moved
    assert _guards(api) == {"ada@example.org": ada["user_id"]}
    users.delete(ada["user_id"])
    assert api.scan("users") == [] and api.scan("emails") == []


def test_a_transaction_refused_as_a_whole_writes_nothing(api: MotoApi) -> None:
    """Two actions on one item: moto raises after applying the first one."""
    item = {"email": {"S": "x@example.com"}, "user_id": {"S": "u1"}}
    table = TABLE_NAMES["emails"]
    with pytest.raises(ClientError) as raised:
        api.dynamodb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": item}},
                {"Delete": {"TableName": table, "Key": {"email": item["email"]}}},
            ]
        )
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert api.scan("emails") == []
