"""The pages' limits and choices come from the server's definitions, not copies of them: the
composer's limit, the panel's presets, the configurations table's names."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from switchboard.app.lab.flags import FlagBoard
from switchboard.app.web.schemas import MAX_MESSAGE_CHARS
from switchboard.app.web.views import flag_presets
from tests.app.web.chatting import ask, new_conversation
from tests.conftest import sign_in


def test_the_composer_allows_what_the_server_accepts(client: TestClient) -> None:
    sign_in(client)
    page = client.get("/")
    assert page.status_code == 200
    assert f'<textarea id="text" name="text" rows="2" maxlength="{MAX_MESSAGE_CHARS}"' in page.text


def _preset_button(page: str, preset: str) -> re.Match[str] | None:
    return re.search(rf'data-preset="{preset}"\s+class="([^"]*)"', page)


def test_the_panel_offers_each_chapter_preset_and_marks_the_active_one(client: TestClient) -> None:
    page = client.get("/switchboard").text
    for preset in ("all-on", "all-off", "chapter-1", "chapter-4", "chapter-9", "chapter-10"):
        assert _preset_button(page, preset), preset
    assert not _preset_button(page, "chapter-12")  # no built switch of its own: the same as chapter-11
    assert _preset_button(page, "all-on")[1] == "on"  # type: ignore[index]
    assert re.search(r'id="config-name"[^>]*>defaults</b>', page)
    chapter_4 = client.post("/ui/flags", data={"preset": "chapter-4"}).text
    assert _preset_button(chapter_4, "chapter-4")[1] == "on"  # type: ignore[index]
    assert _preset_button(chapter_4, "all-on")[1] == ""  # type: ignore[index]
    assert re.search(r'id="config-name"[^>]*>chapter-4</b>', chapter_4)
    changed = client.post("/ui/flags", data={"name": "pii_redaction", "value": "on"}).text
    assert re.search(r'id="config-name"[^>]*>chapter-4 \+ pii_redaction</b>', changed)
    assert 'class="on"' not in changed.split('<fieldset class="chapter">')[0]  # no preset is exactly it


def test_a_server_stopped_at_a_chapter_offers_the_presets_it_can_apply() -> None:
    board = FlagBoard(max_chapter=4)
    presets = flag_presets(board)
    assert [p.name for p in presets] == ["all-on", "all-off", "chapter-1", "chapter-2", "chapter-3"]
    assert [p.name for p in presets if p.active] == ["all-on"]  # all-on here is chapter-4
    board.apply_preset("chapter-2")
    assert [p.name for p in flag_presets(board) if p.active] == ["chapter-2"]


def test_the_configurations_table_names_rows_and_shows_what_differs(client: TestClient) -> None:
    client.patch("/api/flags", json={"flags": {"router": False}})
    ask(client, new_conversation(client), "what is your returns window?")
    client.patch("/api/flags", json={"preset": "all-on"})
    ask(client, new_conversation(client), "what is your returns window?")
    table = client.get("/ui/metrics").text
    rows = {
        name: row for row in table.split("<tr")[2:] for name in re.findall(r'class="config-name"[^>]*>([^<]+)<', row)
    }
    assert "current" in rows["defaults"].split(">")[0] and "current" not in rows["defaults − router"].split(">")[0]
    assert '<code class="chip off">router=off</code>' in rows["defaults − router"]
    assert '<code class="chip on">router=on</code>' in rows["defaults"]
    assert "<summary>all switches</summary>" in rows["defaults"] and '<li class="off">router=off</li>' in table
