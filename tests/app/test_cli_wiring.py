"""`switchboard wiring [N]`: what each chapter adds to the app `serve --chapter N` builds."""

from __future__ import annotations

import pytest

from switchboard.app import cli


def test_wiring_lists_what_each_chapter_adds(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["wiring", "9"]) == 0
    shown = capsys.readouterr().out.splitlines()
    assert shown[0] == "Chapter 9 — Resilience"
    assert {line.split(":")[0].strip() for line in shown[1:-1]} == {
        "+ wrapper retry",
        "+ wrapper breaker",
        "+ wrapper failover",
    }
    assert shown[-1].startswith("  switches: retry_budget, circuit_breaker, failover")
    assert cli.main(["wiring"]) == 0
    every = capsys.readouterr().out
    assert [line for line in every.splitlines() if line.startswith("Chapter ")][-1] == "Chapter 12 — Operations"
    assert "+ node guard_input" in every and "+ node cache_lookup" in every
