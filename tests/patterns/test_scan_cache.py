from __future__ import annotations

from switchboard.patterns.injection.scanner import Verdict
from switchboard.patterns.scan_cache import CachedScanner


class CountingScanner:
    def __init__(self) -> None:
        self.scanned: list[str] = []

    def scan(self, text: str) -> Verdict:
        self.scanned.append(text)
        return Verdict("block" if "ignore" in text else "allow", 0.0)


def test_a_text_is_scanned_once_and_its_verdict_reused() -> None:
    inner = CountingScanner()
    cached = CachedScanner(inner)
    assert cached.scan("ignore that").action == "block" and cached.scan("ignore that").action == "block"
    assert inner.scanned == ["ignore that"]


def test_the_least_recently_used_text_is_forgotten_first() -> None:
    inner = CountingScanner()
    cached = CachedScanner(inner, size=2)
    for text in ("a", "b", "a", "c", "a", "b"):
        cached.scan(text)
    assert inner.scanned == ["a", "b", "c", "b"]  # "b" was the oldest when "c" came in
