"""`--chapter N`'s table: which parts each chapter wires, and where an edge to a missing node leads."""

from __future__ import annotations

import pytest

from switchboard.agents.chapters import END, KEPT, LAST_CHAPTER, PARTS, check_chapter, contributed, stand_in, wired
from switchboard.app.lab.registry import CHAPTERS

EVERY_NODE = {"generalist", "router", "orders", "knowledge", "account", "fallback", "decline"}
EVERY_NODE |= {"guard_input", "escalate", "cache_lookup"}


def test_the_full_app_wires_every_part() -> None:
    assert wired(None) == tuple(p.name for p in PARTS) == wired(LAST_CHAPTER)
    assert set(wired(None, "node")) == EVERY_NODE


def test_chapter_one_is_one_generalist_and_what_safety_keeps() -> None:
    assert wired(1, "node") == ("generalist",)
    assert set(wired(1)) == {"generalist", *KEPT}


@pytest.mark.parametrize("chapter", range(1, LAST_CHAPTER + 1))
def test_a_chapter_wires_exactly_the_parts_of_chapters_up_to_it(chapter: int) -> None:
    expected = {p.name for p in PARTS if p.chapter <= chapter}
    assert set(wired(chapter)) == expected
    assert set(wired(chapter)) - set(wired(chapter - 1) if chapter > 1 else ()) == {
        p.name for p in contributed(chapter)
    }


def test_every_part_belongs_to_a_chapter_of_the_registry() -> None:
    assert {p.chapter for p in PARTS} <= set(CHAPTERS)


@pytest.mark.parametrize("chapter", [0, 13, -1])
def test_a_chapter_that_does_not_exist_is_refused(chapter: int) -> None:
    with pytest.raises(ValueError, match=f"chapter {chapter} does not exist"):
        check_chapter(chapter)


def test_an_edge_to_a_missing_node_leads_to_its_stand_in() -> None:
    chapter_two = frozenset(wired(2, "node"))
    assert stand_in("escalate", "router", chapter_two) == "fallback"  # "a person, please": the generalist tries
    assert stand_in("escalate", "orders", chapter_two) == END  # a specialist's handoff: its own answer stands
    assert stand_in("guard_input", "__start__", chapter_two) == "router"  # guard → cache → router
    assert stand_in("guard_input", "__start__", frozenset(wired(1, "node"))) == "generalist"
    assert stand_in("knowledge", "router", chapter_two) == "knowledge"  # wired: itself
