"""Conversations and their messages: created, listed, streamed into, taken over by a person,
and their personal-data vaults."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from switchboard.app.shop.audit import Stamp
from switchboard.app.shop.db import Sessions
from switchboard.app.shop.leases import ProcessLeases
from switchboard.app.shop.models import (
    Conversation,
    ConversationVault,
    Customer,
    Message,
    ModelCall,
    RequestRecord,
    RunConversation,
    Takeover,
)
from switchboard.app.shop.store import Clock
from switchboard.app.turns.feed import ConversationFeed, Feed, held_changed, message_posted
from switchboard.patterns.pii.redaction import Vault


def title_from(text: str, limit: int = 40) -> str:
    """A conversation's title: its first message, on one line, cut at a word near `limit`
    characters (the list shows the time beside it, so repeated questions stay apart)."""
    words = " ".join(text.split())
    if len(words) <= limit:
        return words
    cut = words[:limit].rsplit(" ", 1)[0] or words[:limit]
    return cut.rstrip(" ,.;:!?-") + "…"


def new_id(prefix: str = "") -> str:
    return prefix + uuid.uuid4().hex[:12]


@dataclass(frozen=True)
class Opened:
    """A turn's start as one transaction left it: the customer's message, the empty answer to it,
    the person holding the conversation (if any) and its PII vault as they were then."""

    question: Message
    reply: Message
    held: Takeover | None
    vault: Vault


def _not_played_by_a_run() -> Any:
    """People's lists (the chat page's, the console's) leave out the conversations runs played."""
    return col(Conversation.id).not_in(select(RunConversation.conversation_id))


Ride = Callable[[], Awaitable[None]]
# Writes that go inside a turn's end transaction: given its session, a context that yields the
# write (services: the spend ledger's held charges, app/cost/budgets.py's `LedgerGuard.riding`)
# and sees the transaction fail, commit included.
Rider = Callable[[AsyncSession], AbstractAsyncContextManager[Ride]]


async def _nothing() -> None:
    return None


@asynccontextmanager
async def _nothing_rides(_s: AsyncSession) -> AsyncIterator[Ride]:
    yield _nothing


