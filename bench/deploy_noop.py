"""No-op deploy: a second ``scripts/deploy.py`` run with nothing changed.

Goal: it uploads 0 bytes and changes no resource. Runs against a real
``moto_server`` (``userapi_dev.moto_server``): one deploy creates the stack,
then ``--runs`` fresh deploy processes run with nothing changed. Each is
``python -m userapi_dev.moto_template``: the deploy CLI with the template
rewritten for moto's gaps (see that module). Checked around the runs:

- bytes uploaded: the tool's own ``Uploaded N bytes`` line, and the bucket's
  objects (key, size, ETag) listed before and after;
- resources changed: every stack resource's physical id, status and
  timestamp, the stack's events, its LastUpdatedTime, and each function's
  CodeSha256 and LastModified, before and after.

The floor is the same entry point with ``--help``: interpreter, imports
and argument parsing, no AWS call.

Run: ``.venv/bin/python bench/deploy_noop.py [--runs 5]``
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from typing import Any

import boto3
from stats import REPO_ROOT, Sample, print_table, time_process

from userapi_dev.moto_server import running_moto_server

BUCKET = "bench-deploy-artifacts"
STACK = "userapi-dev"
REGION = "us-east-1"
UPLOADED = re.compile(r"^Uploaded (\d+) bytes", re.MULTILINE)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION=REGION
    )
    return env


def _deploy_argv(endpoint: str) -> list[str]:
    return [
        sys.executable, "-m", "userapi_dev.moto_template", "--endpoint-url", endpoint,
        "--bucket", BUCKET, "--yes", "--poll-delay", "0.05",
    ]  # fmt: skip


def _deploy(endpoint: str) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(
        _deploy_argv(endpoint), capture_output=True, text=True, env=_env(), cwd=REPO_ROOT
    )
    elapsed = (time.perf_counter() - start) * 1000
    if done.returncode != 0:
        raise RuntimeError(f"deploy exited {done.returncode}: {done.stderr[-800:]}")
    return elapsed, done.stdout


def _snapshot(endpoint: str) -> dict[str, Any]:
    """What a deploy could change: objects, resources, events, functions."""

    def client(service: str) -> Any:
        return boto3.client(
            service, endpoint_url=endpoint, region_name=REGION,
            aws_access_key_id="testing", aws_secret_access_key="testing",
        )  # fmt: skip

    cfn, s3, lambda_ = client("cloudformation"), client("s3"), client("lambda")
    objects = {
        o["Key"]: (o["Size"], o["ETag"])
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET)
        for o in page.get("Contents", [])
    }
    resources = {
        (r.get("LogicalResourceId", ""), r.get("ResourceType", ""), n): (
            r.get("PhysicalResourceId"), r.get("ResourceStatus"), str(r.get("LastUpdatedTimestamp"))
        )
        for page in cfn.get_paginator("list_stack_resources").paginate(StackName=STACK)
        for n, r in enumerate(page["StackResourceSummaries"])
    }  # fmt: skip
    events = [
        e["EventId"]
        for page in cfn.get_paginator("describe_stack_events").paginate(StackName=STACK)
        for e in page["StackEvents"]
    ]
    stack = cfn.describe_stacks(StackName=STACK)["Stacks"][0]
    functions = {
        f["FunctionName"]: (f["CodeSha256"], f["LastModified"])
        for page in lambda_.get_paginator("list_functions").paginate()
        for f in page["Functions"]
    }
    return {
        "objects": objects,
        "resources": resources,
        "events": events,
        "stack": (stack["StackStatus"], str(stack.get("LastUpdatedTime"))),
        "functions": functions,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="no-op deploy processes to time")
    args = parser.parse_args(argv)

    with running_moto_server() as endpoint:
        boto3.client(
            "s3", endpoint_url=endpoint, region_name=REGION,
            aws_access_key_id="testing", aws_secret_access_key="testing",
        ).create_bucket(Bucket=BUCKET)  # fmt: skip
        first_ms, first_out = _deploy(endpoint)
        first_bytes = int(UPLOADED.search(first_out).group(1))  # type: ignore[union-attr]
        before = _snapshot(endpoint)
        durations, uploaded = [], []
        for _ in range(args.runs):
            elapsed, out = _deploy(endpoint)
            durations.append(elapsed)
            match = UPLOADED.search(out)
            uploaded.append(int(match.group(1)) if match else -1)
        after = _snapshot(endpoint)
    floor = Sample(
        "same entry point, --help (floor)",
        tuple(time_process([*_deploy_argv("http://unused")[:3], "--help"], args.runs, _env())),
    )
    noop = Sample("no-op deploy (whole process)", tuple(durations))

    new_objects = {k: v for k, v in after["objects"].items() if before["objects"].get(k) != v}
    bucket_bytes = sum(size for size, _ in new_objects.values())
    changed_resources = sum(
        1 for key, value in after["resources"].items() if before["resources"].get(key) != value
    ) + len(set(before["resources"]) ^ set(after["resources"]))
    new_events = len(set(after["events"]) - set(before["events"]))
    changed_functions = sum(
        1 for name, value in after["functions"].items() if before["functions"].get(name) != value
    )
    stack_changed = before["stack"] != after["stack"]
    bytes_met = max(uploaded) == 0 and min(uploaded) == 0 and bucket_bytes == 0
    changes_met = not (changed_resources or new_events or changed_functions or stack_changed)

    print(f"No-op deploy against moto_server, {args.runs} runs after one creating deploy\n")
    print_table(
        ["command", "median ms", "min ms", "max ms", "ratio to floor"],
        [
            (s.label, f"{s.median:.0f}", f"{s.minimum:.0f}", f"{s.maximum:.0f}",
             f"{s.median / floor.median:.2f}")
            for s in (floor, noop)
        ] + [("first deploy (creates the stack; 1 run)", f"{first_ms:.0f}", "", "", "")],
    )  # fmt: skip
    print()
    print_table(
        ["per no-op run", "measured", "goal"],
        [
            ("bytes uploaded (tool's output)", ", ".join(map(str, sorted(set(uploaded)))),
             "0: " + ("met" if bytes_met else "MISSED")),
            ("bytes added to the bucket (listing before/after)", bucket_bytes, "0"),
            ("stack resources changed (id, status, timestamp)", changed_resources,
             "0: " + ("met" if changes_met else "MISSED")),
            ("new stack events", new_events, "0"),
            ("functions with new CodeSha256/LastModified", changed_functions, "0"),
            ("stack status / LastUpdatedTime changed", "yes" if stack_changed else "no", "no"),
            ("(first deploy uploaded, for scale)", f"{first_bytes:,} bytes", ""),
        ],
    )  # fmt: skip
    print(f"\n{len(before['resources'])} stack resources, {len(before['functions'])} functions")
    return 0 if bytes_met and changes_met else 1


if __name__ == "__main__":
    sys.exit(main())
