"""Parallel writers across routes over real HTTP, then an audit of what they were told.

Sixteen clients create, update (name or email) and delete a small set of
users at once, drawing emails from a small pool so that writes collide on
the same users and on the same email guards. Each client records every
answer. Then the audit, from API.md's promises:

- no answer is a 5xx, and each is one of the statuses the contract gives;
- every acknowledged delete is gone, and every user that was not deleted
  reads back exactly as the acknowledged write with the highest version
  left it, at version 1 + the number of acknowledged updates (no lost or
  doubled increment, no write rolled back after it was acknowledged);
- every email of the pool is owned by exactly one user or free: registering
  it again answers 409 exactly when a live user holds it, 201 otherwise.
"""

from __future__ import annotations

import json
import random
import threading
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from local_api_fixture import NO_THROTTLING, LocalApi, SigV4, running

JSON = {"Content-Type": "application/json"}
CLIENTS = 16
OPERATIONS_PER_CLIENT = 20
POOL = [f"pool-{index}@example.com" for index in range(10)]
#: Users created before the storm: a table big enough that a transaction's
#: work on it takes long enough to overlap with the other routes' writes.
BYSTANDERS = 300
#: What each route may answer under contention (API.md "Errors").
ALLOWED = {
    "create": {201, 409},
    "update": {200, 404, 409},
    "delete": {204, 404, 409},
}


@pytest.fixture(scope="module")
def api() -> Iterator[LocalApi]:
    with running(NO_THROTTLING) as server:
        yield server


@dataclass
class Ledger:
    """Every answer the clients got, shared by their threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    users: list[str] = field(default_factory=list)
    answers: list[tuple[str, int]] = field(default_factory=list)
    #: user id -> bodies of the acknowledged creates and updates.
    writes: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    updates: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    deleted: set[str] = field(default_factory=set)

    def record(self, kind: str, user_id: str | None, response: requests.Response) -> None:
        with self.lock:
            self.answers.append((kind, response.status_code))
            if response.status_code in (200, 201):
                user = response.json()
                self.writes[user["user_id"]].append(user)
                if kind == "create":
                    self.users.append(user["user_id"])
                else:
                    self.updates[user["user_id"]] += 1
            elif response.status_code == 204 and user_id is not None:
                self.deleted.add(user_id)

    def some_user(self, rng: random.Random) -> str | None:
        with self.lock:
            return rng.choice(self.users) if self.users else None


def _client(api: LocalApi, ledger: Ledger, seed: int, failures: list[BaseException]) -> None:
    rng = random.Random(seed)
    try:
        with requests.Session() as http:
            for _ in range(OPERATIONS_PER_CLIENT):
                roll = rng.random()
                user_id = ledger.some_user(rng)
                if roll < 0.3 or user_id is None:
                    body = {"email": rng.choice(POOL), "name": f"client {seed}"}
                    response = http.post(
                        f"{api.url}/users", data=json.dumps(body), headers=JSON, timeout=30
                    )
                    ledger.record("create", None, response)
                elif roll < 0.85:
                    change = (
                        {"email": rng.choice(POOL)}
                        if rng.random() < 0.5
                        else {"name": f"renamed by {seed}"}
                    )
                    response = http.put(
                        f"{api.url}/users/{user_id}",
                        data=json.dumps(change),
                        headers=JSON,
                        timeout=30,
                    )
                    ledger.record("update", user_id, response)
                else:
                    response = http.delete(f"{api.url}/users/{user_id}", timeout=30)
                    ledger.record("delete", user_id, response)
    except BaseException as exc:  # reported by the test
        failures.append(exc)


def _every_user(api: LocalApi) -> list[dict[str, Any]]:
    users, token = [], None
    with requests.Session() as http:
        while True:
            params = {"limit": "100", **({"next_token": token} if token else {})}
            page = http.get(f"{api.url}/users", params=params, auth=SigV4(), timeout=30)
            assert page.status_code == 200, page.text
            users += page.json()["users"]
            token = page.json()["next_token"]
            if token is None:
                return users


def _seed(api: LocalApi, ledger: Ledger, start: int, count: int) -> None:
    with requests.Session() as http:
        for index in range(start, start + count):
            body = {"email": f"bystander-{index}@example.com", "name": "Bystander"}
            response = http.post(
                f"{api.url}/users", data=json.dumps(body), headers=JSON, timeout=30
            )
            assert response.status_code == 201, response.text
            ledger.record("create", None, response)


def test_parallel_writes_lose_nothing_and_keep_emails_unique(api: LocalApi) -> None:
    ledger, failures = Ledger(), []
    share = BYSTANDERS // 4
    seeders = [
        threading.Thread(target=_seed, args=(api, ledger, start, share))
        for start in range(0, BYSTANDERS, share)
    ]
    for thread in seeders:
        thread.start()
    for thread in seeders:
        thread.join(timeout=120)
    ledger.answers.clear()
    threads = [
        threading.Thread(target=_client, args=(api, ledger, seed, failures))
        for seed in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures[:3]
    assert len(ledger.users) >= BYSTANDERS
    assert len(ledger.answers) == CLIENTS * OPERATIONS_PER_CLIENT

    unexpected = [(kind, status) for kind, status in ledger.answers if status not in ALLOWED[kind]]
    assert unexpected == []
    statuses = {status for _, status in ledger.answers}
    assert {201, 200, 204} <= statuses, "the run must exercise every write"

    with requests.Session() as http:
        for user_id in ledger.users:
            read = http.get(f"{api.url}/users/{user_id}", timeout=30)
            if user_id in ledger.deleted:
                assert read.status_code == 404, read.text
                continue
            assert read.status_code == 200, read.text
            latest = max(ledger.writes[user_id], key=lambda user: user["version"])
            assert read.json() == latest
            assert latest["version"] == 1 + ledger.updates[user_id]

    live = _every_user(api)
    assert sorted(user["user_id"] for user in live) == sorted(set(ledger.users) - ledger.deleted), (
        "the list holds exactly the users that were created and not deleted"
    )
    emails = [user["email"] for user in live]
    assert len(emails) == len(set(emails)), "two users share an email"

    owned = set(emails)
    with requests.Session() as http:
        for email in POOL:
            probe = {"email": email, "name": f"probe {uuid.uuid4()}"}
            again = http.post(f"{api.url}/users", data=json.dumps(probe), headers=JSON, timeout=30)
            assert again.status_code == (409 if email in owned else 201), (email, again.text)
