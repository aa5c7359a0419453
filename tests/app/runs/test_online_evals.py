"""Online evals grade a sample of live turns in the background; runs and flags-off are left alone."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from switchboard.agents.llm.providers.demo.provider import DemoProvider
from switchboard.agents.llm.types import CallsStopped, ProviderError
from switchboard.agents.record import TurnRecord
from switchboard.app.runs.online_evals import Grade, OnlineEvaluator
from switchboard.app.services import Services, running_services
from switchboard.app.settings import Settings
from switchboard.app.turns.kill_switch import KillSwitchChange
from switchboard.evals.judge import Judge, Judgement
from switchboard.patterns.spend_budget import live_judge_key
from tests.fakes import ProviderCalls


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    settings = Settings(data_dir=tmp_path, demo_ttft_ms=0, demo_tokens_per_s=0, online_eval_every=2)
    async with running_services(settings) as built:
        yield built


async def play(services: Services, text: str, **kwargs: object) -> dict[str, object]:
    conversation = await services.conversations.create("C1001")
    events = [e async for e in services.turns.play(conversation.id, "C1001", text, **kwargs)]  # type: ignore[arg-type]
    return events[-1].data


async def test_one_live_turn_in_n_is_graded_after_its_answer(services: Services) -> None:
    for question in ["how long do refunds take?", "do you ship to Canada?", "how do I wash a down sleeping bag?"]:
        await play(services, question)
    await services.online.wait()
    snapshot = services.online.snapshot()
    assert snapshot["scored"] == 1 and snapshot["judge_cost_usd"] > 0
    assert 0.0 <= snapshot["mean_score"] <= 1.0


async def test_the_grades_of_live_turns_are_charged_to_the_platforms_judge_month(services: Services) -> None:
    for question in ["how long do refunds take?", "do you ship to Canada?"]:
        await play(services, question)
    await services.online.wait()
    await services.spend.settled()
    key = live_judge_key(services.now())
    charged = (await services.ledger.spent([key]))[key]
    # the ledger keeps whole micro-dollars per grade; the snapshot rounds the sum once
    assert charged.usd == pytest.approx(services.online.snapshot()["judge_cost_usd"], abs=1e-5) and charged.tokens > 0


async def test_runs_and_the_switch_off_are_not_graded(services: Services) -> None:
    off = {**services.flags.snapshot(), "online_evals": False}
    for _ in range(2):
        await play(services, "how long do refunds take?", flags=off)
        await play(services, "how long do refunds take?", run_id="run_x")
    await services.online.wait()
    assert services.online.snapshot()["scored"] == 0


class _Refusing:
    """A judge whose every grade fails the given way."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    async def grade(self, *args: object, **kwargs: object) -> Judgement:
        raise self.error


def _eligible(flags: dict[str, bool] | None = None) -> TurnRecord:
    """The record of a live turn with evidence, which the evaluator samples."""
    return TurnRecord(flags={**(flags or {}), "online_evals": True}, evidence=["Refunds take 5 days."], run_id=None)


async def test_grading_goes_through_the_same_resilience_chain_as_the_turn(services: Services) -> None:
    services.chaos.apply_preset("primary-down")
    for question in ["how long do refunds take?", "do you ship to Canada?"]:
        record = await play(services, question)
        assert record["outcome"] == "answered" and record["tier_served"] == "secondary"
    await services.online.wait()
    snapshot = services.online.snapshot()
    assert snapshot["scored"] == 1 and snapshot["skipped"] == 0  # the judge failed over, as the turn did


async def test_a_grade_the_providers_cannot_make_is_counted_as_skipped(services: Services) -> None:
    judge = Judge(services.gateway, services.prompts.get("judge").text, services.settings.judge_model)
    evaluator = OnlineEvaluator(judge, every=1)
    services.chaos.apply_preset("all-down")
    evaluator.consider("how long do refunds take?", "Five days.", _eligible(services.flags.snapshot()))
    await evaluator.wait()
    snapshot = evaluator.snapshot()
    assert snapshot["scored"] == 0 and snapshot["skipped"] == 1 and snapshot["failed"] == 0


