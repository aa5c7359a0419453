"""The typed runtime context of one turn, and the stores the agents need, as Protocols.

The app builds a `TurnContext` per request and passes it to the graph. The customer id comes
from here — from the authenticated session — and never from anything a model says.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from switchboard.agents.events import CacheLooked
from switchboard.agents.llm.gateway import CallListener, CallRecord, Gateway
from switchboard.agents.llm.tracing import TurnTrace, untraced
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
from switchboard.patterns.backpressure import StreamWindow
from switchboard.patterns.injection.canary import Canary
from switchboard.patterns.injection.scanner import Verdict
from switchboard.patterns.latency_budget import Deadline
from switchboard.patterns.loop_guard import Caps
from switchboard.patterns.model_routing import ComplexityPolicy
from switchboard.patterns.pii.redaction import Vault
from switchboard.patterns.spend_budget import BudgetVerdict, Owners, Spend


def _unheard(record: CallRecord) -> None:
    """No runner listening: the graph's stream is the only report (a test's or an eval's graph)."""


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


RoutingMode = Literal["complexity", "cascade", "complexity+cascade"]


@dataclass(frozen=True)
class Routing:
    """How `model_routing` chooses a turn's model: by the question's complexity, as a cascade
    (the small model first, its answer checked), or both (complexity sends the hard questions
    straight to the large model; the rest go through the cascade)."""

    mode: RoutingMode = "complexity+cascade"
    complexity: ComplexityPolicy = field(default_factory=ComplexityPolicy)


@dataclass(frozen=True)
class ContextBudget:
    """`context_window`: the tokens of history a model is sent, of which the summary of the
    older messages may take at most `summary_tokens`."""

    tokens: int = 200
    summary_tokens: int = 64


class SpendGuard(Protocol):
    """Chapter 10's token budget as a model call sees it (implemented in app/cost/budgets.py)."""

    async def check(self, owners: Owners, expected: Spend) -> BudgetVerdict:
        """The budgets' verdict on a call expected to spend `expected`, given what its windows
        have spent so far (every charge made before this check included) and what calls let
        through and not yet charged have reserved. A call let through has `expected` reserved,
        atomically with the check; the verdict's `hold` names the reservation."""
        ...

    def charge(self, owners: Owners, spent: Spend, hold: str | None = None) -> None:
        """Count what a call spent, in place of its reservation `hold`. It does not wait for the
        write: a call cut off by a customer leaving is still counted, from a turn that is being
        cancelled."""
        ...


class AnswerMemory(Protocol):
    """Chapter 10's semantic answer cache as the graph sees it (implemented in
    app/cost/cached_answers.py): which scopes are searched is the app's policy."""

    async def lookup(
        self,
        question: str,
        *,
        tenant: str,
        customer: str,
        models: Sequence[str],
        run_id: str | None = None,
        prompts: str | None = None,
    ) -> CacheLooked:
        """Among the answers `customer` may be given — their own and their tenant's shared ones,
        by any of `models`, under the prompt versions hashed as `prompts` (None: the shipped
        ones) — the one for `question`, if there is one that fits. A turn played by an eval run
        (`run_id`) sees only the answers that run stored."""
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
    small_model: str = "demo-small"  # the cheap model: model routing's small choice, and the summariser
    routing: Routing = field(default_factory=Routing)
    context_budget: ContextBudget = field(default_factory=ContextBudget)
    tenant_id: str = "tidewater"  # the storefront the customer belongs to: scopes knowledge, cache, budgets
    shop_name: str = "Tidewater Outfitters"  # that storefront's name, as prompts and replies say it
    reply_within: str = "1 business day"  # how soon that storefront's people answer a ticket
    deadline: float | None = None  # time.monotonic() instant by which the turn must be done
    turn_id: str = ""  # scopes idempotency keys: the same refund asked in a later turn is a new request
    loop_caps: Caps = field(default_factory=Caps)
    fallback_below: float = 0.3  # router_fallback: a router less confident than this hands the turn to the fallback
    scanner: InputScanner | None = None
    canary: Canary | None = None  # fresh per turn; planted in the specialists' prompts with `canary` on
    vault: Vault | None = None  # with `pii_redaction` on: tool output is redacted before a model reads it
    clock: Callable[[], float] = time.monotonic  # what `deadline` is read on (tests move it)
    spend: SpendGuard | None = None  # counts every call's usage; checks it with `token_budget` on
    run_id: str | None = None  # the eval run playing this turn: it spends in windows of its own
    answers: AnswerMemory | None = None  # the semantic cache, looked up with `semantic_cache` on
    trace: TurnTrace = field(default_factory=untraced)  # the turn's spans (`tracing`; no-op when off)
    prompt_versions: Mapping[str, str] = field(default_factory=dict)  # this conversation's (a canary's); else shipped
    # `backpressure`: the turn's bounded buffer to the client; an answer's token waits for room in it
    window: StreamWindow | None = None
    # Every call the gateway reports, told to the turn's runner directly as well as through the
    # graph's stream: a call cut off by a customer who left is reported after that stream is gone.
    on_call: CallListener = _unheard

    @property
    def owners(self) -> Owners:
        """Who this turn's calls spend for: the turn, its customer, their tenant (or a rehearsal)."""
        return Owners(self.turn_id, self.customer_id, self.tenant_id, rehearsal=self.run_id)

    def prompt(self, name: str, **fields: str) -> str:
        """A prompt's text as this customer's storefront says it, with any other `fields` filled,
        in the version this conversation is served."""
        prompt = self.prompts.get(name, self.prompt_versions.get(name))
        return prompt.render(shop=self.shop_name, reply_within=self.reply_within, **fields)

    def prompt_book(self) -> str:
        """The versions of every prompt this turn uses, as one hash (what the answer cache scopes by)."""
        return self.prompts.version(self.prompt_versions)

    async def search(self, query: str, k: int) -> list[Passage]:
        """The help centre searched for this customer's storefront, as a `retrieval` span."""
        attributes = {"gen_ai.operation.name": "retrieval", "switchboard.retrieval.query": self.trace.text(query)}
        with self.trace.tracer.start_as_current_span("retrieval", attributes=attributes) as span:
            found = await self.knowledge.search(query, k=k, hybrid=self.on("hybrid_search"), tenant=self.tenant_id)
            span.set_attribute("switchboard.retrieval.sources", [p.source for p in found])
            span.set_attribute("switchboard.retrieval.hybrid", self.on("hybrid_search"))
            return found

    def on(self, flag: str) -> bool:
        return bool(self.flags.get(flag, False))

    def check_deadline(self, before: str) -> None:
        """With `latency_budget` on, the whole turn keeps to its deadline, not only its model
        calls: this is asked before every graph step, model call and tool call."""
        if Deadline(self.deadline, self.clock).expired():
            raise DeadlineExceeded(message=f"the turn's latency budget ran out before {before}")
