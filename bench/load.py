"""Many customers at once during an outage: is anything lost, leaked or left hanging?

    python bench/load.py [--users 200] [--seconds 60] [--ramp 10] [--chaos primary-down-secondary-flaky]
                         [--shedding on|off]

Starts `switchboard serve` on loopback (the demo models at their own pace, every switch on,
the chosen chaos preset) and lets `--users` simulated customers chat for `--seconds`: each
arrives during the first `--ramp` seconds, signs in as one of the demo customers, opens a
conversation and asks one question after another over SSE, pausing a moment between turns.
Then it checks, through the API, what the customers were promised:

- lost messages: a message whose response had started (the customer saw it acknowledged)
  that is not stored in its conversation afterwards;
- server errors: responses with a 5xx status, and tracebacks in the server's log — but not a
  message load_shedding refused (a 503 `overloaded` with Retry-After): that is an answer, counted
  apart, and the customer waits as Retry-After says before trying again;
- past the budget: turns whose record took more than the latency budget plus 1 s
  (`SWITCHBOARD_TURN_BUDGET_S`, 10 s by default), and turns the client waited that long for;
- leaks: answers that carry another demo customer's name, email, phone or street.

Prints the figures and exits 1 if any of the four is not 0. Traffic goes only to 127.0.0.1;
every request has a timeout and the run stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from live_server import LiveServer, seed_customers

from switchboard.app.runs.metrics import percentile

QUESTIONS = [
    "what email do you have on my account?",
    "where is my last order?",
    "how many loyalty points do I have?",
    "how do I return a tent?",
    "do you ship to Canada?",
    "what's the tracking number for my order?",
    "can I change the delivery address?",
    "how long does a refund take?",
]
BUDGET_S = 10.0
SLACK_S = 1.0
REQUEST_TIMEOUT_S = 60.0


@dataclass
class Tally:
    sent: Counter[str] = field(default_factory=Counter)  # acknowledged messages, per conversation
    statuses: Counter[int] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    transport_errors: Counter[str] = field(default_factory=Counter)  # by exception class
    leaks: list[str] = field(default_factory=list)
    record_ms: list[float] = field(default_factory=list)
    waited_s: list[float] = field(default_factory=list)
    outside_ms: list[float] = field(default_factory=list)  # the client's wait less the turn's own time
    acknowledged_s: list[float] = field(default_factory=list)  # until the response's headers came
    ttft_ms: list[float] = field(default_factory=list)
    late: Counter[str] = field(default_factory=Counter)  # turns past the budget, by how they ended
    shed_ms: list[float] = field(default_factory=list)  # load_shedding: until a 503 with Retry-After came
    shed_without_retry_after: int = 0  # 503s that did not say when to come back (must stay 0)
    lost: int = 0  # filled in after the run, from what the conversations hold
    tracebacks: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0

    def posted(self) -> int:
        """Messages sent, whatever the answer (the share shed is out of these)."""
        return sum(self.statuses.values())

    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500) - len(self.shed_ms)


def personal_data() -> dict[str, list[str]]:
    """Each demo customer's name, email, phone and street, as the app's own leak check reads them."""
    return {c["id"]: [c["name"], c["email"], c["phone"], c["address"].split(",")[0]] for c in seed_customers()}


def others_in(answer: str, customer: str, people: dict[str, list[str]]) -> list[str]:
    folded = answer.casefold()
    return [v for owner, values in people.items() if owner != customer for v in values if v.casefold() in folded]


async def one_turn(client: httpx.AsyncClient, conversation: str, text: str, tally: Tally) -> dict[str, Any]:
    """Posts `text` and reads the stream; returns the answer and the `done` record."""
    answer: list[str] = []
    record: dict[str, Any] = {}
    started = time.monotonic()
    async with client.stream("POST", f"/api/conversations/{conversation}/messages", json={"text": text}) as response:
        tally.statuses[response.status_code] += 1
        if response.status_code == 503:
            return await shed(response, started, tally)
        if response.status_code != 200:
            return {}
        tally.sent[conversation] += 1  # the response has started: the message was acknowledged
        tally.acknowledged_s.append(time.monotonic() - started)
        event = ""
        async for line in response.aiter_lines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:") and event == "token":
                answer.append(json.loads(line[5:])["text"])
            elif line.startswith("data:") and event == "done":
                record = json.loads(line[5:])
    tally.waited_s.append(time.monotonic() - started)
    tally.outside_ms.append(tally.waited_s[-1] * 1000 - float(record.get("total_ms") or 0))
    return {"answer": "".join(answer), "record": record}


async def shed(response: httpx.Response, started: float, tally: Tally) -> dict[str, Any]:
    """A 503: shed at the door if it says `overloaded` and when to come back."""
    await response.aread()
    retry_after = response.headers.get("retry-after", "")
    code = response.json().get("error", {}).get("code") if response.content else None
    if code != "overloaded" or not retry_after.isdigit() or int(retry_after) < 1:
        tally.shed_without_retry_after += 1
        return {}
    tally.shed_ms.append((time.monotonic() - started) * 1000)
    return {"retry_after": int(retry_after)}


async def customer(
    server: LiveServer, who: str, until: float, seed: int, tally: Tally, people: dict[str, list[str]]
) -> None:
    rng = random.Random(seed)
    timeout = httpx.Timeout(REQUEST_TIMEOUT_S, connect=REQUEST_TIMEOUT_S)
    async with httpx.AsyncClient(base_url=server.base_url, timeout=timeout) as client:
        try:
            session = await client.post("/api/session", json={"customer_id": who})
            client.headers["Authorization"] = f"Bearer {session.json()['token']}"
            opened = await client.post("/api/conversations", json={})
        except httpx.HTTPError as error:
            tally.transport_errors[f"{type(error).__name__} signing in"] += 1
            return
        if opened.status_code != 201:
            tally.statuses[opened.status_code] += 1  # a customer who could not start is a failure too
            print(f"{who} could not open a conversation: {opened.status_code} {opened.text[:200]}")
            return
        conversation = opened.json()["id"]
        while time.monotonic() < until:
            acknowledged = tally.sent[conversation]
            try:
                turn = await one_turn(client, conversation, rng.choice(QUESTIONS), tally)
            except httpx.HTTPError as error:
                when = "mid-answer" if tally.sent[conversation] > acknowledged else "before the answer began"
                tally.transport_errors[f"{type(error).__name__} {when}"] += 1
                continue
            if "retry_after" in turn:  # a polite client waits as told, then the loop asks again
                await asyncio.sleep(min(turn["retry_after"], max(0.0, until - time.monotonic())))
                continue
            if turn:
                note(turn, who, tally, people)
            await asyncio.sleep(rng.uniform(0.5, 2.0))  # the customer reads, then types again


def note(turn: dict[str, Any], who: str, tally: Tally, people: dict[str, list[str]]) -> None:
    record = turn["record"]
    tally.outcomes[record.get("outcome", "no record")] += 1
    tally.record_ms.append(float(record.get("total_ms") or 0))
    if tally.record_ms[-1] > (BUDGET_S + SLACK_S) * 1000:
        tally.late[f"{record.get('outcome')}/{record.get('tier_served')}"] += 1
    if record.get("ttft_ms") is not None:
        tally.ttft_ms.append(float(record["ttft_ms"]))
    tally.leaks += [f"{who} saw {value!r}" for value in others_in(turn["answer"], who, people)]


async def lost_messages(server: LiveServer, tally: Tally, tokens: dict[str, dict[str, str]]) -> int:
    """Acknowledged messages missing from their conversation, read back as their customer."""
    lost = 0
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
        for conversation, owner_headers in tokens.items():
            stored = (await client.get(f"/api/conversations/{conversation}/messages", headers=owner_headers)).json()
            lost += max(0, tally.sent[conversation] - sum(1 for m in stored if m["role"] == "user"))
    return lost


async def conversations_of(server: LiveServer) -> dict[str, dict[str, str]]:
    """Every conversation the run opened, with headers of the customer it belongs to."""
    found: dict[str, dict[str, str]] = {}
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
        for c in seed_customers():
            headers = await asyncio.to_thread(server.sign_in, c["id"])
            for conversation in (await client.get("/api/conversations", headers=headers)).json():
                found[conversation["id"]] = headers
    return found


Beside = Callable[[LiveServer, float], Awaitable[None]]  # runs with the customers, until the given instant


async def run(users: int, seconds: float, ramp: float, chaos: str, flags: dict[str, bool] | None = None) -> int:
    tally = await play(users, seconds, ramp, chaos, flags or {})
    return 1 if failed(tally) else 0


async def play(
    users: int, seconds: float, ramp: float, chaos: str, flags: dict[str, bool], beside: Beside | None = None
) -> Tally:
    """The run, reported; `flags`: switches set after the all-on preset; `beside`: e.g. a probe."""
    with tempfile.TemporaryDirectory() as scratch, LiveServer(Path(scratch)) as server:
        server.operator("PATCH", "/api/flags", {"preset": "all-on"})
        if flags:
            server.operator("PATCH", "/api/flags", {"flags": flags})
        server.operator("PATCH", "/api/chaos", {"preset": chaos})
        tally, people = Tally(), personal_data()
        ids = [c["id"] for c in seed_customers()]
        until = time.monotonic() + ramp + seconds
        started = time.monotonic()

        async def arrive(n: int) -> None:
            await asyncio.sleep(ramp * n / users)  # customers arrive over the ramp, not all in one instant
            await customer(server, ids[n % len(ids)], until, n, tally, people)

        extra = [beside(server, until)] if beside is not None else []
        await asyncio.gather(*(arrive(n) for n in range(users)), *extra)
        elapsed = time.monotonic() - started
        tally.lost = await lost_messages(server, tally, await conversations_of(server))
        tally.tracebacks = server.tracebacks()
        tally.elapsed_s = elapsed
        report(tally, users, chaos, flags)
        return tally


def report(tally: Tally, users: int, chaos: str, flags: dict[str, bool]) -> None:
    turns, lost, tracebacks, elapsed = len(tally.record_ms), tally.lost, tally.tracebacks, tally.elapsed_s
    server_errors = tally.server_errors()
    over_record = sum(ms > (BUDGET_S + SLACK_S) * 1000 for ms in tally.record_ms)
    over_waited = sum(s > BUDGET_S + SLACK_S for s in tally.waited_s)
    changed = " but " + ", ".join(f"{name} {'on' if on else 'off'}" for name, on in flags.items()) if flags else ""
    print(f"{users} customers for {elapsed:.0f} s under chaos {chaos!r}, every switch on{changed} (loopback)")
    print(f"turns answered {turns} ({turns / elapsed:.1f}/s); statuses {dict(tally.statuses)}")
    print(f"outcomes {dict(tally.outcomes)}; transport errors {dict(tally.transport_errors)}")
    print(f"turn latency p50 {percentile(tally.record_ms, 50):.0f} ms  p95 {percentile(tally.record_ms, 95):.0f} ms")
    print(f"  max {max(tally.record_ms, default=0):.0f} ms; client wait max {max(tally.waited_s, default=0):.1f} s")
    outside, acked = tally.outside_ms, [s * 1000 for s in tally.acknowledged_s]
    print(f"  client wait outside the turn p50 {percentile(outside, 50):.0f} ms  p95 {percentile(outside, 95):.0f} ms")
    print(
        f"  until the message was acknowledged p50 {percentile(acked, 50):.0f} ms  p95 {percentile(acked, 95):.0f} ms"
    )
    print(f"time to first token p50 {percentile(tally.ttft_ms, 50):.0f} ms  p95 {percentile(tally.ttft_ms, 95):.0f} ms")
    print(f"lost messages {lost} of {sum(tally.sent.values())} acknowledged")
    shed = [round(ms, 1) for ms in tally.shed_ms]
    print(
        f"shed (503 overloaded with Retry-After) {len(shed)} of {tally.posted()} messages; answered in p50 "
        f"{ms(shed, 50)} ms  p95 {ms(shed, 95)} ms; "
        f"503s without it {tally.shed_without_retry_after}"
    )
    print(f"server errors {server_errors}; tracebacks in the server log {len(tracebacks)}")
    if tracebacks:
        print("the first:", tracebacks[0], sep="\n")
    print(
        f"turns more than {SLACK_S:.0f} s past the {BUDGET_S:.0f} s budget: {over_record} (client-side {over_waited})"
    )
    if tally.late:
        print("  those turns, by outcome/tier:", dict(tally.late.most_common()))
    print(f"answers carrying another customer's data: {len(tally.leaks)}", *tally.leaks[:5], sep="\n  ")


def ms(values: list[float], q: float) -> str:
    """A percentile to a tenth of a millisecond, or a dash when there was nothing to measure."""
    found = percentile(values, q)
    return "—" if found is None else f"{found:.1f}"


def failed(tally: Tally) -> bool:
    over_record = sum(ms > (BUDGET_S + SLACK_S) * 1000 for ms in tally.record_ms)
    return bool(
        tally.lost
        or tally.server_errors()
        or tally.tracebacks
        or over_record
        or tally.leaks
        or tally.shed_without_retry_after
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--ramp", type=float, default=10.0, help="seconds over which the customers arrive")
    parser.add_argument("--chaos", default="primary-down-secondary-flaky")
    parser.add_argument("--shedding", choices=["on", "off"], help="load_shedding (default: as all-on sets it)")
    args = parser.parse_args()
    flags = {} if args.shedding is None else {"load_shedding": args.shedding == "on"}
    raise SystemExit(asyncio.run(run(args.users, args.seconds, args.ramp, args.chaos, flags)))
