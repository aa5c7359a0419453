"""The app on a real Chroma server (tests/services/chroma.py), chosen by SWITCHBOARD_CHROMA_URL.

The knowledge base and the semantic cache live on the server, so replicas pointed at it search
the same articles; nothing is written to an embedded store in the data folder.
"""

from __future__ import annotations

from pathlib import Path

import chromadb
from fastapi.testclient import TestClient

from switchboard.app.web.main import create_app
from tests.app.web.chatting import answer_of, ask, new_conversation
from tests.conftest import SAME_SITE, fast_settings


def test_the_app_keeps_its_knowledge_base_and_cache_on_the_chroma_server(tmp_path: Path, chroma_server: str) -> None:
    names = {"kb_collection": f"kb-{tmp_path.name}", "cache_collection": f"answers-{tmp_path.name}"}
    settings = fast_settings(tmp_path).model_copy(update={"chroma_url": chroma_server, **names})
    with TestClient(create_app(settings), headers=SAME_SITE) as client:
        conversation = new_conversation(client)
        assert answer_of(ask(client, conversation, "how do I dry my tent before storing it?"))
    host, port = chroma_server.removeprefix("http://").split(":")
    server = chromadb.HttpClient(host=host, port=int(port))
    ours = [c for c in server.list_collections() if (c.metadata or {}).get("kb") == names["kb_collection"]]
    assert {str((c.metadata or {})["tenant"]) for c in ours} >= {"tidewater", "summit"}
    assert all(c.count() > 0 for c in ours)
    assert names["cache_collection"] in {c.name for c in server.list_collections()}
    assert not (tmp_path / "chroma").exists()
