"""What `tracing` costs a turn: p50/p95 of whole turns with it on and off, interleaved in one run.

    python bench/tracing.py [--turns 300]

Plays turns through the same path the browser uses (TurnRunner: store, graph, gateway, record)
with the demo model at zero latency, so a turn's time is what the app adds. Each question is
asked twice in a row, once with `tracing` on and once off, the order alternating (ABBA), so
that warm-up, caches and the database's growth fall on both sides alike; each pair's difference
is kept too, and its median printed (steadier than a difference of two p50s on a busy machine).
Wall time and this process's CPU time (all its threads: aiosqlite's included) are both shown:
the CPU time is what tracing adds of its own, wall time also what the machine's other work
adds. A turn is timed from
`play` to the end of its stream: with tracing on that includes making every span and handing
them to the in-process exporter, which writes them behind the turn in batches (app/turns/traces.py);
a batch lands during a later turn, on or off, so the paired figures split its cost between the
sides. The last line counts it whole: blocks of turns, each block's CPU time counted until its
spans are written (and the median of adjacent on/off block pairs, steadier again).
The first lines are tracing's own work alone, without a turn around it: making a
turn-shaped trace's spans and its row; the spans alone (what the turn's path does); and writing
it as `trace_parts` does (one row a claim, SQLAlchemy Core) against the row per span it replaced
(migration 0005's shape, through an ORM session), on the same spans in the same run. The fourth
is what a traced turn adds to the PII masking
with `pii_redaction` on: its spans quote the message, tool arguments and search queries masked as
the record masks them, through the app's one cached masker. Run it against the code before
(`PYTHONPATH=<a checkout of main> python bench/tracing.py`) to see the second scan it cut.
On a busy machine these are the figures that hold still: a whole turn's own noise is larger
than the goal.
The `own work` line times tracing's own functions where they run, inside real traced turns
(OwnWork: the span calls — the SDK's, or the lean recorder's where the code has it — the current
span's context switches, the runner's turn span, the masking of what spans quote, the claim),
outermost call only, the timer's own cost taken off: steadier than whole turns, though it
leaves out what a span's objects cost the collector later.
The HTTP request's span is not in it (no HTTP here): one more span, ended by the middleware.

The goal (issue 14) is at most 0.5 ms added at p50.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from opentelemetry import context as otel_context
from opentelemetry.sdk.trace import Span as SdkSpan
from opentelemetry.sdk.trace import Tracer as SdkTracer
from opentelemetry.trace import set_span_in_context

from switchboard.agents.llm.tracing import TurnTrace, call_attributes
from switchboard.app.runs.metrics import percentile
from switchboard.app.services import Services, running_services
from switchboard.app.settings import Settings
from switchboard.app.shop.db import make_engine, make_sessions, upgrade_schema
from switchboard.app.telemetry.tracing import Tracing, span_data, trace_id_of
from switchboard.app.turns import runner as runner_module
from switchboard.app.turns.privacy import text_masker
from switchboard.app.turns.runner import TurnRunner
from switchboard.app.turns.traces import Claimed, TraceScope, TraceStore, insert_parts, part_row

QUESTIONS = [
    "where is my order?",
    "how do I return a tent?",
    "and when will the refund arrive?",
    "how many points do I have?",
    "do you ship to Canada?",
]
WARM_UP = 10
SCOPE = TraceScope("c", "r", "t", "C1001")
SHAPED_SPANS = 13  # spans_alone's: request, turn, 3 nodes, 3 calls, 3 attempts, a tool, a search


async def one_turn(
    services: Services, conversation: str, text: str, flags: dict[str, bool]
) -> tuple[float, float, int]:
    """The turn's wall time and CPU time (this process, all its threads) in ms, and its spans."""
    started, cpu = time.perf_counter(), time.process_time()
    trace_id = None
    async for event in services.turns.play(conversation, "C1001", text, flags=flags):
        if event.kind == "done":
            trace_id = event.data["trace_id"]
    elapsed, used = (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000
    stored = await services.traces.trace(trace_id) if trace_id else None
    return elapsed, used, len(stored.spans) if stored else 0


def spans_alone(tracing: Tracing, rounds: int) -> list[float]:
    """µs to make a turn-shaped trace's spans and turn them into the row the database gets (one
    JSON array): tracing's own CPU work, without the INSERT or any turn around it."""
    took: list[float] = []
    for _ in range(rounds):
        started = time.perf_counter_ns()
        trace_id = shaped_trace(tracing)
        part_row(Claimed(trace_id, SCOPE, tracing.take_finished(trace_id)))
        took.append((time.perf_counter_ns() - started) / 1000)
    return took


def made_alone(tracing: Tracing, rounds: int) -> list[float]:
    """µs to make a turn-shaped trace's spans and take them, without their row: what a turn's own
    path does (the row is made in the batch, behind the turn)."""
    took: list[float] = []
    for _ in range(rounds):
        started = time.perf_counter_ns()
        tracing.take_finished(shaped_trace(tracing))
        took.append((time.perf_counter_ns() - started) / 1000)
    return took


def shaped_trace(tracing: Tracing) -> str:
    """A turn-shaped trace, ended: a request, the turn, three nodes, three calls with an attempt
    each, a tool and a search, with attributes like the app's. Its trace id."""
    tracer = tracing.tracer(True)
    attributes = call_attributes("demo-a", "demo-large", "demo-large", "router")
    request = tracer.start_span("POST /api/conversations/{conversation_id}/messages")
    turn = tracer.start_span("turn", set_span_in_context(request), attributes={"switchboard.flags": ["a"] * 30})
    for node in ("router", "orders", "escalate"):
        with tracer.start_as_current_span(f"node {node}", set_span_in_context(turn)):
            call = tracer.start_span("gateway router")
            tracer.start_span("chat demo-large", set_span_in_context(call), attributes=attributes).end()
            call.end()
    tracer.start_span("execute_tool get_order", set_span_in_context(turn)).end()
    tracer.start_span("retrieval", set_span_in_context(turn)).end()
    turn.end()
    request.end()
    trace_id = trace_id_of(request)
    assert trace_id is not None
    return trace_id


def masking_alone(rounds: int) -> list[float]:
    """µs of PII masking a traced turn adds with `pii_redaction` on: the texts its spans quote (a
    message, a tool's arguments, a search query), new to the process as a customer's are, masked
    for the spans and then for the record through the app's shared masker, less the record's
    masking alone of texts of the same shape, in pairs (the order alternating)."""
    masker, tracing = text_masker(), Tracing()
    took: list[float] = []
    for n in range(rounds):
        spent = {}
        for on in (n % 2 == 0, n % 2 == 1):
            message, arguments, query = _texts(f"{n}{'ab'[on]}")
            started = time.thread_time_ns()
            if on:
                _span_texts(TurnTrace(tracing.tracer(True), masks=masker), message, arguments, query)
            masker(message), [masker(v) for v in arguments.values()], masker(query)  # the record's, either way
            spent[on] = (time.thread_time_ns() - started) / 1000
        took.append(spent[True] - spent[False])
    return took


def _texts(tag: str) -> tuple[str, dict[str, str], str]:
    """A turn's quoted texts, unlike any before (`tag`): no cache remembers them."""
    return f"where is my order {tag}?", {"order_id": f"1{tag}", "note": f"gift {tag}"}, f"returns policy {tag}"


def _span_texts(trace: TurnTrace, message: str, arguments: dict[str, str], query: str) -> None:
    """The spans' texts as the app quotes them (a masked JSON of the arguments, as the base
    code masked the JSON itself when its trace had no `quoted`)."""
    trace.text(message), trace.text(query)
    if hasattr(trace, "quoted"):
        json.dumps(trace.quoted(arguments), sort_keys=True)
    else:
        trace.text(json.dumps(arguments, sort_keys=True))


class OwnWork:
    """This thread's CPU time inside tracing's own functions while real turns run: the SDK's span
    calls, the context switches of a current span, the trace's masking, the runner's turn span and
    the claim, each timed at its outermost call (one inside another is not counted twice) and
    less what the timing itself costs (`calibrate`). What a span's objects cost the collector or
    the cache later falls outside it: the whole-turn pairs hold that."""

    def __init__(self) -> None:
        self.ns, self.calls, self.per_call_ns = 0, 0, 0.0
        self._inside = False
        self._wrapped: list[tuple[Any, str, Any]] = []

    def wrap(self, owner: Any, name: str) -> None:
        if name in vars(owner):  # its own, not inherited: what `restore` puts back
            self._wrapped.append((owner, name, vars(owner)[name]))
            setattr(owner, name, self.timed(getattr(owner, name)))

    def restore(self) -> None:
        for owner, name, original in reversed(self._wrapped):
            setattr(owner, name, original)

    def timed(self, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            if self._inside:
                return function(*args, **kwargs)
            self._inside, started = True, time.thread_time_ns()
            try:
                return function(*args, **kwargs)
            finally:
                self.ns += time.thread_time_ns() - started
                self.calls += 1
                self._inside = False

        return timed

    def calibrate(self, rounds: int = 20000) -> None:
        empty = self.timed(lambda: None)
        for _ in range(rounds):
            empty()
        self.per_call_ns, self.ns, self.calls = self.ns / self.calls, 0, 0

    def take(self) -> float:
        """µs since the last take, the timing's own cost taken off."""
        spent = (self.ns - self.calls * self.per_call_ns) / 1000
        self.ns, self.calls = 0, 0
        return spent


def watching(own: OwnWork) -> None:
    """Every function of tracing's a turn runs, timed (the SDK's and the app's, whichever code the
    PYTHONPATH holds: a method it lacks is skipped)."""
    for name in ("start_span", "start_as_current_span"):
        own.wrap(SdkTracer, name)
    for name in ("end", "set_attribute", "set_attributes", "add_event", "set_status", "__exit__"):
        own.wrap(SdkSpan, name)
    for name in ("attach", "detach"):
        own.wrap(otel_context, name)
    for tracer, span in _lean_classes():
        for name in ("start_span", "start_as_current_span"):
            own.wrap(tracer, name)
        for name in ("end", "set_attribute", "set_attributes", "add_event", "set_status", "record_exception"):
            own.wrap(span, name)
    for name in ("text", "quoted", "under"):
        own.wrap(TurnTrace, name)
    own.wrap(TraceStore, "claim")
    own.wrap(TurnRunner, "_traced")
    own.wrap(runner_module, "_closing")


def _lean_classes() -> list[tuple[Any, Any]]:
    """The lean recorder's tracer and span classes, where the code under test has them (the
    code before them made spans through the SDK alone)."""
    try:
        from switchboard.app.telemetry import lean
    except ImportError:
        return []
    return [(lean.LeanTracer, lean.LeanSpan)]


async def own_work_in_turns(services: Services, flags: dict[str, bool], turns: int) -> list[float]:
    """µs of tracing's own work in each of `turns` traced turns (OwnWork), the bench's last part:
    its wrappers come off again when it ends."""
    own = OwnWork()
    own.calibrate()
    watching(own)
    took: list[float] = []
    try:
        for n in range(WARM_UP + turns):
            if n % len(QUESTIONS) == 0:
                conversation = (await services.conversations.create("C1001")).id
            own.take()
            async for _ in services.turns.play(conversation, "C1001", QUESTIONS[n % len(QUESTIONS)], flags=flags):
                pass
            if n >= WARM_UP:
                took.append(own.take())
            await services.traces.flush()
    finally:
        own.restore()
    return took


OLD_SPANS = sa.Table(  # migration 0005's row per span, rebuilt here to measure what 0008 replaced
    "spans_0005",
    sa.MetaData(),
    *(sa.Column(name, sa.String()) for name in ("span_id", "trace_id", "parent_span_id", "name", "kind", "status")),
    sa.Column("start_ns", sa.BigInteger()),
    sa.Column("end_ns", sa.BigInteger()),
    sa.Column("attributes", sa.JSON()),
    sa.Column("events", sa.JSON()),
    *(sa.Column(name, sa.String()) for name in ("conversation_id", "record_id", "tenant_id", "customer_id")),
)


async def writes_alone(rounds: int, per_batch: int = 10) -> dict[str, float]:
    """CPU µs per turn (this process, aiosqlite's thread included) to write turn-shaped traces,
    `per_batch` turns to a transaction as the write-behind batches them: as one `trace_parts`
    row each (JSON made in the batch), and as 0005's row per span, the same spans alternately."""
    engine = make_engine(f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / 'writes.db'}")
    await upgrade_schema(engine)
    async with engine.begin() as connection:
        await connection.run_sync(OLD_SPANS.metadata.create_all)
    sessions, tracing = make_sessions(engine), Tracing()
    took: dict[str, list[float]] = {"one row per trace": [], "a row per span": []}
    for _ in range(rounds):
        ids = [shaped_trace(tracing) for _ in range(per_batch)]
        claims = [Claimed(trace_id, SCOPE, tracing.take_finished(trace_id)) for trace_id in ids]
        for layout in took:
            cpu = time.process_time()
            if layout == "one row per trace":  # as TraceStore writes: Core, on the engine
                async with engine.begin() as connection:
                    await insert_parts(connection, [part_row(claimed) for claimed in claims])
            else:  # as it wrote before 0008: a session's connection, a row per span
                async with sessions() as s, s.begin():
                    rows = [{**vars(span_data(span)), **vars(c.scope)} for c in claims for span in c.spans]
                    await (await s.connection()).execute(sa.insert(OLD_SPANS), rows)
            took[layout].append((time.process_time() - cpu) * 1e6 / per_batch)
    await engine.dispose()
    return {layout: percentile(samples, 50) for layout, samples in took.items()}


async def blocks(
    services: Services, flags: dict[bool, dict[str, bool]], rounds: int, size: int = 25
) -> tuple[dict[bool, float], float]:
    """Whole blocks of `size` turns, on and off alternating, each block's CPU time counted until
    the exporter has written all its spans: the batches' cost falls on the traced side alone.
    The CPU ms per turn of each side, the median over `rounds` blocks; and the median of the
    `rounds` paired differences (blocks 2k and 2k+1 are one of each, side by side in time)."""
    per_turn: dict[bool, list[float]] = {False: [], True: []}
    for n in range(rounds * 2):
        on = n % 4 in (1, 2)  # ABBA again, block by block
        cpu = time.process_time()
        for i in range(size):
            if i % len(QUESTIONS) == 0:
                conversation = (await services.conversations.create("C1001")).id
            async for _ in services.turns.play(conversation, "C1001", QUESTIONS[i % len(QUESTIONS)], flags=flags[on]):
                pass  # unlike one_turn, no read of the trace: that would be the bench's cost, not tracing's
        await services.traces.flush()
        per_turn[on].append((time.process_time() - cpu) * 1000 / size)
    paired = [b - a for a, b in zip(per_turn[False], per_turn[True], strict=True)]
    return {on: percentile(samples, 50) for on, samples in per_turn.items()}, percentile(paired, 50)


async def main(turns: int) -> None:
    settings = Settings(data_dir=Path(tempfile.mkdtemp()), demo_ttft_ms=0, demo_tokens_per_s=0)
    async with running_services(settings) as services:
        base = services.flags.snapshot()
        flags = {False: {**base, "tracing": False}, True: {**base, "tracing": True}}
        times: dict[bool, list[float]] = {False: [], True: []}
        cpu: dict[bool, list[float]] = {False: [], True: []}
        spans: list[int] = []
        for n in range(WARM_UP + turns):
            if n % len(QUESTIONS) == 0:
                conversation = (await services.conversations.create("C1001")).id
            order = (True, False) if n % 2 else (False, True)
            for on in order:
                elapsed, used, written = await one_turn(
                    services, conversation, QUESTIONS[n % len(QUESTIONS)], flags[on]
                )
                if n >= WARM_UP:
                    times[on].append(elapsed)
                    cpu[on].append(used)
                    if on:
                        spans.append(written)
        whole, whole_paired = await blocks(services, flags, rounds=max(4, turns // 25))
        own = await own_work_in_turns(services, flags[True], turns)
    alone = spans_alone(Tracing(), 2000)
    made = f"p50 {percentile(alone, 50):.0f} µs  p95 {percentile(alone, 95):.0f} µs"
    print(f"a turn-shaped trace's {SHAPED_SPANS} spans made and turned into its row, alone: {made}")
    spans_only = made_alone(Tracing(), 2000)
    print(
        f"the same {SHAPED_SPANS} spans made and taken, without the row (the turn's path), alone:"
        f" p50 {percentile(spans_only, 50):.0f} µs  p95 {percentile(spans_only, 95):.0f} µs"
    )
    written = await writes_alone(200)
    print(
        "its write, alone, cpu per turn (10 turns a transaction): "
        + "  ".join(f"{k} {v:.0f} µs" for k, v in written.items())
    )
    masked = masking_alone(2000)
    print(f"its PII masking of a turn's quoted texts, alone: p50 {percentile(masked, 50):+.0f} µs")
    print(f"turns: {turns} each way, interleaved (demo model at zero latency)")
    print(f"spans written per traced turn: p50 {percentile(spans, 50):.0f}")
    for name, samples in (("wall", times), ("cpu", cpu)):
        off, on = samples[False], samples[True]
        paired = [b - a for a, b in zip(off, on, strict=True)]
        print(f"{name:>4} off: p50 {percentile(off, 50):7.2f} ms  p95 {percentile(off, 95):7.2f} ms")
        print(f"{name:>4} on:  p50 {percentile(on, 50):7.2f} ms  p95 {percentile(on, 95):7.2f} ms")
        print(
            f"{name:>4} difference: p50 {percentile(on, 50) - percentile(off, 50):+.2f} ms"
            f"  p95 {percentile(on, 95) - percentile(off, 95):+.2f} ms"
            f"  median of pairs {percentile(paired, 50):+.2f} ms   (goal: ≤ 0.5 ms at p50)"
        )
    print(
        f"tracing's own work inside traced turns, timed where it runs: p50 {percentile(own, 50):.0f} µs"
        f"  p95 {percentile(own, 95):.0f} µs   (goal: ≤ 500 µs at p50)"
    )
    print(
        f"blocks of 25 turns, each counted until its spans are written: cpu per turn off {whole[False]:.2f} ms"
        f"  on {whole[True]:.2f} ms  difference {whole[True] - whole[False]:+.2f} ms"
        f"  median of pairs {whole_paired:+.2f} ms"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=300)
    asyncio.run(main(parser.parse_args().turns))
