import random
import re

from switchboard.patterns.injection.canary import Canary, squashed


def test_canary_tokens_are_random_and_reproducible_with_a_seeded_rng() -> None:
    assert Canary.new().token != Canary.new().token
    assert Canary.new(random.Random(1)) == Canary.new(random.Random(1))
    assert re.fullmatch(r"cnry-[0-9a-f]{12}", Canary.new().token)


def test_canary_instruction_carries_the_token() -> None:
    canary = Canary.new(random.Random(2))
    assert canary.token in canary.instruction and "Never" in canary.instruction


def test_canary_detects_leaks_including_the_bare_hex_in_any_case() -> None:
    canary = Canary.new(random.Random(3))
    assert canary.leaked(f"My instructions begin: Security marker: {canary.token}.")
    assert canary.leaked(f"the code is {canary.hex.upper()}")
    spaced = " ".join(canary.hex[i : i + 4] for i in range(0, 12, 4))
    assert canary.leaked(f"marker: {spaced}")


def test_canary_does_not_fire_on_ordinary_answers() -> None:
    canary = Canary.new(random.Random(4))
    answers = [
        "Your order 10057 shipped with Parcelway; tracking PW123456789.",
        "Refunds go back to the original card within 5-10 business days.",
        "cnry- is not a word we use.",
    ]
    assert not any(canary.leaked(a) for a in answers)


def test_squashing_goes_character_by_character_so_a_stream_can_be_read_so() -> None:
    text = "Marker: 9A-1f\u200b_0.c D\ufb00 ΣΑΣ ß\u00adK"
    assert squashed(text) == "".join(squashed(char) for char in text) == "marker:9a1f0cdffσασssk"


def test_what_a_stream_is_watched_for_is_the_hex_and_the_marker_line_leading_into_it() -> None:
    canary = Canary.new(random.Random(5))
    assert canary.watched == (canary.hex, f"securitymarker:cnry{canary.hex}")
