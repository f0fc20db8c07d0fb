"""The route table: the one place a route of the Users API is declared.

API Gateway methods, Lambda functions and their handler strings, invoke
permissions, IAM statements, the OpenAPI paths and the local server's routing
are all derived from ``ROUTES``. Adding a route here is the whole change; if
you find yourself typing a method, path, handler or IAM action elsewhere,
derive it from this table instead.

The DynamoDB actions are IAM actions, not API operations: a
TransactWriteItems call is authorized per item (``Put`` needs
``dynamodb:PutItem``, ``Update`` ``dynamodb:UpdateItem``, ``Delete``
``dynamodb:DeleteItem``), so a route lists the item actions its transaction
performs on each table.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from awacs import dynamodb
from awacs.aws import Action

#: The two tables the handlers use, by role. ``users`` holds one item per
#: user (partition key ``user_id``); ``emails`` holds one guard item per
#: taken email address (partition key ``email``) so uniqueness is enforced
#: by DynamoDB inside the same transaction as the user write.
USERS_TABLE = "users"
EMAILS_TABLE = "emails"


class Caller(Enum):
    """Who a route serves: *whether* a caller must be proven, and as what.

    *How* a caller is proven is the auth mode's business (``auth.py``): the
    route table never names an authorization type.
    """

    #: The route acts on the caller's own profile (owner-only). Open in auth
    #: mode ``none`` (the original requirement); a user-pool identity in
    #: ``cognito`` mode, whose ``sub`` is the profile's ``user_id``.
    OWNER = "owner"
    #: An operator (an IAM principal, SigV4) in every mode: the route reads
    #: everyone's personal data.
    OPERATOR = "operator"


@dataclass(frozen=True)
class Route:
    """One API operation, and everything that differs between operations."""

    #: Stem of every logical id of this route (``CreateUserFunction``,
    #: ``CreateUserRole``...) and the OpenAPI operationId.
    name: str
    method: str
    path: str
    #: Lambda handler string, relative to the root of the handler zip
    #: (the ``functions/`` folder).
    handler: str
    #: Who may call it (see ``Caller``).
    caller: Caller
    success_status: int
    summary: str
    #: Which request model validates the body: ``create``, ``update`` or
    #: None when the route takes no body.
    body: str | None
    #: IAM actions on the users table and on the email guard table.
    users_table_actions: tuple[Action, ...] = ()
    emails_table_actions: tuple[Action, ...] = ()
    #: Callers must send an API key (``x-api-key``) of the usage plan. Off in
    #: the table; ``usage_plan.require_api_keys`` turns it on for every route.
    api_key_required: bool = False

    def table_actions(self) -> dict[str, tuple[Action, ...]]:
        """The DynamoDB actions per table role, leaving out unused tables."""
        actions = {
            USERS_TABLE: self.users_table_actions,
            EMAILS_TABLE: self.emails_table_actions,
        }
        return {table: acts for table, acts in actions.items() if acts}


ROUTES: tuple[Route, ...] = (
    Route(
        name="CreateUser",
        method="POST",
        path="/users",
        handler="users.create.handler",
        caller=Caller.OWNER,
        success_status=201,
        summary="Register a user",
        body="create",
        # One transaction: Put user + Put email guard, both conditional.
        users_table_actions=(dynamodb.PutItem,),
        emails_table_actions=(dynamodb.PutItem,),
    ),
    Route(
        name="ListUsers",
        method="GET",
        path="/users",
        handler="users.list.handler",
        caller=Caller.OPERATOR,
        success_status=200,
        summary="List users, one page at a time",
        body=None,
        users_table_actions=(dynamodb.Scan,),
    ),
    Route(
        name="GetUser",
        method="GET",
        path="/users/{user_id}",
        handler="users.get.handler",
        caller=Caller.OWNER,
        success_status=200,
        summary="Read a user",
        body=None,
        users_table_actions=(dynamodb.GetItem,),
    ),
    Route(
        name="UpdateUser",
        method="PUT",
        path="/users/{user_id}",
        handler="users.update.handler",
        caller=Caller.OWNER,
        success_status=200,
        summary="Change some fields of a user",
        body="update",
        # Read the current item, then a conditional UpdateItem, or, when the
        # email changes, one transaction: Update user + Delete old guard +
        # Put new guard.
        users_table_actions=(dynamodb.GetItem, dynamodb.UpdateItem),
        emails_table_actions=(dynamodb.DeleteItem, dynamodb.PutItem),
    ),
    Route(
        name="DeleteUser",
        method="DELETE",
        path="/users/{user_id}",
        handler="users.delete.handler",
        caller=Caller.OWNER,
        success_status=204,
        summary="Delete a user and free their email",
        body=None,
        # Read the item (for its email), then one transaction: Delete user +
        # Delete guard, both conditional.
        users_table_actions=(dynamodb.GetItem, dynamodb.DeleteItem),
        emails_table_actions=(dynamodb.DeleteItem,),
    ),
)


def owner_routes(routes: tuple[Route, ...] = ROUTES) -> tuple[Route, ...]:
    """The owner-only routes: those the auth mode guards with the caller's identity."""
    return tuple(route for route in routes if route.caller is Caller.OWNER)


def paths() -> tuple[str, ...]:
    """Every distinct resource path, in route-table order."""
    return tuple(dict.fromkeys(route.path for route in ROUTES))
