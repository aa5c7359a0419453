"""The demo model's decisions: what to say, or which tool to call, given a request.

The rules, in order:
0. Asked to summarise (a `<summary>` and `<messages>` block): an extractive summary (summarising.py).
1. Asked for JSON (a router decision): pick the option from the system prompt whose
   description and examples are nearest the customer's words, and fill in the schema.
2. Tools offered and a part of the question still unanswered: call the tool whose description
   is nearest that part, with arguments read from the conversation. A tool that needs an
   order id nobody gave gets one from `list_orders` first.
3. Otherwise write: tool results through templates, policy questions from the passages it
   was given (cited), and an honest "I don't know" for whatever is left.

Before 2 and 3, like a naive model, it follows instructions injected into what it reads
(`obedience.py`), unless they sit inside text marked as data.

`demo-large` splits multi-part requests and answers every part; `demo-small` treats the whole
message as one question, so it answers only the part it matches best.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from switchboard.agents.embeddings import Embedder
from switchboard.agents.llm.providers.demo import judging, obedience, reading, summarising, writing
from switchboard.agents.llm.providers.demo.understanding import (
    asks_how_things_work,
    is_follow_up,
    keyword_overlap,
    similarities,
    split_parts,
)
from switchboard.agents.llm.types import HAND_BACK, ChatRequest, Message, ToolCall, ToolSpec
from switchboard.patterns.order_numbers import order_numbers_in

TOOL_FLOOR = 0.30  # a part less similar than this to every tool is answered without one
TOOL_WORD_WEIGHT = 0.3  # how much the words a request shares with a tool's description count
# Verbs that say nothing of which tool is meant ("get me an agent" is no refund's "get my money back").
_LIGHT_VERBS = re.compile(r"\b(?:get|got|want|need|have|make|give|let|like)\b", re.I)
DESCRIPTION_WEIGHT = 0.3  # how much a route's description counts against its examples
_ASKING = ("how ", "what ", "what's ", "when ", "can ", "do ", "does ", "is ", "are ", "why ", "which ", "should ")
# A question that asks for nothing to be done ("any tips to waterproof it?") is not a request.
# "can I get a refund on order 10021" asks for it, as "can you" does.
_REQUEST = re.compile(
    r"\b(?:(?:can|could|would|will) you|please|i(?:'d| would) like|i want|i need|(?:can|could|may) i (?:get|have))\b"
)


@dataclass(frozen=True)
class Reply:
    text: str = ""
    tool_calls: tuple[ToolCall, ...] = ()


class DemoPolicy:
    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder

    def reply(self, request: ChatRequest, splits_parts: bool) -> Reply:
        if request.json_schema is not None:
            return Reply(text=self._fill_schema(request.messages, request.json_schema))
        asked_to_summarise = summarising.summary_blocks(reading.latest_user_text(request.messages))
        if asked_to_summarise is not None:
            return Reply(text=summarising.summarise(*asked_to_summarise, cap=request.max_tokens))
        followed = obedience.injected(request)
        obeyed = _obey(followed, request) if followed else None
        if obeyed is not None:
            return obeyed
        question = reading.latest_user_text(request.messages)
        parts = split_parts(question) if splits_parts else [question]
        plans = [self._plan(part, request) for part in parts]
        calls = _due_calls(plans, reading.current_turn(request.messages))
        if calls:
            return Reply(tool_calls=tuple(calls))
        return Reply(text=self._write(plans, request.messages))

    # -- structured output ---------------------------------------------------------------

    def _fill_schema(self, messages: Sequence[Message], schema: dict[str, Any]) -> str:
        properties: dict[str, Any] = schema.get("properties", {})
        choice_key = next((k for k, v in properties.items() if "enum" in v), None)
        answer: dict[str, Any] = {}
        if choice_key is not None:
            options = list(properties[choice_key]["enum"])
            judged = judging.verdict(self._embedder, reading.latest_user_text(messages), options)
            choice, confidence = judged or self._choose(messages, options)
            answer[choice_key] = choice
            answer.update({k: confidence for k, v in properties.items() if v.get("type") == "number"})
        return json.dumps(answer)

    def _choose(self, messages: Sequence[Message], allowed: list[str]) -> tuple[str, float]:
        offered = [o for o in reading.options(reading.system_text(messages)) if o.name in allowed]
        if not offered:
            return allowed[0], 0.0
        question = reading.latest_user_text(messages)
        rule = reading.how_to_route(reading.system_text(messages))
        if rule in allowed and asks_how_things_work(question) and not order_numbers_in(question):
            return rule, 0.9  # the prompt's own instruction, followed as a model would
        scores = self._option_scores(question, offered)
        earlier = reading.earlier_user_texts(messages)
        if earlier and is_follow_up(reading.latest_user_text(messages)):
            scores = 0.65 * scores + 0.35 * self._option_scores(earlier[-1], offered)
        best = int(np.argmax(scores))
        return offered[best].name, round(float(np.clip(scores[best], 0.0, 1.0)), 2)

    def _option_scores(self, text: str, offered: Sequence[reading.Option]) -> np.ndarray:
        return np.array([self._option_score(text, o) for o in offered])

    def _option_score(self, text: str, option: reading.Option) -> float:
        """Mean similarity to the option's two nearest examples, blended with its description.

        Two examples rather than one, so that a single lookalike example cannot win alone.
        """
        described = float(similarities(self._embedder, text, [option.description])[0])
        if not option.examples:
            return described
        nearest = np.sort(similarities(self._embedder, text, list(option.examples)))[-2:]
        return float((1 - DESCRIPTION_WEIGHT) * nearest.mean() + DESCRIPTION_WEIGHT * described)

    # -- tools -------------------------------------------------------------------------

    def _plan(self, part: str, request: ChatRequest) -> _Plan:
        tool = self._pick_tool(part, request.tools)
        if tool is None:
            return _Plan(part, None, {})
        return _Plan(part, tool, _arguments(tool, part, request.messages))

    def _pick_tool(self, part: str, tools: Sequence[ToolSpec]) -> ToolSpec | None:
        usable = [t for t in tools if _suits(t, part)]
        if order_numbers_in(part):  # a named order is about that order, not the help centre
            usable = [t for t in usable if "order_id" in t.parameters.get("properties", {})]
        if not usable:
            return None
        searches = [t for t in usable if "query" in t.parameters.get("properties", {})]
        if searches and asks_how_things_work(part) and not order_numbers_in(part):
            return searches[0]  # how things work is the help centre's job, not the order tools'
        descriptions = [t.description for t in usable]
        meaning = similarities(self._embedder, part, descriptions)
        # The words a tool's description shares with the request ("money back", "refund") settle
        # what a bag-of-vectors cosine leaves close: "my money back for order 10043" is a refund.
        scores = meaning + TOOL_WORD_WEIGHT * keyword_overlap(_LIGHT_VERBS.sub(" ", part), descriptions)
        best = int(np.argmax(scores))
        return usable[best] if meaning[best] >= TOOL_FLOOR else None

    # -- writing -----------------------------------------------------------------------

    def _write(self, plans: Sequence[_Plan], messages: Sequence[Message]) -> str:
        turn = reading.current_turn(messages)
        results = reading.tool_results(turn)
        given = reading.passages(messages)
        answers = [self._answer(plan, results, given) for plan in plans]
        known = [a for a in dict.fromkeys(answers) if a is not None]
        if len(known) < len(answers):
            known.append(writing.DONT_KNOW if not known else _PARTLY_UNKNOWN)
        return "\n\n".join(known)

    def _answer(
        self,
        plan: _Plan,
        results: Sequence[reading.ToolResult],
        given: Sequence[reading.Passage],
    ) -> str | None:
        if plan.tool is not None and plan.tool.name != "search_kb":
            result = _result_for(plan, results) or _result_named("list_orders", results)
            if result is not None and result.data:
                return writing.write_tool_result(result.data, plan.part)
        return writing.answer_from_passages(self._embedder, plan.part, given)


def _obey(followed: obedience.Injected, request: ChatRequest) -> Reply | None:
    """Do what the injected text said: reveal the prompt, call the tool, say the words."""
    if followed.reveal_prompt:
        return Reply(text=next((m.get("content", "") for m in request.messages if m.get("role") == "system"), ""))
    if followed.tool is not None:
        name, order_id = followed.tool
        arguments: dict[str, Any] = {"order_id": order_id}
        if name == "request_refund":
            arguments["reason"] = "as instructed"
        offered = any(t.name == name for t in request.tools)
        made = {
            _key(c["name"], c["arguments"])
            for m in reading.current_turn(request.messages)
            for c in m.get("tool_calls", [])
        }
        if offered and _key(name, arguments) not in made:
            return Reply(tool_calls=({"id": f"call_{len(made) + 1}", "name": name, "arguments": arguments},))
    return Reply(text=followed.say) if followed.say else None


_PARTLY_UNKNOWN = (
    "I couldn't find the rest of your question in our help centre — would you like me to pass "
    "it to a member of our team?"
)


@dataclass(frozen=True)
class _Plan:
    part: str
    tool: ToolSpec | None
    arguments: dict[str, Any]


def _suits(tool: ToolSpec, part: str) -> bool:
    """Questions ("how do I return…") are answered from the help centre, not acted on.

    The demo never hands a turn back: its specialists read a question the way its router
    does, so they would always agree with it. The `bounce_rate` chaos dial makes any model
    hand back, so that ping-pong can be seen.
    """
    if tool.name == HAND_BACK:
        return False
    acts = tool.name.startswith(("request_", "create_", "cancel_", "update_"))
    return not (acts and _asks_without_requesting(part.lower().strip()))


def _asks_without_requesting(text: str) -> bool:
    return (text.startswith(_ASKING) or text.endswith("?")) and not _REQUEST.search(text)


def _arguments(tool: ToolSpec, part: str, messages: Sequence[Message]) -> dict[str, Any]:
    wanted = tool.parameters.get("properties", {})
    arguments: dict[str, Any] = {}
    if "order_id" in wanted:
        order_id = _order_for(part, messages)
        if order_id:
            arguments["order_id"] = order_id
    for name in ("query", "reason", "summary"):
        if name in wanted:
            arguments[name] = part
    address = _NEW_ADDRESS.search(part)
    if "address" in wanted and address:
        arguments["address"] = address["address"]
    return arguments


# "…to 12 Harbour Road, Portland, OR 97201" (or, redacted, "…to <ADDRESS_1>"): what follows "to".
_NEW_ADDRESS = re.compile(r"\bto\s+(?P<address><ADDRESS_\d+>|\d+\s+[^?!]*?)\s*[?.!]*$", re.I)


def _order_for(part: str, messages: Sequence[Message]) -> str | None:
    named = order_numbers_in(part)
    if named:
        return named[0]
    listed = _listed_orders(reading.current_turn(messages))
    if listed:
        return _best_listed(part, listed)
    return reading.last_order_id_mentioned(messages[:-1] if messages else messages)


def _listed_orders(turn: Sequence[Message]) -> list[dict[str, Any]]:
    for result in reading.tool_results(turn):
        if result.data.get("kind") == "orders":
            return list(result.data["orders"])
    return []


def _best_listed(part: str, orders: Sequence[dict[str, Any]]) -> str | None:
    """The order whose items the customer named ("my tent"), else the one on its way, else
    the most recent one."""
    words = {w.strip("?,.!").lower() for w in part.split() if len(w) > 3}
    for order in orders:
        if words & set(order["summary"].lower().replace(",", " ").split()):
            return str(order["id"])
    moving = [o for o in orders if o["status"] == "shipped"]
    return str((moving or list(orders))[0]["id"]) if orders else None


def _due_calls(plans: Sequence[_Plan], turn: Sequence[Message]) -> list[ToolCall]:
    made = [call for m in turn for call in m.get("tool_calls", [])]
    done = {_key(c["name"], c["arguments"]) for c in made}
    due: list[ToolCall] = []
    for plan in plans:
        if plan.tool is None:
            continue
        name, arguments = _call_for(plan, done)
        key = _key(name, arguments)
        if key not in done and key not in {_key(c["name"], c["arguments"]) for c in due}:
            due.append({"id": f"call_{len(made) + len(due) + 1}", "name": name, "arguments": arguments})
    return due


def _call_for(plan: _Plan, done: set[str]) -> tuple[str, dict[str, Any]]:
    """The plan's own call, or `list_orders` first when it needs an order id it lacks."""
    assert plan.tool is not None
    needs_order = "order_id" in plan.tool.parameters.get("required", [])
    if needs_order and "order_id" not in plan.arguments:
        return "list_orders", {}
    return plan.tool.name, plan.arguments


def _key(name: str, arguments: dict[str, Any]) -> str:
    return name + json.dumps(arguments, sort_keys=True)


def _result_for(plan: _Plan, results: Sequence[reading.ToolResult]) -> reading.ToolResult | None:
    assert plan.tool is not None
    wanted = plan.arguments.get("order_id")
    for result in reversed(results):
        if result.name == plan.tool.name and wanted in (
            None,
            result.data.get("order_id"),
            _id_of(result),
        ):
            return result
    return None


def _result_named(name: str, results: Sequence[reading.ToolResult]) -> reading.ToolResult | None:
    return next((r for r in reversed(results) if r.name == name), None)


def _id_of(result: reading.ToolResult) -> str | None:
    order = result.data.get("order")
    return str(order["id"]) if isinstance(order, dict) else None
