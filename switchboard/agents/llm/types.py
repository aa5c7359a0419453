"""The provider contract: what every model call sends and what comes back.

A provider takes a `ChatRequest` and yields `Chunk`s: text deltas, complete tool calls and,
last, the call's `Usage`. When it fails it raises a `ProviderError` that *advises* — whether a
retry may help and after how long — and leaves the deciding to policies in the gateway.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, Protocol, TypedDict

Role = Literal["system", "user", "assistant", "tool"]
HAND_BACK = "hand_back"  # the tool a specialist calls to give a turn back to the router (agents/tools.py)


class ToolCall(TypedDict):
    id: str
    name: str
    arguments: dict[str, Any]


class Message(TypedDict, total=False):
    """One chat message, in the shape the OpenAI and Anthropic APIs share."""

    role: Role
    content: str
    tool_calls: list[ToolCall]
    tool_call_id: str
    name: str


@dataclass(frozen=True)
class ToolSpec:
    """A tool the model may call: name, what it does, and a JSON schema of its arguments."""

    name: str
    description: str
    parameters: dict[str, Any]


@dataclass(frozen=True)
class ChatRequest:
    messages: Sequence[Message]
    model: str
    tools: Sequence[ToolSpec] = ()
    json_schema: dict[str, Any] | None = None
    max_tokens: int = 600
    deadline: float | None = None  # a time.monotonic() instant after which the call is useless


@dataclass(frozen=True)
class TextDelta:
    text: str


@dataclass(frozen=True)
class ToolCallChunk:
    """A complete tool call. Providers whose wire format sends argument fragments assemble them."""

    call: ToolCall


@dataclass(frozen=True)
class Usage:
    input_tokens: int
    output_tokens: int


Chunk = TextDelta | ToolCallChunk | Usage


class Provider(Protocol):
    """Anything that can stream a chat completion."""

    name: str

    def stream(self, request: ChatRequest) -> AsyncIterator[Chunk]: ...


ErrorKind = Literal[
    "rate_limited",
    "overloaded",
    "timeout",
    "server_error",
    "bad_request",
    "auth",
    "content_filtered",
    "malformed_output",
    "unknown_model",
    "stopped",  # the operator's kill switch is on: no provider was called (kill_switch.py)
    "at_quota",  # our count of the provider's quota for the model is used up: it was not called
]

_RETRYABLE: frozenset[ErrorKind] = frozenset(
    {"rate_limited", "overloaded", "timeout", "server_error", "malformed_output"}
)


@dataclass
class ProviderError(Exception):
    """A failed model call, with the provider's advice for whoever decides what to do next."""

    kind: ErrorKind
    message: str
    provider: str = ""
    retry_after: float | None = None
    stream_started: bool = False
    status: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(f"{self.provider or 'provider'}: {self.kind}: {self.message}")

    @property
    def retryable(self) -> bool:
        return self.kind in _RETRYABLE


@dataclass
class DeadlineExceeded(ProviderError):
    """The turn's latency budget ran out (patterns/latency_budget.py).

    No provider is to blame, so no breaker counts it, and there is nothing left to try: it is
    not retried or failed over. It is a `ProviderError` because what it leaves the app with is
    the same — no model answer in time — and the app's answer to that is the degradation ladder.
    """

    kind: ErrorKind = "timeout"
    message: str = "the turn's latency budget ran out"


@dataclass
class CallsStopped(ProviderError):
    """The operator's kill switch is on (kill_switch.py): the gateway called no provider.

    Like `DeadlineExceeded`, no provider is to blame and there is nothing to retry or fail over
    to; the app answers without a model.
    """

    kind: ErrorKind = "stopped"
    message: str = "model calls are stopped: the kill switch is on"

    @property
    def retryable(self) -> bool:
        return False


class Aliased:
    """A provider that serves a logical model under its own model name.

    The app asks for "demo-large"; with a real provider first in the chain, this sends its
    request as, say, "gpt-4o-mini", and the call is recorded (and priced) under that name.
    """

    def __init__(self, inner: Provider, model: str) -> None:
        self.name = inner.name
        self.model = model
        self._inner = inner

    def stream(self, request: ChatRequest) -> AsyncIterator[Chunk]:
        return self._inner.stream(replace(request, model=self.model))


@dataclass(frozen=True)
class Completion:
    """A whole response, for callers that do not stream."""

    text: str
    tool_calls: list[ToolCall]
    usage: Usage
    cost_usd: float = 0.0
