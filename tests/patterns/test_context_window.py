"""Context trimming: the newest messages kept whole within the budget, the rest folded into a
summary that is extended, not redone, as the conversation grows."""

from __future__ import annotations

from collections.abc import Sequence

from switchboard.patterns.context_window import Folded, SummaryCache, Window, fold, plan


def words(text: str) -> int:
    return len(text.split())


def test_a_conversation_that_fits_is_sent_whole() -> None:
    assert plan(["a b", "c d", "e"], budget=20, summary_cap=5, count=words) == Window(0, ("a b", "c d", "e"))


def test_the_oldest_messages_fold_once_the_newest_fill_the_budget() -> None:
    messages = ["one two three", "four five", "six seven", "eight"]
    assert plan(messages, budget=7, summary_cap=3, count=words) == Window(2, ("six seven", "eight"))


def test_a_message_that_does_not_fit_folds_with_everything_before_it() -> None:
    messages = ["a", "b c d e f g", "h"]  # the middle one is too long for the room left
    assert plan(messages, budget=5, summary_cap=2, count=words) == Window(2, ("h",))


def test_the_newest_message_is_kept_even_alone_over_the_budget() -> None:
    assert plan(["old", "a very long question indeed"], budget=3, summary_cap=1, count=words) == Window(
        1, ("a very long question indeed",)
    )


class Recorder:
    def __init__(self) -> None:
        self.seen: list[tuple[str, list[str]]] = []

    async def __call__(self, previous: str, new: Sequence[str], cap: int) -> str:
        self.seen.append((previous, list(new)))
        return " | ".join([previous, *new]) if previous else " | ".join(new)


async def test_each_message_is_summarised_once_as_more_fold() -> None:
    summarise = Recorder()
    cache = SummaryCache(summarise, summary_cap=50)
    messages = ["m1", "m2", "m3", "m4", "m5"]
    assert await cache.summary("c1", messages, folded=2) == "m1 | m2"
    assert await cache.summary("c1", messages, folded=2) == "m1 | m2"  # cached: no call
    assert await cache.summary("c1", messages, folded=4) == "m1 | m2 | m3 | m4"
    assert summarise.seen == [("", ["m1", "m2"]), ("m1 | m2", ["m3", "m4"])]
    assert cache.calls == 2


async def test_conversations_have_summaries_of_their_own() -> None:
    cache = SummaryCache(Recorder(), summary_cap=50)
    await cache.summary("c1", ["a", "b"], folded=2)
    assert await cache.summary("c2", ["x", "y"], folded=1) == "x"


async def test_fewer_messages_folding_than_before_starts_the_summary_again() -> None:
    summarise = Recorder()
    cache = SummaryCache(summarise, summary_cap=50)
    await cache.summary("c1", ["a", "b", "c"], folded=3)
    assert await cache.summary("c1", ["a", "b", "c"], folded=1) == "a"
    assert summarise.seen[-1] == ("", ["a"])


async def test_fold_keeps_the_same_summary_for_the_same_count_and_extends_it_for_more() -> None:
    summarise = Recorder()
    once = await fold(Folded(), ["a", "b", "c"], 2, summarise, cap=50)
    assert once == Folded(2, "a | b")
    assert await fold(once, ["a", "b", "c"], 2, summarise, cap=50) is once  # nothing new: no call
    assert await fold(once, ["a", "b", "c"], 3, summarise, cap=50) == Folded(3, "a | b | c")
    assert summarise.seen == [("", ["a", "b"]), ("a | b", ["c"])]
