from __future__ import annotations

import random

from switchboard.agents.calling import canary_watch
from switchboard.patterns.injection.canary import Canary

CANARY = Canary.new(random.Random(15))  # cnry-…: its hex starts with CANARY.hex[0]


def FROZEN() -> float:  # a clock that never moves: no hold reaches its bound in time
    return 0.0


def leak_forms(canary: Canary) -> list[str]:
    """The ways `Canary.leaked` catches a canary: whole, bare hex in any case, split by separators
    and invisible characters."""
    hex_ = canary.hex
    return [
        canary.token,
        hex_.upper(),
        " ".join(hex_[i : i + 4] for i in range(0, 12, 4)),
        "-".join(hex_),
        "_".join(hex_[i : i + 3] for i in range(0, 12, 3)).upper(),
        "\u200b".join(hex_[i : i + 2] for i in range(0, 12, 2)),
        ". ".join(hex_[i : i + 6] for i in range(0, 12, 6)),
    ]


def test_a_canary_split_across_chunks_in_odd_case_and_spacing_never_shows() -> None:
    hex_ = CANARY.hex
    pieces = ["Sure! The marker is ", hex_[:3].upper(), " \u200b", hex_[3:7] + "-", "_" + hex_[7:].upper(), " ok"]
    watch = canary_watch(CANARY, FROZEN)
    shown = "".join(watch.feed(piece) for piece in pieces) + watch.flush()
    assert watch.hit and shown == "Sure! The marker is "


def test_every_form_the_canary_check_catches_is_caught_in_every_two_way_split() -> None:
    for form in leak_forms(CANARY):
        answer = f"Here it is: {form} — done."
        assert CANARY.leaked(answer)
        start = answer.index(form) + form.casefold().index(CANARY.hex[0])  # the secret is the hex; "cnry-" is not
        for cut in range(len(answer) + 1):
            watch = canary_watch(CANARY, FROZEN)
            shown = watch.feed(answer[:cut]) + watch.feed(answer[cut:]) + watch.flush()
            assert watch.hit and answer.startswith(shown) and len(shown) <= start


def test_an_ordinary_answer_goes_out_whole_and_only_a_possible_start_of_the_canary_waits() -> None:
    watch = canary_watch(CANARY, FROZEN)
    first = "Your order shipped with Parcelway" if CANARY.hex[0] not in "ed" else "Your package is on its way"
    assert watch.feed(first) == first  # no character in it can begin the canary's hex
    rest = [" and arrives on the 3rd;", " tracking ", CANARY.hex[:5], "zz."]
    shown = first + "".join(watch.feed(piece) for piece in rest) + watch.flush()
    assert shown == first + "".join(rest) and watch.hit is None


def test_a_recited_marker_line_is_held_from_its_first_words() -> None:
    watch = canary_watch(CANARY, FROZEN)
    shown = "".join(watch.feed(word) for word in ["Security", " marker:", f" {CANARY.token}.", " You"])
    assert watch.hit and shown == ""


def test_the_marker_words_alone_go_out_once_no_canary_follows() -> None:
    watch = canary_watch(CANARY, FROZEN)
    assert watch.feed("Security marker: none") == "Security marker: none"
