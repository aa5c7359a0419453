"""What the graph tells the outside world while a turn runs.

Nodes write these to LangGraph's custom stream. The app forwards them to the browser as SSE
and folds them into the turn's request record, so the record is exactly what was shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from switchboard.agents.llm.gateway import CallRecord


@dataclass(frozen=True)
class Token:
    """Answer text for the customer."""

    text: str


@dataclass(frozen=True)
class Step:
    """A node started work; `label` says what, for the progress line."""

    node: str
    label: str


@dataclass(frozen=True)
class RouteChosen:
    route: str
    confidence: float
    by: str  # "router" or "generalist"


@dataclass(frozen=True)
class ToolUsed:
    name: str
    arguments: dict[str, Any]
    ok: bool
    duration_ms: float
    error: str | None = None
    output: str = ""  # what the model read back, for grounding checks
    attempts: int = 1  # more than one when a transient failure was retried


@dataclass(frozen=True)
class Retrieved:
    query: str
    sources: list[str] = field(default_factory=list)  # the article of each passage
    texts: list[str] = field(default_factory=list)  # the passages themselves, for grounding checks
    scores: list[float] = field(default_factory=list)  # each passage's similarity, when the search gave one


@dataclass(frozen=True)
class ModelCalled:
    call: CallRecord


@dataclass(frozen=True)
class TicketOpened:
    ticket_id: str
    reason: str


@dataclass(frozen=True)
class GuardTripped:
    """A guard acted on the turn: which one, what it did, and why."""

    guard: str  # the switch's name: loop_guard, tool_validation, injection_scan, canary, ...
    action: str  # halt | repair | fallback | block | flag | withhold | reask
    detail: str


@dataclass(frozen=True)
class GuardPassed:
    """A guard looked at the turn and let it through, and why: the agent view shows every
    verdict, but only a `GuardTripped` counts as a guard acting (outcomes, metrics)."""

    guard: str
    detail: str


@dataclass(frozen=True)
class ApprovalRequested:
    """An action only a person may approve (chapter 7): the app opens an approval for it."""

    order_id: str
    reason: str
    kind: str = "refund"  # refund | address
    amount: float = 0.0  # a refund's
    address: str = ""  # an address change's


@dataclass(frozen=True)
class ModelChosen:
    """`model_routing` chose the model that answers the turn, and why. A cascade that escalates
    reports twice: the small model first, then the large one with what the check found."""

    size: Literal["small", "large"]
    model: str
    reason: str


@dataclass(frozen=True)
class ContextTrimmed:
    """`context_window` fitted the history to its budget: `folded` older messages went as a
    summary (made now or reused from the conversation's state), `kept` went whole."""

    folded: int
    kept: int
    tokens_whole: int  # the history's tokens had it been sent whole
    tokens_sent: int  # the kept messages' tokens plus the summary's
    summarised: bool  # a summary was made this turn (False: the cached one served, or none was needed)


@dataclass(frozen=True)
class CacheLooked:
    """`semantic_cache` looked the question up before any model: a hit carries the stored
    answer (which the turn then gives, with no model call); a rejection is a near neighbour the
    entity check refused; `question` is the text looked up, which the app stores the answer
    under if the turn earns it (for the asker alone when it is a `follow_up`)."""

    outcome: Literal["hit", "miss", "rejected"]
    question: str
    detail: str = ""
    similarity: float | None = None
    answer: str = ""
    follow_up: bool = False  # the conversation had earlier messages: its answer may lean on them


@dataclass(frozen=True)
class CitationsChecked:
    """`citation_validation` read an answer's citations against the articles retrieved in the
    turn: `valid` kept, `removed` (invented or not retrieved) replaced with a visible mark, and
    `repaired` when a re-ask with the allowed ids brought a correction that cites them."""

    valid: int
    removed: int
    repaired: int = 0
    removed_ids: tuple[str, ...] = ()


Event = (
    Token
    | Step
    | RouteChosen
    | ToolUsed
    | Retrieved
    | ModelCalled
    | TicketOpened
    | GuardTripped
    | GuardPassed
    | ApprovalRequested
    | ModelChosen
    | ContextTrimmed
    | CacheLooked
    | CitationsChecked
)
