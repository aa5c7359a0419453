"""The poisoned article's version is seen only while the panel plants it: an answer that cited it
goes stale in the answer cache the moment the switch is off."""

from __future__ import annotations

from switchboard.app.lab.chaos import AgentFaults
from switchboard.app.lab.poisoned_knowledge import visible_versions

VERSIONS = {"tidewater/tent-waterproofing-tips": "h1", "tidewater/returns-policy": "h2", "summit/returns-policy": "h3"}


def test_the_poisoned_article_is_versioned_only_while_planted() -> None:
    assert visible_versions(VERSIONS, AgentFaults(poisoned_article=True)) == VERSIONS
    hidden = visible_versions(VERSIONS, AgentFaults(poisoned_article=False))
    assert hidden == {"tidewater/returns-policy": "h2", "summit/returns-policy": "h3"}
