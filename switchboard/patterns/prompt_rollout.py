"""Canary rollout of a prompt version (chapter 12): a candidate served to a share of conversations.

Assignment is sticky and needs no stored state: a conversation's bucket is a hash of its id and
the prompt's name, in [0, 100), and it is in the canary while its bucket is below the share. So
one conversation sees one version for the whole rollout (a customer's later messages are never
answered by a different prompt mid-conversation), raising the share only adds conversations, and
two prompts rolled out at once pick their canaries independently.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

BUCKETS = 10_000  # a bucket is a hundredth of a percent: a share of 0.5% is honoured


@dataclass(frozen=True)
class Rollout:
    """One prompt's rollout: the version everyone gets, and optionally a candidate for `share`%."""

    prompt: str
    stable: str
    candidate: str | None = None
    share: float = 0.0  # 0–100: the percentage of conversations served the candidate

    def __post_init__(self) -> None:
        if not 0 <= self.share <= 100:
            raise ValueError(f"a rollout's share is a percentage from 0 to 100, not {self.share}")

    def version_for(self, conversation_id: str, canary_on: bool = True) -> str:
        """The version this conversation is served; with the canary off, always the stable one."""
        if not canary_on or self.candidate is None:
            return self.stable
        return self.candidate if in_canary(conversation_id, self.prompt, self.share) else self.stable


def bucket(conversation_id: str, prompt: str) -> float:
    """This conversation's place, in [0, 100), for this prompt's rollouts."""
    digest = hashlib.sha256(f"{prompt}\x00{conversation_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS * 100 / BUCKETS


def in_canary(conversation_id: str, prompt: str, share: float) -> bool:
    return bucket(conversation_id, prompt) < share
