from __future__ import annotations

import random

from switchboard.patterns.stream_watch import EarlyRelease, StreamWatch, WatchedStrings, casefold


def watch_for(*words: str, cap: int | None = None) -> StreamWatch:
    return StreamWatch(WatchedStrings.of(words), cap=cap)


def played(watch: StreamWatch, pieces: list[str]) -> list[str]:
    return [watch.feed(piece) for piece in pieces] + [watch.flush()]


def test_a_forbidden_string_split_across_chunks_never_shows() -> None:
    watch = watch_for("s3cret")
    shown = played(watch, ["the code is s3", "cret, ok"])
    assert watch.hit == "s3cret" and "".join(shown) == "the code is "


def test_clean_text_all_comes_out_in_order() -> None:
    watch = watch_for("s3cret")
    assert "".join(played(watch, ["nothing ", "to see ", "here"])) == "nothing to see here" and watch.hit is None


def test_after_a_hit_nothing_more_goes_out() -> None:
    watch = watch_for("s3cret")
    watch.feed("s3cret")
    assert watch.feed("more text that is fine") == "" and watch.flush() == ""


def test_text_that_cannot_start_a_forbidden_string_goes_out_at_once() -> None:
    # A fixed hold-back would keep the last five characters of every chunk.
    assert watch_for("s3cret").feed("Your order has shipped") == "Your order has shipped"


def test_only_the_possible_start_is_held_and_it_goes_out_once_the_match_breaks() -> None:
    watch = watch_for("s3cret")
    assert watch.feed("it is s3c") == "it is " and watch.held == 3
    assert watch.feed("ond") == "s3cond" and watch.held == 0


def test_a_broken_match_keeps_holding_a_shorter_start_inside_it() -> None:
    watch = watch_for("abcab")
    assert watch.feed("xabca") == "x"  # "abca" may still become "abcab"
    assert watch.feed("a") == "abca"  # "abcaa" cannot; its end "a" still can start one
    assert watch.held == 1


def test_a_word_ending_inside_another_is_caught() -> None:
    watch = watch_for("maya.okafor@example.com", "okafor")
    watch.feed("write to maya.okafor")
    assert watch.hit == "okafor"


def test_the_fold_is_applied_per_character_case_and_invisible_characters_and_separators() -> None:
    def fold(char: str) -> str:
        return "" if char in " -\u200b" else char.casefold()

    watch = StreamWatch(WatchedStrings.of(["9a1f"]), fold, cap=12)
    shown = played(watch, ["marker 9", " A\u200b", "-1", "F and more"])
    assert watch.hit == "9a1f" and "".join(shown) == "marker "


def test_a_character_folding_to_two_is_held_whole() -> None:
    watch = watch_for("ffx")
    assert watch.feed("o\ufb00") == "o"  # the ligature folds to "ff": the start of "ffx"
    assert watch.feed("x") == "" and watch.hit == "ffx"


def test_a_match_spread_past_the_cap_lets_its_oldest_characters_go() -> None:
    watch = StreamWatch(WatchedStrings.of(["ab"]), lambda c: "" if c == " " else c, cap=4)
    shown = watch.feed("a" + " " * 10)
    assert watch.held <= 4 and shown == "a" + " " * 10
    assert watch.feed("b") == "b" and watch.hit is None  # given up: as a look-back window forgets


def first_occurrence(text: str, word: str) -> tuple[int, int] | None:
    """(start, end) of the occurrence of `word` that ends first in `text`, found the slow way."""
    end = next((e for e in range(len(text) + 1) if word in text[:e]), None)
    return None if end is None else (text[:end].rindex(word), end)


def test_against_a_slow_search_on_random_text_and_chunks() -> None:
    """Nothing from the start of a forbidden string on is ever shown; without one, everything is."""
    rng = random.Random(15)
    for _ in range(400):
        word = "".join(rng.choice("ab") for _ in range(rng.randint(2, 5)))
        text = "".join(rng.choice("abc") for _ in range(rng.randint(0, 30)))
        cuts = sorted(rng.sample(range(len(text) + 1), min(len(text) + 1, rng.randint(1, 6))))
        pieces = [text[i:j] for i, j in zip([0, *cuts], [*cuts, len(text)], strict=True)]
        watch = watch_for(word)
        shown = "".join(played(watch, pieces))
        found = first_occurrence(text, word)
        assert (watch.hit is not None) == (found is not None)
        assert shown == text if found is None else text.startswith(shown) and len(shown) <= found[0]


def possible_start(text: str, word: str) -> int:
    """Length of the longest end of `text` that begins `word`, found the slow way."""
    return max(n for n in range(len(word)) if text.endswith(word[:n]))


def test_it_holds_no_more_than_a_possible_start_on_random_text() -> None:
    rng = random.Random(16)
    for _ in range(300):
        word = "".join(rng.choice("ab") for _ in range(rng.randint(2, 6)))
        watch, so_far, shown = watch_for(word), "", ""
        while watch.hit is None and len(so_far) < 30:
            piece = "".join(rng.choice("abc") for _ in range(rng.randint(1, 4)))
            so_far, shown = so_far + piece, shown + watch.feed(piece)
            if watch.hit is None:
                assert len(so_far) - len(shown) == possible_start(so_far, word)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def early_watch(*words: str, clock: Clock, chars: int = 1) -> StreamWatch:
    return StreamWatch(WatchedStrings.of(words), casefold, None, EarlyRelease(0.010, chars), clock)


