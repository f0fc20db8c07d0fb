"""AWS calls per request, counted with botocore's own event hooks.

Goals: a warm get, list or create makes exactly one DynamoDB call, an update
or delete at most two; a warm request makes no SSM call, a cold start
exactly one.

Each route runs in a fresh process against a real ``moto_server``, as a
Lambda container would: a ``before-call`` hook (one event per API call) and
a ``before-send`` hook (one per HTTP attempt, so retries would show) are
added to ``botocore.handlers.BUILTIN_HANDLERS`` before the handler module is
imported, so every botocore session created from then on, the handler's
included, carries them. The process then serves one cold request and
``--warm`` warm ones (a fresh user for each delete, a fresh email for each
create, seeded with a client made before the hooks existed, so not counted).

Run: ``.venv/bin/python bench/calls.py [--warm 5] [--auth cognito]``
"""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from fn_env import SUCCESS_STATUS, HandlerAccount, handler_account, handler_module
from stats import print_table

#: Most DynamoDB calls a warm request of each route may make (exactly, where marked).
DYNAMODB_GOAL = {
    "GetUser": 1,
    "ListUsers": 1,
    "CreateUser": 1,
    "UpdateUser": 2,
    "DeleteUser": 2,
}
EXACT = {"GetUser", "ListUsers", "CreateUser"}

#: Rows of the report: label -> (route, event variant).
SCENARIOS = {
    "GetUser": ("GetUser", None),
    "ListUsers": ("ListUsers", None),
    "CreateUser": ("CreateUser", None),
    "UpdateUser (name)": ("UpdateUser", None),
    "UpdateUser (new email)": ("UpdateUser", "email"),
    "DeleteUser": ("DeleteUser", None),
}


class CallCounter:
    """API calls and HTTP attempts, per service, while ``active``."""

    def __init__(self) -> None:
        self.active = False
        self.calls: list[tuple[str, str]] = []
        self.attempts: Counter[str] = Counter()

    def before_call(self, model: Any, **_: Any) -> None:
        if self.active:
            self.calls.append((model.service_model.service_name, model.name))

    def before_send(self, request: Any, **_: Any) -> None:
        if self.active:
            self.attempts[_service_of(request)] += 1

    def take(self) -> dict[str, Any]:
        taken = {"calls": self.calls, "attempts": dict(self.attempts)}
        self.calls, self.attempts = [], Counter()
        return taken


def _service_of(request: Any) -> str:
    """The service an HTTP attempt is for: JSON protocol targets name it (``DynamoDB_...``)."""
    target = request.headers.get("X-Amz-Target", b"")
    target = target.decode() if isinstance(target, bytes) else str(target)
    return "ssm" if target.startswith("AmazonSSM") else "dynamodb"


def child(route: str, variant: str | None, warm: int, auth: str) -> None:
    """In a fresh process: hook botocore, import the handler, serve 1 cold + ``warm`` requests."""
    import boto3
    import botocore.handlers

    account = HandlerAccount("", {}, boto3.client("dynamodb"), auth)  # seeding: not counted
    counter = CallCounter()
    botocore.handlers.BUILTIN_HANDLERS.append(("before-call", counter.before_call))
    botocore.handlers.BUILTIN_HANDLERS.append(("before-send", counter.before_send))
    user_id = account.seed_user()
    results = []
    counter.active = True
    handler = importlib.import_module(handler_module(route)).handler
    for _ in range(1 + warm):
        if route == "DeleteUser" and results:
            counter.active = False
            user_id = account.seed_user()
            counter.active = True
        event = account.event(route, user_id)
        if variant == "email":
            body = json.loads(event["body"])
            body["email"] = f"changed-{event['requestContext']['requestId'][:8]}@example.com"
            event["body"] = json.dumps(body)
            if "authorizer" in event["requestContext"]:  # cognito: changed there first
                event["requestContext"]["authorizer"]["claims"]["email"] = body["email"]
        status = handler(event, None)["statusCode"]
        results.append({"status": status, **counter.take()})
    counter.active = False
    print(json.dumps(results))


def run_scenario(account: HandlerAccount, label: str, warm: int) -> list[dict[str, Any]]:
    route, variant = SCENARIOS[label]
    argv = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        label,
        "--warm",
        str(warm),
        "--auth",
        account.auth,
    ]
    completed = subprocess.run(argv, capture_output=True, env=account.env, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"{label}: child exited {completed.returncode}: {completed.stderr!r}")
    results = json.loads(completed.stdout.decode().strip().splitlines()[-1])
    for result in results:
        if result["status"] != SUCCESS_STATUS[route]:
            raise RuntimeError(f"{label}: status {result['status']}, expected success")
    return results


def _count(result: dict[str, Any], service: str) -> int:
    return sum(1 for svc, _ in result["calls"] if svc == service)


def _operations(result: dict[str, Any]) -> str:
    return ", ".join(f"{svc}:{op}" for svc, op in result["calls"]) or "-"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warm", type=int, default=5, help="warm requests per route")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument(
        "--auth",
        choices=("none", "cognito"),
        default="none",
        help="the handlers' auth mode (cognito: events carry the owner's token claims)",
    )
    args = parser.parse_args(argv)
    if args.child:
        route, variant = SCENARIOS[args.child]
        child(route, variant, args.warm, args.auth)
        return 0
    rows = []
    missed = []
    with handler_account(args.auth) as account:
        for label in SCENARIOS:
            route = SCENARIOS[label][0]
            cold, warm = (results := run_scenario(account, label, args.warm))[0], results[1:]
            warm_ddb = sorted({_count(r, "dynamodb") for r in warm})
            warm_ssm = sorted({_count(r, "ssm") for r in warm})
            goal = DYNAMODB_GOAL[route]
            ddb_met = all(n == goal if route in EXACT else n <= goal for n in warm_ddb)
            ssm_met = warm_ssm == [0] and _count(cold, "ssm") == 1
            retries = any(
                sum(r["attempts"].values()) != len(r["calls"]) for r in results
            )  # an HTTP attempt that is not a first attempt
            if not (ddb_met and ssm_met) or retries:
                missed.append(label)
            rows.append(
                (
                    label,
                    _operations(cold),
                    _count(cold, "ssm"),
                    _operations(warm[0]) if warm else "-",
                    "/".join(map(str, warm_ddb)),
                    "/".join(map(str, warm_ssm)),
                    f"{'=' if route in EXACT else '<='} {goal} DynamoDB, 0 SSM warm; 1 SSM cold: "
                    + ("met" if label not in missed else "MISSED"),
                )
            )
    print(
        f"AWS calls per request, auth mode {args.auth}: 1 cold + {args.warm} warm requests per "
        "route, each route in a "
        "fresh process against moto_server, counted with botocore before-call hooks"
    )
    print_table(
        [
            "route",
            "cold start: calls",
            "cold SSM",
            "warm: calls",
            "warm DynamoDB",
            "warm SSM",
            "goal",
        ],
        rows,
    )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
