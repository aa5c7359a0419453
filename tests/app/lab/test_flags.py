"""The switchboard's flags: presets, chapters, all-or-nothing changes, and every name looked up."""

import re
from pathlib import Path

import pytest

from switchboard.app.lab.flags import (
    BY_NAME,
    REGISTRY,
    Flag,
    FlagBoard,
    FlagError,
    config_name,
    preset_values,
    snapshot_key,
)
from switchboard.app.runs.scenarios import RESILIENCE
from switchboard.app.settings import REPO

# A flag is read by its name, and a name nobody registered reads as "off" without a word: every
# name in a lookup must be one the registry holds. The lookups: `ctx.on("…")`, `flags.get("…")`,
# `snapshot().get("…")` and `flags["…"]`, in the code and in the pages' templates.
LOOKUP = re.compile(r"""(?:\.on|\bflags\.get|\bsnapshot(?:\(\))?\.get|\bflags\[)\(?\s*["']([^"']+)["']""")
SCANNED = [*(REPO / "switchboard").rglob("*.py"), *(REPO / "ui" / "templates").rglob("*.html")]


def test_chapter_presets_switch_on_built_flags_up_to_the_chapter() -> None:
    values = preset_values("chapter-2", list(REGISTRY))
    assert values["streaming"] and values["backpressure"] and values["router"] and not values["rag"]
    chapter_2 = {"streaming", "backpressure", "router", "router_fallback"}
    kept = {"session_authorisation"}  # security every chapter keeps, as a server built to chapter 2 does
    assert not any(v for name, v in values.items() if name not in chapter_2 | kept)
    assert values["session_authorisation"] and not preset_values("all-off", list(REGISTRY))["session_authorisation"]


def test_citation_validation_is_a_built_chapter_4_switch_on_by_default() -> None:
    assert BY_NAME["citation_validation"].built and BY_NAME["citation_validation"].default
    assert preset_values("chapter-4", list(REGISTRY))["citation_validation"]
    assert not preset_values("chapter-3", list(REGISTRY))["citation_validation"]


def test_a_flag_not_built_cannot_be_switched_on() -> None:
    # Every registered pattern is built now: a registry with a plan still on paper shows the refusal.
    planned = Flag("warp_drive", 12, "Warp drive", "Not yet.", "nothing", default=False)
    board = FlagBoard(registry=(*REGISTRY, planned))
    with pytest.raises(FlagError, match="not built yet"):
        board.set_many({"warp_drive": True})
    assert board.snapshot()["warp_drive"] is False


def test_router_fallback_is_a_built_chapter_2_switch() -> None:
    assert BY_NAME["router_fallback"].built and BY_NAME["router_fallback"].chapter == 2
    assert preset_values("chapter-2", list(REGISTRY))["router_fallback"]


def test_a_server_capped_at_a_chapter_refuses_later_flags() -> None:
    board = FlagBoard(max_chapter=2)
    assert board.snapshot()["rag"] is False
    with pytest.raises(FlagError, match="chapter 4"):
        board.set_many({"rag": True})
    board.apply_preset("all-on")
    assert board.snapshot()["rag"] is False


def test_a_server_capped_before_chapter_3_keeps_authorisation_from_the_session() -> None:
    """Chapters remove optional patterns, never security: a chapter-2 app's tools still take the
    customer from the session, and nothing switches that off while its switch is not served."""
    board = FlagBoard(max_chapter=2)
    for preset in ("chapter-2", "all-off", "all-on"):
        board.apply_preset(preset)
        assert board.snapshot()["session_authorisation"] is True
    with pytest.raises(FlagError, match="this server stops at chapter 2"):
        board.set_many({"session_authorisation": False})
    board.restore(FlagBoard(max_chapter=2).document())  # a replica of the same chapter's document
    assert FlagBoard(max_chapter=3).snapshot()["session_authorisation"] is True
    board3 = FlagBoard(max_chapter=3)
    board3.set_many({"session_authorisation": False})  # from chapter 3 on, its switch shows the damage
    assert board3.snapshot()["session_authorisation"] is False


def test_changes_are_all_or_nothing() -> None:
    board = FlagBoard()
    with pytest.raises(FlagError):
        board.set_many({"streaming": False, "nope": True})
    assert board.snapshot()["streaming"] is True


def test_snapshot_key_names_the_built_flags() -> None:
    board = FlagBoard()
    board.set_many({"router": False})
    key = snapshot_key(board.snapshot(), board.registry).split()
    assert key[:3] == ["streaming=on", "backpressure=on", "router=off"]
    assert {k.split("=")[0] for k in key} == {f.name for f in board.registry if f.built}


def _named(preset: str, **changes: bool) -> str:
    snapshot = {**preset_values(preset, list(REGISTRY)), **changes}
    return config_name(snapshot, list(REGISTRY))


def test_a_configuration_is_named_by_what_differs_from_the_nearest_baseline() -> None:
    assert _named("all-on") == "defaults"
    assert _named("all-on", rag=False) == "defaults − rag"
    assert _named("all-off", router=True, rag=True) == "all-off + router + rag"
    assert _named("chapter-4") == "chapter-4"
    assert _named("chapter-4", pii_redaction=True) == "chapter-4 + pii_redaction"
    assert _named("all-on", scan_in_parallel=True) == "defaults + scan_in_parallel"  # a mode is a difference
    assert _named("all-off") == "all-off"


def test_names_tell_every_single_and_double_change_apart() -> None:
    built = [f.name for f in REGISTRY if f.built]
    pairs = [{a: True, b: False} for a in built for b in built if a != b]
    snapshots = [{**preset_values("all-on", list(REGISTRY)), **pair} for pair in pairs]
    names = {config_name(s, list(REGISTRY)) for s in snapshots}
    assert len(names) == len({tuple(sorted(s.items())) for s in snapshots})
    assert max(len(name) for name in names) < 60  # short enough for a legend or a column header


def _looked_up(path: Path) -> list[tuple[str, str]]:
    text = path.read_text(encoding="utf-8")
    return [(f"{path.relative_to(REPO)}:{text.count(chr(10), 0, m.start()) + 1}", m[1]) for m in LOOKUP.finditer(text)]


def test_every_flag_name_looked_up_is_registered() -> None:
    lookups = [found for path in SCANNED for found in _looked_up(path)]
    assert len({name for _, name in lookups}) > 20, "the scan no longer sees the lookups"
    lookups += [("app/runs/scenarios.py: RESILIENCE", name) for name in RESILIENCE]  # switched as a group
    unknown = [f"{where}: {name!r}" for where, name in lookups if name not in BY_NAME]
    assert not unknown, "flags looked up but not in lab/flags.py's registry:\n" + "\n".join(unknown)


def test_a_document_restores_on_another_board_and_a_bad_one_changes_nothing() -> None:
    """What replicas share (app/shared/boards.py): the whole board, checked like an edit."""
    source, other = FlagBoard(), FlagBoard()
    source.apply_preset("chapter-2")
    other.restore(source.document())
    assert other.snapshot() == source.snapshot()
    for bad in ({"rag": True, "no_such_flag": True}, {"rag": "yes"}, ["rag"], None):
        with pytest.raises(FlagError):
            other.restore(bad)
        assert other.snapshot() == source.snapshot()
    capped = FlagBoard(max_chapter=2)
    with pytest.raises(FlagError, match="this server stops at chapter 2"):
        capped.restore(FlagBoard().document())  # a replica's later chapter is refused, not half-taken
    assert capped.snapshot() == FlagBoard(max_chapter=2).snapshot()
