"""The typed runtime context of one turn, and the stores the agents need, as Protocols.

The app builds a `TurnContext` per request and passes it to the graph. The customer id comes
from here — from the authenticated session — and never from anything a model says.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from switchboard.agents.llm.gateway import Gateway
from switchboard.agents.llm.types import DeadlineExceeded
from switchboard.agents.prompts import PromptBook
from switchboard.agents.shop_views import (
    AccountView,
    AddressResult,
    ApprovedRefund,
    OrderSummary,
    OrderView,
    RefundResult,
    TrackingView,
)
from switchboard.patterns.injection.canary import Canary
from switchboard.patterns.injection.scanner import Verdict
from switchboard.patterns.latency_budget import Deadline
from switchboard.patterns.loop_guard import Caps
from switchboard.patterns.pii.redaction import Vault


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk of a help-centre article."""

    id: str  # "<tenant>/<article>#<chunk>"
    source: str  # the article id, which answers cite (unique within its tenant)
    title: str
    text: str
    score: float


class Shop(Protocol):
    """Business data, scoped to one customer. An owner of None means anyone's order: only the
    `session_authorisation` switch turned off asks for that, to show what scoping prevents.

    Any method may raise `TransientToolError` (a blip that a retry may fix). A refund carries
    an idempotency key: a repeat with the same key returns the first result and refunds nothing.
    """

    async def order(self, owner: str | None, order_id: str) -> OrderView | None: ...

    async def orders(self, customer_id: str) -> list[OrderSummary]: ...

    async def tracking(self, owner: str | None, order_id: str) -> TrackingView | None: ...

    async def request_refund(
        self, owner: str | None, order_id: str, reason: str, idempotency_key: str | None = None
    ) -> RefundResult: ...

    async def update_address(self, owner: str | None, order_id: str, address: str) -> AddressResult: ...

    async def redirect_shipment(self, customer_id: str, order_id: str, address: str, approver: str) -> AddressResult:
        """An address change a person approved after the order shipped."""
        ...

    async def approve_refund(
        self, customer_id: str, order_id: str, amount: float, approver: str, approval_id: str
    ) -> ApprovedRefund:
        """A refund a person approved (outside the limits the assistant may approve alone): at most
        one per approval, and never more than is left to refund on the order."""
        ...

    async def account(self, customer_id: str) -> AccountView | None: ...

    async def open_ticket(self, customer_id: str, conversation_id: str, reason: str) -> str: ...


class InputScanner(Protocol):
    def scan(self, text: str) -> Verdict: ...


class Knowledge(Protocol):
    async def search(self, query: str, k: int, hybrid: bool = False, *, tenant: str) -> list[Passage]:
        """The passages nearest `query` among `tenant`'s articles only."""
        ...


@dataclass(frozen=True)
class TurnContext:
    customer_id: str
    conversation_id: str
    flags: Mapping[str, bool]
    gateway: Gateway
    shop: Shop
    knowledge: Knowledge
    prompts: PromptBook
    model: str = "demo-large"
    router_model: str = "demo-large"
    tenant_id: str = "tidewater"  # the storefront the customer belongs to: scopes knowledge, cache, budgets
    deadline: float | None = None  # time.monotonic() instant by which the turn must be done
    turn_id: str = ""  # scopes idempotency keys: the same refund asked in a later turn is a new request
    loop_caps: Caps = field(default_factory=Caps)
    scanner: InputScanner | None = None
    canary: Canary | None = None  # fresh per turn; planted in the specialists' prompts with `canary` on
    vault: Vault | None = None  # with `pii_redaction` on: tool output is redacted before a model reads it
    clock: Callable[[], float] = time.monotonic  # what `deadline` is read on (tests move it)

    def on(self, flag: str) -> bool:
        return bool(self.flags.get(flag, False))

    def check_deadline(self, before: str) -> None:
        """With `latency_budget` on, the whole turn keeps to its deadline, not only its model
        calls: this is asked before every graph step, model call and tool call."""
        if Deadline(self.deadline, self.clock).expired():
            raise DeadlineExceeded(message=f"the turn's latency budget ran out before {before}")