async def test_a_failed_grade_is_never_left_as_a_task_exception_nobody_retrieves() -> None:
    """The old evaluator let the judge's ProviderError end the background task; once the task was
    collected, asyncio reported "Task exception was never retrieved"."""
    loop = asyncio.get_running_loop()
    reported: list[dict[str, object]] = []
    loop.set_exception_handler(lambda _, context: reported.append(context))
    try:
        evaluator = OnlineEvaluator(_Refusing(ProviderError("overloaded", "down")), every=1)  # type: ignore[arg-type]
        evaluator.consider("q", "a", _eligible())
        for _ in range(5):
            await asyncio.sleep(0)  # let the background grade run and end, without awaiting it
        gc.collect()
    finally:
        loop.set_exception_handler(None)
    assert reported == [] and evaluator.snapshot()["skipped"] == 1


async def test_an_unexpected_judge_failure_is_logged_once_with_its_traceback_and_counted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    evaluator = OnlineEvaluator(_Refusing(RuntimeError("judge bug")), every=1)  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR, logger="switchboard.app.runs.online_evals"):
        evaluator.consider("q", "a", _eligible())
        await evaluator.wait()
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and errors[0].exc_info is not None
    assert evaluator.snapshot()["failed"] == 1 and evaluator.snapshot()["scored"] == 0


async def test_with_the_kill_switch_on_nothing_is_graded_and_the_judge_makes_no_call(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = ProviderCalls().install(monkeypatch, DemoProvider)
    await services.kill_switch.change(KillSwitchChange(on=True))
    for _ in range(4):  # every=2: two would be graded
        services.online.consider("how long do refunds take?", "Five days.", _eligible(services.flags.snapshot()))
    await services.online.wait()
    paused = services.online.snapshot()
    assert len(calls) == 0 and (paused["scored"], paused["skipped"], paused["pending"]) == (0, 0, 0)
    judge = Judge(services.gateway, services.prompts.get("judge").text, services.settings.judge_model)
    with pytest.raises(CallsStopped):  # asked all the same, the judge's call is refused at the gateway
        await judge.grade("how long do refunds take?", "Five days.", ["Refunds take 5 days."])
    assert len(calls) == 0
    await services.kill_switch.change(KillSwitchChange(on=False))
    for _ in range(2):
        services.online.consider("how long do refunds take?", "Five days.", _eligible(services.flags.snapshot()))
    await services.online.wait()
    assert services.online.snapshot()["scored"] == 1 and len(calls) >= 1


class _Scoring:
    """A judge giving each answer the score written in it."""

    async def grade(self, question: str, answer: str, *args: object) -> Judgement:
        return Judgement(grounded=True, score=float(answer), cost_usd=0.0)


async def test_grades_are_kept_by_the_prompt_version_the_graded_turn_was_served() -> None:
    evaluator = OnlineEvaluator(_Scoring(), every=1)  # type: ignore[arg-type]
    for score, router in [("0.9", "5"), ("0.2", "5-worse"), ("0.7", "5")]:
        record = _eligible().model_copy(update={"prompt_versions": {"router": router}})
        evaluator.consider("q", score, record)
        await evaluator.wait()
    assert evaluator.scores_of("router") == {"5": [0.9, 0.7], "5-worse": [0.2]}
    assert evaluator.scores_of("router", since=2) == {"5": [0.7]} and evaluator.graded == 3
    assert evaluator.scores_of("judge") == {}


async def test_a_grade_says_whether_its_turn_was_resolved() -> None:
    evaluator = OnlineEvaluator(_Scoring(), every=1)  # type: ignore[arg-type]
    for score, outcome in [("0.9", "answered"), ("0.4", "escalated")]:
        record = _eligible().model_copy(update={"prompt_versions": {"router": "5"}, "outcome": outcome})
        evaluator.consider("q", score, record)
        await evaluator.wait()
    assert evaluator.grades_of("router") == {"5": [Grade(0.9, True), Grade(0.4, False)]}
