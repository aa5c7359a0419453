"""The demo model reads a request the way a real model would and answers by its rules."""

from __future__ import annotations

import json

from switchboard.agents.embeddings import Embedder
from switchboard.agents.history import summary_request
from switchboard.agents.llm.gateway import Gateway
from switchboard.agents.llm.providers.demo import DEMO_PROFILES, DemoProvider, with_speed
from switchboard.agents.llm.tokens import count_tokens
from switchboard.agents.llm.types import ChatRequest, Completion, Message
from switchboard.agents.nodes.router import SCHEMA
from switchboard.agents.prompts import PromptBook
from switchboard.agents.tools import TOOLS

PROMPTS = PromptBook()


async def run(provider: DemoProvider, request: ChatRequest) -> Completion:
    gateway = Gateway(dict.fromkeys(provider.models, provider))
    return await gateway.complete(request, purpose="test")


def route_request(*user_texts: str) -> ChatRequest:
    messages: list[Message] = [{"role": "system", "content": PROMPTS.get("router").text}]
    messages += [{"role": "user", "content": t} for t in user_texts]
    return ChatRequest(messages, "demo-small", json_schema=SCHEMA)


def provider(embedder: Embedder) -> DemoProvider:
    return DemoProvider(embedder, with_speed(DEMO_PROFILES, 0, 0))


async def test_routes_by_the_examples_in_the_prompt(embedder: Embedder) -> None:
    demo = provider(embedder)
    decisions = {
        text: json.loads((await run(demo, route_request(text))).text)["route"]
        for text in ["has my parcel shipped yet?", "do you deliver to Vancouver?", "get me a real person"]
    }
    assert decisions == {
        "has my parcel shipped yet?": "orders",
        "do you deliver to Vancouver?": "knowledge",
        "get me a real person": "human",
    }


async def test_calls_a_tool_with_the_order_number_from_the_text(embedder: Embedder) -> None:
    request = ChatRequest(
        [{"role": "user", "content": "has order 10057 shipped?"}],
        "demo-large",
        tools=[TOOLS[n].spec for n in ("get_order", "list_orders", "track_shipment")],
    )
    reply = await run(provider(embedder), request)
    assert reply.text == ""
    assert [c["arguments"] for c in reply.tool_calls] == [{"order_id": "10057"}]


async def test_without_an_order_number_it_lists_orders_first(embedder: Embedder) -> None:
    request = ChatRequest(
        [{"role": "user", "content": "where is my order?"}],
        "demo-large",
        tools=[TOOLS[n].spec for n in ("get_order", "list_orders", "track_shipment")],
    )
    reply = await run(provider(embedder), request)
    assert [c["name"] for c in reply.tool_calls] == ["list_orders"]


PASSAGES = (
    '<passage id="refund-timing#1" source="refund-timing" title="Refund timing">'
    "Refunds are issued within 2 business days of your return reaching our warehouse.</passage>\n"
    '<passage id="shipping-to-canada#0" source="shipping-to-canada" title="Shipping to Canada">'
    "Standard shipping to Canada takes 5 to 8 business days and costs $12.</passage>"
)


def knowledge_request(model: str, question: str) -> ChatRequest:
    return ChatRequest(
        [
            {"role": "system", "content": PROMPTS.get("knowledge").text},
            {"role": "system", "content": PASSAGES},
            {"role": "user", "content": question},
        ],
        model,
    )


async def test_answers_from_passages_with_a_citation(embedder: Embedder) -> None:
    reply = await run(provider(embedder), knowledge_request("demo-large", "how long until my refund is issued?"))
    assert "2 business days" in reply.text and reply.text.endswith("[refund-timing]")
    assert reply.usage.input_tokens > 0 and reply.usage.output_tokens > 0


async def test_says_it_does_not_know_when_nothing_relevant_was_given(embedder: Embedder) -> None:
    reply = await run(provider(embedder), knowledge_request("demo-large", "what is the capital of Peru?"))
    assert "rather not guess" in reply.text and "[" not in reply.text


async def test_only_the_large_model_answers_every_part(embedder: Embedder) -> None:
    question = "how long until my refund is issued? and how long does shipping to Canada take?"
    large = await run(provider(embedder), knowledge_request("demo-large", question))
    small = await run(provider(embedder), knowledge_request("demo-small", question))
    assert "[refund-timing]" in large.text and "[shipping-to-canada]" in large.text
    assert len({"[refund-timing]", "[shipping-to-canada]"} & set(small.text.split())) == 1


async def test_streams_at_its_configured_pace(embedder: Embedder) -> None:
    pauses: list[float] = []

    async def record_sleep(seconds: float) -> None:
        pauses.append(seconds)

    profiles = with_speed(DEMO_PROFILES, 0.2, 10)
    demo = DemoProvider(embedder, profiles, sleep=record_sleep)
    reply = await run(demo, knowledge_request("demo-large", "how long until my refund is issued?"))
    words = len(reply.text.split())
    assert pauses[0] == 0.2 and pauses[1:] == [0.1] * (words - 1)


