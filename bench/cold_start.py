"""Cold start: a fresh process that imports a handler and serves one request (goal: <= 1.15x floor).

The floor is a fresh process that runs ``import boto3; boto3.client("dynamodb")``
and makes one GetItem. A handler's process does what Lambda's INIT + first
invoke do: import the handler module, call ``handler(event, None)`` once with
a full API Gateway REST proxy event, exit. Both are timed as whole processes
(interpreter start included), with the same environment, against the same
real ``moto_server``. Every round runs the floor and each handler once, in a
shuffled order, so machine noise hits all of them alike.

Run: ``.venv/bin/python bench/cold_start.py [--runs 20] [--auth cognito]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
from pathlib import Path

from fn_env import SUCCESS_STATUS, TABLE_NAMES, HandlerAccount, handler_account, handler_module
from stats import Sample, print_table, time_process_to_mark

GOAL_RATIO = 1.15
FLOOR = "floor"

#: The floor: a client and one GetItem of the seeded user.
FLOOR_CODE = """\
import sys, time
import boto3
boto3.client("dynamodb").get_item(TableName=sys.argv[1], Key={"user_id": {"S": sys.argv[2]}})
print(time.monotonic())
"""

#: What Lambda does for a cold start: import the module (INIT), invoke once.
HANDLER_CODE = """\
import importlib, json, sys, time
handler = importlib.import_module(sys.argv[1]).handler
result = handler(json.loads(sys.argv[2]), None)
print(time.monotonic())
sys.exit(0 if result["statusCode"] == int(sys.argv[3]) else "status %s" % result["statusCode"])
"""


def one_run(account: HandlerAccount, name: str, user_id: str) -> tuple[float, float]:
    """One fresh process for ``name`` (a route, or the floor): ms to exit, ms to the answer."""
    if name == FLOOR:
        argv = [sys.executable, "-c", FLOOR_CODE, TABLE_NAMES["users"], user_id]
    else:
        if name == "DeleteUser":
            user_id = account.seed_user()  # each delete needs a user of its own
        argv = [
            sys.executable,
            "-c",
            HANDLER_CODE,
            handler_module(name),
            json.dumps(account.event(name, user_id)),
            str(SUCCESS_STATUS[name]),
        ]
    return time_process_to_mark(argv, env=account.env)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="rounds (fresh processes per entry)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the per-round order")
    parser.add_argument(
        "--functions",
        help="import the handlers from this directory instead (to compare two versions)",
    )
    parser.add_argument(
        "--auth",
        choices=("none", "cognito"),
        default="none",
        help="the handlers' auth mode (cognito: events carry the owner's token claims)",
    )
    args = parser.parse_args(argv)
    names = [FLOOR, *SUCCESS_STATUS]
    whole: dict[str, list[float]] = {name: [] for name in names}
    answer: dict[str, list[float]] = {name: [] for name in names}
    order = random.Random(args.seed)
    with handler_account(args.auth) as account:
        if args.functions:
            account.env["PYTHONPATH"] = str(Path(args.functions).resolve())
        user_id = account.seed_user()
        for name in names:  # untimed round: bytecode caches, moto backends
            one_run(account, name, user_id)
        for _ in range(args.runs):
            round_names = names[:]
            order.shuffle(round_names)
            for name in round_names:
                to_exit, to_answer = one_run(account, name, user_id)
                whole[name].append(to_exit)
                answer[name].append(to_answer)
    floor = Sample("floor", tuple(whole[FLOOR]))
    floor_answer = Sample("floor", tuple(answer[FLOOR]))
    rows = [
        (
            'floor: import boto3; boto3.client("dynamodb"); 1 GetItem',
            *_figures(floor),
            "1.00",
            "",
            f"{floor_answer.median:.0f}",
            "1.00",
        )
    ]
    missed = []
    for route in SUCCESS_STATUS:
        sample = Sample(route, tuple(whole[route]))
        to_answer = Sample(route, tuple(answer[route]))
        ratio = sample.median / floor.median
        met = ratio <= GOAL_RATIO
        if not met:
            missed.append(route)
        rows.append(
            (
                f"{handler_module(route)}: import + 1st request",
                *_figures(sample),
                f"{ratio:.2f}",
                f"<= {GOAL_RATIO:.2f}x: {'met' if met else 'MISSED'}",
                f"{to_answer.median:.0f}",
                f"{to_answer.median / floor_answer.median:.2f}",
            )
        )
    print(
        f"Cold start, auth mode {args.auth}: {args.runs} interleaved rounds of fresh processes "
        "against moto_server "
        f"(Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs)"
    )
    print_table(
        [
            "fresh process",
            "median ms",
            "min ms",
            "max ms",
            "ratio",
            "goal",
            "to answer ms",
            "ratio",
        ],
        rows,
    )
    print(
        "\nWhole process (interpreter start to exit) is the goal's measure; 'to answer' stops"
        " when the answer is ready (no interpreter shutdown), medians."
    )
    return 1 if missed else 0


def _figures(sample: Sample) -> tuple[str, str, str]:
    return f"{sample.median:.0f}", f"{sample.minimum:.0f}", f"{sample.maximum:.0f}"


if __name__ == "__main__":
    sys.exit(main())
