"""The loop every specialist runs: ask the model, run the tools it calls, repeat, answer.

Under the switches:
- `loop_guard` watches the loop (patterns/loop_guard.py) and halts it — a repeated call, a
  cycle, too many steps, tokens, seconds or dollars — with an honest answer and a ticket;
  without it only MAX_ROUNDS stops a runaway loop, silently. The guard's step cap (6, the same
  number) halts a round at the cap that still asks for tools, so with the guard on a loop never
  reaches the silent limit.
- `tool_validation` bounds repairs: after MAX_REPAIRS invalid calls in a turn, the model stops
  guessing and the customer is asked for what is missing.
- `least_privilege`: in a turn the input scan flagged — or once a tool's output reads like
  instructions — tools that change anything are no longer offered.
- `spotlighting` marks tool output as data; `canary` plants the turn's canary first in the
  system prompt, so that an answer echoing the prompt trips it before anything else is shown.
- `citation_validation` checks the answer's citations as it streams against the articles
  retrieved in this turn (the knowledge node's passages and any `search_kb` results): one of an
  article not retrieved is removed with a visible mark (patterns/citations.py). An answer left
  with no valid citation after a removal is re-asked once with the ids it may cite; a correction
  that cites them is appended under a label, one that does not is not shown.

A specialist may also give the turn back to the router (`hand_back`): the router chooses again,
and the loop guard watches those handoffs for ping-pong (nodes/router.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from langgraph.runtime import Runtime

from switchboard.agents.calling import Writer, ask_model
from switchboard.agents.context import TurnContext
from switchboard.agents.events import (
    ApprovalRequested,
    CitationsChecked,
    GuardPassed,
    GuardTripped,
    ModelChosen,
    TicketOpened,
    Token,
)
from switchboard.agents.history import history
from switchboard.agents.llm.types import ChatRequest, Completion, Message, ToolCall
from switchboard.agents.model_choice import ModelChoice, check_answer, choose_model, escalated
from switchboard.agents.state import ConversationState
from switchboard.agents.tool_calls import run_tool_call
from switchboard.agents.tools import Tool, ToolOutcome
from switchboard.patterns.citations import AllowedCitations, CitationFilter, CitationTally
from switchboard.patterns.injection.spotlight import SPOTLIGHT_RULE, spotlight
from switchboard.patterns.loop_guard import Halt, LoopGuard

MAX_ROUNDS = 6
MAX_REPAIRS = 1  # one repair; a second invalid call asks the customer (before the loop guard sees a repeat)
HALTED = (
    "I'm sorry — I keep going round in circles on this one, so I've stopped and passed it to a "
    "colleague (ticket {ticket}), who will follow up with you."
)
CLARIFY_ORDER = "Which order do you mean? Please give me its number — five digits, like 10042."
CLARIFY = "I'm not sure I have the details right — could you tell me a little more about what you need?"
CITATION_REPAIR = (
    "Your last answer cited {removed}, which is not among the help-centre passages you were given. "
    "Answer the customer's question again, citing only these articles as [article-id]: {allowed}."
)
CORRECTED = "Correction, citing the articles I found:"
AWAITING_APPROVAL = (
    "I've asked a colleague to approve it; their decision will appear here in this conversation, "
    "and you're welcome to keep chatting meanwhile."
)


@dataclass
class _Turn:
    """What the loop has gathered so far."""

    messages: list[Message]
    tools: list[Tool]
    suspicious: bool = False
    answer: str = ""
    handoff: str | None = None
    bounced: str | None = None  # handed back to the router, for this reason
    repairs: list[str] = field(default_factory=list)
    stop: str | None = None  # the loop stopped early: this is said after whatever the model said
    note: str | None = None  # said at the end of a normal answer
    allowed: AllowedCitations = field(default_factory=AllowedCitations)  # articles retrieved so far
    cited: list[CitationTally] = field(default_factory=list)  # each shown answer's citations, checked
    repaired: int = 0  # valid citations a re-asked correction brought


async def run_specialist(
    name: str,
    state: ConversationState,
    runtime: Runtime[TurnContext],
    tools: Sequence[Tool],
    context: Sequence[Message] = (),
    retrieved: Sequence[str] = (),
) -> dict[str, Any]:
    """`retrieved`: the articles of the passages in `context`, which the answer may cite."""
    ctx, write = runtime.context, runtime.stream_writer
    system: Message = {"role": "system", "content": system_prompt(ctx, name)}
    turn = _Turn([system, *context, *history(state, ctx)], list(tools), allowed=AllowedCitations(frozenset(retrieved)))
    if state.get("suspicious"):
        _withhold_writes(ctx, write, turn, "the input scan flagged this message")
    guard = LoopGuard(ctx.loop_caps) if ctx.on("loop_guard") else None
    choice = choose_model(ctx, state.get("messages", []))
    if choice is None:
        rounds = await _loop(name, ctx, write, turn, guard, ctx.model)
    else:
        rounds = await _routed(name, ctx, write, turn, guard, choice)
    if guard is not None and turn.stop is None:
        write(GuardPassed("loop_guard", f"{name}: {rounds} model steps, no repeated call, within the caps"))
    if turn.bounced is not None:
        return handed_back(state, name, turn.bounced)
    if ctx.on("citation_validation"):
        if turn.stop is None and _needs_repair(turn):
            await _repair_citations(name, ctx, write, turn)
        _report_citations(write, turn)
    closing = turn.stop or turn.note
    if closing:
        write(Token(("\n\n" if turn.answer else "") + closing))
    return _finish(turn, closing)


async def _loop(
    name: str, ctx: TurnContext, write: Writer, turn: _Turn, guard: LoopGuard | None, model: str, held: bool = False
) -> int:
    """Ask `model`, run the tools it calls, until it answers: the rounds it took. A `held`
    answer is not sent to the customer as it is written (the cascade checks it first)."""
    speak = _untold(write) if held else write
    rounds = 0
    for _ in range(MAX_ROUNDS):
        rounds += 1
        request = ChatRequest(turn.messages, model, tools=[t.spec for t in turn.tools])
        check = CitationFilter(turn.allowed) if ctx.on("citation_validation") else None
        reply = await ask_model(ctx, speak, request, purpose=name, shows_text=True, citations=check)
        turn.answer += reply.text
        if check is not None:
            turn.cited.append(check.tally)
        spent = reply.usage.input_tokens + reply.usage.output_tokens
        halt = guard.check_step(spent, reply.cost_usd, wants_tools=bool(reply.tool_calls)) if guard else None
        if halt or not reply.tool_calls:
            turn.stop = await _halted(ctx, write, halt) if halt else None
            break
        await _run_calls(ctx, write, {t.spec.name: t for t in turn.tools}, reply, turn, guard)
        if turn.stop or turn.bounced:
            break
    return rounds


async def _routed(
    name: str, ctx: TurnContext, write: Writer, turn: _Turn, guard: LoopGuard | None, choice: ModelChoice
) -> int:
    """`model_routing`: the chosen model answers; a checked small answer that fails its check is
    dropped and the large model carries on from the same messages (tool results included)."""
    write(ModelChosen(choice.size, choice.model, choice.reason))
    rounds = await _loop(name, ctx, write, turn, guard, choice.model, held=choice.checked)
    if not choice.checked:
        return rounds
    failed = None if turn.stop or turn.bounced else _check(turn)
    if failed is None:
        write(GuardPassed("model_routing", "the small model's answer passed the check: it is shown"))
        write(Token(turn.answer))
        return rounds
    large = escalated(ctx, failed)
    write(ModelChosen(large.size, large.model, large.reason))
    turn.answer, turn.cited = "", []  # the small model's answer was never shown
    return rounds + await _loop(name, ctx, write, turn, guard, ctx.model)


def _untold(write: Writer) -> Writer:
    """`write` for everything but the answer's text, which is held back to be checked first."""
    return lambda event: None if isinstance(event, Token) else write(event)


