"""Sticky canary assignment: one conversation, one version; the share honoured over many."""

from __future__ import annotations

import pytest

from switchboard.patterns.prompt_rollout import Rollout, bucket, in_canary

IDS = [f"conv_{i:05d}" for i in range(20_000)]


def test_the_same_conversation_is_always_served_the_same_version() -> None:
    rollout = Rollout("router", "5", "5-worse", 50)
    for conversation in IDS[:200]:
        assert len({rollout.version_for(conversation) for _ in range(5)}) == 1


@pytest.mark.parametrize("share", [1, 20, 50, 80])
def test_the_share_of_conversations_in_the_canary_is_about_the_share_asked(share: float) -> None:
    rollout = Rollout("router", "5", "5-worse", share)
    served = sum(rollout.version_for(c) == "5-worse" for c in IDS) / len(IDS) * 100
    assert abs(served - share) < 1.5


def test_0_percent_serves_no_one_the_candidate_and_100_percent_everyone() -> None:
    assert {Rollout("router", "5", "5-worse", 0).version_for(c) for c in IDS} == {"5"}
    assert {Rollout("router", "5", "5-worse", 100).version_for(c) for c in IDS} == {"5-worse"}


def test_with_the_canary_off_everyone_gets_stable() -> None:
    rollout = Rollout("router", "5", "5-worse", 100)
    assert {rollout.version_for(c, canary_on=False) for c in IDS[:500]} == {"5"}


def test_raising_the_share_only_adds_conversations() -> None:
    at_10 = {c for c in IDS if in_canary(c, "router", 10)}
    at_30 = {c for c in IDS if in_canary(c, "router", 30)}
    assert at_10 < at_30


def test_two_prompts_choose_their_canaries_independently() -> None:
    router = {c for c in IDS if in_canary(c, "router", 20)}
    knowledge = {c for c in IDS if in_canary(c, "knowledge", 20)}
    overlap = len(router & knowledge) / len(router)
    assert 0.15 < overlap < 0.25  # about 20%, as for independent draws; 100% if the prompt were ignored


def test_buckets_lie_in_0_to_100() -> None:
    assert all(0 <= bucket(c, "router") < 100 for c in IDS[:1000])


@pytest.mark.parametrize("share", [-1, 100.5])
def test_a_share_outside_0_to_100_is_refused(share: float) -> None:
    with pytest.raises(ValueError, match="0 to 100"):
        Rollout("router", "5", "5-worse", share)
