"""How the demo model reads a request: the same messages, tools and schema a real model gets.

Nothing here knows about Switchboard's graph. It finds the customer's latest words, the
passages it was given (`<passage ...>` blocks, in system text or tool results), the tool
results of the current turn, and the options a router prompt lists.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from switchboard.agents.llm.types import Message
from switchboard.patterns.order_numbers import order_numbers_in

_PASSAGE = re.compile(
    r'<passage id="(?P<id>[^"]+)"(?: source="(?P<source>[^"]*)")?(?: title="(?P<title>[^"]*)")?>'
    r"(?P<text>.*?)</passage>",
    re.S,
)
_OPTION = re.compile(r"^- (?P<name>[a-z_]+): (?P<description>.+)$", re.M)
_EXAMPLES = re.compile(r"^\s+e\.g\. (?P<examples>.+)$", re.M)
_HOW_TO_RULE = re.compile(r"How-to questions.*?go to: (?P<name>[a-z_]+)", re.S)
_SPOTLIGHT_MARKER = re.compile(r"<<(?:untrusted|end) id=\w+[^>]*>>\n?")


@dataclass(frozen=True)
class Passage:
    id: str
    source: str
    title: str
    text: str


@dataclass(frozen=True)
class Option:
    """A choice a prompt offers (a route), with the words that describe it."""

    name: str
    description: str
    examples: tuple[str, ...]


@dataclass(frozen=True)
class ToolResult:
    name: str
    data: dict[str, Any]
    text: str


def latest_user_text(messages: Sequence[Message]) -> str:
    for message in reversed(messages):
        if message.get("role") == "user":
            return str(message.get("content", ""))
    return ""


def earlier_user_texts(messages: Sequence[Message]) -> list[str]:
    """User messages before the latest one, oldest first."""
    texts = [m.get("content", "") for m in messages if m.get("role") == "user"]
    return texts[:-1]


def current_turn(messages: Sequence[Message]) -> list[Message]:
    """The messages after the latest user message: this turn's tool calls and results."""
    for index in range(len(messages) - 1, -1, -1):
        if messages[index].get("role") == "user":
            return list(messages[index + 1 :])
    return []


def tool_results(messages: Sequence[Message]) -> list[ToolResult]:
    results = []
    for message in messages:
        if message.get("role") != "tool":
            continue
        text = unwrap(message.get("content", ""))
        results.append(ToolResult(message.get("name", ""), _as_json(text), text))
    return results


def unwrap(text: str) -> str:
    """The text without spotlighting's markers: marked data is still data to answer from."""
    return _SPOTLIGHT_MARKER.sub("", text).strip()


def passages(messages: Sequence[Message]) -> list[Passage]:
    found: dict[str, Passage] = {}
    for message in messages:
        for match in _PASSAGE.finditer(unwrap(message.get("content", ""))):
            found[match["id"]] = Passage(
                id=match["id"],
                source=match["source"] or match["id"].split("#")[0].rsplit("/", 1)[-1],  # "<tenant>/<article>#n"
                title=match["title"] or "",
                text=match["text"].strip(),
            )
    return list(found.values())


def options(system_prompt: str) -> list[Option]:
    """Parse `- name: description` lines, each optionally followed by an `e.g.` line."""
    found = []
    for match in _OPTION.finditer(system_prompt):
        rest = system_prompt[match.end() + 1 :]
        examples = _EXAMPLES.match(rest)
        quoted = re.findall(r'"([^"]+)"', examples["examples"]) if examples else []
        found.append(Option(match["name"], match["description"], tuple(quoted)))
    return found


def how_to_route(system_prompt: str) -> str | None:
    """The option a prompt says how-to questions go to ("How-to questions … go to: knowledge")."""
    match = _HOW_TO_RULE.search(system_prompt)
    return match["name"] if match else None


def system_text(messages: Sequence[Message]) -> str:
    return "\n".join(m.get("content", "") for m in messages if m.get("role") == "system")


def last_order_id_mentioned(messages: Sequence[Message]) -> str | None:
    """The order the conversation was most recently about, so "it" can be resolved.

    Tool results are skipped: a list of orders mentions every order, not the one in question.
    """
    for message in reversed(messages):
        if message.get("role") == "tool":
            continue
        for call in reversed(message.get("tool_calls", [])):
            order_id = call["arguments"].get("order_id")
            if order_id:
                return str(order_id)
        found = order_numbers_in(message.get("content", ""))
        if found:
            return found[-1]
    return None


def _as_json(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {"items": value}