class ConversationStore:
    """`feed` hears what is posted outside the customer's own turn (`add_message`, take-overs),
    so that the open chat shows it at once; the turn's own exchange streams to its sender."""

    def __init__(
        self,
        sessions: Sessions,
        now: Clock,
        feed: Feed | None = None,
        leases: ProcessLeases | None = None,
        riding: Rider = _nothing_rides,
    ) -> None:
        """`leases`: this process's, recorded as the owner of the answers it streams, so that a
        replica's recovery leaves them alone while it lives; None (one process, tests): all are
        recovered. `riding`: what else a turn's end transaction writes (see Rider)."""
        self._sessions = sessions
        self._riding = riding
        self._leases = leases
        self._now = now
        self._feed: Feed = feed or ConversationFeed()

    async def create(self, customer_id: str, run_id: str | None = None) -> Conversation:
        conversation = Conversation(id=new_id("c_"), customer_id=customer_id, created_at=self._now())
        async with self._sessions() as s, s.begin():
            s.add(conversation)
            if run_id is not None:
                await s.flush()  # the conversation row first: the run's row refers to it
                s.add(RunConversation(conversation_id=conversation.id, run_id=run_id))
        return conversation

    async def get(self, conversation_id: str) -> Conversation | None:
        async with self._sessions() as s:
            return await s.get(Conversation, conversation_id)

    async def for_customer(self, customer_id: str) -> list[Conversation]:
        async with self._sessions() as s:
            query = (
                select(Conversation)
                .where(Conversation.customer_id == customer_id, _not_played_by_a_run())
                .order_by(col(Conversation.created_at).desc())
            )
            return list((await s.exec(query)).all())

    async def messages(self, conversation_id: str) -> list[Message]:
        async with self._sessions() as s:
            query = (
                select(Message)
                .where(Message.conversation_id == conversation_id)
                .order_by(col(Message.created_at), col(Message.id))
            )
            return list((await s.exec(query)).all())

    async def add_message(
        self, conversation_id: str, role: str, content: str, *, complete: bool = True, stamp: Stamp | None = None
    ) -> Message:
        """`stamp`: a person's reply, audited in the same transaction as the message."""
        (message,) = await self._add(conversation_id, [(role, content, complete)], stamp)
        self._feed.publish(conversation_id, message_posted(message.id, role, content))
        return message

    async def add_exchange(self, conversation_id: str, text: str) -> tuple[Message, Message]:
        """The customer's message and the empty answer to it, in one transaction: a crash never
        leaves a message with no answer to mark interrupted."""
        opened = await self.open_exchange(conversation_id, text)
        return opened.question, opened.reply

    async def open_exchange(self, conversation_id: str, text: str) -> Opened:
        """`add_exchange`, and what the turn needs to know of its conversation — who holds it,
        its vault — read in the same transaction by one SELECT: a turn's start is one unit of
        work for the database, not one session per question."""
        question, reply = rows = self._rows(conversation_id, [("user", text, True), ("assistant", "", False)])
        async with self._sessions() as s, s.begin():
            _put_messages(s, rows, None)
            conversation, held, vault = await _conversation_whole(s, conversation_id)
            _titled(conversation, rows)
        return Opened(question, reply, held, vault)

    async def _add(
        self, conversation_id: str, messages: list[tuple[str, str, bool]], stamp: Stamp | None = None
    ) -> list[Message]:
        rows = self._rows(conversation_id, messages)
        async with self._sessions() as s, s.begin():
            _put_messages(s, rows, stamp)
            _titled(await s.get(Conversation, conversation_id), rows)
        return rows

    def _rows(self, conversation_id: str, messages: list[tuple[str, str, bool]]) -> list[Message]:
        return [
            Message(
                id=new_id("m_"),
                conversation_id=conversation_id,
                role=role,
                content=content,
                created_at=self._now(),
                complete=complete,
                owner=None if complete or self._leases is None else self._leases.id,
            )
            for role, content, complete in messages
        ]

    async def taken_over(self, conversation_id: str) -> Takeover | None:
        async with self._sessions() as s:
            return await s.get(Takeover, conversation_id)

    async def take_over(self, conversation_id: str, by: str, stamp: Stamp | None = None) -> None:
        """`stamp`: the operator's action, audited in the same transaction (so for hand_back)."""
        async with self._sessions() as s, s.begin():
            held = await s.get(Takeover, conversation_id)
            if held is None:
                s.add(Takeover(conversation_id=conversation_id, by=by, since=self._now()))
            _audit(s, stamp, held is not None, True)
        self._feed.publish(conversation_id, held_changed(True))

    async def hand_back(self, conversation_id: str, stamp: Stamp | None = None) -> None:
        async with self._sessions() as s, s.begin():
            held = await s.get(Takeover, conversation_id)
            if held is not None:
                await s.delete(held)
            _audit(s, stamp, held is not None, False)
        self._feed.publish(conversation_id, held_changed(False))

    async def recent(self, limit: int = 12, tenant: str | None = None) -> list[Conversation]:
        """The newest conversations people had (with `tenant`: that storefront's customers' only)."""
        query = select(Conversation).where(_not_played_by_a_run())
        if tenant is not None:
            query = query.join(Customer).where(Customer.tenant_id == tenant)
        async with self._sessions() as s:
            newest = query.order_by(col(Conversation.created_at).desc()).limit(limit)
            return list((await s.exec(newest)).all())

    async def vault(self, conversation_id: str) -> Vault:
        async with self._sessions() as s:
            row = await s.get(ConversationVault, conversation_id)
            return Vault.from_dict(row.entries) if row else Vault()

    async def save_vault(self, conversation_id: str, vault: Vault) -> None:
        async with self._sessions() as s, s.begin():
            await _put_vault(s, conversation_id, vault)

    async def save_drafts(self, drafts: dict[str, str]) -> None:
        """Answers so far, by message id, while they stream — in one transaction, never over an
        answer already finished (so a draft landing late cannot undo the final text)."""
        table = Message.__table__  # type: ignore[attr-defined]
        unfinished = update(table).where(
            table.c.id == bindparam("message_id"), table.c.complete.is_(False), table.c.record_id.is_(None)
        )
        rows = [{"message_id": key, "draft": text} for key, text in drafts.items()]
        async with self._sessions() as s, s.begin():
            connection = await s.connection()
            await connection.execute(unfinished.values(content=bindparam("draft")), rows)

    async def interrupted(self) -> list[tuple[Message, str, str | None]]:
        """Answers left mid-stream with no record — the server stopped while they streamed —
        each with its conversation's customer and the run that played it, if one did. With leases,
        only those no live process owns: another replica's live stream is not interrupted."""
        cut: list[ColumnElement[bool]] = [
            col(Message.role) == "assistant",
            col(Message.complete).is_(False),
            col(Message.record_id).is_(None),
        ]
        if self._leases is not None:
            cut.append(self._leases.orphaned(Message.owner))
        async with self._sessions() as s:
            query = (
                select(Message, Conversation.customer_id, RunConversation.run_id)
                .join(Conversation, col(Conversation.id) == col(Message.conversation_id))
                .outerjoin(RunConversation, col(RunConversation.conversation_id) == col(Message.conversation_id))
                .where(*cut)
                .order_by(col(Message.created_at))
            )
            return [(m, customer, run) for m, customer, run in (await s.exec(query)).all()]

    async def finish_answer(
        self,
        message_id: str,
        content: str,
        *,
        complete: bool,
        record: RequestRecord,
        vault: Vault | None = None,
        calls: Sequence[ModelCall] = (),
    ) -> None:
        """An answer's end in one transaction: its final text, its request record, its model calls'
        requests (the call log) and, when the turn added to it, the conversation's PII vault — so
        a crash keeps all or none of them, and a busy database is asked once, not four times.
        What rides with it (the turn's last charge, held by the spend ledger) is written last."""
        async with self._sessions() as s, self._riding(s) as ride, s.begin():
            s.add(record)
            s.add_all(calls)
            if vault is not None:
                await _put_vault(s, record.conversation_id, vault)
            # One UPDATE, not a SELECT of the row and then its UPDATE.
            finished = {"content": content, "complete": complete, "record_id": record.id}
            await s.exec(update(Message).where(col(Message.id) == message_id).values(**finished))  # type: ignore[call-overload]
            await ride()


