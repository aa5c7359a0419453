"""What the output watches (the canary, another customer's data) add to time to first token.

    python bench/holdback.py [--answers 40] [--live-rounds 2]

Four watch pairs, in one run: none (text passes straight through), the fixed hold-back the
watches had before issue 15 (rebuilt below from that code: the canary watch held back 16
characters, the other-customer watch one less than the longest other customer's value), the
watches holding a possible start until it breaks (patterns/stream_watch.py with no bound in
time, as at 3682cca), and the watches as they are now (that, and after 10 ms one character of
the match goes out: `EarlyRelease`).

1. Replayed answers (deterministic). The demo's answers to golden questions, cut as the demo
   model streams them (one chunk per word) and given arrival times at 20 tokens/s; each answer
   goes through the canary watch, then the other-customer watch, as in a turn, and between two
   chunks each watch is ticked when its hold is due (as the turn's loops do, patterns/ticks.py).
   TTFT added = when the first text leaves the watches minus when the first chunk arrived (a simulated clock: the
   same figures every run), plus the CPU spent making the watches and feeding them up to then
   (measured as this thread's CPU time, so that other processes on a shared machine do not
   count). Also: the characters let out only at the end (the burst), the watches' CPU per
   answer, and making them (the other-customer automaton is built for each turn).
2. Live turns (`--live-rounds`, 0 to skip): the same questions played through the app with the
   demo at 20 tokens/s, each pair swapped in in turn (interleaved, in a rotating order, after one
   warm-up turn per question, so machine noise and warm caches land on all three alike); the
   turn's recorded time to first token against the pair with no watches, turn by turn.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import statistics
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import switchboard.agents.calling as calling
import switchboard.app.turns.privacy as privacy
from switchboard.app.services import Services, running_services
from switchboard.app.settings import Settings
from switchboard.evals.report import percentile
from switchboard.patterns.injection.canary import Canary, squashed
from switchboard.patterns.stream_watch import StreamWatch, WatchedStrings

REPO = Path(__file__).resolve().parent.parent
TOKENS_PER_S = 20
CHUNK = re.compile(r"\s*\S+")  # how the demo model cuts an answer into tokens (providers/demo)


class Watch(Protocol):
    hit: str | None

    def feed(self, text: str) -> str: ...
    def flush(self) -> str: ...
    def due(self) -> float | None: ...
    def tick(self) -> str: ...


class SimClock:
    """The replay's clock (seconds), moved by the replay itself."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


Clock = Callable[[], float]


class FixedHoldback:
    """The watch before issue 15 (patterns/stream_watch.py at 75ef06c): holds the last `keep`
    characters of every answer, and looks at `window` characters before each new chunk."""

    def __init__(self, found: Callable[[str], str | None], keep: int, window: int | None = None) -> None:
        self._found, self._keep = found, keep
        self._window = keep if window is None else window
        self._seen, self._held = "", ""
        self.hit: str | None = None

    def feed(self, text: str) -> str:
        if self.hit:
            return ""
        self._seen = (self._seen[-self._window :] if self._window else "") + text
        self.hit = self._found(self._seen)
        if self.hit:
            return ""
        pending = self._held + text
        cut = max(len(pending) - self._keep, 0)
        shown, self._held = pending[:cut], pending[cut:]
        return shown

    def flush(self) -> str:
        shown, self._held = ("" if self.hit else self._held), ""
        return shown

    def due(self) -> float | None:
        return None

    def tick(self) -> str:
        return ""


class PassThrough:
    hit: str | None = None

    def feed(self, text: str) -> str:
        return text

    def flush(self) -> str:
        return ""

    def due(self) -> float | None:
        return None

    def tick(self) -> str:
        return ""


def fixed_canary_watch(canary: Canary, clock: Clock = time.monotonic) -> FixedHoldback:
    token = canary.token
    return FixedHoldback(lambda text: token if canary.leaked(text) else None, len(token) - 1, 4 * len(token))


def fixed_others_watch(others: Iterable[str], clock: Clock = time.monotonic) -> FixedHoldback:
    values = [v.casefold() for v in others if len(v) >= 6]
    longest = max((len(v) for v in values), default=1)
    return FixedHoldback(lambda text: next((v for v in values if v in text.casefold()), None), longest - 1)


