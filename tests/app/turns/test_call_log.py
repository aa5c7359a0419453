"""The call log through the real turn path: one row per model call of the record, at its index,
with the request the provider was sent; masked as the record is with pii_redaction on."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from switchboard.agents.llm.exchange import Exchange, canonical, request_from_json, request_json
from switchboard.agents.llm.providers.demo.provider import DemoProvider
from switchboard.agents.llm.types import ChatRequest, Usage
from switchboard.agents.record import CallRecordView, TurnRecord
from switchboard.app.services import Services
from switchboard.app.turns import call_log, privacy
from switchboard.app.turns.call_log import call_rows
from switchboard.patterns.pii.redaction import mask, mask_value
from tests.app.playing import turn
from tests.fakes import ProviderRequests

MESSAGE = "Please update my email to jo.bloggs@example.org — and where is order 10049?"


async def test_each_call_of_the_record_is_a_row_at_its_index_with_the_request_sent(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent = ProviderRequests().install(monkeypatch, DemoProvider)
    _, record = await turn(services, "C1001", "where is my order 10049?", online_evals=False)
    rows = await services.call_log.of_record(record["id"])
    assert record["calls"] and [r.call_index for r in rows] == list(range(len(record["calls"])))
    for row, call in zip(rows, record["calls"], strict=True):
        assert (row.purpose, row.model, row.provider) == (call["purpose"], call["model"], call["provider"])
        assert (row.customer_id, row.tenant_id, row.conversation_id) == (
            "C1001",
            record["tenant_id"],
            record["conversation_id"],
        )
    stored = [canonical(request_from_json(r.request)) for r in rows]
    assert stored == [canonical(r) for r in sent.requests[: len(rows)]]  # the turn's calls come first, in order
    assert rows[-1].answer["usage"]["output_tokens"] == record["calls"][-1]["output_tokens"]


async def test_with_pii_redaction_on_no_raw_personal_data_is_stored(services: Services) -> None:
    _, record = await turn(services, "C1001", MESSAGE, pii_redaction=True, online_evals=False)
    rows = await services.call_log.of_record(record["id"])
    assert rows and all(r.masked for r in rows)
    assert all("jo.bloggs@example.org" not in str(r.request) + str(r.answer) for r in rows)
    assert any("<EMAIL_1>" in str(r.request) for r in rows)  # the vault's placeholders stay, as in records


async def test_with_pii_redaction_off_the_request_is_kept_as_sent(services: Services) -> None:
    _, record = await turn(services, "C1001", MESSAGE, pii_redaction=False, online_evals=False)
    rows = await services.call_log.of_record(record["id"])
    assert rows and not any(r.masked for r in rows)
    assert any("jo.bloggs@example.org" in str(r.request) for r in rows)


def test_masking_keeps_placeholders_and_masks_the_rest_of_what_was_said() -> None:
    request = ChatRequest(
        [{"role": "system", "content": "Mail <EMAIL_1> back."}, {"role": "user", "content": "or ann@example.com"}],
        "demo-large",
    )
    answer = {"id": "t", "name": "send", "arguments": {"to": "ann@example.com"}}
    exchange = Exchange(request, "Writing to ann@example.com", [answer], Usage(5, 3))
    record = TurnRecord(id="r_1", calls=[CallRecordView(purpose="answer", model="demo-large", provider="demo")])
    (masked,) = call_rows(record, [exchange], datetime(2026, 12, 4, tzinfo=UTC), mask)
    (kept,) = call_rows(record, [exchange], datetime(2026, 12, 4, tzinfo=UTC), None)
    assert "ann@example.com" not in str(masked.request) + str(masked.answer)
    assert "<EMAIL_1>" in str(masked.request) and "[EMAIL]" in masked.answer["text"]
    assert "[EMAIL]" in str(masked.answer["tool_calls"]) and "ann@example.com" in str(kept.request)


def test_the_log_masks_a_repeated_text_once_and_as_mask_does(monkeypatch: pytest.MonkeyPatch) -> None:
    scanned: list[str] = []

    def counting(text: str) -> str:
        scanned.append(text)
        return mask(text)

    monkeypatch.setattr(privacy, "mask", counting)  # what the log's own masker is made of
    log = call_log.CallLog(sessions=None)  # type: ignore[arg-type]  # rows() never opens one
    prompt = {"role": "system", "content": "You are the router. Mail ann@example.com for help."}
    record = TurnRecord(id="r_1", calls=[CallRecordView(purpose="router", model="demo-large", provider="demo")])
    for asked in ("where is my order?", "and bob@example.com's?"):
        request = ChatRequest([prompt, {"role": "user", "content": asked}], "demo-large")
        (row,) = log.rows(record, [Exchange(request, "ok", [], Usage(1, 1))], datetime(2026, 12, 4, tzinfo=UTC), True)
        assert row.request["messages"] == mask_value(request_json(request)["messages"])
    assert scanned.count(prompt["content"]) == 1  # the second request's system prompt was remembered
