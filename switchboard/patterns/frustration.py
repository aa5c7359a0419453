"""Frustration detection: notice a customer who is fed up, before they leave.

An assistant that keeps answering a customer who is angry, or who has asked the same thing
three times, makes things worse; a person should take over. This scores a message by a few
weighted signals — words of anger or contempt, saying it has happened again, asking for a
manager, shouting in capitals, runs of "!!" or "??" — and combines them as independent
evidence:

    score = 1 − Π (1 − wᵢ)    over the signals found

so one strong signal is enough and weak ones add up. `frustrated(text)` is true at or above
`threshold`. Lexical on purpose: fast, explainable, and tested; it misses sarcasm.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SIGNALS: tuple[tuple[str, float, re.Pattern[str]], ...] = (
    ("contempt", 0.6, re.compile(r"\b(useless|ridiculous|pathetic|terrible|worst|joke|rubbish|garbage|scam)\b", re.I)),
    ("anger", 0.6, re.compile(r"\b(furious|livid|fed up|sick of|unacceptable|outrageous|disgusted)\b", re.I)),
    (
        "again",
        0.35,
        re.compile(
            r"\b(again|(second|third|fourth|fifth) time|still (not|no|hasn'?t|waiting)|keep (asking|telling))\b", re.I
        ),
    ),
    ("manager", 0.5, re.compile(r"\b(manager|supervisor|complain(t)?|escalate)\b", re.I)),
    ("profanity", 0.6, re.compile(r"\b(damn|hell|crap|wtf|f\*+|bloody)\b", re.I)),
    ("punctuation", 0.3, re.compile(r"[!?]{2,}")),
)


@dataclass(frozen=True)
class Frustration:
    score: float
    signals: tuple[str, ...]


def measure(text: str) -> Frustration:
    found = [(name, weight) for name, weight, pattern in SIGNALS if pattern.search(text)]
    if _shouting(text):
        found.append(("shouting", 0.5))
    calm = 1.0
    for _, weight in found:
        calm *= 1 - weight
    return Frustration(round(1 - calm, 3), tuple(name for name, _ in found))


def frustrated(text: str, threshold: float = 0.5) -> bool:
    return measure(text).score >= threshold


def _shouting(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) > 0.7
