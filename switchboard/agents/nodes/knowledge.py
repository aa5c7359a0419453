"""Knowledge specialist: retrieve help-centre passages, then answer from them with citations.

Retrieval happens before the model call (retrieve-then-generate) rather than as a tool the
model may or may not call: every knowledge question is grounded, and it costs one model call.
With the `rag` flag off the model gets no passages, which is how a bare model answers. A
follow-up is searched as the standalone question it stands for (patterns/query_rewrite.py); the
model still reads the whole conversation.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from switchboard.agents.context import TurnContext
from switchboard.agents.events import Retrieved, Step
from switchboard.agents.llm.types import Message
from switchboard.agents.nodes.specialist import run_specialist
from switchboard.agents.state import ConversationState
from switchboard.agents.tools import format_passages, specialist_toolset
from switchboard.patterns.injection.spotlight import spotlight
from switchboard.patterns.query_rewrite import standalone

TOP_K = 4
# What the model is told when the search found nothing close enough (the knowledge base's floor):
# say so, instead of answering from an unrelated passage or from general knowledge.
NOT_FOUND = (
    "No help-centre passage is close enough to the customer's question. Say that you do not find it in "
    "the help centre and offer to pass the question to a member of the team; do not answer from general knowledge."
)


async def knowledge(state: ConversationState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    runtime.stream_writer(Step("knowledge", "Searching the help centre"))
    context: list[Message] = []
    retrieved: list[str] = []
    if runtime.context.on("rag"):
        passages, retrieved = await _retrieve(state, runtime)
        context.append(passages)
    return await run_specialist("knowledge", state, runtime, specialist_toolset(), context, retrieved)


async def _retrieve(state: ConversationState, runtime: Runtime[TurnContext]) -> tuple[Message, list[str]]:
    """The passages as a system message, and the articles they come from (which may be cited)."""
    question = _latest_question(state)
    found = await runtime.context.search(question, k=TOP_K)
    runtime.stream_writer(
        Retrieved(question, [p.source for p in found], [p.text for p in found], [p.score for p in found])
    )
    passages = format_passages(found)
    if runtime.context.on("spotlighting"):
        passages = spotlight(passages, "help centre search")
    content = "Help-centre passages for the customer's question:\n" + passages if found else NOT_FOUND
    message: Message = {"role": "system", "content": content}
    return message, [p.source for p in found]


def _latest_question(state: ConversationState) -> str:
    """The customer's latest question, a follow-up made standalone with the one before it
    (patterns/query_rewrite.py: "and for boots?" is searched as the earlier question about boots)."""
    users = [m.get("content", "") for m in state.get("messages", []) if m.get("role") == "user"]
    if not users:
        return ""
    return standalone(users[-1], users[-2] if len(users) > 1 else None)
