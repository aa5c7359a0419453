"""Plays one turn: store the message, run the graph, stream what it says, store the record.

A turn is two steps. `begin` stores the customer's message and an empty assistant message and
returns; the route awaits it before it sends a byte, so a message the client saw acknowledged
is a stored one. `stream` then runs the graph and yields what it says, saving the answer as it
grows (a throttled flush), so a crash keeps what the customer had read up to the last save.
Whatever ends the stream (an answer, an error, the browser going away) the answer and the
request record are stored; a turn the server died in is marked interrupted at the next start
(`recover_interrupted`). An approval the graph asks for is opened the moment it is asked for,
so no word about a colleague goes out before the Human console has it.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal, cast

import anyio
from opentelemetry.context import Context
from opentelemetry.trace import Span, Status, StatusCode

from switchboard.agents.context import TurnContext
from switchboard.agents.events import (
    ApprovalRequested,
    Event,
    GuardPassed,
    GuardTripped,
    ModelCalled,
    Step,
    TicketOpened,
    Token,
    ToolUsed,
)
from switchboard.agents.graph import Graph
from switchboard.agents.llm.gateway import CallRecord
from switchboard.agents.llm.kill_switch import KillSwitch
from switchboard.agents.llm.tracing import TurnTrace, untraced
from switchboard.agents.llm.types import CallsStopped, DeadlineExceeded, ProviderError
from switchboard.agents.record import RecordBase, TraceItem, TurnRecord
from switchboard.agents.spending import BudgetRefused
from switchboard.agents.state import ConversationState
from switchboard.agents.tools import tool_schema_version
from switchboard.app.cost.cached_answers import CachedAnswers
from switchboard.app.lab.flags import FlagBoard, snapshot_key
from switchboard.app.shop.models import ModelCall, Takeover
from switchboard.app.telemetry.tracing import trace_id_of
from switchboard.app.turns.approvals import ApprovalDesk
from switchboard.app.turns.call_log import CallLog
from switchboard.app.turns.conversations import ConversationStore, new_id
from switchboard.app.turns.degradation import Ladder
from switchboard.app.turns.detached import detached
from switchboard.app.turns.outgoing import (
    OUT_OF_TIME,
    WITH_A_PERSON,
    TurnEvent,
    late_verdict,
    outgoing,
    over_budget,
    released,
    traced,
)
from switchboard.app.turns.parallel_scan import ParallelScan, VerdictGate
from switchboard.app.turns.privacy import Outbound, masked, masked_item
from switchboard.app.turns.recorder import CLIENT_GONE, CLIENT_STALLED, TurnRecorder
from switchboard.app.turns.records import record_row
from switchboard.app.turns.recovery import recover_interrupted
from switchboard.app.turns.timeline import placeholders_of
from switchboard.app.turns.traces import TraceScope, TraceStore
from switchboard.patterns.admission import Admission
from switchboard.patterns.backpressure import Stalled, StreamWindow
from switchboard.patterns.degradation import Served
from switchboard.patterns.latency_budget import BudgetSpent, Deadline, TurnBudget, until
from switchboard.patterns.pii.gazetteer import EMPTY, NameGazetteer
from switchboard.patterns.pii.redaction import Vault, mask
from switchboard.patterns.ticks import Tick, ticked
from switchboard.patterns.write_behind import WriteBehind

log = logging.getLogger(__name__)


def _never_due() -> None:  # no privacy watch: nothing is ever held back
    return None


# customer, conversation, flags, vault, the graph's deadline (an instant on the runner's clock,
# time.monotonic by default; None: no latency budget), and the customer's tenant
ContextFactory = Callable[[str, str, dict[str, bool], Vault | None, float | None, str], TurnContext]
# the tenant a customer belongs to, as the shop's records say (never as a request says)
TenantOf = Callable[[str], Awaitable[str]]
AfterTurn = Callable[[str, str, TurnRecord], None]  # question, answer, record
AfterSave = Callable[[TurnRecord], Awaitable[None]]  # every turn's record, however the turn ended
OthersData = Callable[[str], Awaitable[list[str]]]  # every other customer's personal data
People = Callable[[], Awaitable[NameGazetteer]]  # the shop's customers' names, for the vault to find
# every prompt's version for a conversation, given whether `prompt_canary` is on (the rollouts')
PromptVersions = Callable[[str, bool], Awaitable[dict[str, str]]]
DEFAULT_CONCURRENT_TURNS = 40
DEFAULT_WINDOW, DEFAULT_STALL_S = 32, 10.0  # settings.stream_window, settings.stream_stall_s
DRAFT_EVERY_S = 0.25  # how often the answers streaming are saved, all of them in one write
# A graph cancelled (the customer left) gets this long to stop its model call and report it.
SETTLE_S = 1.0
# Why the ladder answered, as the record and the ticket say it. The operator's own note on the
# kill switch stays on the operator's side: the record is shown in the customer's details strip.
Degraded = Literal["model unavailable", "kill switch on"]
MODEL_FAILED: Degraded = "model unavailable"
KILLED: Degraded = "kill switch on"


async def _nobody_else(customer_id: str) -> list[str]:
    return []


async def _no_people() -> NameGazetteer:
    return EMPTY


async def _shipped_prompts(conversation_id: str, canary_on: bool) -> dict[str, str]:
    return {}  # the context's book serves its shipped versions


@dataclass
class Turn:
    """A turn begun: the customer's message and an empty answer are stored; `stream` plays it."""

    conversation_id: str
    customer_id: str
    text: str
    flags: dict[str, bool]
    held: Takeover | None  # a person has the conversation: no model runs
    base: RecordBase  # the record's fields known from the start
    recorder: TurnRecorder
    started: float  # the runner's clock when `begin` was called: the latency budget counts from here
    vault: Vault  # the conversation's PII vault, read with the turn's first write
    grown_vault: Vault | None = None  # the PII vault, when the turn added to it: saved at the turn's end
    trace: TurnTrace | None = None  # `tracing`: the graph's spans go under the turn's span
    span: Span | None = None  # the turn's span, ended when its record is saved
    window: StreamWindow | None = None  # `backpressure`: the bounded buffer between model and client
    heard: list[CallRecord] = field(default_factory=list)  # every call the gateway reported

    @property
    def reply_id(self) -> str:
        return self.base.message_id


