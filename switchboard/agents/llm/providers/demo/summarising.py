"""How the demo model summarises when asked to (see prompts/summarise.md).

It recognises a summarising request by the `<summary>` and `<messages>` blocks in the user
message and writes an extractive summary, as a small model following that prompt might: for
each new message one line — who said it and its first sentence, with any order numbers the
rest of the message named — appended to the summary so far. Past the token limit (the
request's `max_tokens`) lines go, oldest first, those naming an order or an amount last.
Nothing is invented; detail is lost.
"""

from __future__ import annotations

import re

from switchboard.agents.llm.tokens import count_tokens
from switchboard.patterns.order_numbers import order_numbers_in

_BLOCK = re.compile(r"<(?P<name>summary|messages)>\n?(?P<text>.*?)\n?</(?P=name)>", re.S)
_CITATION = re.compile(r"\s*\[[\w.-]+\]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_SPEAKER = re.compile(r"^(?P<who>\w+): (?P<said>.*)$", re.S)
_KEEPS = re.compile(r"#?\b\d{5}\b|\$\d")  # an order number or an amount: what a summary must not lose
GIST_WORDS = 16  # a line's first sentence is cut to this many words


def summary_blocks(text: str) -> tuple[str, list[str]] | None:
    """The summary so far and the new messages, when this is a summarising request."""
    found = {m["name"]: m["text"] for m in _BLOCK.finditer(text)}
    if {"summary", "messages"} - found.keys():
        return None
    return found["summary"].strip(), [line for line in found["messages"].splitlines() if line.strip()]


def summarise(previous: str, new: list[str], cap: int) -> str:
    notes = [line for line in previous.splitlines() if line.strip()] + [gist(line) for line in new]
    while len(notes) > 1 and count_tokens("\n".join(notes)) > cap:
        notes.pop(_least_important(notes))
    return "\n".join(notes)


def _least_important(notes: list[str]) -> int:
    """The oldest line that names no order or amount (the prompt's "least important"), else the oldest."""
    return next((i for i, note in enumerate(notes) if not _KEEPS.search(note)), 0)


def gist(line: str) -> str:
    """ "Customer: where is 10057? It was due Monday." → "- Customer: where is 10057?"."""
    match = _SPEAKER.match(line.strip())
    who, said = (match["who"], match["said"]) if match else ("Note", line.strip())
    plain = _CITATION.sub("", said)
    first = _SENTENCE_END.split(" ".join(plain.split()), maxsplit=1)[0]
    words = first.split()
    short = " ".join(words[:GIST_WORDS]) + (" …" if len(words) > GIST_WORDS else "")
    missing = [n for n in order_numbers_in(plain) if n not in short]
    orders = f" (orders {', '.join('#' + n for n in missing)})" if missing else ""
    return f"- {who}: {short}{orders}"
