from __future__ import annotations

import random

from switchboard.patterns.stream_watch import StreamWatch, WatchedStrings


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
