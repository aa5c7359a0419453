"""LLM-as-judge: a model grades whether an answer is supported by its evidence.

The judge calls a model through the same gateway as everything else, so its tokens and cost
are recorded like any other call, and every grade — failed ones too — is handed to `charge`:
an eval run counts its judge's spend in a window of its own (patterns/spend_budget.py's
`judge_key`), beside its turns', not nowhere. Offline, the demo model grades by embedding similarity
(see the demo provider's judging module); pointed at a real model, the same prompt and schema
ask it to read and decide.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from switchboard.agents.llm.gateway import NO_RESILIENCE, CallListener, CallRecord
from switchboard.agents.llm.resilience import Resilience
from switchboard.agents.llm.types import ChatRequest, Completion
from switchboard.patterns.spend_budget import Spend

Charge = Callable[[Spend], None]

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "verdict": {"type": "string", "enum": ["grounded", "ungrounded"]},
        "score": {"type": "number", "minimum": 0, "maximum": 1},
    },
    "required": ["verdict", "score"],
}


class Completer(Protocol):
    async def complete(
        self, request: ChatRequest, *, purpose: str, on_call: CallListener = ..., resilience: Resilience = ...
    ) -> Completion: ...


@dataclass(frozen=True)
class Judgement:
    grounded: bool
    score: float
    cost_usd: float
    detail: str = ""


class Judge:
    def __init__(self, gateway: Completer, prompt: str, model: str, charge: Charge | None = None) -> None:
        self._gateway = gateway
        self._prompt = prompt
        self._model = model
        self._charge = charge  # None: the grades' spend is reported in Judgement.cost_usd only

    async def grade(
        self, question: str, answer: str, evidence: Sequence[str], resilience: Resilience = NO_RESILIENCE
    ) -> Judgement:
        """The judge's verdict; a `ProviderError` when no provider could give one (under `resilience`:
        the retries, breakers and failover the graded turn had)."""
        calls: list[CallRecord] = []
        user = (
            f"<question>{question}</question>\n<answer>{answer}</answer>\n<evidence>{chr(10).join(evidence)}</evidence>"
        )
        request = ChatRequest(
            [{"role": "system", "content": self._prompt}, {"role": "user", "content": user}],
            self._model,
            json_schema=SCHEMA,
            max_tokens=60,
        )
        try:
            reply = await self._gateway.complete(request, purpose="judge", on_call=calls.append, resilience=resilience)
        finally:
            self._charged(calls)  # a grade that failed was still paid for
        return _read(reply.text, sum(c.cost_usd for c in calls))

    def _charged(self, calls: Sequence[CallRecord]) -> None:
        if self._charge is not None and calls:
            self._charge(Spend(sum(c.input_tokens + c.output_tokens for c in calls), sum(c.cost_usd for c in calls)))


def _read(text: str, cost: float) -> Judgement:
    """The judge's JSON; anything unreadable counts as a failed grade, never as a pass."""
    try:
        data = json.loads(text)
        return Judgement(data["verdict"] == "grounded", float(data["score"]), cost, str(data["verdict"]))
    except (ValueError, KeyError, TypeError):
        return Judgement(False, 0.0, cost, f"unreadable judgement: {text[:80]!r}")
