from __future__ import annotations

from switchboard.patterns.stream_watch import StreamWatch


def secret_in(text: str) -> str | None:
    return "s3cret" if "s3cret" in text else None


def test_a_forbidden_string_split_across_chunks_never_shows() -> None:
    watch = StreamWatch(secret_in, keep=5)
    shown = [watch.feed(piece) for piece in ["the code is s3", "cret, ok"]] + [watch.flush()]
    assert watch.hit == "s3cret" and "s3" not in "".join(shown)


def test_clean_text_all_comes_out_in_order() -> None:
    watch = StreamWatch(secret_in, keep=5)
    shown = [watch.feed(piece) for piece in ["nothing ", "to see ", "here"]] + [watch.flush()]
    assert "".join(shown) == "nothing to see here" and watch.hit is None


def test_after_a_hit_nothing_more_goes_out() -> None:
    watch = StreamWatch(secret_in, keep=5)
    watch.feed("s3cret")
    assert watch.feed("more text that is fine") == "" and watch.flush() == ""
