"""The `demo` provider: an offline, deterministic stand-in for a chat model.

It honours the same contract as the real providers — a `ChatRequest` in, streamed chunks and
usage out — and takes time like one: a pause before the first token, then tokens at a steady
rate. What it says comes from `policy.DemoPolicy`. It is a simulation, documented as such: it
understands language only as far as embedding similarity and a few rules allow.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, replace

from switchboard.agents.embeddings import Embedder
from switchboard.agents.llm.providers.demo.policy import DemoPolicy
from switchboard.agents.llm.tokens import output_tokens, prompt_tokens
from switchboard.agents.llm.types import (
    ChatRequest,
    Chunk,
    ProviderError,
    TextDelta,
    ToolCallChunk,
    Usage,
)

_TOKEN = re.compile(r"\s*\S+")
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class DemoProfile:
    """One simulated model: how fast it is and how capable."""

    name: str
    ttft_s: float
    tokens_per_s: float  # 0 means as fast as possible
    splits_multi_part: bool


DEMO_PROFILES: Mapping[str, DemoProfile] = {
    "demo-small": DemoProfile("demo-small", ttft_s=0.15, tokens_per_s=90, splits_multi_part=False),
    "demo-large": DemoProfile("demo-large", ttft_s=0.45, tokens_per_s=45, splits_multi_part=True),
}


def with_speed(
    profiles: Mapping[str, DemoProfile], ttft_s: float | None, tokens_per_s: float | None
) -> dict[str, DemoProfile]:
    """The same models with their timing overridden (None keeps each model's own)."""
    return {
        name: replace(
            p,
            ttft_s=p.ttft_s if ttft_s is None else ttft_s,
            tokens_per_s=p.tokens_per_s if tokens_per_s is None else tokens_per_s,
        )
        for name, p in profiles.items()
    }


class DemoProvider:
    def __init__(
        self,
        embedder: Embedder,
        profiles: Mapping[str, DemoProfile] = DEMO_PROFILES,
        sleep: Sleep = asyncio.sleep,
        name: str = "demo",
    ) -> None:
        self.name = name
        self._policy = DemoPolicy(embedder)
        self._profiles = dict(profiles)
        self._sleep = sleep

    @property
    def models(self) -> list[str]:
        return sorted(self._profiles)

    async def stream(self, request: ChatRequest) -> AsyncIterator[Chunk]:
        profile = self._profile(request.model)
        request, already_sent = _split_prefill(request)
        reply = self._policy.reply(request, profile.splits_multi_part)
        await self._pause(profile.ttft_s)
        text = reply.text.removeprefix(already_sent)
        pieces = _TOKEN.findall(text)
        for index, piece in enumerate(pieces):
            if index and profile.tokens_per_s:
                await self._pause(1 / profile.tokens_per_s)
            yield TextDelta(piece)
        for call in reply.tool_calls:
            yield ToolCallChunk(call)
        yield Usage(prompt_tokens(request), output_tokens(text, len(reply.tool_calls)))

    def _profile(self, model: str) -> DemoProfile:
        try:
            return self._profiles[model]
        except KeyError:
            raise ProviderError("unknown_model", f"no demo model {model!r}", self.name) from None

    async def _pause(self, seconds: float) -> None:
        if seconds > 0:
            await self._sleep(seconds)


def _split_prefill(request: ChatRequest) -> tuple[ChatRequest, str]:
    """A trailing assistant message is an answer begun elsewhere: continue it, don't repeat it."""
    last = request.messages[-1] if request.messages else None
    if last is None or last.get("role") != "assistant" or last.get("tool_calls"):
        return request, ""
    return replace(request, messages=list(request.messages[:-1])), str(last.get("content", ""))
