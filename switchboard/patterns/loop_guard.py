"""Loop guards: stop an agent that is going round in circles, and say why.

An agent loop (ask the model, run the tools it names, ask again) has no natural end if the
model keeps asking for tools. A fixed round limit catches that late and silently. A guard
watches the turn as it goes and halts it at the first of:

- a cap: steps (model rounds), tokens, wall-clock seconds or dollars spent in the turn; the
  step cap is the number of rounds allowed, so a round at the cap that still asks for tools is
  a halt (no round is left to read their results);
- a repeat: the same tool with the same arguments asked for `max_repeats` times;
- a cycle: the last 2·n tool calls are one block of n calls done twice (A B A B, A B C A B C);
- ping-pong: control handed back and forth between the same two agents `max_handoffs` times.

`check_*` methods return a `Halt` (a value, never an exception) or None; the caller decides
what to tell the customer. The clock is injected so tests need no waiting.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Caps:
    steps: int = 6
    tokens: int = 8000
    seconds: float = 30.0
    dollars: float = 0.05
    max_repeats: int = 2
    max_handoffs: int = 2


@dataclass(frozen=True)
class Halt:
    kind: str  # steps | tokens | seconds | dollars | repeat | cycle | ping_pong
    detail: str


@dataclass
class LoopGuard:
    caps: Caps = field(default_factory=Caps)
    clock: Callable[[], float] = time.monotonic
    steps: int = 0
    tokens: int = 0
    dollars: float = 0.0
    calls: list[str] = field(default_factory=list)
    handoffs: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._started = self.clock()

    def check_step(self, tokens: int, dollars: float, wants_tools: bool = False) -> Halt | None:
        """After each model round: count it and its spend against the caps. `wants_tools`: the
        round asked for tools, so it needs another round after this one."""
        self.steps += 1
        self.tokens += tokens
        self.dollars += dollars
        if wants_tools and self.steps >= self.caps.steps:
            return Halt("steps", f"steps: {self.steps} rounds, the cap, and the model still asks for tools")
        return self._over_a_cap()

    def check_tool(self, name: str, arguments: dict[str, Any]) -> Halt | None:
        """Before running a tool: is this call a repeat, or the end of a cycle?"""
        self.calls.append(f"{name}({json.dumps(arguments, sort_keys=True)})")
        repeats = self.calls.count(self.calls[-1])
        if repeats > self.caps.max_repeats:
            return Halt("repeat", f"{self.calls[-1]} asked for {repeats} times")
        period = repeating_period(self.calls)
        if period is not None and period > 1:
            return Halt("cycle", " → ".join(self.calls[-period:]) + " again")
        return None

    def check_handoff(self, source: str, target: str) -> Halt | None:
        """When control passes between agents: the same pair back and forth is ping-pong."""
        self.handoffs.append((source, target))
        pair = frozenset((source, target))
        if sum(1 for a, b in self.handoffs if frozenset((a, b)) == pair) > self.caps.max_handoffs:
            return Halt("ping_pong", f"{source} ↔ {target} handed the turn back and forth")
        return None

    def _over_a_cap(self) -> Halt | None:
        elapsed = self.clock() - self._started
        for kind, used, cap in (
            ("steps", self.steps, self.caps.steps),
            ("tokens", self.tokens, self.caps.tokens),
            ("seconds", elapsed, self.caps.seconds),
            ("dollars", self.dollars, self.caps.dollars),
        ):
            if used > cap:
                return Halt(kind, f"{kind}: {used:.4g} over the cap of {cap:g}")
        return None


def repeating_period(calls: Sequence[str]) -> int | None:
    """The smallest n such that the last 2n calls are the same n calls twice, if any."""
    for n in range(1, len(calls) // 2 + 1):
        if list(calls[-n:]) == list(calls[-2 * n : -n]):
            return n
    return None