async def test_follows_the_prompts_rule_for_how_to_questions(embedder: Embedder) -> None:
    question = "what does it mean when my order says processing?"
    with_rule = json.loads((await run(provider(embedder), route_request(question))).text)
    assert with_rule == {"route": "knowledge", "confidence": 0.9}
    without_rule = route_request(question)
    prompt = str(without_rule.messages[0]["content"]).replace("How-to questions", "Questions")
    stripped = ChatRequest(
        [{"role": "system", "content": prompt}, *without_rule.messages[1:]], "demo-small", json_schema=SCHEMA
    )
    assert json.loads((await run(provider(embedder), stripped)).text)["confidence"] != 0.9


async def test_how_to_questions_search_the_help_centre_instead_of_the_orders(embedder: Embedder) -> None:
    request = ChatRequest(
        [{"role": "user", "content": "how long does a refund take for my order?"}],
        "demo-large",
        tools=[TOOLS[n].spec for n in ("get_order", "list_orders", "search_kb")],
    )
    reply = await run(provider(embedder), request)
    assert [c["name"] for c in reply.tool_calls] == ["search_kb"]


async def test_as_a_judge_it_tells_supported_answers_from_invented_ones(embedder: Embedder) -> None:
    from switchboard.evals.judge import Judge

    judge = Judge(Gateway({"demo-large": provider(embedder)}), PROMPTS.get("judge").text, "demo-large")
    evidence = ["Refunds are issued within 2 business days of your return reaching our warehouse."]
    supported = await judge.grade("how long?", "Refunds are issued within 2 business days. [refund-timing]", evidence)
    invented = await judge.grade("how long?", "Every order ships free by drone to the moon.", evidence)
    assert supported.grounded and supported.score == 1.0 and supported.cost_usd > 0
    assert not invented.grounded and invented.score == 0.0


async def test_a_question_that_asks_for_nothing_to_be_done_changes_nothing(embedder: Embedder) -> None:
    def offered(text: str) -> ChatRequest:
        tools = [TOOLS[n].spec for n in ("get_order", "request_refund")]
        return ChatRequest([{"role": "user", "content": text}], "demo-small", tools=tools)

    for question in ["what's the best way to reproof order 10042's tent?", "should I refund order 10042?"]:
        reply = await run(provider(embedder), offered(question))
        assert "request_refund" not in [c["name"] for c in reply.tool_calls]
    asked = await run(provider(embedder), offered("could you refund order 10042 please?"))
    assert [c["name"] for c in asked.tool_calls] == ["request_refund"]


async def test_asking_to_get_a_refund_or_money_back_for_an_order_calls_the_refund_tool(embedder: Embedder) -> None:
    tools = [TOOLS[n].spec for n in ("get_order", "track_shipment", "request_refund", "update_address")]
    for text in ["can I get a refund on order 10021", "I want my money back for order 10043, the tent is too big"]:
        reply = await run(
            provider(embedder), ChatRequest([{"role": "user", "content": text}], "demo-small", tools=tools)
        )
        assert [c["name"] for c in reply.tool_calls] == ["request_refund"]
    every = [t.spec for t in TOOLS.values()]
    upset = ChatRequest(
        [{"role": "user", "content": "this bot is useless, get me an agent"}], "demo-small", tools=every
    )
    assert [c["name"] for c in (await run(provider(embedder), upset)).tool_calls] == ["create_ticket"]
    looked_up = ChatRequest([{"role": "user", "content": "what was in order 10068 again?"}], "demo-small", tools=tools)
    assert [c["name"] for c in (await run(provider(embedder), looked_up)).tool_calls] == ["get_order"]


async def test_whether_allowed_what_now_who_and_shop_questions_follow_the_how_to_rule(embedder: Embedder) -> None:
    for question in [
        "is it ok to put my tent through the washing machine?",
        "my parcel shipped to my old apartment by mistake, what now?",
        "my tracking number begins with NX, who's the carrier?",
        "are you hiring for summer jobs at the warehouse?",
        "what's your CEO's name?",
    ]:
        decision = json.loads((await run(provider(embedder), route_request(question))).text)
        assert decision == {"route": "knowledge", "confidence": 0.9}
    assert json.loads((await run(provider(embedder), route_request("where is my order?"))).text)["route"] == "orders"


def summarise_request(previous: str, new: list[str], cap: int) -> ChatRequest:
    messages: list[Message] = [
        {"role": "system", "content": PROMPTS.get("summarise").text},
        {"role": "user", "content": summary_request(previous, new)},
    ]
    return ChatRequest(messages, "demo-small", max_tokens=cap)


async def test_summarises_extractively_one_line_a_message_with_the_order_numbers_kept(embedder: Embedder) -> None:
    new = [
        "Customer: where is order 10057? It was due Monday.",
        "Assistant: Order #10057 is shipped. It should arrive by Tue 8 Dec. [shipping-times]",
    ]
    summary = (await run(provider(embedder), summarise_request("- Customer: hi", new, cap=80))).text
    assert summary.splitlines() == [
        "- Customer: hi",
        "- Customer: where is order 10057?",
        "- Assistant: Order #10057 is shipped.",
    ]


async def test_past_its_token_limit_the_summary_drops_the_oldest_lines_that_name_no_order(embedder: Embedder) -> None:
    new = ["Customer: where is order 10057?", *(f"Customer: tell me about tent number {n} please." for n in range(8))]
    summary = (await run(provider(embedder), summarise_request("", new, cap=30))).text
    assert summary.splitlines()[0] == "- Customer: where is order 10057?"
    assert "tent number 7" in summary and "tent number 0" not in summary
    assert count_tokens(summary) <= 30
