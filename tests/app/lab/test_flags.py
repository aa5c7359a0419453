import pytest

from switchboard.app.lab.flags import REGISTRY, FlagBoard, FlagError, preset_values, snapshot_key


def test_chapter_presets_switch_on_built_flags_up_to_the_chapter() -> None:
    values = preset_values("chapter-2", list(REGISTRY))
    assert values["streaming"] and values["router"] and not values["rag"]
    assert not any(v for name, v in values.items() if name not in {"streaming", "router"})


def test_a_server_capped_at_a_chapter_refuses_later_flags() -> None:
    board = FlagBoard(max_chapter=2)
    assert board.snapshot()["rag"] is False
    with pytest.raises(FlagError, match="chapter 4"):
        board.set_many({"rag": True})
    board.apply_preset("all-on")
    assert board.snapshot()["rag"] is False


def test_changes_are_all_or_nothing() -> None:
    board = FlagBoard()
    with pytest.raises(FlagError):
        board.set_many({"streaming": False, "nope": True})
    assert board.snapshot()["streaming"] is True


def test_snapshot_key_names_the_built_flags() -> None:
    board = FlagBoard()
    board.set_many({"router": False})
    key = snapshot_key(board.snapshot(), board.registry).split()
    assert key[:3] == ["streaming=on", "router=off", "tool_validation=on"]
    assert {k.split("=")[0] for k in key} == {f.name for f in board.registry if f.built}
