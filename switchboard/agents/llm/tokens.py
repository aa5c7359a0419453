"""Offline token counting.

Real providers report exact usage. The demo model, and anything that must estimate before a
call, counts with this approximation instead: tiktoken would fetch its encodings from the
internet on first use. Words and punctuation marks are counted and scaled by 1.3, which is
within about 10% of cl100k for English support text.

The same counts serve three readers, so that they agree: the demo model's reported usage, the
token budget's estimate before a call, and the gateway's estimate for a call cut off before its
provider reported usage (a cancelled or broken stream is still billed for what it consumed).
"""

from __future__ import annotations

import math
import re

from switchboard.agents.llm.types import ChatRequest

_PIECE = re.compile(r"\w+|[^\w\s]")
TOKENS_PER_MESSAGE = 4  # the role and separators each chat message adds
TOKENS_PER_TOOL_CALL = 12  # a tool call's name, id and argument framing


def count_tokens(text: str) -> int:
    return math.ceil(len(_PIECE.findall(text)) * 1.3)


def prompt_tokens(request: ChatRequest) -> int:
    """What a request's prompt costs in input tokens: its messages and its tools' descriptions."""
    text = " ".join(m.get("content", "") for m in request.messages)
    tools = " ".join(t.description for t in request.tools)
    return count_tokens(text) + count_tokens(tools) + TOKENS_PER_MESSAGE * len(request.messages)


def output_tokens(text: str, tool_calls: int) -> int:
    """What an answer costs in output tokens: its text and its tool calls."""
    return count_tokens(text) + TOKENS_PER_TOOL_CALL * tool_calls
