"""UserStore: the users and emails tables behind five operations.

Every write is conditional, so DynamoDB itself enforces the invariants:
a create never overwrites (``attribute_not_exists``), an update or delete
never creates or resurrects (the version condition implies existence), and
an email is owned by at most one user because its guard item in the emails
table is written in the same transaction as the user item. There is no
check-then-write: a read only chooses *what* to write, and the write's
condition re-checks what the read saw (the version).

Transactions carry a ``ClientRequestToken``, fresh per attempt: botocore
re-sends the same request on a network error or a 5xx, and the token makes
DynamoDB answer that re-send with the first outcome instead of applying it
twice (or failing the condition it already satisfied).

Without If-Match, a read-then-write that loses a race to another writer
(version changed between the two calls) is retried, up to ``MAX_ATTEMPTS``
times, then reported as ``Conflict``. With If-Match the caller asked for a
specific version, so a mismatch is ``PreconditionFailed``, never a retry.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from typing import Any, Callable

from botocore.exceptions import ClientError

#: Read-then-write attempts of an update or delete without If-Match.
MAX_ATTEMPTS = 5


class StoreError(Exception):
    """A domain outcome the HTTP layer maps to a status."""


class NotFound(StoreError):
    pass


class EmailTaken(StoreError):
    pass


class UserExists(StoreError):
    """A user with the requested id exists already (a second profile for one identity)."""


class PreconditionFailed(StoreError):
    pass


class Conflict(StoreError):
    """Concurrent writers kept changing the user for every attempt."""


class Inconsistent(StoreError):
    """The tables disagree (e.g. a user's guard item is missing): a bug, not a client error."""


def utc_now() -> str:
    """RFC 3339 UTC with milliseconds and ``Z``."""
    now = datetime.datetime.now(datetime.timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def to_item(user: dict[str, Any]) -> dict[str, dict[str, str]]:
    """A user as a DynamoDB item: strings as S, integers as N."""
    item = {}
    for key, value in user.items():
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise TypeError(f"{key}: unsupported attribute type {type(value).__name__}")
        item[key] = {"S": value} if isinstance(value, str) else {"N": str(value)}
    return item


def from_item(item: dict[str, dict[str, str]]) -> dict[str, Any]:
    """A DynamoDB item as a user (the inverse of ``to_item``)."""
    user: dict[str, Any] = {}
    for key, attribute in item.items():
        if "S" in attribute:
            user[key] = attribute["S"]
        elif "N" in attribute:
            user[key] = int(attribute["N"])
        else:
            raise TypeError(f"{key}: unexpected attribute type {sorted(attribute)}")
    return user


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _cancellation_codes(exc: ClientError) -> list[str]:
    """Per-item reasons of a cancelled transaction, in TransactItems order."""
    reasons = exc.response.get("CancellationReasons") or []
    return [str(reason.get("Code", "")) for reason in reasons]


def _is_conditional_failure(exc: ClientError) -> bool:
    return _error_code(exc) == "ConditionalCheckFailedException"


class UserStore:
    """Users in ``users_table``; one guard item per email in ``emails_table``."""

    def __init__(
        self,
        client: Any,
        users_table: str,
        emails_table: str,
        clock: Callable[[], str] = utc_now,
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    ) -> None:
        self._client = client
        self._users = users_table
        self._emails = emails_table
        self._clock = clock
        self._new_id = new_id

    # -- reads ---------------------------------------------------------

    def get(self, user_id: str) -> dict[str, Any]:
        """One strongly consistent GetItem, so a client reads its own writes."""
        answer = self._client.get_item(
            TableName=self._users, Key={"user_id": {"S": user_id}}, ConsistentRead=True
        )
        if "Item" not in answer:
            raise NotFound(user_id)
        return from_item(answer["Item"])

    def list_page(
        self, limit: int, start_after: str | None = None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One Scan of the users table: a page and the id to continue after, if any."""
        request: dict[str, Any] = {"TableName": self._users, "Limit": limit}
        if start_after is not None:
            request["ExclusiveStartKey"] = {"user_id": {"S": start_after}}
        answer = self._client.scan(**request)
        last = answer.get("LastEvaluatedKey")
        return [from_item(i) for i in answer.get("Items", [])], (
            last["user_id"]["S"] if last else None
        )

    # -- writes --------------------------------------------------------

    def create(self, fields: dict[str, str], user_id: str | None = None) -> dict[str, Any]:
        """One transaction: Put user + Put email guard, both conditional.

        The id is new unless the caller's identity fixes it (auth mode
        cognito: the token's ``sub``); then an existing user is ``UserExists``.
        A ``TransactionConflict`` (another transaction on the same guard in
        flight) cancels the whole transaction, so it is safe to try again.
        """
        given_id = user_id
        for _ in range(MAX_ATTEMPTS):
            token = self._new_id()
            user_id = given_id or token
            now = self._clock()
            user = {
                "user_id": user_id,
                **fields,
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
            items = [
                {
                    "Put": {
                        "TableName": self._users,
                        "Item": to_item(user),
                        "ConditionExpression": "attribute_not_exists(user_id)",
                    }
                },
                self._put_guard(user["email"], user_id),
            ]
            try:
                # A fresh uuid per attempt (the new id, when there is one): unique,
                # at most 36 characters, and never a given id, which may be
                # re-registered within the token's 10-minute idempotency window.
                self._client.transact_write_items(TransactItems=items, ClientRequestToken=token)
            except ClientError as exc:
                codes = _cancellation_codes(exc)
                if "TransactionConflict" in codes:
                    continue
                if given_id and codes and codes[0] == "ConditionalCheckFailed":
                    raise UserExists(user_id) from None
                if len(codes) == 2 and codes[1] == "ConditionalCheckFailed":
                    raise EmailTaken(user["email"]) from None
                raise
            return user
        raise Conflict(fields.get("email", ""))

    def update(
        self,
        user_id: str,
        set_fields: dict[str, str],
        remove_fields: Iterable[str] = (),
        if_match: frozenset[int] | None = None,
    ) -> dict[str, Any]:
        """Read, then a write conditioned on the version read; see the module docstring."""
        remove = tuple(f for f in remove_fields if f not in set_fields)
        for _ in range(MAX_ATTEMPTS):
            current = self._read_for_write(user_id, if_match)
            new_email = set_fields.get("email", current["email"])
            try:
                if new_email == current["email"]:
                    return self._update_in_place(current, set_fields, remove)
                return self._update_with_email(current, set_fields, remove)
            except _VersionMoved:
                continue
        raise Conflict(user_id)

    def delete(self, user_id: str, if_match: frozenset[int] | None = None) -> dict[str, Any]:
        """Read (for the email), then one transaction: Delete user + Delete guard."""
        for _ in range(MAX_ATTEMPTS):
            current = self._read_for_write(user_id, if_match)
            items = [
                {
                    "Delete": {
                        "TableName": self._users,
                        "Key": {"user_id": {"S": user_id}},
                        **self._version_condition(current["version"]),
                    }
                },
                self._delete_guard(current["email"], user_id),
            ]
            try:
                self._transact(items)
            except _VersionMoved:
                continue
            return current
        raise Conflict(user_id)

    # -- helpers -------------------------------------------------------

    def _read_for_write(self, user_id: str, if_match: frozenset[int] | None) -> dict[str, Any]:
        current = self.get(user_id)
        if if_match is not None and current["version"] not in if_match:
            raise PreconditionFailed(user_id)
        return current

    @staticmethod
    def _version_condition(version: int) -> dict[str, Any]:
        # "version = :v" is false on a missing item, so it also means "exists".
        return {
            "ConditionExpression": "version = :expected",
            "ExpressionAttributeValues": {":expected": {"N": str(version)}},
        }

    def _put_guard(self, email: str, user_id: str) -> dict[str, Any]:
        return {
            "Put": {
                "TableName": self._emails,
                "Item": {"email": {"S": email}, "user_id": {"S": user_id}},
                "ConditionExpression": "attribute_not_exists(email)",
            }
        }

    def _delete_guard(self, email: str, user_id: str) -> dict[str, Any]:
        return {
            "Delete": {
                "TableName": self._emails,
                "Key": {"email": {"S": email}},
                "ConditionExpression": "user_id = :owner",
                "ExpressionAttributeValues": {":owner": {"S": user_id}},
            }
        }

    def _update_expression(
        self, current: dict[str, Any], set_fields: dict[str, str], remove: tuple[str, ...]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The UpdateItem arguments, and the user they produce."""
        now = self._clock()
        values = {**set_fields, "updated_at": now}
        names = {f"#f{i}": key for i, key in enumerate([*values, *remove])}
        aliases = {key: alias for alias, key in names.items()}
        expression = "SET " + ", ".join(f"{aliases[k]} = :v{i}" for i, k in enumerate(values))
        expression += ", version = version + :one"
        if remove:
            expression += " REMOVE " + ", ".join(aliases[k] for k in remove)
        attribute_values = {f":v{i}": {"S": v} for i, v in enumerate(values.values())}
        attribute_values[":one"] = {"N": "1"}
        attribute_values[":expected"] = {"N": str(current["version"])}
        arguments = {
            "TableName": self._users,
            "Key": {"user_id": {"S": current["user_id"]}},
            "UpdateExpression": expression,
            "ConditionExpression": "version = :expected",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": attribute_values,
        }
        user = {k: v for k, v in current.items() if k not in remove}
        user.update(values)
        user["version"] = current["version"] + 1
        return arguments, user

    def _update_in_place(
        self, current: dict[str, Any], set_fields: dict[str, str], remove: tuple[str, ...]
    ) -> dict[str, Any]:
        arguments, _ = self._update_expression(current, set_fields, remove)
        try:
            answer = self._client.update_item(**arguments, ReturnValues="ALL_NEW")
        except ClientError as exc:
            if _is_conditional_failure(exc):
                raise _VersionMoved() from None
            raise
        return from_item(answer["Attributes"])

    def _update_with_email(
        self, current: dict[str, Any], set_fields: dict[str, str], remove: tuple[str, ...]
    ) -> dict[str, Any]:
        arguments, user = self._update_expression(current, set_fields, remove)
        items = [
            {"Update": arguments},
            self._delete_guard(current["email"], current["user_id"]),
            self._put_guard(user["email"], current["user_id"]),
        ]
        codes = self._transact(items)
        if codes and codes[2] == "ConditionalCheckFailed":
            raise EmailTaken(user["email"])
        return user

    def _transact(self, items: list[dict[str, Any]]) -> list[str]:
        """Run a transaction whose first item is the version-conditioned user write.

        Returns [] on success, or the cancellation codes when only a later item
        failed (the caller decides); raises _VersionMoved when the user item's
        condition failed (the caller re-reads), Inconsistent when a guard the
        user owns was not where it should be.
        """
        try:
            self._client.transact_write_items(
                TransactItems=items, ClientRequestToken=str(uuid.uuid4())
            )
        except ClientError as exc:
            codes = _cancellation_codes(exc)
            if not codes:
                raise
            if codes[0] == "ConditionalCheckFailed" or "TransactionConflict" in codes:
                raise _VersionMoved() from None
            if codes[1] == "ConditionalCheckFailed":
                raise Inconsistent("the user's email guard is missing or not theirs") from None
            if len(codes) > 2 and codes[2] == "ConditionalCheckFailed":
                return codes
            raise
        return []


class _VersionMoved(Exception):
    """The user changed (or vanished) between the read and the write."""
