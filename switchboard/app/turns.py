"""Plays one turn: store the message, run the graph, stream what it says, store the record.

The customer's message — and an empty assistant message — are stored before the graph runs,
so nothing typed is lost. Whatever happens next (an answer, an error, the browser going away
mid-stream) the partial or full answer and the request record are stored too.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import anyio

from switchboard.agents.context import TurnContext
from switchboard.agents.events import Event, ModelCalled, Step, TicketOpened, Token
from switchboard.agents.graph import Graph
from switchboard.agents.llm.types import ProviderError
from switchboard.agents.state import ConversationState
from switchboard.app.degradation import Ladder
from switchboard.app.flags import FlagBoard, snapshot_key
from switchboard.app.models import RequestRecord
from switchboard.app.recorder import TurnRecorder
from switchboard.app.store import ConversationStore, RecordStore, new_id

ContextFactory = Callable[[str, str, dict[str, bool]], TurnContext]
AfterTurn = Callable[[str, str, dict[str, Any]], None]  # question, answer, record


@dataclass(frozen=True)
class TurnEvent:
    """What the browser gets: `step`, `token`, `error` or `done` (with the record)."""

    kind: str
    data: dict[str, Any]


class TurnRunner:
    def __init__(
        self,
        graph: Graph,
        conversations: ConversationStore,
        records: RecordStore,
        flags: FlagBoard,
        make_context: ContextFactory,
        now: Callable[[], datetime],
        clock: Callable[[], float] = time.perf_counter,
        after_turn: Sequence[AfterTurn] = (),
        ladder: Ladder | None = None,
    ) -> None:
        self._graph = graph
        self._conversations = conversations
        self._records = records
        self._flags = flags
        self._make_context = make_context
        self._now = now
        self._clock = clock
        self._after_turn = after_turn
        self._ladder = ladder

    async def play(
        self,
        conversation_id: str,
        customer_id: str,
        text: str,
        flags: dict[str, bool] | None = None,
        run_id: str | None = None,
    ) -> AsyncIterator[TurnEvent]:
        """Play one turn under `flags` (default: the board's flags as they are now).

        Turns played by a run carry its id, so that live figures leave them out."""
        flags = dict(flags) if flags is not None else self._flags.snapshot()
        recorder = TurnRecorder(self._clock)
        await self._conversations.add_message(conversation_id, "user", text)
        reply = await self._conversations.add_message(conversation_id, "assistant", "", complete=False)
        base = {
            "id": new_id("r_"),
            "conversation_id": conversation_id,
            "customer_id": customer_id,
            "message_id": reply.id,
            "flags": flags,
            "flags_key": snapshot_key(flags, self._flags.registry),
            "streamed": flags.get("streaming", False),
            "run_id": run_id,
        }
        error: str | None = None
        finished = False
        try:
            async for event in self._run_graph(conversation_id, customer_id, text, flags, recorder):
                yield event
            finished = True
        except ProviderError as exc:
            if flags.get("degradation") and self._ladder is not None:
                async for event in self._degrade(text, customer_id, conversation_id, recorder):
                    yield event
                finished = True
            else:
                error = f"ProviderError: {exc}"
                yield TurnEvent("error", {"code": "model_unavailable", "message": "Our assistant is unavailable."})
        except Exception as exc:  # the turn failed: say so, keep what was said
            error = f"{type(exc).__name__}: {exc}"
            yield TurnEvent("error", {"code": "turn_failed", "message": "Something went wrong answering that."})
        finally:
            if not finished and error is None:
                error = "client disconnected"
            record = await self._save(recorder, base, error, complete=finished)
        if finished:
            for listener in self._after_turn:
                listener(text, recorder.answer, record)
        yield TurnEvent("done", record)

    async def _degrade(
        self, text: str, customer_id: str, conversation_id: str, recorder: TurnRecorder
    ) -> AsyncIterator[TurnEvent]:
        """Every provider failed: serve the best answer that needs no model (chapter 9)."""
        assert self._ladder is not None
        served, ticket = await self._ladder.serve(text, customer_id, conversation_id)
        recorder.degraded_to = served.tier
        if ticket:
            recorder.see(TicketOpened(ticket, "model unavailable"))
        token = Token(("\n\n" if recorder.answer else "") + served.text)
        recorder.see(token)
        yield TurnEvent("step", {"node": "degrade", "label": f"Answering without a model ({served.tier})"})
        yield TurnEvent("token", {"text": token.text})

    async def _run_graph(
        self,
        conversation_id: str,
        customer_id: str,
        text: str,
        flags: dict[str, bool],
        recorder: TurnRecorder,
    ) -> AsyncIterator[TurnEvent]:
        context = self._make_context(customer_id, conversation_id, flags)
        config: Any = {"configurable": {"thread_id": conversation_id}}
        turn: ConversationState = {"messages": [{"role": "user", "content": text}]}
        async for event in self._graph.astream(turn, config, context=context, stream_mode="custom"):
            event = cast(Event, event)  # nodes write only Event values to the custom stream
            recorder.see(event)
            if isinstance(event, Token):
                yield TurnEvent("token", {"text": event.text})
            elif isinstance(event, Step):
                yield TurnEvent("step", {"node": event.node, "label": event.label})
            elif isinstance(event, ModelCalled) and event.call.cut_mid_stream:
                # The browser marks the seam: the answer goes on from another provider.
                yield TurnEvent("step", {"node": "failover", "label": f"{event.call.provider} cut off mid-answer"})

    async def _save(
        self, recorder: TurnRecorder, base: dict[str, Any], error: str | None, complete: bool
    ) -> dict[str, Any]:
        # Shielded: when the browser disconnects this turn is being cancelled, and the partial
        # answer and its record must still be written.
        with anyio.CancelScope(shield=True):
            record = recorder.record(base=base, error=error, now=self._now())
            await self._records.add(
                RequestRecord(
                    id=record["id"],
                    conversation_id=record["conversation_id"],
                    created_at=self._now(),
                    flags_key=record["flags_key"],
                    outcome=record["outcome"],
                    data=record,
                )
            )
            await self._conversations.finish_message(
                base["message_id"], recorder.answer, complete=complete, record_id=record["id"]
            )
        return record
