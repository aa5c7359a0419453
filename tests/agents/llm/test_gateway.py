"""The gateway passes streams through and reports each call, however it ends."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
import time_machine

from switchboard.agents.llm.gateway import CallRecord, Gateway
from switchboard.agents.llm.kill_switch import KillState, KillSwitch
from switchboard.agents.llm.resilience import Resilience
from switchboard.agents.llm.tokens import count_tokens, prompt_tokens
from switchboard.agents.llm.types import CallsStopped, ChatRequest, Chunk, ProviderError, TextDelta, Usage
from switchboard.patterns.model_quota import ModelQuotas, Quota


class TickingClock:
    """Advances one second every time it is read."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


class ScriptedProvider:
    name = "scripted"

    def __init__(self, chunks: list[Chunk], fail_after: int | None = None) -> None:
        self._chunks = chunks
        self._fail_after = fail_after

    async def stream(self, request: ChatRequest) -> AsyncIterator[Chunk]:
        for index, chunk in enumerate(self._chunks):
            if index == self._fail_after:
                raise ProviderError("server_error", "boom", self.name, stream_started=index > 0)
            yield chunk


REQUEST = ChatRequest([{"role": "user", "content": "hi"}], "demo-large")
ALL_SWITCHES = Resilience(retry=True, breaker=True, failover=True)
START = 1_800_000_000.0  # time-machine's instant for the quota tests: `limits` reads time.time()


async def test_a_call_is_recorded_with_tokens_cost_and_timings() -> None:
    calls: list[CallRecord] = []
    provider = ScriptedProvider([TextDelta("Hel"), TextDelta("lo"), Usage(1_000_000, 100_000)])
    gateway = Gateway({"demo-large": provider}, clock=TickingClock())
    completion = await gateway.complete(REQUEST, purpose="test", on_call=calls.append)
    assert completion.text == "Hello"
    (call,) = calls
    assert (call.input_tokens, call.output_tokens) == (1_000_000, 100_000)
    assert call.cost_usd == pytest.approx(2.50 + 1.00)  # demo-large: $2.50 in, $10 out per Mtok
    # clock reads: start=1, first chunk=2, end=3
    assert call.ttft_ms == 1000 and call.duration_ms == 2000
    assert call.error is None


async def test_a_failed_call_is_still_recorded_and_the_error_propagates() -> None:
    calls: list[CallRecord] = []
    gateway = Gateway({"demo-large": ScriptedProvider([TextDelta("a"), Usage(1, 1)], fail_after=1)})
    with pytest.raises(ProviderError) as raised:
        await gateway.complete(REQUEST, purpose="test", on_call=calls.append)
    assert raised.value.retryable and raised.value.stream_started
    assert calls[0].error == "server_error"


async def test_an_unknown_model_is_a_typed_error() -> None:
    with pytest.raises(ProviderError, match="no provider serves model 'gpt-9'"):
        await Gateway({}).complete(ChatRequest([], "gpt-9"), purpose="test")


async def test_a_stream_closed_before_its_usage_is_charged_for_its_prompt_and_what_it_wrote() -> None:
    calls: list[CallRecord] = []
    provider = ScriptedProvider([TextDelta("Yes, "), TextDelta("within 30 days."), Usage(999, 999)])
    gateway = Gateway({"demo-large": provider})
    stream = gateway.stream(REQUEST, purpose="test", on_call=calls.append)
    assert await anext(stream) == TextDelta("Yes, ")
    await stream.aclose()  # the customer left after the first piece
    (call,) = calls
    assert call.estimated
    assert (call.input_tokens, call.output_tokens) == (prompt_tokens(REQUEST), count_tokens("Yes, "))


async def test_a_provider_cut_off_mid_answer_is_charged_an_estimate_and_one_failing_first_nothing() -> None:
    calls: list[CallRecord] = []
    for fail_after in (1, 0):
        gateway = Gateway({"demo-large": ScriptedProvider([TextDelta("a b"), Usage(9, 9)], fail_after=fail_after)})
        with pytest.raises(ProviderError):
            await gateway.complete(REQUEST, purpose="test", on_call=calls.append)
    cut, refused = calls
    assert cut.estimated and (cut.input_tokens, cut.output_tokens) == (prompt_tokens(REQUEST), count_tokens("a b"))
    assert not refused.estimated and (refused.input_tokens, refused.output_tokens, refused.cost_usd) == (0, 0, 0.0)


