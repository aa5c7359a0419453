"""The schema as it was before revisions: every table create_all made, created where missing.

Databases made before revisions existed were built by `SQLModel.metadata.create_all`, which adds
missing tables and never alters one; versions added tables over time (`refund_ledger`,
`run_conversation`, `spend_window` ...). So this revision creates each of its tables only where
it is absent: a fresh database gets them all, and one made by any earlier version reaches this
schema with its rows untouched, which is what stamping it would claim without making it true.

Revision 0001 (the first).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _absent(table: str) -> bool:
    return not sa.inspect(op.get_bind()).has_table(table)


def upgrade() -> None:
    if _absent("approval"):
        op.create_table(
            "approval",
            sa.Column("id", sa.String(), nullable=False),
            sa.Column("conversation_id", sa.String(), nullable=False),
            sa.Column("customer_id", sa.String(), nullable=False),
            sa.Column("request", sa.JSON(), nullable=True),
            sa.Column("status", sa.String(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("decided_by", sa.String(), nullable=True),
            sa.Column("reply", sa.String(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_approval_conversation_id"), "approval", ["conversation_id"], unique=False)
    if _absent("conversation_vault"):
        op.create_table(
            "conversation_vault",
            sa.Column("conversation_id", sa.String(), nullable=False),
            sa.Column("entries", sa.JSON(), nullable=True),
            sa.PrimaryKeyConstraint("conversation_id"),
        )
    if _absent("customer"):
        op.create_table(
            "customer",
            sa.Column("id", sa.String(), nullable=False),
            sa.Column("name", sa.String(), nullable=False),
            sa.Column("email", sa.String(), nullable=False),
            sa.Column("phone", sa.String(), nullable=False),
            sa.Column("address", sa.String(), nullable=False),
            sa.Column("loyalty_tier", sa.String(), nullable=False),
            sa.Column("loyalty_points", sa.Integer(), nullable=False),
            sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
    if _absent("idempotent_result"):
        op.create_table(
            "idempotent_result",
            sa.Column("key", sa.String(), nullable=False),
            sa.Column("result", sa.JSON(), nullable=True),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("key"),
        )
    if _absent("meta"):
        op.create_table(
            "meta",
            sa.Column("key", sa.String(), nullable=False),
            sa.Column("value", sa.String(), nullable=False),
            sa.PrimaryKeyConstraint("key"),
        )
    if _absent("product"):
        op.create_table(
            "product",
            sa.Column("sku", sa.String(), nullable=False),
            sa.Column("name", sa.String(), nullable=False),
            sa.Column("category", sa.String(), nullable=False),
            sa.Column("price", sa.Float(), nullable=False),
            sa.Column("warranty_months", sa.Integer(), nullable=False),
            sa.Column("final_sale", sa.Boolean(), nullable=False),
            sa.Column("description", sa.String(), nullable=False),
            sa.PrimaryKeyConstraint("sku"),
        )
    if _absent("request_record"):
        op.create_table(
            "request_record",
            sa.Column("id", sa.String(), nullable=False),
            sa.Column("conversation_id", sa.String(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("flags_key", sa.String(), nullable=False),
            sa.Column("outcome", sa.String(), nullable=False),
            sa.Column("data", sa.JSON(), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_request_record_conversation_id"), "request_record", ["conversation_id"], unique=False)
        op.create_index(op.f("ix_request_record_created_at"), "request_record", ["created_at"], unique=False)
        op.create_index(op.f("ix_request_record_flags_key"), "request_record", ["flags_key"], unique=False)
    if _absent("run"):
        op.create_table(
            "run",
            sa.Column("id", sa.String(), nullable=False),
            sa.Column("name", sa.String(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("dataset", sa.String(), nullable=False),
            sa.Column("dataset_hash", sa.String(), nullable=False),
            sa.Column("code_version", sa.String(), nullable=False),
            sa.Column("flags", sa.JSON(), nullable=True),
            sa.Column("prompt_versions", sa.JSON(), nullable=True),
            sa.Column("summary", sa.JSON(), nullable=True),
            sa.Column("cases", sa.JSON(), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_run_name"), "run", ["name"], unique=False)
    if _absent("spend_window"):
        op.create_table(
            "spend_window",
            sa.Column("key", sa.String(), nullable=False),
            sa.Column("tokens", sa.Integer(), nullable=False),
            sa.Column("micro_usd", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("key"),
        )
    if _absent("takeover"):
        op.create_table(
            "takeover",
            sa.Column("conversation_id", sa.String(), nullable=False),
            sa.Column("by", sa.String(), nullable=False),
            sa.Column("since", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("conversation_id"),
        )
    if _absent("conversation"):
        op.create_table(
            "conversation",
            sa.Column("id", sa.String(), nullable=False),
            sa.Column("customer_id", sa.String(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("title", sa.String(), nullable=False),
            sa.ForeignKeyConstraint(["customer_id"], ["customer.id"]),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_conversation_customer_id"), "conversation", ["customer_id"], unique=False)
    if _absent("orders"):
        op.create_table(
            "orders",
            sa.Column("id", sa.String(), nullable=False),
            sa.Column("customer_id", sa.String(), nullable=False),
            sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("status", sa.String(), nullable=False),
            sa.Column("shipping_method", sa.String(), nullable=False),
            sa.Column("carrier", sa.String(), nullable=True),
            sa.Column("tracking_number", sa.String(), nullable=True),
            sa.ForeignKeyConstraint(["customer_id"], ["customer.id"]),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_orders_customer_id"), "orders", ["customer_id"], unique=False)
    if _absent("ticket"):
        op.create_table(
            "ticket",
            sa.Column("id", sa.String(), nullable=False),
            sa.Column("customer_id", sa.String(), nullable=False),
            sa.Column("conversation_id", sa.String(), nullable=True),
            sa.Column("reason", sa.String(), nullable=False),
            sa.Column("status", sa.String(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(["customer_id"], ["customer.id"]),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_ticket_customer_id"), "ticket", ["customer_id"], unique=False)
    if _absent("address_change"):
        op.create_table(
            "address_change",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("order_id", sa.String(), nullable=False),
            sa.Column("address", sa.String(), nullable=False),
            sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("by", sa.String(), nullable=False),
            sa.ForeignKeyConstraint(["order_id"], ["orders.id"]),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_address_change_order_id"), "address_change", ["order_id"], unique=False)
    if _absent("message"):
        op.create_table(
            "message",
            sa.Column("id", sa.String(), nullable=False),
            sa.Column("conversation_id", sa.String(), nullable=False),
            sa.Column("role", sa.String(), nullable=False),
            sa.Column("content", sa.String(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("complete", sa.Boolean(), nullable=False),
            sa.Column("record_id", sa.String(), nullable=True),
            sa.ForeignKeyConstraint(["conversation_id"], ["conversation.id"]),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_message_conversation_id"), "message", ["conversation_id"], unique=False)
    if _absent("orderitem"):
        op.create_table(
            "orderitem",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("order_id", sa.String(), nullable=False),
            sa.Column("sku", sa.String(), nullable=False),
            sa.Column("qty", sa.Integer(), nullable=False),
            sa.Column("unit_price", sa.Float(), nullable=False),
            sa.ForeignKeyConstraint(["order_id"], ["orders.id"]),
            sa.ForeignKeyConstraint(["sku"], ["product.sku"]),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_orderitem_order_id"), "orderitem", ["order_id"], unique=False)
    if _absent("refund"):
        op.create_table(
            "refund",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("order_id", sa.String(), nullable=False),
            sa.Column("amount", sa.Float(), nullable=False),
            sa.Column("status", sa.String(), nullable=False),
            sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("reason", sa.String(), nullable=False),
            sa.ForeignKeyConstraint(["order_id"], ["orders.id"]),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_refund_order_id"), "refund", ["order_id"], unique=False)
    if _absent("refund_ledger"):
        op.create_table(
            "refund_ledger",
            sa.Column("order_id", sa.String(), nullable=False),
            sa.Column("refundable_cents", sa.Integer(), nullable=False),
            sa.Column("refunded_cents", sa.Integer(), nullable=False),
            sa.CheckConstraint("refunded_cents BETWEEN 0 AND refundable_cents", name="refunds_within_total"),
            sa.ForeignKeyConstraint(["order_id"], ["orders.id"]),
            sa.PrimaryKeyConstraint("order_id"),
        )
    if _absent("run_conversation"):
        op.create_table(
            "run_conversation",
            sa.Column("conversation_id", sa.String(), nullable=False),
            sa.Column("run_id", sa.String(), nullable=False),
            sa.ForeignKeyConstraint(["conversation_id"], ["conversation.id"]),
            sa.PrimaryKeyConstraint("conversation_id"),
        )
        op.create_index(op.f("ix_run_conversation_run_id"), "run_conversation", ["run_id"], unique=False)
    if _absent("trackingevent"):
        op.create_table(
            "trackingevent",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("order_id", sa.String(), nullable=False),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("status", sa.String(), nullable=False),
            sa.Column("location", sa.String(), nullable=False),
            sa.Column("description", sa.String(), nullable=False),
            sa.ForeignKeyConstraint(["order_id"], ["orders.id"]),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_trackingevent_order_id"), "trackingevent", ["order_id"], unique=False)
    if _absent("approval_refund"):
        op.create_table(
            "approval_refund",
            sa.Column("approval_id", sa.String(), nullable=False),
            sa.Column("refund_id", sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint(["approval_id"], ["approval.id"]),
            sa.ForeignKeyConstraint(["refund_id"], ["refund.id"]),
            sa.PrimaryKeyConstraint("approval_id"),
            sa.UniqueConstraint("refund_id"),
        )


def downgrade() -> None:
    raise NotImplementedError("0001 is the first schema: there is nothing to go back to")