def _check(turn: _Turn) -> str | None:
    question = next((str(m.get("content", "")) for m in reversed(turn.messages) if m.get("role") == "user"), "")
    given = any("<passage " in str(m.get("content", "")) for m in turn.messages if m.get("role") != "user")
    return check_answer(question, turn.answer, given)


async def _run_calls(
    ctx: TurnContext, write: Writer, tools: dict[str, Tool], reply: Completion, turn: _Turn, guard: LoopGuard | None
) -> None:
    turn.messages.append({"role": "assistant", "content": reply.text, "tool_calls": reply.tool_calls})
    for call in reply.tool_calls:
        halt = guard.check_tool(call["name"], call["arguments"]) if guard else None
        if halt:
            turn.stop = await _halted(ctx, write, halt)
            return
        outcome = await run_tool_call(ctx, write, tools, call)
        turn.allowed = turn.allowed.with_sources(outcome.sources)  # a search_kb result may be cited
        turn.messages.append(_tool_message(call, outcome, ctx.on("spotlighting")))
        if _reads_like_instructions(ctx, turn, outcome):
            _withhold_writes(ctx, write, turn, f"{call['name']} returned text that reads like instructions")
        elif _scans_results(ctx, turn):
            write(GuardPassed("least_privilege", f"{call['name']} returned data, not instructions: tools kept"))
        if outcome.hand_back is not None:
            turn.bounced = outcome.hand_back
            return
        turn.handoff = turn.handoff or outcome.handoff_reason
        if outcome.approval is not None:
            write(ApprovalRequested(**outcome.approval))
            turn.note = AWAITING_APPROVAL  # said after the model's own answer about the refund
        if outcome.error == "invalid_arguments":
            turn.repairs.append(outcome.content)
            if len(turn.repairs) > MAX_REPAIRS:
                turn.stop = _clarify(write, turn.repairs)
                return


def _needs_repair(turn: _Turn) -> bool:
    """An answer whose only citations were removed, when there were articles it could have cited."""
    cited_validly = any(tally.valid for tally in turn.cited)
    return not cited_validly and any(tally.removed for tally in turn.cited) and bool(turn.allowed.ids)


