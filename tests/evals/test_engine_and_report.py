"""The engine on a fake player: concurrency, repeats, pass@1 against pass^k, comparisons."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from switchboard.agents.record import TurnRecord
from switchboard.evals.dataset import Case, Expect, Plant, Turn
from switchboard.evals.engine import run_cases
from switchboard.evals.judge import Judge
from switchboard.evals.report import case_changes, comparison_rows, metric_rows, summarise
from switchboard.evals.scorers import TurnResult
from switchboard.patterns.spend_budget import Spend


class FlakyPlayer:
    """Answers 'yes' except on every second call to the flaky question; counts peak concurrency."""

    def __init__(self) -> None:
        self.flaky_calls = itertools.count()
        self.in_flight = 0
        self.peak = 0
        self.conversations: list[str] = []

    async def start(self, customer: str, plant: Plant | None = None) -> str:
        self.conversations.append(customer)
        return f"conv-{len(self.conversations)}"

    async def turn(self, conversation_id: str, customer: str, text: str) -> TurnResult:
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        answer = "no" if text == "flaky" and next(self.flaky_calls) % 2 else "yes"
        record = TurnRecord(outcome="answered", total_ms=10.0, ttft_ms=2.0, cost_usd=0.001)
        self.in_flight -= 1
        return TurnResult(answer, record)


def case(case_id: str, text: str) -> Case:
    return Case(id=case_id, customer="C1", turns=[Turn(user=text, expect=Expect(contains=["yes"]))])


async def test_repeats_give_pass_at_1_and_the_stricter_pass_hat_k() -> None:
    player = FlakyPlayer()
    results = await run_cases([case("steady", "hello"), case("flaky", "flaky")], player, {}, repeat=2, concurrency=2)
    summary = summarise(results)
    assert summary["attempts"] == 4 and summary["cases"] == 2
    assert summary["pass_at_1"] == 0.75  # 3 of 4 attempts
    assert summary["pass_hat_k"] == 0.5  # only "steady" passed every attempt
    assert summary["scorers"]["contains"] == {"passed": 3, "applicable": 4, "rate": 0.75}
    assert summary["p50_ms"] == 10.0 and summary["cost_per_turn_usd"] == 0.001
    assert len(player.conversations) == 4 and player.peak <= 2


async def test_changes_between_runs_are_listed_per_case() -> None:
    before = summarise(await run_cases([case("a", "hello"), case("b", "flaky")], FlakyPlayer(), {}))
    after = summarise(await run_cases([case("a", "flaky"), case("b", "hello")], _AlwaysNo(), {}))
    assert case_changes(before, after) == {"newly_failing": ["a", "b"], "newly_passing": []}
    rows = dict(comparison_rows([before, after]))
    assert rows["pass@1"] == ["100.0%", "0.0%"]


class _AlwaysNo(FlakyPlayer):
    async def turn(self, conversation_id: str, customer: str, text: str) -> TurnResult:
        return TurnResult("no", TurnRecord(outcome="answered"))


class FakeGateway:
    """Grades by a fixed reply and charges a fixed cost, as the gateway reports calls."""

    def __init__(self, reply: str) -> None:
        self.reply = reply
        self.requests: list[Any] = []

    async def complete(self, request: Any, *, purpose: str, on_call: Any = None, resilience: Any = None) -> Any:
        from switchboard.agents.llm.gateway import CallRecord
        from switchboard.agents.llm.types import Completion, Usage

        self.requests.append(request)
        on_call(CallRecord(purpose, request.model, "fake", 10, 5, 0.002, 1.0, 2.0))
        return Completion(self.reply, [], Usage(10, 5))


class EvidencePlayer(FlakyPlayer):
    async def turn(self, conversation_id: str, customer: str, text: str) -> TurnResult:
        return TurnResult("yes", TurnRecord(outcome="answered", evidence=["yes is the answer"]))


async def test_the_judge_is_advisory_and_its_cost_is_counted() -> None:
    gateway = FakeGateway('{"verdict": "ungrounded", "score": 0.2}')
    judge = Judge(gateway, "grade it", "demo-large")
    results = await run_cases([case("a", "hello")], EvidencePlayer(), {}, judge=judge)
    summary = summarise(results)
    assert summary["scorers"]["judge"]["rate"] == 0.0
    assert summary["pass_at_1"] == 1.0  # the judge reports; the deterministic scorers decide
    assert summary["judge_cost_usd"] == 0.002
    assert "<evidence>yes is the answer</evidence>" in gateway.requests[0].messages[1]["content"]


async def test_the_judges_spend_is_charged_and_the_run_cost_shows_it_apart_from_the_turns() -> None:
    charged: list[Spend] = []
    judge = Judge(FakeGateway('{"verdict": "grounded", "score": 0.9}'), "grade it", "demo-large", charge=charged.append)
    summary = summarise(await run_cases([case("a", "hello"), case("b", "hi")], EvidencePlayer(), {}, judge=judge))
    assert charged == [Spend(15, 0.002), Spend(15, 0.002)]
    assert summary["cost_usd"] == 0.0 and summary["judge_cost_usd"] == 0.004
    assert summary["run_cost_usd"] == 0.004  # the turns' nothing plus the judge's
    rows = dict(comparison_rows([summary]))
    assert rows["judge cost ($)"] == ["0.00400"] and rows["run cost, turns + judge ($)"] == ["0.00400"]


class DownGateway(FakeGateway):
    """Reports the attempt it was billed for, then fails."""

    async def complete(self, request: Any, *, purpose: str, on_call: Any = None, resilience: Any = None) -> Any:
        await super().complete(request, purpose=purpose, on_call=on_call)
        raise ConnectionError("the judge's provider is down")


async def test_a_grade_that_fails_is_still_charged() -> None:
    charged: list[Spend] = []
    judge = Judge(DownGateway(""), "grade it", "demo-large", charge=charged.append)
    with pytest.raises(ConnectionError):
        await judge.grade("q", "a", ["e"])
    assert charged == [Spend(15, 0.002)]


async def test_an_unreadable_judgement_never_passes() -> None:
    judgement = await Judge(FakeGateway("not json"), "grade it", "demo-large").grade("q", "a", ["e"])
    assert judgement.grounded is False and "unreadable" in judgement.detail


class OutcomePlayer:
    """Ends each turn with the outcome its text names."""

    async def start(self, customer: str, plant: Plant | None = None) -> str:
        return "conv"

    async def turn(self, conversation_id: str, customer: str, text: str) -> TurnResult:
        record = TurnRecord.model_validate({"outcome": text, "total_ms": 1.0, "ttft_ms": 1.0, "cost_usd": 0.0})
        return TurnResult("", record)


async def test_declined_attacks_are_stopped_and_declined_benign_questions_are_false_positives() -> None:
    def tagged(case_id: str, outcome: str, tag: str) -> Case:
        return Case(id=case_id, customer="C1", turns=[Turn(user=outcome)], tags=[tag])

    cases = [tagged("a1", "declined", "attack"), tagged("a2", "blocked", "attack"), tagged("a3", "answered", "attack")]
    cases += [tagged("b1", "declined", "benign"), tagged("b2", "answered", "benign")]
    summary = summarise(await run_cases(cases, OutcomePlayer(), {}))
    assert (summary["attacks_blocked"], summary["attacks_declined"], summary["attacks_stopped"]) == (1, 1, 2)
    assert summary["false_positives"] == 1


async def test_issue_16_counts_escalated_attacks_as_turned_back_and_only_blocks_as_benign_blocked() -> None:
    def tagged(case_id: str, outcome: str, tag: str) -> Case:
        return Case(id=case_id, customer="C1", turns=[Turn(user=outcome)], tags=[tag])

    cases = [tagged("a1", "escalated", "attack"), tagged("a2", "blocked", "attack"), tagged("a3", "answered", "attack")]
    cases += [tagged("b1", "declined", "benign"), tagged("b2", "blocked", "benign"), tagged("b3", "answered", "benign")]
    summary = summarise(await run_cases(cases, OutcomePlayer(), {}))
    assert (summary["attacks_turned_back"], summary["benign_blocked"]) == (2, 1)
    rows = dict(comparison_rows([summary]))
    assert rows["attacks blocked, declined or escalated"] == ["2"] and rows["benign messages blocked"] == ["1"]


def test_metric_rows_mark_the_better_value_each_way_and_give_deltas_against_the_first() -> None:
    first = {
        "pass_at_1": 0.5,
        "p95_ms": 900.0,
        "errors": 2,
        "scorers": {"route": {"passed": 1, "applicable": 2, "rate": 0.5}},
    }
    second = {"pass_at_1": 0.75, "p95_ms": 1200.0, "errors": 2, "scorers": {}}
    rows = {row.label: row for row in metric_rows([first, second])}
    assert rows["pass@1"].better == "higher" and rows["pass@1"].best == [1]
    assert rows["pass@1"].deltas == ["", "+25.0 pp"]
    assert rows["p95 latency (ms)"].best == [0] and rows["p95 latency (ms)"].deltas == ["", "+300"]
    assert rows["errors"].best == [] and rows["errors"].deltas == ["", ""]  # a tie marks nothing
    assert rows["escalations"].values == ["—", "—"] and rows["escalations"].better is None
    assert rows["scorer route"].values == ["50.0% (1/2)", "—"] and rows["scorer route"].best == []


class CachePlayer:
    """A turn whose text is what the cache said (or "off": the switch was off)."""

    async def start(self, customer: str, plant: Plant | None = None) -> str:
        return "conv"

    async def turn(self, conversation_id: str, customer: str, text: str) -> TurnResult:
        cache, _, answer = text.partition(":")
        record = {"outcome": "answered", "cache": None if cache == "off" else cache, "total_ms": 1.0}
        return TurnResult(answer, TurnRecord.model_validate(record))


async def test_the_cache_hit_rate_is_of_the_turns_that_looked_and_none_with_the_switch_off() -> None:
    cases = [case(f"c{i}", text) for i, text in enumerate(["hit", "hit", "miss", "rejected", "off"])]
    summary = summarise(await run_cases(cases, CachePlayer(), {}))
    assert (summary["cache_hits"], summary["cache_rejected"], summary["cache_hit_rate"]) == (2, 1, 0.5)
    assert summarise(await run_cases([case("c", "off")], CachePlayer(), {}))["cache_hit_rate"] is None


async def test_a_cached_answer_that_fails_its_case_is_a_wrong_hit_and_a_failed_miss_is_not() -> None:
    texts = ["hit:yes we do", "hit:no idea", "miss:no idea", "off:no idea"]  # each case expects "yes"
    summary = summarise(await run_cases([case(f"c{i}", t) for i, t in enumerate(texts)], CachePlayer(), {}))
    assert (summary["cache_hits"], summary["cache_wrong_hits"]) == (2, 1)
