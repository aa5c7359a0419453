"""`model_routing`: the turn's model chosen by complexity, and a cascade whose check on the small
answer decides whether the large model takes over — played through the real graph."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from switchboard.agents.context import Routing, RoutingMode, TurnContext
from switchboard.agents.events import GuardPassed, ModelChosen, Token
from switchboard.agents.llm.gateway import Gateway
from switchboard.agents.llm.types import Message
from switchboard.agents.model_choice import check_answer, choose_model, parts_of
from switchboard.app.services import Services, running_services
from switchboard.app.settings import Settings
from switchboard.patterns.model_routing import ComplexityPolicy
from tests.agents.playing import Listening, play, turn_context

SMALL, LARGE = "demo-small", "demo-large"


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    async with running_services(Settings(data_dir=tmp_path, demo_ttft_ms=0, demo_tokens_per_s=0)) as built:
        yield built


def context(services: Services, mode: RoutingMode = "complexity+cascade", **flags: bool) -> TurnContext:
    routing = Routing(mode, ComplexityPolicy(threshold=0.4))
    return turn_context(services, f"conv-{mode}", flags={"injection_scan": False, **flags}, routing=routing)


def asked(text: str, earlier: int = 0) -> list[Message]:
    return [*({"role": "user", "content": f"earlier {n}"} for n in range(earlier)), {"role": "user", "content": text}]


def test_with_the_switch_off_there_is_no_choice_the_large_model_answers(services: Services) -> None:
    assert choose_model(context(services, model_routing=False), asked("where is order 10057?")) is None


def test_a_short_single_question_goes_to_the_small_model_and_through_the_check(services: Services) -> None:
    choice = choose_model(context(services, model_routing=True), asked("where is order 10057?"))
    assert choice is not None
    assert (choice.size, choice.model, choice.checked) == ("small", SMALL, True)
    assert choice.reason == "complexity 0.00 < 0.40 (a short, single question), then a check on its answer"


def test_by_complexity_alone_the_small_answer_is_not_checked(services: Services) -> None:
    choice = choose_model(context(services, "complexity", model_routing=True), asked("where is order 10057?"))
    assert choice is not None and (choice.size, choice.checked) == ("small", False)


def test_a_question_that_asks_for_reasoning_in_several_parts_goes_straight_to_the_large_model(
    services: Services,
) -> None:
    question = "why is the Ridgeline heavier, and also which tent should I buy?"
    choice = choose_model(context(services, model_routing=True), asked(question))
    assert choice is not None
    assert (choice.size, choice.model, choice.checked) == ("large", LARGE, False)
    assert "asks for reasoning, several questions" in choice.reason


def test_a_deep_conversation_counts_the_earlier_questions(services: Services) -> None:
    ctx = context(services, "complexity", model_routing=True)
    shallow, deep = choose_model(ctx, asked("and the other one?", 2)), choose_model(ctx, asked("and the other one?", 7))
    assert shallow is not None and deep is not None
    assert "deep conversation" in deep.reason and "deep conversation" not in shallow.reason


def test_in_cascade_mode_every_turn_starts_on_the_small_model(services: Services) -> None:
    question = "why is the Ridgeline heavier, and also which tent should I buy?"
    choice = choose_model(context(services, "cascade", model_routing=True), asked(question))
    assert choice is not None and (choice.size, choice.checked) == ("small", True)


@pytest.mark.parametrize(
    ("answer", "passages", "failed"),
    [
        ("", False, "it gave no answer"),
        ("I couldn't find anything about that in our help centre, so I'd rather not guess.", True, "could not answer"),
        ("Returns are free within 30 days.", True, "cited nothing although help-centre passages were given"),
    ],
)
def test_the_check_fails_a_refusal_an_empty_or_an_uncited_answer(answer: str, passages: bool, failed: str) -> None:
    assert failed in (check_answer("can I return a tent?", answer, passages) or "")


def test_the_check_fails_an_answer_to_only_one_part_of_a_two_part_question() -> None:
    question = "what's my points balance and what are 100 points worth?"
    assert parts_of(question) == ["what's my points balance", "what are 100 points worth"]
    balance_only = "You're on the Summit tier with 820 Trail Rewards points."
    failed = check_answer(question, balance_only, passages_given=False)
    assert failed == "it left part of a 2-part question unanswered (“what are 100 points worth”)"
    both = balance_only + " Every 100 points are worth a $5 reward. [trail-rewards-program]"
    assert check_answer(question, both, passages_given=True) is None


def test_a_cited_answer_to_a_single_question_passes() -> None:
    answer = "You can return unused gear within 30 days. [returns-policy]"
    assert check_answer("can I return a tent?", answer, passages_given=True) is None


def listening(services: Services) -> tuple[Gateway, dict[str, Listening]]:
    spies = {m: Listening(services.gateway.chain_for(m)[0]) for m in (SMALL, LARGE)}
    return Gateway(dict(spies)), spies


def spoken(events: list[object]) -> str:
    return "".join(e.text for e in events if isinstance(e, Token))


async def test_a_small_answer_that_passes_the_check_is_shown_and_the_large_model_never_runs(
    services: Services,
) -> None:
    gateway, spies = listening(services)
    events = await play(
        services, replace(context(services, model_routing=True), gateway=gateway), "where is order 10057?"
    )
    assert [(e.size, e.model) for e in events if isinstance(e, ModelChosen)] == [("small", SMALL)]
    assert any(isinstance(e, GuardPassed) and e.guard == "model_routing" for e in events)
    assert "10057" in spoken(events)
    assert spies[LARGE].requests == []


async def test_a_small_answer_that_fails_the_check_is_never_shown_and_the_large_model_takes_over(
    services: Services,
) -> None:
    gateway, spies = listening(services)
    ctx = replace(context(services, model_routing=True), gateway=gateway)
    events = await play(services, ctx, "what's my points balance and what are 100 points worth?")
    chosen = [e for e in events if isinstance(e, ModelChosen)]
    assert [(e.size, e.model) for e in chosen] == [("small", SMALL), ("large", LARGE)]
    assert chosen[1].reason.startswith("the small model's answer failed the check: it left part of a 2-part question")
    assert "$5" in spoken(events) and "820" in spoken(events)  # the large model answered both parts
    assert spoken(events).count("820") == 1  # the small answer (which had the balance too) was held back
    assert len(spies[LARGE].requests) >= 1


async def test_with_routing_off_every_answer_comes_from_the_large_model(services: Services) -> None:
    gateway, spies = listening(services)
    ctx: Any = replace(context(services, model_routing=False), gateway=gateway)
    events = await play(services, ctx, "where is order 10057?")
    assert not any(isinstance(e, ModelChosen) for e in events)
    answering = [r for r in spies[SMALL].requests if r.json_schema is None]
    assert answering == [] and spies[LARGE].requests
