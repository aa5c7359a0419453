"""The demo writer answers help-centre questions with the statement that answers them.

The first two tests are the questions issue 18 quotes, asked of the shipped help centre through
the real search (rerank and floor as the app opens it) and the demo model, with both search modes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from switchboard.agents.embeddings import Embedder
from switchboard.agents.llm.gateway import Gateway
from switchboard.agents.llm.providers.demo import DEMO_PROFILES, DemoProvider, with_speed
from switchboard.agents.llm.providers.demo.reading import Passage
from switchboard.agents.llm.providers.demo.writing import answer_from_passages, write_tool_result
from switchboard.agents.llm.types import ChatRequest
from switchboard.agents.nodes.knowledge import TOP_K
from switchboard.agents.prompts import PromptBook
from switchboard.agents.tools import format_passages
from switchboard.app.shop.knowledge import REFUSE_BELOW, KnowledgeBase

TIDEWATER_KB = Path(__file__).parents[5] / "data" / "tenants" / "tidewater" / "kb"


@pytest.fixture(scope="module")
def help_centre(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> KnowledgeBase:
    kb = KnowledgeBase.open(
        tmp_path_factory.mktemp("chroma"), "writer-kb", embedder, rerank=True, floor=REFUSE_BELOW["static"]
    )
    kb.ingest(TIDEWATER_KB, "shipped", "tidewater")
    return kb


async def ask(embedder: Embedder, kb: KnowledgeBase, question: str, hybrid: bool) -> str:
    found = kb.search_now(question, TOP_K, hybrid, tenant="tidewater")
    request = ChatRequest(
        [
            {"role": "system", "content": PromptBook().get("knowledge").text},
            {
                "role": "system",
                "content": "Help-centre passages for the customer's question:\n" + format_passages(found),
            },
            {"role": "user", "content": question},
        ],
        "demo-large",
    )
    provider = DemoProvider(embedder, with_speed(DEMO_PROFILES, 0, 0))
    return (await Gateway(dict.fromkeys(provider.models, provider)).complete(request, purpose="test")).text


@pytest.mark.parametrize("hybrid", [False, True])
async def test_the_tent_return_policy_question_gets_the_return_window(
    embedder: Embedder, help_centre: KnowledgeBase, hybrid: bool
) -> None:
    answer = await ask(embedder, help_centre, "What is your return policy for tents?", hybrid)
    assert "within 45 days" in answer and "[returns-policy]" in answer
    assert not answer.startswith("Pitching a tent in your living room")


@pytest.mark.parametrize("hybrid", [False, True])
async def test_the_boot_sole_warranty_question_gets_what_the_warranty_leaves_out(
    embedder: Embedder, help_centre: KnowledgeBase, hybrid: bool
) -> None:
    answer = await ask(embedder, help_centre, "are worn-down boot soles covered under warranty?", hybrid)
    assert answer.startswith("What isn't covered: Normal wear and tear, such as worn-down boot soles")
    assert answer.endswith("[warranty-overview]")


def passage(source: str, title: str, text: str, n: int = 0) -> Passage:
    return Passage(f"shop/{source}#{n}", source, title, text)


def test_the_section_whose_heading_matches_wins_over_a_sentence_sharing_only_the_product(
    embedder: Embedder,
) -> None:
    found = [
        passage(
            "returns", "Returns — Condition of returned items", "Pitching a kayak on the lawn to try it is fine.", 1
        ),
        passage("returns", "Returns policy", "If it isn't right, send it back within 60 days for your money back."),
    ]
    answer = answer_from_passages(embedder, "what is your return policy for kayaks?", found)
    assert answer is not None and answer.startswith("If it isn't right, send it back within 60 days")


def test_a_how_long_question_is_answered_by_the_sentence_with_a_duration(embedder: Embedder) -> None:
    found = [
        passage(
            "breakages",
            "Breakages — Telling us",
            "If a parcel arrives broken, we will put it right for you. Tell us within 9 days of delivery.",
        )
    ]
    answer = answer_from_passages(embedder, "how long do I have to tell you a parcel arrived broken?", found)
    assert answer is not None and answer.startswith("Tell us within 9 days of delivery.")


def test_a_list_item_that_is_no_sentence_is_quoted_after_its_heading(embedder: Embedder) -> None:
    found = [
        passage("shipping", "Shipping — Overnight shipping", "- Carrier: Swiftpost\n- Cost: $21 per order"),
        passage("shipping", "Shipping — Ground shipping", "- Carrier: Slowpost\n- Cost: $4 per order", 1),
    ]
    answer = answer_from_passages(embedder, "how much does overnight shipping cost?", found)
    assert answer is not None and answer.startswith("Overnight shipping: Cost: $21 per order.")
    assert answer.endswith("[shipping]")


def test_nothing_close_is_still_no_answer(embedder: Embedder) -> None:
    found = [passage("stoves", "Stoves — Lighting", "Open the valve a quarter turn and light the burner.")]
    assert answer_from_passages(embedder, "what is the capital of Peru?", found) is None


def test_an_account_answer_gives_the_details_on_file_the_question_names() -> None:
    account = {
        "kind": "account",
        "customer": {
            "name": "Ana Diaz",
            "email": "ana@example.com",
            "address": "1 Pine Road",
            "phone": "555-0100",
            "loyalty_tier": "base",
            "loyalty_points": 20,
        },
    }
    asked = write_tool_result(account, "which address is on my account?")
    assert "The address on file is 1 Pine Road." in asked and "555-0100" not in asked
    assert "1 Pine Road" not in write_tool_result(account, "how many points do I have?")
    assert "1 Pine Road" not in write_tool_result(account, "what email address do you have on file?")
