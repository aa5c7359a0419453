"""The chaos panel: fault dials per provider, and presets that set them all at once.

Dials are read by each provider's fault injector on every call, so a change applies to the
next call (on another replica sharing a Redis: after its next request's pull, app/shared/boards.py).
Presets name the scenarios the resilience chapter is measured under; they speak of
the chain's primary and secondary, which are the demo vendors unless real providers were
configured ahead of them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, TypeVar

from switchboard.agents.llm.chaos import DIAL_RANGES, SHARE, Dials

PRIMARY, SECONDARY = "primary", "secondary"
DEMO_VENDORS = ("demo-a", "demo-b")

PRESETS: Mapping[str, Mapping[str, Dials]] = {
    "calm": {},
    "flaky-primary": {PRIMARY: Dials(error_rate=0.3, rate_limit_rate=0.1, retry_after_s=0.5)},
    "primary-down": {PRIMARY: Dials(outage=True)},
    "all-down": {PRIMARY: Dials(outage=True), SECONDARY: Dials(outage=True)},
    "slow": {PRIMARY: Dials(latency_multiplier=3.0), SECONDARY: Dials(latency_multiplier=3.0)},
    "mid-stream-cuts": {PRIMARY: Dials(cut_rate=0.5, cut_after_tokens=5)},
    "primary-down-secondary-flaky": {PRIMARY: Dials(outage=True), SECONDARY: Dials(error_rate=0.3)},
    "ping-pong": {PRIMARY: Dials(bounce_rate=1.0), SECONDARY: Dials(bounce_rate=1.0)},
}
_DIAL_NAMES = {f.name for f in fields(Dials)}
AGENT = "agent"  # the chaos dict's entry for faults outside the model


@dataclass(frozen=True)
class AgentFaults:
    """Faults outside the model: the shop's systems failing, and a poisoned help-centre article."""

    tool_fault_rate: float = 0.0  # share of tool calls failing transiently (a refund: after it was made)
    poisoned_article: bool = False  # plant an article carrying hidden instructions (indirect injection)


_AGENT_NAMES = {f.name for f in fields(AgentFaults)}
_RANGES = {**DIAL_RANGES, "tool_fault_rate": SHARE}
_SWITCHES = {f.name for f in (*fields(Dials), *fields(AgentFaults)) if f.type == "bool"}  # on/off, not a number
AGENT_PRESETS: Mapping[str, AgentFaults] = {
    "poisoned-article": AgentFaults(poisoned_article=True),
    "flaky-tools": AgentFaults(tool_fault_rate=0.3),
}


D = TypeVar("D", Dials, "AgentFaults")


class ChaosError(ValueError):
    """An unknown preset, provider or dial, or a dial value out of range."""


ALL_PRESETS = (*PRESETS, *AGENT_PRESETS)


class ChaosBoard:
    def __init__(self, providers: tuple[str, ...] = DEMO_VENDORS) -> None:
        """`providers` is the chain in order, primary first."""
        self.providers = providers
        self._dials = {name: Dials() for name in providers}
        self.agent = AgentFaults()
        self.preset = "calm"

    def dials_for(self, provider: str) -> Callable[[], Dials]:
        return lambda: self._dials[provider]

    def agent_faults(self) -> AgentFaults:
        return self.agent

    def view(self) -> dict[str, Any]:
        dials = {name: asdict(d) for name, d in self._dials.items()}
        return {"preset": self.preset, "chaos": {**dials, AGENT: asdict(self.agent)}}

    def document(self) -> dict[str, Any]:
        """The dials, the agent's faults and the preset, to be shared with other replicas."""
        return self.view()

    def restore(self, document: object) -> None:
        """Another replica's `document` (the shape of `view()`), checked like an edit and adopted
        whole: a dial left out is at rest, one unknown or out of range refuses it all (ChaosError)."""
        preset, chaos = _parts(document)
        restored = ChaosBoard(self.providers)  # every dial at rest, then the document's
        restored.set_many(chaos)
        self._dials, self.agent, self.preset = restored._dials, restored.agent, preset

    def apply_preset(self, name: str) -> None:
        if name not in ALL_PRESETS:
            raise ChaosError(f"unknown chaos preset {name!r}: use one of {', '.join(ALL_PRESETS)}")
        roles = dict(zip((PRIMARY, SECONDARY), self.providers, strict=False))
        self._dials = {p: Dials() for p in self.providers}
        self._dials.update({roles[role]: dials for role, dials in PRESETS.get(name, {}).items() if role in roles})
        self.agent = AGENT_PRESETS.get(name, AgentFaults())
        self.preset = name

    def set_many(self, changes: Mapping[str, Mapping[str, object]]) -> None:
        """All or nothing, like the flags: one bad dial and nothing changes."""
        updated = dict(self._dials)
        agent = self.agent
        for provider, dials in changes.items():
            if provider == AGENT:
                agent = _changed(agent, AGENT, dials, _AGENT_NAMES)
            elif provider not in updated:
                raise ChaosError(f"unknown provider {provider!r}: use one of {', '.join([*self._dials, AGENT])}")
            else:
                updated[provider] = _changed(updated[provider], provider, dials, _DIAL_NAMES)
        self._dials, self.agent = updated, agent
        self.preset = "custom"


def _parts(document: object) -> tuple[str, Mapping[str, Mapping[str, object]]]:
    """A chaos document's preset and dials, their shapes checked (the values are set_many's)."""
    if not isinstance(document, dict) or set(document) != {"preset", "chaos"}:
        raise ChaosError('a chaos document is {"preset": ..., "chaos": {...}}')
    preset, chaos = document["preset"], document["chaos"]
    if preset not in (*ALL_PRESETS, "custom"):
        raise ChaosError(f"unknown chaos preset {preset!r}")
    if not isinstance(chaos, dict) or not all(isinstance(dials, dict) for dials in chaos.values()):
        raise ChaosError("a chaos document's dials are an object per provider")
    return preset, chaos


def _changed(current: D, provider: str, dials: Mapping[str, object], known: set[str]) -> D:
    unknown = set(dials) - known
    if unknown:
        raise ChaosError(f"{provider}: unknown dial(s) {sorted(unknown)}; dials are {sorted(known)}")
    values = {name: _checked(provider, name, value) for name, value in dials.items()}
    return replace(current, **values)  # type: ignore[arg-type]


def _checked(provider: str, name: str, value: object) -> object:
    if name in _SWITCHES:
        if not isinstance(value, bool):
            raise ChaosError(f"{provider}.{name} takes true or false")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ChaosError(f"{provider}.{name} takes a number")
    low, high = _RANGES[name]
    if not low <= value <= high:  # also false for NaN
        raise ChaosError(f"{provider}.{name} is out of range: {value}; it takes a number between {low:g} and {high:g}")
    return int(value) if name == "cut_after_tokens" else float(value)
