"""The conversation store's turn-path writes: each one unit of work for the database."""

from __future__ import annotations

from typing import Any

import pytest

from switchboard.app.services import Services
from switchboard.app.turns.runner import TurnRunner
from switchboard.patterns.pii.redaction import Vault
from tests.app.statements import counted


async def test_opening_an_exchange_reads_who_holds_it_and_its_vault_with_the_write(services: Services) -> None:
    conversation = (await services.conversations.create("C1001")).id
    vault = Vault()
    vault.redact("mail me at jo.bloggs@example.org")
    await services.conversations.save_vault(conversation, vault)
    await services.conversations.take_over(conversation, "agent@shop")
    opened = await services.conversations.open_exchange(conversation, "where is my order?")
    assert opened.held is not None and opened.held.by == "agent@shop"
    assert opened.vault.to_dict() == vault.to_dict()
    stored = await services.conversations.messages(conversation)
    assert [(m.id, m.role, m.complete) for m in stored] == [
        (opened.question.id, "user", True),
        (opened.reply.id, "assistant", False),
    ]
    assert (await services.conversations.get(conversation)).title == "where is my order?"  # type: ignore[union-attr]


async def test_a_conversation_no_one_holds_opens_with_an_empty_vault(services: Services) -> None:
    conversation = (await services.conversations.create("C1001")).id
    opened = await services.conversations.open_exchange(conversation, "hello")
    assert opened.held is None and len(opened.vault) == 0


async def test_a_turn_begins_in_one_transaction_with_one_read(services: Services) -> None:
    runner: TurnRunner = services.turns
    conversation = (await services.conversations.create("C1001")).id
    await runner.begin(conversation, "C1001", "warm the customer's tenant")
    with counted(services.engine) as counts:
        await runner.begin(conversation, "C1001", "where is my order?")
    assert counts == {"commits": 1, "INSERT": 1, "SELECT": 1}  # both messages in one INSERT


async def test_an_answer_finishes_in_one_transaction_that_reads_nothing(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    conversation = (await services.conversations.create("C1001")).id
    turn = await services.turns.begin(conversation, "C1001", "my email is jo.bloggs@example.org")
    finish, seen = services.conversations.finish_answer, []

    async def finish_counted(*args: Any, **kwargs: Any) -> None:
        await services.spend.settled()  # the last call's spend, written behind it, is not the finish's
        with counted(services.engine) as counts:
            await finish(*args, **kwargs)
        seen.append(counts)

    monkeypatch.setattr(services.conversations, "finish_answer", finish_counted)
    # No drafts: a batch of them in flight would share the engine's count with the finish.
    monkeypatch.setattr(services.turns.drafts, "offer", lambda *_: None)
    events = [e async for e in services.turns.stream(turn)]
    assert events[-1].kind == "done"
    # the record, its model calls, the vault the message added to, the answer's text: no reads
    assert seen == [{"commits": 1, "INSERT": 3, "UPDATE": 1}]
    finished = (await services.conversations.messages(conversation))[-1]
    assert finished.complete and finished.record_id == events[-1].data["id"] and finished.content
    assert (await services.conversations.vault(conversation)).restore("<EMAIL_1>") == "jo.bloggs@example.org"
