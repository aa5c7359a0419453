"""The fault injector: seeded, per-call dials, around any provider."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from switchboard.agents.llm.chaos import MISCITED, ChaosProvider, Dials
from switchboard.agents.llm.types import (
    HAND_BACK,
    ChatRequest,
    Chunk,
    ProviderError,
    TextDelta,
    ToolCallChunk,
    ToolSpec,
    Usage,
)

REQUEST = ChatRequest([{"role": "user", "content": "hi"}], "m")


class Words:
    name = "words"

    async def stream(self, request: ChatRequest) -> AsyncIterator[Chunk]:
        for word in "one two three four five".split():
            yield TextDelta(word + " ")
        yield Usage(1, 5)


async def outcomes(dials: Dials, calls: int, seed: int = 1, request: ChatRequest = REQUEST) -> list[str]:
    chaos = ChaosProvider(Words(), lambda: dials, seed=seed)
    seen = []
    for _ in range(calls):
        try:
            text = "".join([c.text async for c in chaos.stream(request) if isinstance(c, TextDelta)])
            seen.append(text.strip())
        except ProviderError as error:
            seen.append(error.kind)
    return seen


async def test_calm_dials_change_nothing() -> None:
    assert await outcomes(Dials(), 3) == ["one two three four five"] * 3


async def test_rates_are_seeded_and_repeatable() -> None:
    dials = Dials(error_rate=0.3, rate_limit_rate=0.2)
    first = await outcomes(dials, 200, seed=7)
    assert first == await outcomes(dials, 200, seed=7)
    assert 40 < first.count("server_error") < 80 and 20 < first.count("rate_limited") < 60


async def test_an_outage_fails_every_call_and_a_429_carries_retry_after() -> None:
    assert set(await outcomes(Dials(outage=True), 5)) == {"overloaded"}
    chaos = ChaosProvider(Words(), lambda: Dials(rate_limit_rate=1.0, retry_after_s=3.0))
    with pytest.raises(ProviderError) as raised:
        [c async for c in chaos.stream(REQUEST)]
    assert raised.value.retry_after == 3.0 and raised.value.retryable


async def test_a_cut_stream_says_it_had_started() -> None:
    chaos = ChaosProvider(Words(), lambda: Dials(cut_rate=1.0, cut_after_tokens=2))
    got: list[str] = []
    with pytest.raises(ProviderError) as raised:
        async for chunk in chaos.stream(REQUEST):
            if isinstance(chunk, TextDelta):
                got.append(chunk.text)
    assert got == ["one ", "two "] and raised.value.stream_started


async def test_latency_multiplier_stretches_each_gap() -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    ticks = iter(range(100))
    chaos = ChaosProvider(Words(), lambda: Dials(latency_multiplier=3.0), sleep=sleep, clock=lambda: float(next(ticks)))
    [c async for c in chaos.stream(REQUEST)]
    assert waits and all(w == 2.0 for w in waits)  # each 1 s gap gets 2 s more


async def test_the_bounce_dial_hands_back_only_where_hand_back_is_offered() -> None:
    hand_back = ToolSpec(HAND_BACK, "give it back", {"type": "object", "properties": {}})
    chaos = ChaosProvider(Words(), lambda: Dials(bounce_rate=1.0))
    offered = [c async for c in chaos.stream(replace(REQUEST, tools=[hand_back]))]
    assert isinstance(offered[0], ToolCallChunk) and offered[0].call["name"] == HAND_BACK
    not_offered = [c async for c in chaos.stream(REQUEST)]
    assert "".join(c.text for c in not_offered if isinstance(c, TextDelta)).startswith("one two")


async def test_a_resting_bounce_dial_leaves_the_other_dials_dice_as_they_were() -> None:
    # Offering hand_back must not cost a roll while the dial is at 0, or every seeded run would shift.
    hand_back = ToolSpec(HAND_BACK, "give it back", {"type": "object", "properties": {}})
    offering = replace(REQUEST, tools=[hand_back])
    assert await outcomes(Dials(error_rate=0.5), 12) == await outcomes(Dials(error_rate=0.5), 12, request=offering)


async def test_the_citation_dial_cites_an_unretrieved_article_only_in_answers_given_passages() -> None:
    given = ChatRequest([{"role": "system", "content": '<passage id="t/a#0" source="a" title="A">x</passage>'}], "m")
    chaos = ChaosProvider(Words(), lambda: Dials(citation_fault_rate=1.0))
    chunks = [c async for c in chaos.stream(given)]
    assert "".join(c.text for c in chunks if isinstance(c, TextDelta)).endswith(f"five  [{MISCITED}]")
    assert isinstance(chunks[-1], Usage)  # the invented source comes before the usage, as text does
    plain = "".join([c.text async for c in chaos.stream(REQUEST) if isinstance(c, TextDelta)])
    assert MISCITED not in plain


async def test_a_resting_citation_dial_leaves_the_other_dials_dice_as_they_were() -> None:
    given = ChatRequest([{"role": "system", "content": '<passage id="t/a#0" source="a">x</passage>'}], "m")
    assert await outcomes(Dials(error_rate=0.5), 12) == await outcomes(Dials(error_rate=0.5), 12, request=given)
