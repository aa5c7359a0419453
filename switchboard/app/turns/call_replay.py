"""Replay one stored model call: its exact request again, against the same or another model.

The request is sent as the call log stored it (messages, tools, JSON schema, parameters) with
only the model changed when one is named, through the gateway — so the kill switch stops it
and the price table prices it — as one attempt, with no retries or failover: a replay shows
what that model answers, not what the resilience switches would have made of it. Tool calls
in the answer are shown, never executed. What it spends is charged to the operator's replay
window (patterns/spend_budget.py's `replay_key`), not to the customer or their storefront.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from pydantic import BaseModel

from switchboard.agents.llm.exchange import request_from_json
from switchboard.agents.llm.gateway import CallRecord, Gateway
from switchboard.agents.llm.types import CallsStopped, ProviderError
from switchboard.agents.record import CallRecordView
from switchboard.app.shop.models import ModelCall
from switchboard.patterns.spend_budget import Spend

REPLAY = "replay"  # the purpose replayed calls are made under


class UnknownModel(Exception):
    def __init__(self, model: str, known: Sequence[str]) -> None:
        super().__init__(f"no provider serves model {model[:60]!r} (models: {', '.join(known)})")


class Answer(BaseModel):
    """One side of the comparison: what a model answered, and what it took."""

    model: str
    provider: str
    text: str = ""
    tool_calls: list[dict[str, Any]] = []
    finish_reason: str = "stop"
    error: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    ttft_ms: float | None = None
    duration_ms: float = 0.0


class Replayed(BaseModel):
    record_id: str
    index: int
    purpose: str
    request: dict[str, Any]  # as stored, the model the original asked for included
    original: Answer
    replayed: Answer


def original_answer(row: ModelCall, call: CallRecordView) -> Answer:
    """The stored call's answer, with the figures its turn's record kept."""
    answer = row.answer
    figures = call.model_dump(include={"input_tokens", "output_tokens", "cost_usd", "ttft_ms", "duration_ms"})
    return Answer(
        model=call.model,
        provider=call.provider,
        text=answer.get("text", ""),
        tool_calls=answer.get("tool_calls", []),
        finish_reason=answer.get("finish_reason", "stop"),
        error=answer.get("error"),
        **figures,
    )


def _answer_of(attempt: CallRecord) -> Answer:
    exchange = attempt.exchange
    figures = attempt.summary()
    keep = ("model", "provider", "input_tokens", "output_tokens", "cost_usd", "ttft_ms", "duration_ms", "error")
    return Answer(
        **{k: figures[k] for k in keep},
        text=exchange.text if exchange else "",
        tool_calls=[dict(c) for c in exchange.tool_calls] if exchange else [],
        finish_reason=exchange.finish if exchange else "error",
    )


def _spent(attempts: Sequence[CallRecord]) -> Spend:
    return Spend(sum(a.input_tokens + a.output_tokens for a in attempts), sum(a.cost_usd for a in attempts))


class CallReplayer:
    def __init__(self, gateway: Gateway, charge: Callable[[Spend], None]) -> None:
        """`charge`: where a replay's spend goes (services: the operator's replay window)."""
        self._gateway = gateway
        self._charge = charge

    def target(self, row: ModelCall, model: str | None) -> str:
        """The model to replay against: the one named, else the one the stored request asked for."""
        wanted = model or str(row.request["model"])
        if wanted not in self._gateway.models:
            raise UnknownModel(wanted, self._gateway.models)
        return wanted

    async def replay(self, row: ModelCall, call: CallRecordView, model: str | None = None) -> Replayed:
        """Raises UnknownModel for a model no provider serves, CallsStopped with the kill switch on."""
        request = replace(request_from_json(row.request), model=self.target(row, model))
        attempts: list[CallRecord] = []
        try:
            await self._gateway.complete(request, purpose=REPLAY, on_call=attempts.append)
        except CallsStopped:
            raise
        except ProviderError:
            pass  # the attempt was reported, its error with it: the page shows the failure
        finally:
            if attempts:
                self._charge(_spent(attempts))
        replayed = _answer_of(attempts[-1]) if attempts else Answer(model=request.model, provider="", error="not_sent")
        return Replayed(
            record_id=row.record_id,
            index=row.call_index,
            purpose=row.purpose,
            request=row.request,
            original=original_answer(row, call),
            replayed=replayed,
        )
