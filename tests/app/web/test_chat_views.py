"""The chat page's views: the agent map it embeds, the details strip, titles, citations and the
help-centre article page they link to."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient

from switchboard.agents.graph import agent_map, build_graph
from switchboard.app.settings import REPO
from switchboard.app.shop.help_centre import HelpCentre
from switchboard.app.turns.conversations import title_from
from switchboard.app.web.article_view import article_view, cited, spans
from tests.app.web.chatting import ask, new_conversation


def test_the_agent_map_is_read_off_the_graph_top_down_with_hand_backs_marked() -> None:
    drawn = agent_map(build_graph())
    layer = {n.name: n.layer for n in drawn.nodes}
    assert layer["__start__"] < layer["guard_input"] < layer["router"] < layer["orders"] < layer["escalate"]
    assert layer["__end__"] == max(layer.values())
    back = {(e.source, e.target) for e in drawn.edges if e.back}
    assert back == {("orders", "router"), ("knowledge", "router"), ("account", "router")}
    assert {n.name for n in drawn.nodes} >= {"generalist", "decline", "knowledge", "account"}


def test_the_chat_page_embeds_the_map_for_the_agent_view(client: TestClient) -> None:
    new_conversation(client)
    page = client.get("/").text
    embedded = re.search(r'<script type="application/json" id="agent-graph">(.*?)</script>', page, re.S)
    assert embedded is not None
    assert {n["name"] for n in json.loads(embedded[1])["nodes"]} == {n.name for n in agent_map(build_graph()).nodes}
    assert 'id="agent-view"' in page and "/static/agent_view.js" in page and "/static/chat.css" in page


def test_titles_are_the_first_message_on_one_line_cut_at_a_word() -> None:
    assert title_from("where is my order?") == "where is my order?"
    long = title_from("Hello there,   I bought a tent last month\nand the zip broke on the first night out")
    assert long == "Hello there, I bought a tent last month…" and len(long) <= 41
    assert title_from("x" * 80) == "x" * 40 + "…"


def test_conversations_are_listed_with_their_first_question_and_the_time(client: TestClient) -> None:
    conversation = new_conversation(client)
    ask(client, conversation, "Can I return a tent I have used once on a trip to the lakes?")
    listing = client.get("/ui/conversations").text
    assert "Can I return a tent I have used once on…" in listing
    assert re.search(r"<time[^>]*>\d\d \w{3} \d\d:\d\d:\d\d</time>", listing)


def test_the_details_strip_names_the_configuration_and_links_its_sources(client: TestClient) -> None:
    conversation = new_conversation(client)
    events = ask(client, conversation, "how do I return a tent?")
    record = next(data for name, data in events if name == "done")
    strip = client.get(f"/ui/records/{record['id']}").text
    assert re.search(r"config <b>defaults[^<]*</b>", strip)  # config_name, not the flags wall
    assert record["flags_key"] in strip  # the full snapshot one click away
    passed = [c for c in record["checks"] if c["verdict"] == "pass"]
    assert passed and f"guards passed <b>{len(passed)}</b>" in strip
    assert "<code>injection_scan</code> <b>passed</b>" in strip  # a guard that let the turn through says so
    for source in record["sources"]:
        assert f'href="/help/{source}?tenant=tidewater"' in strip
    history = client.get(f"/ui/conversations/{conversation}").text
    assert record["sources"] and f'<a class="cite" href="/help/{record["sources"][0]}"' in history


def test_an_article_page_shows_the_article_and_an_unknown_one_is_a_clear_404(client: TestClient) -> None:
    page = client.get("/help/returns-policy?tenant=tidewater")
    assert page.status_code == 200 and 'data-article="returns-policy"' in page.text
    article = HelpCentre([REPO / "data" / "tenants" / "tidewater" / "kb"]).article("returns-policy")
    assert article is not None and article.title in page.text
    missing = client.get("/help/no-such-article?tenant=tidewater")
    assert missing.status_code == 404 and "No such article" in missing.text and "no-such-article" in missing.text
    assert client.get("/help/..%2Fsettings").status_code == 404


def test_an_article_renders_as_escaped_blocks() -> None:
    article = HelpCentre([REPO / "data" / "tenants" / "tidewater" / "kb"]).article("account-password-reset")
    assert article is not None
    view = article_view(article)
    kinds = [b.kind for b in view.blocks]
    assert "h2" in kinds and "p" in kinds and kinds[0] != "h1"  # the title heading is the page's own
    assert spans("choose **Forgot password** now") == [
        spans("choose ")[0],
        spans("**Forgot password**")[0],
        spans(" now")[0],
    ]
    assert spans("**Forgot password**")[0].bold


def test_citations_split_an_answer_only_at_articles_it_cited() -> None:
    parts = cited("Pack it dry [tent-care]. See [nothing-cited].", ["tent-care"])
    assert [(p.text, p.cite) for p in parts] == [
        ("Pack it dry ", None),
        ("[tent-care]", "tent-care"),
        (". See [nothing-cited].", None),
    ]
