"""Query rewriting for follow-ups: "and for boots?" searched as the question it stands for.

A follow-up leans on the turn before it; searched alone, "and for boots?" finds boot care, not the
boot part of the return policy the customer is asking about. The rewriter is deterministic (no
model call) and knows two shapes of follow-up:

    elliptical  "and for boots?", "what about gift cards", "how about Canada?": an opener (and, but,
                what about, how about, same for, what if) and a new subject. The subject replaces
                the previous question's last prepositional object (after for/about/on/with/of/to/
                in): "What is your return policy for tents?" + "and for boots?" →
                "What is your return policy for boots?"; with no such object it is appended:
                "<previous> (about <subject>)".
    referring   a short question (at most REFERRING_WORDS content words) with a pronoun (it, that,
                this, they, them, those, these, one): the previous question's content words are
                appended in brackets, "how do I clean it" → "how do I clean it (tent care)".

Anything else, or a conversation with no earlier question, is searched as asked.
"""

from __future__ import annotations

import re

from switchboard.patterns.hybrid_search import terms

REFERRING_WORDS = 3
_OPENER = re.compile(
    r"^\s*(?:and|but|also|ok(?:ay)?,?|so)?\s*(?:what about|how about|same for|what if|and)?\s*"
    r"(?:for|about|with|on|to|in)?\s+(?P<subject>[^?.!]+?)\s*[?.!]*\s*$",
    re.IGNORECASE,
)
_STARTS = re.compile(r"^\s*(?:and|but|also|what about|how about|same for|what if)\b", re.IGNORECASE)
_LAST_OBJECT = re.compile(r"\b(for|about|on|with|of|to|in)\s+(?!.*\b(?:for|about|on|with|of|to|in)\s)([^?.!]+)", re.I)
_PRONOUN = re.compile(r"\b(it|that|this|they|them|those|these|one)\b", re.IGNORECASE)


def standalone(question: str, previous: str | None) -> str:
    """The question as it is to be searched, given the customer's previous question (see above)."""
    if not previous or not previous.strip():
        return question
    subject = _elliptical_subject(question)
    if subject is not None:
        return _with_subject(previous, subject)
    if _PRONOUN.search(question) and len(terms(question)) <= REFERRING_WORDS:
        return f"{question.rstrip(' ?.!')} ({' '.join(terms(previous))})"
    return question


def _elliptical_subject(question: str) -> str | None:
    """The new subject of an elliptical follow-up, or None if the question is not one."""
    if not _STARTS.match(question) or len(terms(question)) > REFERRING_WORDS:
        return None
    match = _OPENER.match(question)
    return match.group("subject").strip() if match and terms(match.group("subject")) else None


def _with_subject(previous: str, subject: str) -> str:
    """The previous question about the new subject: its last prepositional object replaced."""
    match = _LAST_OBJECT.search(previous)
    if match is None:
        return f"{previous.rstrip(' ?.!')} (about {subject})"
    return f"{previous[: match.start(2)]}{subject}{previous[match.end(2) :]}"
