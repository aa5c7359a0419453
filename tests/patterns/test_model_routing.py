"""Model routing: hard questions to the large model, easy ones to the small, and a cascade that
only pays for the large model when the small one's answer fails its check."""

from __future__ import annotations

from switchboard.patterns.model_routing import ComplexityPolicy, Route, Size, by_complexity, cascade

POLICY = ComplexityPolicy(threshold=0.4, long_tokens=60, deep_turns=6)


def test_a_short_single_question_goes_to_the_small_model() -> None:
    assert by_complexity("where is order 10057?", tokens=6, earlier_turns=0, policy=POLICY) == Route(
        "small", "a short, single question", 0.0
    )


def test_a_question_asking_for_reasoning_and_more_goes_to_the_large_model() -> None:
    route = by_complexity("why is the Ridgeline heavier, and also which should I buy?", 14, 0, POLICY)
    assert route == Route("large", "asks for reasoning, several questions", 0.45)


def test_length_alone_weighs_just_under_the_default_threshold() -> None:
    assert by_complexity("my tent " * 40, tokens=100, earlier_turns=0, policy=POLICY).size == "small"
    assert by_complexity(
        "my tent " * 40, tokens=100, earlier_turns=0, policy=ComplexityPolicy(threshold=0.35)
    ).size == ("large")


def test_a_deep_conversation_adds_to_the_score() -> None:
    assert by_complexity("and the other one?", tokens=5, earlier_turns=7, policy=POLICY).score == 0.2


class Models:
    def __init__(self) -> None:
        self.asked: list[Size] = []

    async def __call__(self, size: Size) -> str:
        self.asked.append(size)
        return f"{size} answer"


async def test_a_cheap_answer_that_passes_its_check_is_kept() -> None:
    models = Models()
    result = await cascade(models, lambda text: None)
    assert (result.text, result.route.size, models.asked) == ("small answer", "small", ["small"])


async def test_a_cheap_answer_that_fails_its_check_is_replaced_with_the_reason() -> None:
    models = Models()
    result = await cascade(models, lambda text: "cites an article it did not retrieve" if "small" in text else None)
    assert result.text == "large answer" and models.asked == ["small", "large"]
    assert result.route == Route("large", "the small model's answer failed: cites an article it did not retrieve")
    assert result.small_answer == "small answer"


def test_and_before_a_second_question_word_counts_as_several_questions() -> None:
    route = by_complexity("what's my points balance and what are 100 points worth?", 14, 0, POLICY)
    assert route.reason == "several questions" and route.score == 0.2
    assert by_complexity("can I return boots and socks?", 8, 0, POLICY).reason == "a short, single question"