async def _repair_citations(name: str, ctx: TurnContext, write: Writer, turn: _Turn) -> None:
    """Re-ask once, held back: a correction citing a retrieved article goes out labelled after
    the answer; one that cites none (or nothing) is dropped, and the removal marks stand."""
    removed = sorted({a for tally in turn.cited for a in tally.removed})
    ask = CITATION_REPAIR.format(removed=", ".join(removed), allowed=", ".join(sorted(turn.allowed.ids)))
    said: Message = {"role": "assistant", "content": turn.answer}
    messages: list[Message] = [*turn.messages, said, {"role": "system", "content": ask}]
    check = CitationFilter(turn.allowed)
    request = ChatRequest(messages, ctx.model)
    reply = await ask_model(ctx, _untold(write), request, purpose=name, shows_text=True, citations=check)
    if not check.tally.valid:
        write(GuardTripped("citation_validation", "reask", "the re-asked answer cited no retrieved article: dropped"))
        return
    correction = f"\n\n{CORRECTED} {reply.text.strip()}"
    write(Token(correction))
    turn.answer += correction
    turn.cited.append(check.tally)
    turn.repaired = len(check.tally.valid)


def _report_citations(write: Writer, turn: _Turn) -> None:
    """What `citation_validation` did to the answer: the counts for the record, and its verdict."""
    valid = [a for tally in turn.cited for a in tally.valid]
    removed = [a for tally in turn.cited for a in tally.removed]
    write(CitationsChecked(len(valid), len(removed), turn.repaired, tuple(removed)))
    if removed:
        retrieved = ", ".join(sorted(turn.allowed.ids)) or "nothing"
        write(GuardTripped("citation_validation", "remove", f"removed {', '.join(removed)}: retrieved {retrieved}"))
    else:
        write(GuardPassed("citation_validation", f"{len(valid)} citation(s), each of an article retrieved"))


def system_prompt(ctx: TurnContext, name: str) -> str:
    parts = [ctx.canary.instruction] if ctx.canary is not None and ctx.on("canary") else []
    parts.append(ctx.prompt(name))
    if ctx.on("spotlighting"):
        parts.append(SPOTLIGHT_RULE)
    return "\n\n".join(parts)


def _reads_like_instructions(ctx: TurnContext, turn: _Turn, outcome: ToolOutcome) -> bool:
    """An indirect injection: retrieved or returned text that scans as an attack."""
    if not _scans_results(ctx, turn) or ctx.scanner is None:
        return False
    return ctx.scanner.scan(outcome.content).action != "allow"


def _scans_results(ctx: TurnContext, turn: _Turn) -> bool:
    """Least privilege reads what tools return while the turn is still trusted."""
    return ctx.on("least_privilege") and ctx.scanner is not None and not turn.suspicious


def _withhold_writes(ctx: TurnContext, write: Writer, turn: _Turn, why: str) -> None:
    """Least privilege: a suspicious turn keeps its read-only tools and loses the rest."""
    turn.suspicious = True
    withheld = [t.spec.name for t in turn.tools if t.writes]
    if ctx.on("least_privilege") and withheld:
        turn.tools = [t for t in turn.tools if not t.writes]
        write(GuardTripped("least_privilege", "withhold", f"{', '.join(withheld)} withheld: {why}"))


async def _halted(ctx: TurnContext, write: Writer, halt: Halt) -> str:
    """The honest answer to a halted loop: say so, and hand it to a person."""
    write(GuardTripped("loop_guard", "halt", f"{halt.kind}: {halt.detail}"))
    ticket = await ctx.shop.open_ticket(ctx.customer_id, ctx.conversation_id, f"agent halted ({halt.kind})")
    write(TicketOpened(ticket, f"agent halted: {halt.detail}"))
    return HALTED.format(ticket=ticket)


def _clarify(write: Writer, repairs: list[str]) -> str:
    write(GuardTripped("tool_validation", "fallback", f"{len(repairs)} invalid tool calls: asking the customer"))
    return CLARIFY_ORDER if any("order_id" in r for r in repairs) else CLARIFY


def handoffs_of(state: ConversationState) -> list[tuple[str, str]]:
    """Who passed this turn to whom so far (source, target), in order."""
    return [(source, target) for source, target in state.get("handoffs", [])]


def handed_back(state: ConversationState, name: str, reason: str) -> dict[str, Any]:
    return {
        "handoff": "router",
        "handoff_reason": f"{name}: {reason}",
        "handoffs": [*handoffs_of(state), (name, "router")],
    }


def _finish(turn: _Turn, closing: str | None) -> dict[str, Any]:
    answer = "\n\n".join(part for part in (turn.answer, closing) if part)
    update: dict[str, Any] = {
        "handoff": "escalate" if turn.handoff and not turn.stop else None,
        "handoff_reason": turn.handoff or "",
    }
    if answer:
        update["messages"] = [{"role": "assistant", "content": answer}]
    return update


def _tool_message(call: ToolCall, outcome: ToolOutcome, spotlit: bool) -> Message:
    content = spotlight(outcome.content, f"tool {call['name']}") if spotlit else outcome.content
    return {"role": "tool", "tool_call_id": call["id"], "name": call["name"], "content": content}
