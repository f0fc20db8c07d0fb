"""Local server latency as the table grows, and the load it holds.

Goal: the median POST and GET at 10,000 users within 2x of the median at
100 users (the embedded moto backend used to copy whole tables on every
transaction: userapi_local/moto_fixes.py).

What it does: starts one ``scripts/local_api.py`` (embedded moto, throttling
off) per size, each as its own process, and fills each table to its size
through the API (parallel clients). Then it measures over one keep-alive
connection per server, one request at a time, taking turns between the
servers (so a busy moment of the machine falls on every size alike, not on
whichever size happened to be measured then): ``--samples`` POSTs per size
(each new user is deleted again, untimed, so the size stays put) and as
many GETs of random existing users. Last, on the largest table,
``--clients`` parallel clients send a mix (50% GET, 30% POST, 20% PUT) for
``--seconds``: throughput, p50, p99 and the count of 5xx answers (which
must be 0).

Run: ``.venv/bin/python bench/local_load.py [--sizes 100,1000,10000]
[--samples 300] [--clients 16] [--seconds 10]``
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field

from stats import REPO_ROOT, print_table

from userapi_dev.moto_server import free_port

GOAL_RATIO = 2.0
SCRIPT = REPO_ROOT / "scripts" / "local_api.py"
NO_THROTTLING = [
    "--parameter",
    "ThrottlingRateLimit=1000000",
    "--parameter",
    "ThrottlingBurstLimit=1000000",
]
JSON = {"Content-Type": "application/json"}


@contextmanager
def local_server() -> Iterator[int]:
    """The real entry point on a free port; yields the port once it is ready."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(SCRIPT), "--port", str(port), *NO_THROTTLING],
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stderr is not None
    try:
        for line in process.stderr:
            if " ready on " in line:
                break
        else:
            raise RuntimeError(f"local server exited with {process.wait()}")
        # Keep reading its access log, or the pipe fills and the server blocks.
        threading.Thread(target=lambda: [None for _ in process.stderr], daemon=True).start()
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


class Client:
    """One keep-alive connection; ``call`` returns status, body and milliseconds."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(self, method: str, path: str, body: object = None) -> tuple[int, dict, float]:
        data = json.dumps(body) if body is not None else None
        started = time.perf_counter()
        self.connection.request(method, path, body=data, headers=JSON if data else {})
        response = self.connection.getresponse()
        raw = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        return response.status, (json.loads(raw) if raw else {}), elapsed

    def create(self) -> tuple[str, float]:
        body = {"email": f"{uuid.uuid4().hex}@example.com", "name": "Load Test"}
        status, user, elapsed = self.call("POST", "/users", body)
        if status != 201:
            raise RuntimeError(f"POST answered {status}: {user}")
        return user["user_id"], elapsed


@dataclass
class Table:
    """The user ids the benchmark created (all of them: nothing else writes)."""

    ids: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fill(self, port: int, size: int, clients: int = 8) -> None:
        def work(count: int) -> None:
            client = Client(port)
            for _ in range(count):
                user_id, _ = client.create()
                with self.lock:
                    self.ids.append(user_id)

        missing = size - len(self.ids)
        shares = [missing // clients + (i < missing % clients) for i in range(clients)]
        threads = [threading.Thread(target=work, args=(share,)) for share in shares if share]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def measure(ports: dict[int, int], tables: dict[int, Table], samples: int) -> dict[int, Timings]:
    """Sequential POST (then an untimed DELETE) and GET latencies in ms, per size.

    One sample of every size per round, so noise from the rest of the
    machine is spread over all sizes alike.
    """
    clients = {size: Client(port) for size, port in ports.items()}
    rng = random.Random(7)
    timings = {size: Timings() for size in ports}
    for _ in range(samples):
        for size, client in clients.items():
            user_id, elapsed = client.create()
            timings[size].posts.append(elapsed)
            status, _, _ = client.call("DELETE", f"/users/{user_id}")
            assert status == 204, status
            status, _, elapsed = client.call("GET", f"/users/{rng.choice(tables[size].ids)}")
            assert status == 200, status
            timings[size].gets.append(elapsed)
    return timings


@dataclass
class Timings:
    posts: list[float] = field(default_factory=list)
    gets: list[float] = field(default_factory=list)


def under_load(port: int, table: Table, clients: int, seconds: float) -> dict[str, float]:
    """A mixed workload from parallel clients: throughput, latency and 5xx count."""
    latencies: list[float] = []
    server_errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def work(seed: int) -> None:
        client, rng = Client(port), random.Random(seed)
        mine: list[float] = []
        errors = 0
        while time.monotonic() < deadline:
            roll = rng.random()
            if roll < 0.5:
                status, _, elapsed = client.call("GET", f"/users/{rng.choice(table.ids)}")
            elif roll < 0.8:
                body = {"email": f"{uuid.uuid4().hex}@example.com", "name": "Load"}
                status, _, elapsed = client.call("POST", "/users", body)
            else:
                change = {"name": f"renamed {rng.random()}"}
                status, _, elapsed = client.call("PUT", f"/users/{rng.choice(table.ids)}", change)
            mine.append(elapsed)
            errors += status >= 500
        with lock:
            latencies.extend(mine)
            server_errors[0] += errors

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {
        "requests": len(latencies),
        "per_second": len(latencies) / elapsed,
        "p50": statistics.median(latencies),
        "p99": percentile(latencies, 0.99),
        "server_errors": server_errors[0],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args(argv)
    sizes = sorted(int(size) for size in args.sizes.split(","))
    rows, medians = [], {}
    with ExitStack() as servers:
        ports = {size: servers.enter_context(local_server()) for size in sizes}
        tables = {size: Table() for size in sizes}
        fill_seconds = {}
        for size in sizes:
            filling = time.perf_counter()
            tables[size].fill(ports[size], size)
            fill_seconds[size] = time.perf_counter() - filling
        timings = measure(ports, tables, args.samples)
        largest = sizes[-1]
        load = under_load(ports[largest], tables[largest], args.clients, args.seconds)
    for size in sizes:
        posts, gets = timings[size].posts, timings[size].gets
        medians[size] = (statistics.median(posts), statistics.median(gets))
        rows.append(
            [
                f"{size:,}",
                f"{medians[size][0]:.1f}",
                f"{percentile(posts, 0.99):.1f}",
                f"{medians[size][1]:.1f}",
                f"{percentile(gets, 0.99):.1f}",
                f"{fill_seconds[size]:.1f}",
            ]
        )
    print(f"Sequential, one keep-alive connection per size, {args.samples} samples of each:")
    print_table(["users", "POST p50 ms", "POST p99 ms", "GET p50 ms", "GET p99 ms", "fill s"], rows)
    print()
    print(
        f"Under load at {sizes[-1]:,}+ users: {args.clients} clients for {args.seconds:g} s "
        f"(50% GET, 30% POST, 20% PUT): {load['requests']:,} requests, "
        f"{load['per_second']:.0f}/s, p50 {load['p50']:.1f} ms, p99 {load['p99']:.1f} ms, "
        f"{load['server_errors']} answers 5xx"
    )
    missed = load["server_errors"] > 0
    first, last = sizes[0], sizes[-1]
    for index, name in enumerate(("POST", "GET")):
        ratio = medians[last][index] / medians[first][index]
        met = ratio <= GOAL_RATIO
        missed |= not met
        print(
            f"{name} p50 at {last:,} users / at {first:,}: {ratio:.2f}x, "
            f"goal <= {GOAL_RATIO:.1f}x: {'met' if met else 'MISSED'}"
        )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
