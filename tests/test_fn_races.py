"""Races, reproduced against moto at the store level.

The competing writer is a second UserStore on the test's own client; it runs
from a botocore ``before-call`` hook on the handlers' client, i.e. after the
store has read the user and built its conditional write, just before that
write is sent: the worst moment, every time, deterministically.
"""

from __future__ import annotations

import threading

import pytest
from botocore.exceptions import ClientError
from fn_support import TABLE_NAMES, CallRecorder, invoke, json_body, moto_api, proxy_event
from users import config, create, store, update

ADA = {"email": "ada@example.com", "name": "Ada"}


@pytest.fixture
def api():
    with moto_api() as account:
        yield account


def _store(client=None):
    return store.UserStore(client or config.DYNAMODB, TABLE_NAMES["users"], TABLE_NAMES["emails"])


class Interleave:
    """Run ``action`` just before the handlers' client sends ``operation`` (``times`` times)."""

    def __init__(self, operation, action, times=1):
        self.event = f"before-call.dynamodb.{operation}"
        self.action = action
        self.remaining = times
        self.ran = 0

    def _hook(self, **_):
        if self.remaining:
            self.remaining -= 1
            self.ran += 1
            self.action()

    def __enter__(self):
        config.DYNAMODB.meta.events.register(self.event, self._hook)
        return self

    def __exit__(self, *exc):
        config.DYNAMODB.meta.events.unregister(self.event, self._hook)


def test_two_creates_with_one_email_only_one_wins(api):
    rival = _store(api.dynamodb)
    winner = {}
    with (
        Interleave("TransactWriteItems", lambda: winner.update(rival.create(dict(ADA)))),
        pytest.raises(store.EmailTaken),
    ):
        _store().create(dict(ADA))
    assert [i["user_id"]["S"] for i in api.scan("users")] == [winner["user_id"]]
    assert api.scan("emails") == [
        {"email": {"S": "ada@example.com"}, "user_id": {"S": winner["user_id"]}}
    ]