class TurnRunner:
    def __init__(
        self,
        graph: Graph,
        conversations: ConversationStore,
        flags: FlagBoard,
        make_context: ContextFactory,
        now: Callable[[], datetime],
        tenant_of: TenantOf,
        clock: Callable[[], float] = time.monotonic,
        after_turn: Sequence[AfterTurn] = (),
        ladder: Ladder | None = None,
        others_data: OthersData = _nobody_else,
        approvals: ApprovalDesk | None = None,
        admission: Admission | None = None,
        budget_s: float = 10.0,
        answers: CachedAnswers | None = None,
        after_save: Sequence[AfterSave] = (),
        kill_switch: KillSwitch | None = None,
        traces: TraceStore | None = None,
        call_log: CallLog | None = None,
        prompt_versions: PromptVersions = _shipped_prompts,
        window: tuple[int, float] = (DEFAULT_WINDOW, DEFAULT_STALL_S),
        people: People = _no_people,
        masks: Callable[[str], str] = mask,
        redacts: bool = True,
    ) -> None:
        """`prompt_versions`: the canary's say in which prompt versions a conversation is served.
        `window`: with `backpressure` on, the most answer tokens between model and client, and
        how long a client may read none of them before it is taken as gone. `people`: the
        customers' names, which the PII vault redacts wherever they appear. `masks`: how a text
        of the record and its timeline is masked (services: a cached one)."""
        self._window = window
        self._graph = graph
        self._conversations = conversations
        self._flags = flags
        self._make_context = make_context
        self._now = now
        self._tenant_of = tenant_of
        self._clock = clock
        self._after_turn = after_turn
        self._ladder = ladder
        self._others_data = others_data
        self._people = people
        self._approvals = approvals
        self._admission = admission or Admission(DEFAULT_CONCURRENT_TURNS)
        self._budget_s = budget_s  # with latency_budget on, a turn's deadline (waiting for a slot included)
        self._answers = answers  # semantic_cache: a finished turn's answer is offered to it
        self._after_save = after_save  # rate_limit: a turn's tokens, counted even if the browser left
        self._kill_switch = kill_switch or KillSwitch()  # the gateway's: on, no model is called
        self._trace_store = traces  # `tracing`: where a turn's spans are kept (None: never traced)
        self._call_log = call_log  # every call's exact request and answer, for replay (call_log.py)
        self._prompt_versions = prompt_versions
        self._masks = masks
        self._redacts = redacts  # pii_redaction wired (chapter 11 on: agents/chapters.py); if not, never applied
        self._tool_schema = tool_schema_version()  # the tools never change while the process runs
        # Every answer streaming is saved as it grows, all of them together (patterns/write_behind.py).
        self.drafts: WriteBehind[str, str] = WriteBehind(conversations.save_drafts, clock, DRAFT_EVERY_S)

    async def play(
        self,
        conversation_id: str,
        customer_id: str,
        text: str,
        flags: dict[str, bool] | None = None,
        run_id: str | None = None,
    ) -> AsyncIterator[TurnEvent]:
        """Begin a turn and stream it: for callers with no response to send in between."""
        turn = await self.begin(conversation_id, customer_id, text, flags, run_id)
        async for event in self.stream(turn):
            yield event

    async def begin(
        self,
        conversation_id: str,
        customer_id: str,
        text: str,
        flags: dict[str, bool] | None = None,
        run_id: str | None = None,
        arrived: float | None = None,
    ) -> Turn:
        """Store the customer's message and an empty answer, under `flags` (default: the board's
        flags as they are now). Turns played by a run carry its id, so live figures leave them out.
        `arrived`: when the request reached the app (on the runner's clock), if earlier than now —
        the turn's budget and its recorded latency count from there."""
        started = self._clock() if arrived is None else arrived
        flags = dict(flags) if flags is not None else self._flags.snapshot()
        # With pii_redaction on, the agent view's items are masked as they are made (privacy.py).
        recorder = TurnRecorder(self._clock, started=started, mask=self._item_mask(flags))
        opened = await self._conversations.open_exchange(conversation_id, text)  # one transaction
        base = RecordBase(
            id=new_id("r_"),
            conversation_id=conversation_id,
            customer_id=customer_id,
            message_id=opened.reply.id,
            flags=flags,
            flags_key=snapshot_key(flags, self._flags.registry),
            streamed=flags.get("streaming", False),
            run_id=run_id,
            tenant_id=await self._tenant_of(customer_id),
            # An eval run is served the stable prompts: its conversation ids are new each run, and
            # a canary drawn by them would make two runs of one configuration differ.
            prompt_versions=await self._prompt_versions(
                conversation_id, bool(flags.get("prompt_canary")) and not run_id
            ),
            tool_schema=self._tool_schema,
        )
        turn = Turn(conversation_id, customer_id, text, flags, opened.held, base, recorder, started, opened.vault)
        turn.window = StreamWindow(*self._window) if flags.get("backpressure") else None
        return self._traced(turn)

    def _redacting(self, flags: dict[str, bool]) -> bool:
        """`pii_redaction` applies: wired in this app, and on for this turn."""
        return self._redacts and bool(flags.get("pii_redaction"))

    def _item_mask(self, flags: dict[str, bool]) -> Callable[[TraceItem], TraceItem] | None:
        """With `pii_redaction` on, how each timeline item is masked as it is made."""
        return functools.partial(masked_item, masks=self._masks) if self._redacting(flags) else None

    def _traced(self, turn: Turn) -> Turn:
        """With `tracing` on, the turn's span: under the request's (the current span, set by the
        tracing middleware), or a root one for a run's turn; the graph's spans go under it."""
        if self._trace_store is None or not turn.flags.get("tracing"):
            return turn
        masks = self._masks if self._redacting(turn.flags) else None
        trace = TurnTrace(self._trace_store.tracer(True), masks=masks)
        # A run's turn is a trace of its own: its job may have begun inside the request that
        # started the run, whose span is still current there.
        parent = Context() if turn.base.run_id is not None else None
        # The version matrix: the prompt versions this conversation is served (a canary's included)
        served = turn.base.prompt_versions or self._trace_store.prompt_versions()
        versions = {f"switchboard.prompt.{name}": v for name, v in served.items()}
        versions["switchboard.tool_schema"] = turn.base.tool_schema
        span = trace.tracer.start_span("turn", parent, attributes={**_opening(turn, trace), **versions})
        turn.trace, turn.span = trace.under(span), span
        turn.base = turn.base.model_copy(update={"trace_id": trace_id_of(span)})
        return turn

    async def stream(self, turn: Turn) -> AsyncIterator[TurnEvent]:
        """Play a begun turn: what it says as it says it, then `done` with the record."""
        error: str | None = None
        finished = False
        try:
            async for event in self._answered(turn):
                yield self._drafted(turn, event)
                for trace in self._traces(turn):
                    yield trace
            finished = True
        except ProviderError as exc:
            error = f"ProviderError: {exc}"
            yield TurnEvent("error", {"code": "model_unavailable", "message": "Our assistant is unavailable."})
        except Stalled as exc:  # nobody is reading: no error event, the model is stopped
            error = f"{CLIENT_STALLED}: {exc}"
        except Exception as exc:  # the turn failed: say so, keep what was said
            log.exception("turn %s in conversation %s failed", turn.base.id, turn.conversation_id)
            error = f"{type(exc).__name__}: {exc}"
            yield TurnEvent("error", {"code": "turn_failed", "message": "Something went wrong answering that."})
        finally:
            if not finished and error is None:
                error = CLIENT_GONE
            record = await self._save(turn, error, complete=finished)
        if finished:
            await self._keep_answer(turn, record)
            for listener in self._after_turn:
                listener(turn.text, turn.recorder.answer, record)
        yield TurnEvent("done", record.as_json(), record)

    async def _keep_answer(self, turn: Turn, record: TurnRecord) -> None:
        """Offer a finished turn's answer to the semantic cache, which keeps it only if the turn
        earned it (app/cost/cached_answers.py). A cache that fails to store costs a future hit,
        never this turn."""
        looked_up = turn.recorder.cache
        if self._answers is None or looked_up is None:
            return  # the switch was off, or the message never reached the lookup (blocked)
        try:
            with anyio.CancelScope(shield=True):
                why = await self._answers.keep(looked_up, turn.recorder.answer, record)
        except Exception:
            log.exception("turn %s: its answer could not be cached", turn.base.id)
            return
        log.debug("turn %s: %s", turn.base.id, f"answer not cached: {why}" if why else "answer cached")

    async def _answered(self, turn: Turn) -> AsyncIterator[TurnEvent]:
        """The turn's events: a person's hold, or the graph — or, when every model failed, the
        ladder's answer (chapter 9); or, when a budget refuses the next model call, a polite word
        (chapter 10); or, with the operator's kill switch on, the ladder's rungs that need no model,
        whatever the `degradation` switch says — the operator chose it for every turn (chapter 12).
        A failure on the ladder is the turn's failure like any other."""
        try:
            async for event in self._with_a_person(turn.held.by, turn.recorder) if turn.held else self._admitted(turn):
                yield event
        except BudgetRefused as refused:
            for event in over_budget(refused, turn.recorder):
                yield event
        except CallsStopped:
            if self._ladder is None:
                raise
            async for event in self._degrade(turn, KILLED):
                yield event
        except ProviderError as exc:
            if turn.flags.get("degradation") and self._ladder is not None:
                async for event in self._degrade(turn, MODEL_FAILED):
                    yield event
            elif isinstance(exc, DeadlineExceeded):
                yield self._out_of_time(turn.recorder)
            else:
                raise

    async def _admitted(self, turn: Turn) -> AsyncIterator[TurnEvent]:
        """The graph, once the turn has a slot (patterns/admission.py); a turn that would have to
        wait past its budget for one is not started; nor is one with the kill switch on, so that
        nothing of the graph runs — not even a cached answer a model made."""
        self._kill_switch.check()
        async with self._admission.slot(self._budget(turn).longest_wait()) as admitted:
            if not admitted:
                raise DeadlineExceeded(message="no free slot before the turn's latency budget ran out")
            async for event in self._run_graph(turn):
                yield event

    def _budget(self, turn: Turn) -> TurnBudget:
        """The turn's latency budget, when `latency_budget` is on (patterns/latency_budget.py)."""
        return TurnBudget(self._budget_s if turn.flags.get("latency_budget") else None, turn.started, self._clock)

    @staticmethod
    def _out_of_time(recorder: TurnRecorder) -> TurnEvent:
        """The turn's latency budget ran out and there is no ladder to fall to: say so plainly."""
        recorder.degraded_to = "deadline"
        token = Token(("\n\n" if recorder.answer else "") + OUT_OF_TIME)
        recorder.see(token)
        return TurnEvent("token", {"text": token.text})

    @staticmethod
    def _traces(turn: Turn) -> list[TurnEvent]:
        """The agent view's new timeline items (a `trace` each), as soon as they are known."""
        return traced(turn.recorder)

    def _drafted(self, turn: Turn, event: TurnEvent) -> TurnEvent:
        """An event on its way out; answer text is offered to the drafts first."""
        if event.kind == "token":
            self.drafts.offer(turn.reply_id, turn.recorder.answer)
        return event

    async def recover_interrupted(self) -> int:
        """At start-up: the answers the server died in the middle of (turns/recovery.py)."""
        return await recover_interrupted(self._conversations, self._now, self._clock)

    async def _with_a_person(self, by: str, recorder: TurnRecorder) -> AsyncIterator[TurnEvent]:
        """A person has taken this conversation over: the message waits for them, no model runs."""
        recorder.see(GuardTripped("human_takeover", "escalate", f"{by} has this conversation"))
        recorder.see(Token(WITH_A_PERSON))
        yield TurnEvent("token", {"text": WITH_A_PERSON})

    async def _degrade(self, turn: Turn, why: Degraded) -> AsyncIterator[TurnEvent]:
        """No model answers — every provider failed, or the kill switch is on: serve the best answer
        that needs no model (chapter 9), through the same privacy filter as a model's answer — a
        rung is no more trusted than a model."""
        recorder = turn.recorder
        served, ticket, outbound = await self._fallback(turn, recall=why != KILLED)
        recorder.degraded_to, recorder.degraded_reason = served.tier, why
        if ticket:
            recorder.see(TicketOpened(ticket, why))
        label = f"Answering without a model ({served.tier})" + (": the kill switch is on" if why == KILLED else "")
        yield TurnEvent("step", {"node": "degrade", "label": label})
        shown = ("\n\n" if recorder.answer else "") + served.text
        for event in outgoing(shown, outbound, recorder, whole=True):
            yield event

    async def _fallback(self, turn: Turn, recall: bool) -> tuple[Served, str | None, Outbound | None]:
        """The ladder's answer, its ticket and the privacy filter for it — by the end of the
        turn's budget. A ladder still busy then (a search or a write queued behind others under
        load) gives way to the one answer that needs nothing: that the turn ran out of time."""
        assert self._ladder is not None
        try:
            with anyio.fail_after(self._budget(turn).time_left()):
                served, ticket = await self._ladder.serve(
                    turn.text, turn.customer_id, turn.conversation_id, turn.base.tenant_id, recall
                )
                return served, ticket, await self._outbound(turn.conversation_id, turn.customer_id, turn.flags)
        except TimeoutError:
            return Served("deadline", OUT_OF_TIME), None, None

    async def _outbound(self, conversation_id: str, customer_id: str, flags: dict[str, bool]) -> Outbound | None:
        """The privacy filter for what goes out, when `pii_redaction` is on."""
        if not self._redacting(flags):
            return None
        vault = await self._vault(conversation_id)
        return Outbound(vault, await self._others_data(customer_id))

    async def _vault(self, conversation_id: str) -> Vault:
        """The conversation's PII vault, finding the shop's customers' names as well."""
        vault = await self._conversations.vault(conversation_id)
        vault.people = await self._people()
        return vault

    async def _run_graph(self, turn: Turn) -> AsyncIterator[TurnEvent]:
        flags, recorder = turn.flags, turn.recorder
        vault = turn.vault if self._redacting(flags) else None
        if vault is not None:
            vault.people = await self._people()
        known = len(vault) if vault is not None else 0
        outbound = Outbound(vault, await self._others_data(turn.customer_id)) if vault is not None else None
        made = self._make_context(
            turn.customer_id,
            turn.conversation_id,
            flags,
            vault,
            self._budget(turn).graph_deadline(),
            turn.base.tenant_id,
        )
        # A rehearsal spends in budget windows of its own; a traced turn's nodes are spans under its
        # span; a canary's conversation reads its prompts.
        served = turn.base.prompt_versions or made.prompt_versions
        context = replace(
            made,
            run_id=turn.base.run_id,
            trace=turn.trace or untraced(),
            prompt_versions=served,
            window=turn.window,
            on_call=turn.heard.append,
        )
        recorder.timeline.context(
            recorder.elapsed_ms(), customer_id=turn.customer_id, placeholders=placeholders_of(vault)
        )
        config: Any = {"configurable": {"thread_id": turn.conversation_id}}
        # A turn starts afresh: an earlier turn's verdict, or a hand-back left by a turn that
        # failed part-way, must not carry over.
        fresh: ConversationState = {
            "messages": [{"role": "user", "content": vault.redact(turn.text) if vault is not None else turn.text}],
            "suspicious": False,
            "blocked": False,
            "handoff": None,
            "handoffs": [],
            "cached": False,
        }
        parallel = flags.get("injection_scan") and flags.get("scan_in_parallel") and context.scanner is not None
        scan = ParallelScan(context.scanner, fresh["messages"][0]["content"]) if parallel and context.scanner else None
        if scan is not None and context.answers is not None:  # a cached answer waits for the verdict
            context = replace(context, answers=VerdictGate(context.answers, scan))
        try:
            async for event in self._stream(turn, fresh, config, context, outbound, scan):
                yield event
            if scan is not None:
                for event in late_verdict(await scan.verdict(), recorder):
                    yield event
        finally:
            if scan is not None:
                scan.cancel()
            # Saved even when the turn fails part-way (the checkpoint may already hold its
            # placeholders) — with the turn's other writes, once the answer is out.
            if vault is not None and len(vault) != known:
                turn.grown_vault = vault

    async def _stream(
        self,
        turn: Turn,
        fresh: ConversationState,
        config: Any,
        context: TurnContext,
        outbound: Outbound | None,
        scan: ParallelScan | None,
    ) -> AsyncIterator[TurnEvent]:
        recorder = turn.recorder
        events = self._graph_events(fresh, config, context)
        # The other-customer watch's bound in time is kept between tokens too (a tick). Closed
        # when this ends however it ends: a read in flight then is the graph, cancelled and waited
        # for; with none in flight the graph's stream is left as before (ticked closes only a read).
        async with aclosing(ticked(events, outbound.due if outbound is not None else _never_due)) as stream:
            async for event in stream:
                if scan is not None and scan.blocked_now():
                    return  # a block landed: the rest of this turn does not go out
                if isinstance(event, Tick):
                    for shown in released(outbound, recorder) if outbound is not None else []:
                        yield shown
                    continue
                if isinstance(event, Token):
                    if turn.window is not None:  # the client asked for more: room for the model's next
                        turn.window.take()
                    for shown in outgoing(event.text, outbound, recorder, whole=not turn.flags.get("streaming")):
                        yield shown
                    if outbound is not None and outbound.leaked:
                        break  # the rest of this answer is not for this customer
                    continue
                recorder.see(event)
                if isinstance(event, ToolUsed):  # a tool's result may have added to the vault
                    recorder.timeline.context(recorder.elapsed_ms(), placeholders=placeholders_of(context.vault))
                if isinstance(event, ApprovalRequested):
                    await self._open_approval(turn, event)
                elif isinstance(event, Step):
                    yield TurnEvent("step", {"node": event.node, "label": event.label, "at_ms": recorder.elapsed_ms()})
                elif isinstance(event, ModelCalled) and event.call.cut_mid_stream:
                    # The browser marks the seam: the answer goes on from another provider.
                    yield TurnEvent("step", {"node": "failover", "label": f"{event.call.provider} cut off mid-answer"})
                for trace in self._traces(turn):
                    yield trace
        if outbound is not None and not outbound.leaked:
            for shown in outgoing(outbound.flush(), None, recorder):
                yield shown
            kept = len(placeholders_of(context.vault))
            recorder.see(GuardPassed("pii_redaction", f"no one else's data in the answer; {kept} in the vault"))
            for trace in self._traces(turn):
                yield trace

    async def _graph_events(self, fresh: ConversationState, config: Any, context: TurnContext) -> AsyncIterator[Event]:
        """The graph's events, given up at the turn's deadline however the graph spends its time
        (the nodes check it between steps; this also cuts an await that checks nothing).
        The checkpoint is written once, when the graph exits (an answer, an error, an approval's
        interrupt), not after each of its five steps: a turn the process dies in is marked
        interrupted and played again by nobody, so its steps' checkpoints were never read."""
        stream = self._graph.astream(fresh, config, context=context, stream_mode="custom", durability="exit")
        events = cast(AsyncIterator[Event], stream)
        try:
            # Detached: a turn cancelled (the customer left) waits for the graph to stop its model
            # call and report it, so that the record below counts it (detached.py).
            async for event in detached(until(Deadline(context.deadline, context.clock), events), SETTLE_S):
                yield event
        except BudgetSpent as spent:
            raise DeadlineExceeded(message=str(spent)) from None

    async def _open_approval(self, turn: Turn, wanted: ApprovalRequested) -> None:
        """Opened before the stream goes on, so that the words "I've asked a colleague" can
        only follow a row the Human console shows; shielded, so a browser leaving now does
        not lose a request the customer may already have been promised."""
        if self._approvals is None:
            return
        with anyio.CancelScope(shield=True):
            await self._approvals.open(turn.conversation_id, turn.customer_id, wanted)

    async def _save(self, turn: Turn, error: str | None, complete: bool) -> TurnRecord:
        # Shielded: when the browser disconnects this turn is being cancelled, and the partial
        # answer and its record must still be written. Not after a batch of drafts in flight:
        # a draft only lands on an unfinished answer (save_drafts), so it cannot overwrite this.
        with anyio.CancelScope(shield=True):
            self.drafts.forget(turn.reply_id)
            turn.recorder.hear(turn.heard)  # a call cut off as the customer left, too
            record = turn.recorder.record(base=turn.base, error=error, now=self._now())
            if self._redacting(turn.flags):
                record = masked(record, self._masks)
            answer, row = turn.recorder.answer, record_row(record, self._now())
            await self._conversations.finish_answer(
                turn.reply_id,
                answer,
                complete=complete,
                record=row,
                vault=turn.grown_vault,
                calls=self._calls(turn, record),
            )
            self._keep_spans(turn, record)
            await self._saved(record)
        return record

    def _keep_spans(self, turn: Turn, record: TurnRecord) -> None:
        """`tracing`: the turn's span ended with what the record says, and the trace's spans so
        far kept under the record's scope (written behind the turn: traces.py)."""
        if turn.span is None or self._trace_store is None or record.trace_id is None:
            return
        _closing(turn.span, record)
        scope = TraceScope(record.conversation_id, record.id, record.tenant_id, record.customer_id)
        self._trace_store.claim(record.trace_id, scope)

    def _calls(self, turn: Turn, record: TurnRecord) -> list[ModelCall]:
        """The record's calls' requests and answers, row N for `calls[N]`, written with the record."""
        if self._call_log is None:
            return []
        exchanges = [c.call.exchange for c in turn.recorder.calls]
        return self._call_log.rows(record, exchanges, self._now(), self._redacting(turn.flags))

    async def _saved(self, record: TurnRecord) -> None:
        """Tell the listeners; one that fails costs what it keeps (a count), never the turn."""
        for listener in self._after_save:
            try:
                await listener(record)
            except Exception:
                log.exception("turn %s: a listener failed on its record", record.id)


