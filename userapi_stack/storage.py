"""DynamoDB: the users table and the email guard table.

Both tables hold data that cannot be rebuilt, so both get the same
protections: on-demand billing (no capacity to manage or over-provision),
point-in-time recovery, encryption at rest, deletion protection, and
DeletionPolicy/UpdateReplacePolicy Retain so neither a stack deletion nor a
replacement ever drops them.
"""

from __future__ import annotations

from troposphere import Template
from troposphere.dynamodb import (
    AttributeDefinition,
    KeySchema,
    PointInTimeRecoverySpecification,
    SSESpecification,
    Table,
)

from .naming import pascal, physical_name
from .routes import EMAILS_TABLE, USERS_TABLE
from .scanner import Skip, accept

#: Partition key (type S) of each table, by table role (routes.py).
PARTITION_KEYS: dict[str, str] = {USERS_TABLE: "user_id", EMAILS_TABLE: "email"}


def table_logical_id(table_role: str) -> str:
    """``users`` -> ``UsersTable``."""
    return f"{pascal(table_role)}Table"


#: Why the AWS-managed key (the README's security choices, machine-readable).
AWS_MANAGED_TABLE_KEY = Skip(
    "CKV_AWS_119",
    "encrypted at rest with the AWS-managed aws/dynamodb key: a CMK adds $1/month plus "
    "per-request KMS calls, and a disabled or deleted CMK makes the table unreadable",
)


def _table(table_role: str, partition_key: str) -> Table:
    table = Table(
        table_logical_id(table_role),
        TableName=physical_name(table_role),
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[AttributeDefinition(AttributeName=partition_key, AttributeType="S")],
        KeySchema=[KeySchema(AttributeName=partition_key, KeyType="HASH")],
        PointInTimeRecoverySpecification=PointInTimeRecoverySpecification(
            PointInTimeRecoveryEnabled=True
        ),
        SSESpecification=SSESpecification(SSEEnabled=True),
        DeletionProtectionEnabled=True,
        DeletionPolicy="Retain",
        UpdateReplacePolicy="Retain",
    )
    return accept(table, AWS_MANAGED_TABLE_KEY)


def add_tables(template: Template) -> dict[str, Table]:
    """Add both tables; return them by table role (``users``, ``emails``)."""
    return {role: template.add_resource(_table(role, key)) for role, key in PARTITION_KEYS.items()}