def unbounded_canary_watch(canary: Canary, clock: Clock = time.monotonic) -> StreamWatch:
    """The canary watch at 3682cca: a possible start held until it breaks, however long."""
    return StreamWatch(WatchedStrings.of(canary.watched), squashed, cap=4 * len(canary.token))


def unbounded_others_watch(others: Iterable[str], clock: Clock = time.monotonic) -> StreamWatch:
    return StreamWatch(privacy.others_automaton(tuple(v.casefold() for v in others if len(v) >= 6)))


def passing(_: object, clock: Clock = time.monotonic) -> PassThrough:
    return PassThrough()


@dataclass(frozen=True)
class Pair:
    """A canary watch and an other-customer watch, built as a turn builds them."""

    name: str
    canary: Callable[[Canary, Clock], Watch]
    others: Callable[[Iterable[str], Clock], Watch]


PAIRS = (
    Pair("none", passing, passing),
    Pair("fixed hold-back (before)", fixed_canary_watch, fixed_others_watch),
    Pair("possible start, unbounded", unbounded_canary_watch, unbounded_others_watch),
    Pair("bounded in time (now)", calling.canary_watch, privacy.others_watch),
)


@dataclass(frozen=True)
class Replayed:
    ttft_added_ms: float  # first text out minus first chunk in: simulated clock + measured CPU
    burst_chars: int  # characters let out only at the end of the answer
    cpu_ms: float  # the watches' CPU for the whole answer
    build_ms: float  # making the two watches, at the turn's start


def replay(pair: Pair, chunks: list[str], canary: Canary, others: list[str]) -> Replayed:
    """One answer through the pair, chunk i arriving at i / TOKENS_PER_S seconds; between two
    chunks the watches are ticked whenever a hold of theirs is due."""
    clock = SimClock()
    started = time.thread_time()
    first, second = pair.canary(canary, clock), pair.others(others, clock)
    built = time.thread_time() - started
    first_at: float | None = None  # simulated seconds, plus the CPU spent up to then
    cpu = 0.0
    for index, chunk in enumerate(chunks):
        clock.now = index / TOKENS_PER_S
        started = time.thread_time()
        shown_at = clock.now if second.feed(first.feed(chunk)) else None
        shown_at = shown_at if shown_at is not None else ticks_until((index + 1) / TOKENS_PER_S, first, second, clock)
        cpu += time.thread_time() - started
        if shown_at is not None and first_at is None:
            first_at = shown_at + built + cpu
    started = time.thread_time()
    tail = second.feed(first.flush()) + second.flush()
    cpu += time.thread_time() - started
    if first_at is None:  # nothing came out before the end
        first_at = (len(chunks) - 1) / TOKENS_PER_S + built + cpu
    return Replayed(first_at * 1000, len(tail), cpu * 1000, built * 1000)


def ticks_until(until: float, first: Watch, second: Watch, clock: SimClock) -> float | None:
    """The ticks due before `until` (the next chunk), on the simulated clock: when the first of
    them let text out, if one did."""
    shown_at: float | None = None
    while (wait := soonest(first.due(), second.due())) is not None and clock.now + wait < until:
        clock.now += max(wait, 0.0)
        if second.feed(first.tick()) + second.tick() and shown_at is None:
            shown_at = clock.now
    return shown_at


def soonest(*waits: float | None) -> float | None:
    return min((w for w in waits if w is not None), default=None)


@dataclass(frozen=True)
class Case:
    customer: str
    question: str


def golden_cases(limit: int) -> list[Case]:
    """The first questions of the golden set's cases, each with its customer."""
    lines = (REPO / "evals/datasets/golden.jsonl").read_text().splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    firsts = [(row["customer"], row["turns"][0]) for row in rows]
    return [Case(who, turn["user"] if isinstance(turn, dict) else turn) for who, turn in firsts][:limit]


async def answer_of(services: Services, case: Case) -> str:
    """The demo's answer as the customer gets it (watches on: the answers carry no leak)."""
    conversation = await services.conversations.create(case.customer)
    text = []
    async for event in services.turns.play(conversation.id, case.customer, case.question):
        if event.kind == "token":
            text.append(event.data["text"])
    return "".join(text)


