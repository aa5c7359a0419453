from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from switchboard.patterns.structured_output import Rejected, ask_validated, parse


class Decision(BaseModel):
    route: Literal["orders", "knowledge"]
    confidence: float


def test_parse_names_what_is_wrong() -> None:
    assert parse('{"route": "orders", "confidence": 0.9}', Decision) == Decision(route="orders", confidence=0.9)
    broken = parse('{"route": "orders", "confid', Decision)
    assert isinstance(broken, Rejected) and broken.errors.startswith("not JSON")
    wrong = parse('{"route": "pizza"}', Decision)
    assert isinstance(wrong, Rejected) and "route" in wrong.errors and "confidence" in wrong.errors
    assert "pizza" in wrong.reask() and "JSON object" in wrong.reask()


async def test_a_reask_shows_the_model_its_mistake_and_the_repair_is_used() -> None:
    asked: list[str | None] = []
    replies = iter(['{"route": "pizza", "confidence": 1}', '{"route": "orders", "confidence": 0.8}'])

    async def ask(feedback: str | None) -> str:
        asked.append(feedback)
        return next(replies)

    outcome = await ask_validated(ask, Decision, attempts=2)
    assert outcome.value == Decision(route="orders", confidence=0.8) and outcome.attempts == 2
    assert asked[0] is None and asked[1] is not None and "pizza" in asked[1]


async def test_after_the_last_attempt_the_caller_falls_back() -> None:
    async def ask(feedback: str | None) -> str:
        return "I think orders?"

    outcome = await ask_validated(ask, Decision, attempts=3)
    assert outcome.value is None and len(outcome.rejections) == 3
