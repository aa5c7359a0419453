"""Views shared by the JSON API and the HTML pages, so neither route module imports the other:
the chaos board with its dials in words, the flag presets a panel offers, and the live
configurations compared."""

from __future__ import annotations

from dataclasses import dataclass

from switchboard.agents.llm.chaos import Dials
from switchboard.app.lab.chaos import ALL_PRESETS, AgentFaults
from switchboard.app.lab.flags import FlagBoard, config_name, preset_values, snapshot_key
from switchboard.app.runs import metrics
from switchboard.app.services import Services
from switchboard.app.web.responses import ChaosView, LiveConfiguration, LiveMetricsView

# A rate dial and what it makes fail, as a person says it: 0.2 of error_rate is "20% errors".
RATE_WORDS = (
    ("error_rate", "errors"),
    ("rate_limit_rate", "429s"),
    ("timeout_rate", "timeouts"),
    ("malformed_rate", "garbled answers"),
    ("loop_rate", "repeated tool calls"),
    ("bounce_rate", "hand-backs"),
    ("citation_fault_rate", "citations of articles not retrieved"),
)


def chaos_view(services: Services) -> ChaosView:
    board = services.chaos
    breakers = services.gateway.policies.breakers
    words = {name: dial_words(board.dials_for(name)()) for name in board.providers}
    return ChaosView.model_validate(
        {
            **board.view(),
            "presets": list(ALL_PRESETS),
            "breakers": {name: breakers[name].state if name in breakers else "closed" for name in board.providers},
            "words": {**words, "agent": agent_fault_words(board.agent_faults())},
        }
    )


def dial_words(dials: Dials) -> str:
    """A provider's faults in words: "down", "20% errors, 3× slower", or "none"."""
    if dials.outage:
        return "down"  # every call fails: no other dial matters
    phrases = [f"{percent(getattr(dials, dial))} {noun}" for dial, noun in RATE_WORDS if getattr(dials, dial)]
    if dials.cut_rate:
        phrases.append(f"{percent(dials.cut_rate)} of streams cut after {dials.cut_after_tokens} chunks")
    if dials.latency_multiplier != 1.0:
        phrases.append(f"{dials.latency_multiplier:g}× slower")
    return ", ".join(phrases) or "none"


def agent_fault_words(faults: AgentFaults) -> str:
    """The faults outside the model in words: "30% tool faults, poisoned article planted", or "none"."""
    phrases = [f"{percent(faults.tool_fault_rate)} tool faults"] if faults.tool_fault_rate else []
    if faults.poisoned_article:
        phrases.append("poisoned article planted")
    return ", ".join(phrases) or "none"


def percent(share: float) -> str:
    """0.2 → "20%", 0.125 → "12.5%" (no float noise: 0.07 is "7%", not "7.000000000000001%")."""
    return f"{round(share * 100, 1):g}%"


@dataclass(frozen=True)
class PresetButton:
    """A flag preset the panel offers, and whether the board's flags are exactly it now."""

    name: str
    active: bool


def flag_presets(board: FlagBoard) -> list[PresetButton]:
    """all-on, all-off and chapter-1 … chapter-N, as the board would apply them (a server
    stopped at a chapter leaves later switches off); a preset that would set the same switches
    as one before it is left out, so chapter-N stops at the last chapter that adds a switch."""
    snapshot = board.snapshot()
    offered: list[tuple[str, dict[str, bool]]] = []
    for name in _preset_names(board):
        values = board.capped(preset_values(name, board.registry))
        if all(values != earlier for _, earlier in offered):
            offered.append((name, values))
    return [PresetButton(name, values == snapshot) for name, values in offered]


def _preset_names(board: FlagBoard) -> list[str]:
    chapters = sorted({f.chapter for f in board.registry if f.built})
    return ["all-on", "all-off", *(f"chapter-{n}" for n in chapters)]


def current_name(board: FlagBoard) -> str:
    """The board's configuration now, named by what differs from the nearest baseline."""
    return config_name(board.snapshot(), board.registry)


async def live_metrics_view(services: Services) -> LiveMetricsView:
    """Live turns compared per configuration, the board's current one marked."""
    board = services.flags
    records = await services.records.live()
    live = metrics.live_metrics(records, board.registry)
    current = snapshot_key(board.snapshot(), board.registry)
    configurations = [
        LiveConfiguration.model_validate({**c.model_dump(), "current": c.flags_key == current})
        for c in live.configurations
    ]
    return LiveMetricsView(
        configurations=configurations,
        outcomes=list(metrics.OUTCOMES),
        tiers=live.tiers,
        differing=live.differing,
        current_key=current,
        current_name=current_name(board),
        turns=len(records),
    )