class CountingProvider:
    """Counts the streams it is asked for; `on_call` runs at each (a test's way to act mid-call)."""

    def __init__(self, name: str, fail: bool = False, on_call: Callable[[], None] = lambda: None) -> None:
        self.name = name
        self.calls = 0
        self._fail = fail
        self._on_call = on_call

    async def stream(self, request: ChatRequest) -> AsyncIterator[Chunk]:
        self.calls += 1
        self._on_call()
        if self._fail:
            raise ProviderError("server_error", "boom", self.name)
        yield TextDelta("ok")
        yield Usage(1, 1)


async def test_with_the_kill_switch_on_no_provider_is_called_and_nothing_is_recorded() -> None:
    calls: list[CallRecord] = []
    provider = CountingProvider("only")
    gateway = Gateway({"demo-large": provider}, kill_switch=KillSwitch(KillState(on=True)))
    with pytest.raises(CallsStopped) as raised:
        await gateway.complete(REQUEST, purpose="test", on_call=calls.append, resilience=ALL_SWITCHES)
    assert provider.calls == 0 and calls == [] and raised.value.kind == "stopped"
    assert not raised.value.retryable


async def test_the_kill_switch_turned_on_mid_call_stops_its_failover() -> None:
    switch = KillSwitch()
    primary = CountingProvider("a", fail=True, on_call=lambda: setattr(switch, "state", KillState(on=True)))
    secondary = CountingProvider("b")
    gateway = Gateway({"demo-large": [primary, secondary]}, kill_switch=switch)
    with pytest.raises(CallsStopped):
        await gateway.complete(REQUEST, purpose="test", resilience=ALL_SWITCHES)
    assert (primary.calls, secondary.calls) == (1, 0)


async def test_turning_the_kill_switch_off_restores_calls() -> None:
    provider = CountingProvider("only")
    gateway = Gateway({"demo-large": provider}, kill_switch=KillSwitch(KillState(on=True)))
    with pytest.raises(CallsStopped):
        await gateway.complete(REQUEST, purpose="test")
    gateway.kill_switch.state = KillState(on=False)
    assert (await gateway.complete(REQUEST, purpose="test")).text == "ok" and provider.calls == 1


QUOTA = Resilience(retry=True, breaker=True, failover=True, quota=True)


def one_request_a_minute(*providers: str) -> ModelQuotas:
    return ModelQuotas({(name, "demo-large"): Quota(requests_per_minute=1) for name in providers})


async def test_a_provider_at_quota_is_skipped_uncalled_and_the_next_answers() -> None:
    with time_machine.travel(START, tick=False):
        primary, secondary = CountingProvider("a"), CountingProvider("b")
        gateway = Gateway({"demo-large": [primary, secondary]}, quotas=one_request_a_minute("a"))
        assert (await gateway.complete(REQUEST, purpose="test", resilience=QUOTA)).text == "ok"
        calls: list[CallRecord] = []
        assert (await gateway.complete(REQUEST, purpose="test", on_call=calls.append, resilience=QUOTA)).text == "ok"
        assert (primary.calls, secondary.calls) == (1, 1)
        skipped, served = calls
        assert (skipped.provider, skipped.error, skipped.tier, skipped.input_tokens) == ("a", "at_quota", 0, 0)
        assert (served.provider, served.error, served.tier) == ("b", None, 1)


async def test_with_every_provider_at_quota_the_call_fails_with_a_provider_error_calling_none() -> None:
    with time_machine.travel(START, tick=False):
        primary, secondary = CountingProvider("a"), CountingProvider("b")
        gateway = Gateway({"demo-large": [primary, secondary]}, quotas=one_request_a_minute("a", "b"))
        await gateway.complete(REQUEST, purpose="test", resilience=QUOTA)  # a's one request
        await gateway.complete(REQUEST, purpose="test", resilience=QUOTA)  # b's
        calls: list[CallRecord] = []
        with pytest.raises(ProviderError) as raised:
            await gateway.complete(REQUEST, purpose="test", on_call=calls.append, resilience=QUOTA)
        assert raised.value.kind == "at_quota" and not raised.value.retryable and raised.value.provider == "b"
        assert (primary.calls, secondary.calls) == (1, 1)
        assert [(c.provider, c.error) for c in calls] == [("a", "at_quota"), ("b", "at_quota")]
        assert gateway.policies.breaker("a").state == "closed"  # the provider did nothing wrong