def test_concurrent_creates_through_the_handler_one_201_the_rest_409(api):
    config.CONFIG.get()  # warm, so every thread goes straight to DynamoDB
    barrier = threading.Barrier(8)
    statuses = []

    def register(i):
        barrier.wait()
        body = json_body({"email": "Same@Example.com", "name": f"U{i}"})
        statuses.append(invoke(create, proxy_event("POST", "/users", body=body)).status)

    threads = [threading.Thread(target=register, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201] + [409] * 7
    assert len(api.scan("users")) == 1 and len(api.scan("emails")) == 1


def test_an_update_racing_an_update_loses_no_increment(api):
    user = _store().create(dict(ADA))
    rival = _store(api.dynamodb)
    recorder = CallRecorder()
    with (
        Interleave("UpdateItem", lambda: rival.update(user["user_id"], {"name": "Rival"})),
        recorder.watching(config.DYNAMODB),
    ):
        result = _store().update(user["user_id"], {"phone": "+442071838750"})
    assert result["version"] == 3
    assert result["name"] == "Rival" and result["phone"] == "+442071838750"
    assert _store().get(user["user_id"]) == result
    # Read, failed write, read again, write.
    assert recorder.operations() == ["GetItem", "UpdateItem", "GetItem", "UpdateItem"]


def test_a_stale_if_match_discovered_at_write_time_is_412_and_changes_nothing(api):
    user = _store().create(dict(ADA))
    rival = _store(api.dynamodb)
    with (
        Interleave("UpdateItem", lambda: rival.update(user["user_id"], {"name": "Rival"})),
        pytest.raises(store.PreconditionFailed),
    ):
        _store().update(user["user_id"], {"name": "Mine"}, if_match=frozenset({1}))
    after = _store().get(user["user_id"])
    assert after["name"] == "Rival" and after["version"] == 2


def test_an_email_change_racing_a_create_of_that_email_is_409_and_changes_nothing(api):
    ada = _store().create(dict(ADA))
    rival = _store(api.dynamodb)
    taker = {}
    take = lambda: taker.update(rival.create({"email": "new@b.co", "name": "Taker"}))  # noqa: E731
    with Interleave("TransactWriteItems", take), pytest.raises(store.EmailTaken):
        _store().update(ada["user_id"], {"email": "new@b.co", "name": "Changed"})
    assert _store().get(ada["user_id"]) == ada
    owners = {i["email"]["S"]: i["user_id"]["S"] for i in api.scan("emails")}
    assert owners == {"ada@example.com": ada["user_id"], "new@b.co": taker["user_id"]}


def test_an_email_change_racing_a_delete_of_the_user_is_404_and_frees_everything(api):
    ada = _store().create(dict(ADA))
    rival = _store(api.dynamodb)
    with (
        Interleave("TransactWriteItems", lambda: rival.delete(ada["user_id"])),
        pytest.raises(store.NotFound),
    ):
        _store().update(ada["user_id"], {"email": "new@b.co"})
    assert api.scan("users") == [] and api.scan("emails") == []


def test_a_delete_racing_an_update_retries_without_if_match_and_is_412_with_it(api):
    rival = _store(api.dynamodb)
    user = _store().create(dict(ADA))
    bump = lambda: rival.update(user["user_id"], {"name": "Rival"})  # noqa: E731
    with Interleave("TransactWriteItems", bump), pytest.raises(store.PreconditionFailed):
        _store().delete(user["user_id"], if_match=frozenset({1}))
    assert _store().get(user["user_id"])["version"] == 2
    with Interleave("TransactWriteItems", bump):
        _store().delete(user["user_id"])
    assert api.scan("users") == [] and api.scan("emails") == []


def test_endless_concurrent_writers_end_in_conflict_after_bounded_attempts(api):
    user = _store().create(dict(ADA))
    rival = _store(api.dynamodb)
    bump = lambda: rival.update(user["user_id"], {"name": "Rival"})  # noqa: E731
    with Interleave("UpdateItem", bump, times=100) as interleave, pytest.raises(store.Conflict):
        _store().update(user["user_id"], {"name": "Mine"})
    assert interleave.ran == store.MAX_ATTEMPTS
    assert _store().get(user["user_id"])["name"] == "Rival"


def test_a_replayed_transaction_does_not_apply_twice(api):
    recorder = CallRecorder()
    user = {}
    operations = [
        lambda: user.update(_store().create(dict(ADA))),
        lambda: _store().update(user["user_id"], {"email": "new@b.co"}),
        lambda: _store().delete(user["user_id"]),
    ]
    tokens = []
    for operation in operations:
        with recorder.watching(config.DYNAMODB):
            operation()
        params = [p for _, op, p in recorder.calls if op == "TransactWriteItems"][-1]
        tokens.append(params["ClientRequestToken"])
        before = (api.scan("users"), api.scan("emails"))
        # Re-send it as a retry would: DynamoDB answers with the first outcome
        # (same token) or refuses it (its conditions); either way nothing changes.
        try:
            config.DYNAMODB.transact_write_items(**params)
        except ClientError as exc:
            assert exc.response["Error"]["Code"] in (
                "TransactionCanceledException",
                "IdempotentParameterMismatchException",
            )
        assert (api.scan("users"), api.scan("emails")) == before
    assert len(set(tokens)) == 3 and all(0 < len(token) <= 36 for token in tokens)
    assert tokens[0] == user["user_id"]


def test_the_handler_answers_409_conflict_when_writers_never_stop(api):
    user = _store().create(dict(ADA))
    rival = _store(api.dynamodb)
    bump = lambda: rival.update(user["user_id"], {"name": "Rival"})  # noqa: E731
    event = proxy_event(
        "PUT", f"/users/{user['user_id']}", user_id=user["user_id"], body=json_body({"name": "Me"})
    )
    with Interleave("UpdateItem", bump, times=100):
        answer = invoke(update, event)
    assert answer.status == 409
    assert answer.error == {
        "code": "conflict",
        "message": "the user was changed concurrently; retry the request",
        "request_id": answer.request_id,
    }
