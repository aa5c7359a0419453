"""Database tables (SQLModel): the shops' business data and the assistant's own records.

A change here needs a revision in migrations/ (tests/app/shop/migrations checks they agree)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column
from sqlmodel import Field, SQLModel


class Customer(SQLModel, table=True):
    id: str = Field(primary_key=True)
    tenant_id: str = Field(index=True)  # the storefront they shop at (app/shop/tenants.py)
    name: str
    email: str
    phone: str
    address: str
    loyalty_tier: str
    loyalty_points: int
    joined_at: datetime


class Product(SQLModel, table=True):
    sku: str = Field(primary_key=True)
    tenant_id: str = Field(index=True)
    name: str
    category: str
    price: float
    warranty_months: int
    final_sale: bool = False
    description: str = ""


class Order(SQLModel, table=True):
    """Belongs to its customer, and so to the customer's tenant."""

    __tablename__ = "orders"
    id: str = Field(primary_key=True)
    customer_id: str = Field(foreign_key="customer.id", index=True)
    placed_at: datetime
    status: str
    shipping_method: str
    carrier: str | None = None
    tracking_number: str | None = None


class OrderItem(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    order_id: str = Field(foreign_key="orders.id", index=True)
    sku: str = Field(foreign_key="product.sku")
    qty: int
    unit_price: float


class TrackingEvent(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    order_id: str = Field(foreign_key="orders.id", index=True)
    at: datetime
    status: str
    location: str
    description: str


class Refund(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    order_id: str = Field(foreign_key="orders.id", index=True)
    amount: float
    status: str  # approved | pending | completed
    requested_at: datetime
    completed_at: datetime | None = None
    reason: str = ""


class RefundLedger(SQLModel, table=True):
    """What one order has been refunded, against what it may be: the row every refund on the
    order must update, so that the database itself keeps refunds within the order's total.

    Whole cents, so that the database compares exactly. A refund takes its amount with one
    conditional UPDATE (switchboard/app/shop/refund_ledger.py), and the CHECK refuses any other writer.
    A table of its own (not columns on `orders`) so that databases made by earlier versions gain
    it; an order's row is made on its first refund since.
    """

    __tablename__ = "refund_ledger"
    __table_args__ = (CheckConstraint("refunded_cents BETWEEN 0 AND refundable_cents", name="refunds_within_total"),)
    order_id: str = Field(primary_key=True, foreign_key="orders.id")
    refundable_cents: int
    refunded_cents: int = 0


class ApprovalRefund(SQLModel, table=True):
    """The refund an approval paid, written in the same transaction as the refund. Keyed by the
    approval, so that however often its decision is resumed or retried, it pays at most once."""

    __tablename__ = "approval_refund"
    approval_id: str = Field(primary_key=True, foreign_key="approval.id")
    refund_id: int = Field(foreign_key="refund.id", unique=True)


class IdempotentResult(SQLModel, table=True):
    """The result of a write, stored under the caller's idempotency key: a retry gets it back."""

    __tablename__ = "idempotent_result"
    key: str = Field(primary_key=True)
    result: dict[str, Any] = Field(sa_column=Column(JSON))
    created_at: datetime


class Approval(SQLModel, table=True):
    """A risky action waiting for a person (chapter 7); its graph waits on thread `approval:<id>`."""

    id: str = Field(primary_key=True)
    conversation_id: str = Field(index=True)
    customer_id: str
    request: dict[str, Any] = Field(sa_column=Column(JSON))
    status: str = "pending"  # pending | deciding (claimed by a decision) | approve | edit | deny | reply | expired
    created_at: datetime
    deadline_at: datetime
    decided_at: datetime | None = None
    decided_by: str | None = None
    reply: str = ""
    owner: str | None = None  # while claimed: the process lease deciding it (app/shop/leases.py)


class Takeover(SQLModel, table=True):
    """A conversation a person has taken over from the assistant (chapter 7), until handed back."""

    conversation_id: str = Field(primary_key=True)
    by: str
    since: datetime


class ConversationVault(SQLModel, table=True):
    """The placeholders of one conversation's personal data (chapter 11): the only place the
    originals are kept once redaction is on. Never copied into records or traces."""

    __tablename__ = "conversation_vault"
    conversation_id: str = Field(primary_key=True)
    entries: dict[str, Any] = Field(sa_column=Column(JSON))


class AddressChange(SQLModel, table=True):
    """A new delivery address for one order; the latest one is where it goes."""

    __tablename__ = "address_change"
    id: int | None = Field(default=None, primary_key=True)
    order_id: str = Field(foreign_key="orders.id", index=True)
    address: str
    changed_at: datetime
    by: str = "assistant"


class Conversation(SQLModel, table=True):
    id: str = Field(primary_key=True)
    customer_id: str = Field(foreign_key="customer.id", index=True)
    created_at: datetime
    title: str = ""


class RunConversation(SQLModel, table=True):
    """A conversation an eval run played: kept for the run's records, out of people's lists.
    A table of its own (not a column) so that databases made by earlier versions gain it."""

    __tablename__ = "run_conversation"
    conversation_id: str = Field(primary_key=True, foreign_key="conversation.id")
    run_id: str = Field(index=True)


class Message(SQLModel, table=True):
    id: str = Field(primary_key=True)
    conversation_id: str = Field(foreign_key="conversation.id", index=True)
    role: str  # user | assistant
    content: str
    created_at: datetime
    complete: bool = True  # False while streaming, or when the stream was cut off
    record_id: str | None = None
    owner: str | None = None  # the process lease streaming it (app/shop/leases.py); None before 0009


class Ticket(SQLModel, table=True):
    id: str = Field(primary_key=True)
    customer_id: str = Field(foreign_key="customer.id", index=True)
    conversation_id: str | None = None
    reason: str
    status: str = "open"
    created_at: datetime


class RequestRecord(SQLModel, table=True):
    """One turn: what ran, under which flags, what it cost and how it ended."""

    __tablename__ = "request_record"
    id: str = Field(primary_key=True)
    conversation_id: str = Field(index=True)
    created_at: datetime = Field(index=True)
    flags_key: str = Field(index=True)
    outcome: str
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))


class Run(SQLModel, table=True):
    """A dataset replayed under one flag configuration, with every case's verdicts."""

    id: str = Field(primary_key=True)
    name: str = Field(index=True)
    created_at: datetime
    dataset: str
    dataset_hash: str
    code_version: str
    flags: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    prompt_versions: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    summary: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    cases: list[Any] = Field(default_factory=list, sa_column=Column(JSON))


class Meta(SQLModel, table=True):
    key: str = Field(primary_key=True)
    value: str


class SpendWindow(SQLModel, table=True):
    """What one budget window has spent so far (switchboard/app/cost/spend_ledger.py): keyed by
    the window ("customer:tidewater/C1001:2026-12-03", "tenant:tidewater:2026-12"), so that a restart keeps
    every customer's and tenant's spend. Tokens whole, dollars in micro-dollars, so the database
    adds exactly."""

    __tablename__ = "spend_window"
    key: str = Field(primary_key=True)
    tokens: int = 0
    micro_usd: int = 0


class SpendReservation(SQLModel, table=True):
    """A budget check's hold on one call's expected spend, in one window (spend_ledger.py): the
    check records it in the transaction that found room for it, the charge after the call
    replaces it with what was really spent. It expires, so a process dying between the two
    cannot hold a customer's budget for ever."""

    __tablename__ = "spend_reservation"
    id: str = Field(primary_key=True)
    key: str = Field(primary_key=True, index=True)
    tokens: int
    micro_usd: int
    expires_at: datetime = Field(index=True)


class AuditEntry(SQLModel, table=True):
    """One operator action (app/shop/audit.py): when, who (how they signed in, never the token),
    from where, what, and what it changed. Written once: nothing updates or deletes a row, and
    the migration's triggers refuse to on SQLite and Postgres."""

    __tablename__ = "audit_log"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    action: str = Field(index=True)
    sign_in: str  # admin_token | admin_cookie | cli
    address: str  # the client's address, as the server saw it
    user_agent: str
    target: str = ""  # what it acted on: a conversation, an approval, a preset's name …
    before: Any = Field(default=None, sa_column=Column(JSON))
    after: Any = Field(default=None, sa_column=Column(JSON))
    note: str = ""  # words the operator wrote with it: a reply, a decision's note


class TraceRow(SQLModel, table=True):
    """Finished OpenTelemetry spans of a turn's trace (`tracing`), as one JSON array: the spans a
    claim took at once (the turn's when its record is saved, then the request's). One row per
    claim, not per span: a row's bookkeeping cost more than a span's bytes. Scoped like the turn's
    record — conversation, record, tenant, customer — so a trace is only ever read for the
    customer whose turn it was (or the operator). Migration 0008 replaced 0005's row per span."""

    __tablename__ = "trace_parts"
    id: int | None = Field(default=None, primary_key=True)
    trace_id: str = Field(index=True)
    conversation_id: str = Field(index=True)
    record_id: str = Field(index=True)
    tenant_id: str
    customer_id: str
    spans: str  # JSON: [SpanData's fields as an object, ...] (app/turns/traces.py)


class ModelCall(SQLModel, table=True):
    """One model call attempt of a turn (app/turns/call_log.py): its exact request and what came
    back. Keyed by the turn's record and the call's index in the record's `calls`: row N is
    `calls[N]`, and a trace's provider-attempt span names it by `switchboard.call_index`. Masked
    as the record is (pii_redaction on: placeholders kept, any other personal data `[EMAIL]`)."""

    __tablename__ = "model_call"
    record_id: str = Field(primary_key=True)
    call_index: int = Field(primary_key=True)
    conversation_id: str = Field(index=True)
    customer_id: str = Field(index=True)
    tenant_id: str = Field(index=True)
    run_id: str | None = Field(default=None, index=True)
    created_at: datetime = Field(index=True)
    purpose: str
    model: str
    provider: str
    masked: bool = False
    request: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    answer: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))


class PromptRolloutRow(SQLModel, table=True):
    """One prompt's rollout (app/shop/prompt_rollouts.py): the version everyone is served, and a
    candidate served to `share` percent of conversations. No row: the shipped file is stable."""

    __tablename__ = "prompt_rollout"
    prompt: str = Field(primary_key=True)
    stable: str
    candidate: str | None = None
    share: float = 0.0  # 0–100
    updated_at: datetime


class ProcessLease(SQLModel, table=True):
    """A running process's claim to be alive: what it streams and decides is its own while the
    lease is renewed (app/shop/leases.py); a lapsed lease's work is closed by a survivor."""

    __tablename__ = "process_lease"
    id: str = Field(primary_key=True)
    pid: int
    host: str
    started_at: datetime
    renewed_at: datetime