async def test_the_window_passing_restores_the_first_provider() -> None:
    with time_machine.travel(START, tick=False) as clock:
        primary, secondary = CountingProvider("a"), CountingProvider("b")
        gateway = Gateway({"demo-large": [primary, secondary]}, quotas=one_request_a_minute("a"))
        for _ in range(2):
            await gateway.complete(REQUEST, purpose="test", resilience=QUOTA)
        clock.shift(60.5)
        await gateway.complete(REQUEST, purpose="test", resilience=QUOTA)
        assert (primary.calls, secondary.calls) == (2, 1)


async def test_a_calls_tokens_are_charged_from_its_usage_against_the_next() -> None:
    with time_machine.travel(START, tick=False):
        primary, secondary = CountingProvider("a"), CountingProvider("b")  # each call: Usage(1, 1)
        quotas = ModelQuotas({("a", "demo-large"): Quota(tokens_per_minute=3)})
        gateway = Gateway({"demo-large": [primary, secondary]}, quotas=quotas)
        for _ in range(3):
            await gateway.complete(REQUEST, purpose="test", resilience=QUOTA)
        assert (primary.calls, secondary.calls) == (2, 1)  # 2 tokens, then 4 (charged up to 3): at quota


async def test_without_the_quota_switch_the_quota_is_neither_asked_nor_charged() -> None:
    with time_machine.travel(START, tick=False):
        primary, secondary = CountingProvider("a"), CountingProvider("b")
        gateway = Gateway({"demo-large": [primary, secondary]}, quotas=one_request_a_minute("a"))
        for _ in range(3):
            await gateway.complete(REQUEST, purpose="test", resilience=ALL_SWITCHES)
        assert (primary.calls, secondary.calls) == (3, 0)
        await gateway.complete(REQUEST, purpose="test", resilience=QUOTA)  # its one request is still there
        assert primary.calls == 4


class NamedFailing(ScriptedProvider):
    def __init__(self, name: str) -> None:
        super().__init__([TextDelta("x")], fail_after=0)
        self.name = name


async def test_a_gateway_built_without_the_resilience_wrappers_runs_none_of_them_whatever_a_call_asks() -> None:
    """`--chapter 8`'s gateway: every switch asked for, but no breaker is made, no retry or
    failover tried — the failing primary's error is the call's, after one attempt."""
    calls: list[CallRecord] = []
    chain = [NamedFailing("primary"), ScriptedProvider([TextDelta("ok"), Usage(1, 1)])]
    gateway = Gateway({"demo-large": chain}, wrappers=("kill_switch",))
    assert gateway.wrappers == ("kill_switch",)
    for _ in range(6):  # a breaker's default threshold would have opened by now
        with pytest.raises(ProviderError, match="boom"):
            await gateway.complete(REQUEST, purpose="test", on_call=calls.append, resilience=ALL_SWITCHES)
    assert [c.provider for c in calls] == ["primary"] * 6
    assert gateway.policies.breakers == {}


async def test_the_full_gateway_has_every_wrapper_and_fails_over() -> None:
    chain = [NamedFailing("primary"), ScriptedProvider([TextDelta("ok"), Usage(1, 1)])]
    gateway = Gateway({"demo-large": chain})
    assert gateway.wrappers == ("kill_switch", "retry", "breaker", "failover", "quota")
    assert (await gateway.complete(REQUEST, purpose="test", resilience=ALL_SWITCHES)).text == "ok"


def test_a_gateway_refuses_a_wrapper_it_does_not_have() -> None:
    with pytest.raises(ValueError, match="no such gateway wrapper: cache"):
        Gateway({"demo-large": ScriptedProvider([])}, wrappers=("retry", "cache"))


def test_the_kill_switch_is_in_every_gateway() -> None:
    assert Gateway({"demo-large": ScriptedProvider([])}, wrappers=()).wrappers == ("kill_switch",)
