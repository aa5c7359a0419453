"""The conversation history a model is sent, and, with `context_window` on, its token budget.

Off, a model sees the last HISTORY_MESSAGES messages whole, however long they are. On, the
newest messages go whole within the budget and the older ones as one summary, written by the
cheap model (prompts/summarise.md) and kept in the conversation's checkpointed state: when
more messages fold, only those are summarised, onto the summary the state already holds, so a
restart or a second agent in the same turn never pays for a summary twice.

`trim_history` runs once per turn, in the first agent that reads the history (the router, or
the generalist); every later reader of the same state gets the same window from `history`.
"""

from __future__ import annotations

from collections.abc import Sequence

from langgraph.runtime import Runtime

from switchboard.agents.calling import Writer, ask_model
from switchboard.agents.context import TurnContext
from switchboard.agents.events import ContextTrimmed
from switchboard.agents.llm.tokens import count_tokens
from switchboard.agents.llm.types import ChatRequest, Message
from switchboard.agents.state import ContextSummary, ConversationState
from switchboard.patterns.context_window import Folded, Summarise, fold, plan

HISTORY_MESSAGES = 12  # earlier messages a model sees with `context_window` off
SUMMARY_HEADING = "Summary of the earlier conversation (older messages, folded to fit the context budget):"
_SPEAKERS = {"user": "Customer", "assistant": "Assistant"}


def history(state: ConversationState, ctx: TurnContext) -> list[Message]:
    """What a model is sent of the conversation: the window `trim_history` fitted, or the tail."""
    messages = state.get("messages", [])
    summary = state.get("context_summary")
    if not ctx.on("context_window") or summary is None:
        return list(messages[-HISTORY_MESSAGES:])
    kept = list(messages[summary["folded"] :])
    return [summary_message(summary["text"]), *kept] if summary["folded"] else kept


def summary_message(text: str) -> Message:
    return {"role": "system", "content": f"{SUMMARY_HEADING}\n{text}"}


async def trim_history(state: ConversationState, runtime: Runtime[TurnContext]) -> ConversationState:
    """The state update that fits this turn's history to the budget (nothing with the switch off)."""
    ctx, write = runtime.context, runtime.stream_writer
    if not ctx.on("context_window"):
        return {}
    lines = [spoken(m) for m in state.get("messages", [])]
    budget = ctx.context_budget
    window = plan(lines, budget.tokens, budget.summary_tokens, count_tokens)
    known = _known(state)
    made = await fold(known, lines, window.folded, summariser(ctx, write), budget.summary_tokens)
    sent = sum(map(count_tokens, window.kept)) + (count_tokens(made.text) if made.count else 0)
    write(ContextTrimmed(made.count, len(window.kept), sum(map(count_tokens, lines)), sent, made is not known))
    return {"context_summary": ContextSummary(folded=made.count, text=made.text)}


def spoken(message: Message) -> str:
    """A message as the summariser reads it: who said it, and what."""
    return f"{_SPEAKERS.get(message.get('role', ''), 'Note')}: {message.get('content', '')}"


def _known(state: ConversationState) -> Folded:
    summary = state.get("context_summary")
    return Folded(summary["folded"], summary["text"]) if summary else Folded()


def summariser(ctx: TurnContext, write: Writer) -> Summarise:
    """The cheap model, asked through the gateway like any other call (its cost is the turn's)."""

    async def summarise(previous: str, new: Sequence[str], cap: int) -> str:
        system: Message = {"role": "system", "content": ctx.prompt("summarise")}
        asked: Message = {"role": "user", "content": summary_request(previous, new)}
        request = ChatRequest([system, asked], ctx.small_model, max_tokens=cap)
        return (await ask_model(ctx, write, request, purpose="summarise", shows_text=False)).text.strip()

    return summarise


def summary_request(previous: str, new: Sequence[str]) -> str:
    """The summarising prompt's user message: the summary so far and the messages to fold into it."""
    lines = "\n".join(new)
    return f"<summary>\n{previous}\n</summary>\n<messages>\n{lines}\n</messages>"