def test_a_possible_start_waits_until_the_bound_then_its_first_character_goes_out() -> None:
    clock = Clock()
    watch = early_watch("ines okafor", clock=clock)
    assert watch.feed("I") == "" and watch.due() == 0.010
    clock.now = 0.009
    assert watch.tick() == ""
    clock.now = 0.010
    assert watch.tick() == "I" and watch.due() is None and watch.held == 0


def test_i_followed_by_a_benign_word_is_out_within_the_bound_and_whole() -> None:
    clock = Clock()
    watch = early_watch("ines okafor", "ivan petrov", clock=clock)
    shown = [watch.feed("I")]
    clock.now = 0.010
    shown.append(watch.tick())
    clock.now = 0.050
    shown += [watch.feed(" can"), watch.feed(" help"), watch.flush()]
    assert shown == ["", "I", " can", " help", ""] and watch.hit is None


def drip(watch: StreamWatch, clock: Clock, text: str) -> str:
    """One character per tick, the clock past the bound before each tick."""
    shown = ""
    for char in text:
        shown += watch.feed(char)
        clock.now += 0.050
        shown += watch.tick()
    return shown


def test_a_slow_drip_shows_at_most_k_characters_of_the_value_and_is_still_caught() -> None:
    for chars in (1, 2):
        clock = Clock()
        watch = early_watch("maya okafor", clock=clock, chars=chars)
        shown = drip(watch, clock, "Hi Maya Okafor")
        assert watch.hit == "maya okafor" and shown == "Hi " + "Maya"[:chars]


def test_the_budget_is_per_match_so_a_value_dripped_after_a_broken_start_is_still_bounded() -> None:
    clock = Clock()
    watch = early_watch("maya okafor", clock=clock)
    shown = drip(watch, clock, "Mama, Maya Okafor")  # "Ma" broken by "m", then the real one
    assert watch.hit == "maya okafor" and shown == "Mama, M"


def test_early_release_never_shows_a_whole_word_of_a_value() -> None:
    clock = Clock()
    watch = early_watch("jo smith", clock=clock, chars=2)  # a two-letter first word: at most "J"
    shown = drip(watch, clock, "Jo Smith")
    assert watch.hit == "jo smith" and shown == "J"
    watch = early_watch("+44 20 7946 0000", clock=clock)  # not a letter or digit first: never early
    assert drip(watch, clock, "+44 20") == "" and watch.held == 6


def test_split_across_tokens_and_odd_case_are_caught_after_an_early_release() -> None:
    clock = Clock()
    watch = early_watch("maya.okafor@example.com", clock=clock)
    shown = watch.feed("Write to mA")
    clock.now = 0.020
    shown += watch.tick() + watch.feed("yA.OkAf") + watch.tick()
    clock.now = 0.040
    shown += watch.tick() + watch.feed("or@Example.com please")
    assert watch.hit == "maya.okafor@example.com" and shown == "Write to m"


def test_a_dripped_canary_shows_at_most_its_first_hex_character() -> None:
    from switchboard.agents.calling import canary_watch
    from switchboard.patterns.injection.canary import Canary

    canary, clock = Canary.new(random.Random(3)), Clock()
    watch = canary_watch(canary, clock)
    spaced = " ".join(canary.hex.upper())  # spread out with separators, in odd case
    shown = drip(watch, clock, f"Sure: {spaced} done")
    assert watch.hit == canary.hex and shown.replace(" ", "").endswith("Sure:" + canary.hex[0].upper())


def test_on_random_text_no_occurrence_shows_more_than_k_characters_and_each_is_caught() -> None:
    rng = random.Random(17)
    for _ in range(400):
        word = "".join(rng.choice("ab") for _ in range(rng.randint(3, 6)))
        text = "".join(rng.choice("abc") for _ in range(rng.randint(0, 30)))
        clock, chars = Clock(), rng.randint(1, 2)
        watch, shown = early_watch(word, clock=clock, chars=chars), ""
        for char in text:
            shown += watch.feed(char)
            clock.now += rng.choice((0.0, 0.005, 0.050))
            shown += watch.tick()
        shown += watch.flush()
        found = first_occurrence(text, word)
        assert (watch.hit is not None) == (found is not None)
        assert shown == text if found is None else text.startswith(shown) and len(shown) <= found[0] + chars


def test_a_first_character_folding_past_the_budget_waits_and_the_bound_stops_asking() -> None:
    clock = Clock()
    watch = early_watch("ffoo", clock=clock)
    assert watch.feed("\ufb00") == ""  # the ligature is "ff": two characters, one more than k
    clock.now = 0.010
    assert watch.tick() == "" and watch.due() is None  # a reader's tick loop does not spin on it
    assert watch.feed("x") == "\ufb00x"
