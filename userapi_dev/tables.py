"""The stack's DynamoDB tables, created on a test or benchmark backend.

Key schemas come from ``userapi_stack.storage.PARTITION_KEYS`` (the same
mapping the template's tables are built from), so a test table cannot drift
from the deployed one; the names are the caller's, to keep suites apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from userapi_stack.storage import PARTITION_KEYS


def create_tables(dynamodb: Any, names: Mapping[str, str]) -> None:
    """Create each table role (``users``, ``emails``) under ``names[role]``, on demand."""
    for role, key in PARTITION_KEYS.items():
        dynamodb.create_table(
            TableName=names[role],
            AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
            KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