def summary(values: list[float]) -> str:
    p50, p95, mean = percentile(values, 50), percentile(values, 95), statistics.mean(values)
    return f"p50 {p50:6.1f}  mean {mean:6.1f}  p95 {p95:6.1f}  max {max(values):6.1f}"


async def replayed_part(answers: int) -> None:
    settings = Settings(data_dir=Path(tempfile.mkdtemp()), demo_ttft_ms=0, demo_tokens_per_s=0)
    async with running_services(settings) as services:
        people = privacy.PeopleIndex(services.shop)
        cases = golden_cases(answers)
        played = [(await answer_of(services, case), await people.others(case.customer)) for case in cases]
    canary = Canary.new(random.Random(15))
    print(f"1. {len(played)} demo answers replayed at {TOKENS_PER_S} tokens/s (simulated clock; CPU measured)")
    print(f"   other customers' values watched per answer: {len([v for v in played[0][1] if len(v) >= 6])}")
    results = {pair.name: [replay(pair, CHUNK.findall(a), canary, o) for a, o in played] for pair in PAIRS}
    for name, rows in results.items():
        print(f"   {name:28s} TTFT added ms {summary([r.ttft_added_ms for r in rows])}")
        print(f"   {'':28s} burst at end, chars {summary([r.burst_chars for r in rows])}")
        print(f"   {'':28s} watches' CPU per answer ms {summary([r.cpu_ms for r in rows])}")
        print(f"   {'':28s} building them ms {summary([r.build_ms for r in rows])}")
        late = sum(r.ttft_added_ms >= 1000 / TOKENS_PER_S for r in rows)
        print(f"   {'':28s} answers whose first text waited a token or more: {late} of {len(rows)}")
    fixed, unbounded, now = (results[p.name] for p in PAIRS[1:])
    for label, stat in (("mean", statistics.mean), ("p95", lambda v: percentile(v, 95))):
        f, u, n = (stat([r.ttft_added_ms for r in rows]) for rows in (fixed, unbounded, now))
        print(f"   TTFT added, {label}: fixed {f:.1f} ms, unbounded start {u:.1f} ms, now {n:.1f} ms")


@contextmanager
def pair_in_use(pair: Pair) -> Iterator[None]:
    """The turn's watches swapped for the pair's, for the turns played inside."""
    kept = calling.canary_watch, privacy.others_watch
    calling.canary_watch, privacy.others_watch = pair.canary, pair.others  # type: ignore[assignment]
    try:
        yield
    finally:
        calling.canary_watch, privacy.others_watch = kept


async def live_ttft(services: Services, case: Case) -> float:
    conversation = await services.conversations.create(case.customer)
    ttft = 0.0
    async for event in services.turns.play(conversation.id, case.customer, case.question):
        if event.kind == "done":
            ttft = float(event.data["ttft_ms"])
    return ttft


async def live_part(rounds: int, cases: list[Case]) -> None:
    settings = Settings(data_dir=Path(tempfile.mkdtemp()), demo_ttft_ms=0, demo_tokens_per_s=TOKENS_PER_S)
    ttfts: dict[str, list[float]] = {pair.name: [] for pair in PAIRS}
    async with running_services(settings) as services:
        for case in cases:  # warm: the input scan caches its verdict per text
            await live_ttft(services, case)
        for round_ in range(rounds):
            for n, case in enumerate(cases):
                for k in range(len(PAIRS)):  # each pair goes first as often as the others
                    pair = PAIRS[(k + n + round_) % len(PAIRS)]
                    with pair_in_use(pair):
                        ttfts[pair.name].append(await live_ttft(services, case))
    print(f"2. live turns, demo at {TOKENS_PER_S} tokens/s: {rounds} rounds x {len(cases)} questions per pair")
    base = ttfts[PAIRS[0].name]
    for name, values in ttfts.items():
        added = [v - b for v, b in zip(values, base, strict=True)]
        print(f"   {name:28s} TTFT ms {summary(values)}   added vs none, per turn: {summary(added)}")


async def main(answers: int, live_rounds: int) -> None:
    await replayed_part(answers)
    if live_rounds:
        await live_part(live_rounds, golden_cases(5))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--answers", type=int, default=40)
    parser.add_argument("--live-rounds", type=int, default=2)
    args = parser.parse_args()
    asyncio.run(main(args.answers, args.live_rounds))
