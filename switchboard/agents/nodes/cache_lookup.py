"""The answer cache (chapter 10): a question answered before may be answered again with no model.

Looked up after the input guard has passed the message (in blocking mode; in parallel mode the
app holds a hit back until the scan's verdict is in) and before the router, the first model
call. On a hit the stored answer is the turn's reply, given as answer text like any model's,
and the turn ends: no model call, no model cost. On a miss or a rejection the turn goes on as it
would have without the cache, and the app stores its answer afterwards if the turn earns it
(app/cost/cached_answers.py decides). A message the input scan flagged is not looked up.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Literal

from langgraph.runtime import Runtime

from switchboard.agents.context import AnswerMemory, TurnContext
from switchboard.agents.events import CacheLooked, Step, Token
from switchboard.agents.state import ConversationState

FirstAgent = Literal["router", "generalist"]


def first_agent(ctx: TurnContext) -> FirstAgent:
    return "router" if ctx.on("router") else "generalist"


def first_step(ctx: TurnContext) -> Literal["cache_lookup", "router", "generalist"]:
    """Where a message the input guard let through goes first: the cache, when it is on."""
    return "cache_lookup" if ctx.on("semantic_cache") and ctx.answers is not None else first_agent(ctx)


def answering_models(ctx: TurnContext) -> tuple[str, ...]:
    """The models that may write this turn's answer: with `model_routing` on, the small one too."""
    return (ctx.model, ctx.small_model) if ctx.on("model_routing") and ctx.small_model != ctx.model else (ctx.model,)


async def cache_lookup(state: ConversationState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    ctx, write = runtime.context, runtime.stream_writer
    write(Step("cache_lookup", "Looking for a cached answer"))
    messages = state.get("messages", [])
    question = str(messages[-1].get("content", "")) if messages else ""
    looked = await _looked_up(ctx, question, flagged=bool(state.get("suspicious")))
    looked = replace(looked, follow_up=len(messages) > 1)
    write(looked)
    if looked.outcome != "hit":
        return {"cached": False}
    write(Token(looked.answer))
    return {"cached": True, "messages": [{"role": "assistant", "content": looked.answer}]}


async def _looked_up(ctx: TurnContext, question: str, flagged: bool) -> CacheLooked:
    if flagged:  # a suspected injection is neither served a stored answer nor becomes one
        return CacheLooked("miss", question, "not looked up: the input scan flagged the message")
    answers: AnswerMemory | None = ctx.answers
    if answers is None or not question.strip():
        return CacheLooked("miss", question, "nothing to look up")
    models = answering_models(ctx)
    return await answers.lookup(
        question,
        tenant=ctx.tenant_id,
        customer=ctx.customer_id,
        models=models,
        run_id=ctx.run_id,
        prompts=ctx.prompt_book(),
    )


def after_cache(state: ConversationState, runtime: Runtime[TurnContext]) -> Literal["router", "generalist", "__end__"]:
    return "__end__" if state.get("cached") else first_agent(runtime.context)
