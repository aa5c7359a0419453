"""How the demo model grades an answer when asked to judge (see prompts/judge.md).

It recognises a judging request by the `<answer>` and `<evidence>` blocks in the user message,
counts the answer's sentences that are close in meaning to some evidence sentence, and picks
the schema's first option (the supported verdict, as the prompt lists it) when enough are.
"""

from __future__ import annotations

import re

import numpy as np

from switchboard.agents.embeddings import Embedder
from switchboard.agents.llm.providers.demo.understanding import sentences

_BLOCK = re.compile(r"<(?P<name>answer|evidence)>(?P<text>.*?)</(?P=name)>", re.S)
SUPPORTED = 0.75  # cosine similarity at which an evidence sentence supports a claim
PASSING_SHARE = 0.8


def judging_blocks(text: str) -> tuple[str, str] | None:
    found = {m["name"]: m["text"] for m in _BLOCK.finditer(text)}
    return (found["answer"], found["evidence"]) if {"answer", "evidence"} <= found.keys() else None


def support_share(embedder: Embedder, answer: str, evidence: str) -> float:
    claims = [s for s in sentences(re.sub(r"\[[\w.-]+\]", "", answer)) if not s.endswith("?")]
    support = sentences(evidence) or [line for line in evidence.splitlines() if line.strip()]
    if not claims:
        return 1.0
    if not support:
        return 0.0
    vectors = embedder.embed([*claims, *support])
    best = (vectors[: len(claims)] @ vectors[len(claims) :].T).max(axis=1)
    return float(np.mean(best >= SUPPORTED))


def verdict(embedder: Embedder, user_text: str, options: list[str]) -> tuple[str, float] | None:
    blocks = judging_blocks(user_text)
    if blocks is None or len(options) < 2:
        return None
    share = support_share(embedder, *blocks)
    return (options[0] if share >= PASSING_SHARE else options[1]), round(share, 2)