def _put_messages(s: AsyncSession, rows: list[Message], stamp: Stamp | None) -> None:
    """The messages added (audited with `stamp`). Added before the transaction reads anything, so
    its first statement is a write: SQLite then waits for the write lock rather than failing on a
    snapshot another process wrote past (the reads after it flush the inserts first)."""
    s.add_all(rows)
    if stamp is not None:
        s.add(stamp.entry(None, {"message_ids": [m.id for m in rows]}))


def _titled(conversation: Conversation | None, rows: list[Message]) -> None:
    """A conversation with no title takes its first message's words."""
    first_words = next((m.content for m in rows if m.role == "user"), "")
    if conversation is not None and not conversation.title and first_words:
        conversation.title = title_from(first_words)


async def _conversation_whole(
    s: AsyncSession, conversation_id: str
) -> tuple[Conversation | None, Takeover | None, Vault]:
    """The conversation, its take-over and its vault, in one SELECT (outer joins: either may be absent)."""
    query = (
        select(Conversation, Takeover, ConversationVault)
        .outerjoin(Takeover, col(Takeover.conversation_id) == col(Conversation.id))
        .outerjoin(ConversationVault, col(ConversationVault.conversation_id) == col(Conversation.id))
        .where(Conversation.id == conversation_id)
    )
    found = (await s.exec(query)).first()
    if found is None:
        return None, None, Vault()
    conversation, held, vault = found
    return conversation, held, Vault.from_dict(vault.entries) if vault is not None else Vault()


async def _put_vault(s: AsyncSession, conversation_id: str, vault: Vault) -> None:
    """The conversation's vault, written whole in one upsert (no read of the row first)."""
    insert = postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
    row = insert(ConversationVault).values(conversation_id=conversation_id, entries=vault.to_dict())
    await s.exec(row.on_conflict_do_update(index_elements=["conversation_id"], set_={"entries": row.excluded.entries}))


def _audit(s: AsyncSession, stamp: Stamp | None, was_held: bool, held: bool) -> None:
    if stamp is not None:
        s.add(stamp.entry({"taken_over": was_held}, {"taken_over": held}))
