"""What the embedded moto backend needs to serve concurrent requests (moto 5.2.x).

Two faults, both found under load and both fixed here, once, when the
server starts its mock (``install``):

1. **moto is not thread-safe.** Its backends are plain dicts and objects
   without locks, and the server runs handlers of different routes in
   parallel threads. Unguarded, a transaction that iterates a table while
   another thread writes to it fails (``dictionary changed size during
   iteration``), and a cancelled transaction that restores its backup puts
   back a stale table, undoing a write another thread had acknowledged.
   So one moto request runs at a time: a lock around the one place every
   mocked AWS call passes through (``BotocoreStubber.process_request``).
   Everything else stays parallel: HTTP parsing, the gateway's checks, the
   handlers' own code and botocore's request signing and response parsing
   in each thread. With ``--dynamodb-endpoint`` the DynamoDB calls are not
   moto's, so they only take the lock for the stubber's URL check.

2. **A transaction's cost grew with the table.** ``transact_write_items``
   deep-copies every table it touches before it starts, to restore on
   cancellation, so each create, email change and delete copied every
   user and every email guard (a profile: 95% of a create's time at 1,500
   users; 2.8 ms at 100 users, 93 ms at 3,000). What a cancelled
   transaction must restore is only the items it touches: at most one per
   action, by DynamoDB's rule that no two actions address the same item.
   So the backup is taken at that depth (a journal of those items, copied
   before the transaction and put back if it raises), and moto's own
   table copy is made a no-op: inside its module, ``deepcopy`` of a whole
   ``Table`` returns the table itself, which makes its rollback assign
   each table to itself. Items are still deep-copied where moto copies
   them (results of reads), so nothing else changes.
"""

from __future__ import annotations

import copy
import functools
import threading
from typing import Any, Callable

from moto.core import models as core_models
from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table

#: Held while moto handles one request; see the module docstring (1).
MOTO_LOCK = threading.RLock()  # re-entrant: a moto handler may call another mocked API

#: (table name, hash key, range key or None) -> the item before, or None.
Journal = dict[tuple[str, DynamoType, "DynamoType | None"], "Item | None"]

_installed = False


def install() -> None:
    """Serialize moto's request handling and journal its transactions (idempotent)."""
    global _installed
    if _installed:
        return
    stubber = core_models.botocore_stubber
    stubber.process_request = _serialized(stubber.process_request)
    dynamodb_models.copy = _TableKeepingCopy()  # type: ignore[assignment]
    backend_class = dynamodb_models.DynamoDBBackend
    backend_class.transact_write_items = _journaled(backend_class.transact_write_items)
    _installed = True


def _serialized(process_request: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(process_request)
    def locked(*args: Any, **kwargs: Any) -> Any:
        with MOTO_LOCK:
            return process_request(*args, **kwargs)

    return locked


class _TableKeepingCopy:
    """The ``copy`` module as moto's dynamodb models see it: a table is not copied."""

    @staticmethod
    def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
        if isinstance(value, Table):
            return value
        return copy.deepcopy(value, memo)

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


def _journaled(transact_write_items: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(transact_write_items)
    def journaled(backend: Any, transact_items: list[dict[str, Any]]) -> None:
        journal = _journal(backend, transact_items)
        try:
            transact_write_items(backend, transact_items)
        except BaseException:
            _restore(backend, journal)
            raise

    return journaled


def _journal(backend: Any, transact_items: list[dict[str, Any]]) -> Journal:
    """A copy of every item the transaction may write, keyed by where it lives."""
    journal: Journal = {}
    for action in transact_items:
        for kind, operation in action.items():
            located = _locate(backend, kind, operation)
            if located is None:
                continue  # moto refuses this action before it writes anything
            table, hash_key, range_key = located
            before = table.get_item(hash_key, range_key)
            journal[(table.name, hash_key, range_key)] = copy.deepcopy(before)
    return journal


def _locate(
    backend: Any, kind: str, operation: Any
) -> tuple[Table, DynamoType, DynamoType | None] | None:
    """The table and key an action addresses, or None if moto will reject it."""
    if not isinstance(operation, dict):
        return None
    table = backend.tables.get(operation.get("TableName"))
    if table is None:
        return None
    key = operation.get("Item") if kind == "Put" else operation.get("Key")
    if not isinstance(key, dict) or table.hash_key_attr not in key:
        return None
    try:
        hash_key = DynamoType(key[table.hash_key_attr])
        range_key = None
        if table.range_key_attr is not None:
            if table.range_key_attr not in key:
                return None
            range_key = DynamoType(key[table.range_key_attr])
        table.get_item(hash_key, range_key)
    except Exception:  # a malformed key: moto cancels the transaction on it
        return None
    return table, hash_key, range_key


def _restore(backend: Any, journal: Journal) -> None:
    """Put every journaled item back as it was (absent items: absent again)."""
    for (table_name, hash_key, range_key), before in journal.items():
        table = backend.tables.get(table_name)
        if table is None:
            continue
        if before is None:
            if table.get_item(hash_key, range_key) is not None:
                table.delete_item(hash_key, range_key)
        elif range_key is None:
            table.items[hash_key] = before
        else:
            table.items[hash_key][range_key] = before
