"""load_shedding under overload: how fast a shed message is answered, and the load run with the
switch off and on, side by side.

    python bench/shedding.py [--users 200] [--seconds 45] [--ramp 10] [--chaos primary-down-secondary-flaky]

Two runs of bench/load.py's customers (each on a fresh `switchboard serve` on loopback, every
switch on but `rate_limit` — the customers share a few demo accounts and would refuse each other —
and `load_shedding` off, then on). A customer told 503 with Retry-After waits as told, then asks
again. Beside the customers a probe thread, with its own connection, posts one message after
another and times each 503 from the request to its whole answer: the customers' own timings
include their event loop's queue (200 of them on the same cores), the probe's much less.

First, in process, what the door's verdict itself costs (Admission.door() on an admission at
capacity, 40 slots taken and 40 in line, timed per call): the floor under any shed answer.

Prints each run's report, then: p95 of admitted turns (their records' latency) and of the
client's wait, the share of messages refused with 503 + Retry-After, the shed answer's p50 / p95
(goal ≤ 5 ms p50), lost messages and other server errors. Two runs of 10 + 45 s stay within 3
minutes with the servers' start-up; every request has a timeout.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from dataclasses import dataclass, field

import httpx
from live_server import LiveServer
from load import Tally, failed, ms, percentile, play

from switchboard.patterns.admission import Admission

PROBE_EVERY_S = 0.1  # between the probe's messages: a steady trickle, not more load
DOOR_CALLS = 20_000


async def door_cost() -> list[float]:
    """µs per verdict, on an admission whose slots and line are full (held by waiting tasks)."""
    gate, release = Admission(40), asyncio.Event()

    async def hold() -> None:
        async with gate.slot(None):
            await release.wait()

    holders = [asyncio.create_task(hold()) for _ in range(80)]
    while gate.waiting < 40:
        await asyncio.sleep(0)
    timings = []
    for _ in range(DOOR_CALLS):
        started = time.perf_counter()
        verdict = gate.door()
        timings.append((time.perf_counter() - started) * 1e6)
    assert verdict.shed == "queue_full"
    release.set()
    await asyncio.gather(*holders)
    return timings


@dataclass
class Probe:
    shed_ms: list[float] = field(default_factory=list)
    admitted: int = 0
    other: int = 0
    broken: list[str] = field(default_factory=list)  # transport errors, by exception class


def probe_loop(server: LiveServer, until: float, probe: Probe) -> None:
    """Runs in a thread: one customer posting as fast as its answers come back, every 0.1 s."""
    headers = server.sign_in("C1001")
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=30) as client:
        conversation = client.post("/api/conversations", json={}).json()["id"]
        while time.monotonic() < until:
            started = time.perf_counter()
            try:
                response = client.post(
                    f"/api/conversations/{conversation}/messages",
                    json={"text": "do you ship to Canada?"},
                    headers={"accept": "application/json"},
                )
            except httpx.HTTPError as error:
                probe.broken.append(f"{type(error).__name__} after {time.perf_counter() - started:.1f} s")
                continue
            took_ms = (time.perf_counter() - started) * 1000
            if response.status_code == 503 and response.headers.get("retry-after", "").isdigit():
                probe.shed_ms.append(took_ms)
            elif response.status_code == 200:
                probe.admitted += 1
            else:
                probe.other += 1
            time.sleep(PROBE_EVERY_S)  # paces the probe; nothing waits on it


async def measured(users: int, seconds: float, ramp: float, chaos: str, shedding: bool) -> tuple[Tally, Probe]:
    probe = Probe()

    async def beside(server: LiveServer, until: float) -> None:
        await asyncio.to_thread(probe_loop, server, until, probe)

    flags = {"rate_limit": False, "load_shedding": shedding}
    tally = await play(users, seconds, ramp, chaos, flags, beside)
    print(f"probe: {len(probe.shed_ms)} shed, {probe.admitted} admitted, {probe.other} other, broken {probe.broken}\n")
    return tally, probe


def row(name: str, off: str, on: str) -> None:
    print(f"| {name} | {off} | {on} |")


def compare(runs: dict[str, tuple[Tally, Probe]]) -> None:
    (off, off_probe), (on, on_probe) = runs["off"], runs["on"]

    def p95(values: list[float]) -> str:
        found = percentile(values, 95)
        return "—" if found is None else f"{found:.0f} ms"

    def share(t: Tally) -> str:
        return f"{len(t.shed_ms)} of {t.posted()} ({100 * len(t.shed_ms) / max(1, t.posted()):.1f}%)"

    print("| load_shedding | off | on |\n|---|---|---|")
    row("turns answered", str(len(off.record_ms)), str(len(on.record_ms)))
    row("p95 of admitted turns (record)", p95(off.record_ms), p95(on.record_ms))
    row("p95 client wait", p95([s * 1000 for s in off.waited_s]), p95([s * 1000 for s in on.waited_s]))
    row("refused with 503 + Retry-After", share(off), share(on))
    row("503 without Retry-After", str(off.shed_without_retry_after), str(on.shed_without_retry_after))
    row(
        "shed answer p50 / p95, customers",
        f"{ms(off.shed_ms, 50)} / {ms(off.shed_ms, 95)} ms",
        f"{ms(on.shed_ms, 50)} / {ms(on.shed_ms, 95)} ms",
    )
    row(
        "shed answer p50 / p95, probe",
        f"{ms(off_probe.shed_ms, 50)} / {ms(off_probe.shed_ms, 95)} ms",
        f"{ms(on_probe.shed_ms, 50)} / {ms(on_probe.shed_ms, 95)} ms",
    )
    row("lost messages", f"{off.lost} of {sum(off.sent.values())}", f"{on.lost} of {sum(on.sent.values())}")
    row(
        "other server errors / tracebacks",
        f"{off.server_errors()} / {len(off.tracebacks)}",
        f"{on.server_errors()} / {len(on.tracebacks)}",
    )


async def main(users: int, seconds: float, ramp: float, chaos: str) -> int:
    cost = await door_cost()
    print(f"the door's verdict at capacity: p50 {ms(cost, 50)} µs  p99 {ms(cost, 99)} µs ({DOOR_CALLS} calls)\n")
    runs = {}
    for name, shedding in (("off", False), ("on", True)):
        runs[name] = await measured(users, seconds, ramp, chaos, shedding)
    compare(runs)
    return 1 if any(failed(tally) for tally, _ in runs.values()) else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=45.0)
    parser.add_argument("--ramp", type=float, default=10.0, help="seconds over which the customers arrive")
    parser.add_argument("--chaos", default="primary-down-secondary-flaky")
    args = parser.parse_args()
    raise SystemExit(asyncio.run(main(args.users, args.seconds, args.ramp, args.chaos)))
