"""The chat API end to end on the demo model: SSE, JSON, records, follow-ups."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.app.web.chatting import answer_of, ask, new_conversation


def test_tokens_stream_before_a_done_record_with_real_figures(client: TestClient) -> None:
    events = ask(client, new_conversation(client), "where is my order?")
    names = [name for name, _ in events]
    assert names.count("token") > 5
    assert names[-1] == "done" and names.index("token") < names.index("done")
    record = events[-1][1]
    assert record["outcome"] == "answered"
    assert record["route"] == "orders"
    assert record["path"] == ["guard_input", "router", "orders"]
    assert {t["name"] for t in record["tools"]} & {"get_order", "track_shipment", "list_orders"}
    assert record["input_tokens"] > 0 and record["output_tokens"] > 0
    assert record["cost_usd"] > 0
    assert {c["model"] for c in record["calls"]} == {"demo-small", "demo-large"}
    assert record["ttft_ms"] is not None and record["total_ms"] >= record["ttft_ms"]
    assert "#100" in answer_of(events)


def test_policy_question_is_answered_from_the_help_centre_with_citations(
    client: TestClient,
) -> None:
    events = ask(client, new_conversation(client), "how long does a refund take to show on my card?")
    record = events[-1][1]
    assert record["route"] == "knowledge"
    assert record["retrieved"], "the knowledge specialist retrieves before answering"
    assert record["sources"] and set(record["sources"]) <= set(record["retrieved"])
    assert f"[{record['sources'][0]}]" in answer_of(events)


def test_follow_up_resolves_the_order_discussed(client: TestClient) -> None:
    conversation = new_conversation(client)
    first = ask(client, conversation, "what's the status of order 10057?")
    assert "10057" in answer_of(first)
    follow_up = ask(client, conversation, "and when will it arrive?")
    record = follow_up[-1][1]
    assert record["route"] == "orders"
    assert any(t["arguments"].get("order_id") == "10057" for t in record["tools"])


def test_another_customers_order_does_not_exist_for_this_customer(client: TestClient) -> None:
    # Order 10057 is C1001's; C1002 asks about it by number.
    events = ask(client, new_conversation(client, "C1002"), "where is order 10057?")
    answer = answer_of(events)
    assert "couldn't find order #10057" in answer
    assert "Parcelway" not in answer and "NorthPost" not in answer


def test_json_mode_returns_the_answer_and_the_record(client: TestClient) -> None:
    conversation = new_conversation(client)
    response = client.post(
        f"/api/conversations/{conversation}/messages",
        json={"text": "how many points do I have?"},
        headers={"accept": "application/json"},
    )
    body = response.json()
    assert response.status_code == 200
    assert body["record"]["route"] == "account"
    assert "820" in body["answer"]


def test_messages_are_stored_with_their_record(client: TestClient) -> None:
    conversation = new_conversation(client)
    events = ask(client, conversation, "do you ship to Canada?")
    messages = client.get(f"/api/conversations/{conversation}/messages").json()
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert messages[0]["content"] == "do you ship to Canada?"
    assert messages[1]["content"] == answer_of(events)
    assert messages[1]["complete"] is True
    assert all("owner" not in m for m in messages)  # which process streamed it is not the customer's business
    record = client.get(f"/api/records/{messages[1]['record_id']}").json()
    assert record["id"] == events[-1][1]["id"]


def test_asking_for_a_person_opens_a_ticket(client: TestClient) -> None:
    events = ask(client, new_conversation(client), "I want to talk to a human")
    record = events[-1][1]
    assert record["outcome"] == "escalated"
    assert record["tickets"] and record["tickets"][0] in answer_of(events)


def test_refund_within_policy_is_done_and_one_above_the_limit_escalates(client: TestClient) -> None:
    small = ask(client, new_conversation(client, "C1010"), "I want a refund for order 10042")
    assert small[-1][1]["outcome"] == "answered"
    assert "refund of $42.05 is approved" in answer_of(small)
    large = ask(client, new_conversation(client), "I want a refund for order 10049")
    record = large[-1][1]
    assert record["outcome"] == "escalated" and record["approvals"][0]["order_id"] == "10049"
    assert "need a person's approval" in answer_of(large) and "asked a colleague" in answer_of(large)
    client.patch("/api/flags", json={"flags": {"human_approval": False}})
    ticketed = ask(client, new_conversation(client), "I want a refund for order 10049")[-1][1]
    assert ticketed["path"][-1] == "escalate" and ticketed["tickets"] and not ticketed["approvals"]


def test_history_partial_shows_each_answer_with_its_details(client: TestClient) -> None:
    conversation = new_conversation(client)
    first = ask(client, conversation, "do you ship to Canada?")[-1][1]
    second = ask(client, conversation, "how many points do I have?")[-1][1]
    page = client.get(f"/ui/conversations/{conversation}").text
    assert f'data-record="{first["id"]}"' in page and f'data-record="{second["id"]}"' in page
