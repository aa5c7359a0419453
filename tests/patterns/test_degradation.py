"""The ladder's rungs in order, and the cache rung's answers kept to the one they were made for."""

from __future__ import annotations

from switchboard.patterns.degradation import RecentAnswers, descend


async def test_the_first_rung_that_answers_serves() -> None:
    async def nothing() -> str | None:
        return None

    async def kb() -> str | None:
        return "from the help centre"

    served = await descend([("cache", nothing), ("kb-only", kb)])
    assert served is not None and (served.tier, served.text) == ("kb-only", "from the help centre")


def test_an_answer_is_recalled_for_its_owner_with_case_and_spacing_ignored() -> None:
    answers = RecentAnswers()
    answers.remember("tidewater", "C1001", "Where is my last order?", "10057 is on its way")
    assert answers.recall("tidewater", "C1001", "  where is MY last   order? ") == "10057 is on its way"


def test_an_answer_is_never_recalled_for_another_owner() -> None:
    answers = RecentAnswers()
    answers.remember("tidewater", "C1001", "what email do you have on my account?", "maya@example.com")
    assert answers.recall("tidewater", "C1002", "what email do you have on my account?") is None


def test_the_least_recently_used_answer_goes_first_when_full() -> None:
    answers = RecentAnswers(capacity=2)
    answers.remember("tidewater", "C1", "a?", "A")
    answers.remember("tidewater", "C1", "b?", "B")
    assert answers.recall("tidewater", "C1", "a?") == "A"  # a is now the most recent
    answers.remember("tidewater", "C2", "c?", "C")
    assert (
        answers.recall("tidewater", "C1", "a?"),
        answers.recall("tidewater", "C1", "b?"),
        answers.recall("tidewater", "C2", "c?"),
    ) == ("A", None, "C")
    assert len(answers) == 2


def test_an_answer_is_never_recalled_at_another_tenant_even_for_the_same_owner_name() -> None:
    """Customer ids need not be unique across storefronts: the tenant is a key of its own."""
    answers = RecentAnswers()
    answers.remember("tidewater", "C1", "how long is the returns window?", "45 days [returns-policy]")
    assert answers.recall("summit", "C1", "how long is the returns window?") is None
    assert answers.recall("tidewater", "C1", "how long is the returns window?") == "45 days [returns-policy]"