def _opening(turn: Turn, trace: TurnTrace) -> dict[str, Any]:
    """The turn span's attributes known when it begins (free text masked as in the record)."""
    return {
        "switchboard.record_id": turn.base.id,
        "switchboard.conversation_id": turn.conversation_id,
        "switchboard.tenant_id": turn.base.tenant_id,
        "switchboard.run_id": turn.base.run_id or "",
        "switchboard.flags": sorted(name for name, on in turn.flags.items() if on),
        "switchboard.message": trace.text(turn.text),
    }


def _closing(span: Span, record: TurnRecord) -> None:
    """What the turn's record says of how it went, on its span, and the span ended."""
    span.set_attributes(
        {
            "switchboard.outcome": record.outcome,
            "switchboard.tier_served": record.tier_served or "",
            "switchboard.route": record.route or "",
            "switchboard.cost_usd": record.cost_usd,
            "switchboard.models": record.models,
            "switchboard.guards": [f"{g.guard}:{g.action}" for g in record.guards],
            "switchboard.checks": [f"{c.guard}:{c.verdict}" for c in record.checks],
            "gen_ai.usage.input_tokens": record.input_tokens,
            "gen_ai.usage.output_tokens": record.output_tokens,
        }
    )
    if record.error is not None:
        span.set_status(Status(StatusCode.ERROR, record.error))
    span.end()
