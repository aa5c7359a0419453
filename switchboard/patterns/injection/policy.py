"""The injection decision: what evidence blocks a message, what only flags it, and what passes.

The scanner's layers each give evidence (`Evidence`: a weight in 0..1 and where it came from);
this policy alone turns it into an action. Evidence is of two sorts:

    hard    a hand-written rule, a Unicode trick, an encoded payload: someone wrote down why
            this text is suspicious, and the reason names the phrase
    soft    the learned classifier and the similarity to known attacks: statistical guesses
            that also fire on ordinary messages full of trigger words ("ignore", "system",
            "pretend", "developer"), which is where the benign blocks on unseen data came from

    score = 1 − Π (1 − w) over all evidence           (the noisy OR, as before)
    hard  = 1 − Π (1 − w) over hard evidence only

    block  if hard ≥ block_at                                   (rules are sure by themselves)
        or score ≥ block_at and hard ≥ corroborated_at          (soft evidence tips a rule over)
        or the calibrated learned probability ≥ overwhelming    (the model alone, only when
                                                                 its calibrated score is near 1)
    flag   if score ≥ flag_at      (the turn goes on with write tools withheld: least privilege)
    allow  otherwise

So the learned layer alone flags, and blocks only when its calibrated probability is
overwhelming. `overwhelming` and `corroborated_at` are an operating point on the ROC curve
(attacks blocked against benign blocked) that `python bench/injection_roc.py --cv 5` prints over
cross-validated scores of the wide sets (injection_wide_dev.jsonl and the spent first held-out
set, injection_wide_holdout.jsonl), and chooses: the most attacks blocked with benign blocked at
most 1%. That is (0.45, 0.95): 85.2% of attacks blocked, 96.9% blocked or flagged, 0.7% of
benign messages blocked (4 of 614: 3 the learned layer alone, 1 a role-play rule it tips) and
6.8% flagged.
At 0.9 it blocks 88.3% of attacks and 1.1% of benign messages; at 0.98, 79.0% and 0.2%.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Action = Literal["allow", "flag", "block"]
Source = Literal["rule", "unicode", "payload", "similarity", "learned"]
SOFT: frozenset[Source] = frozenset({"similarity", "learned"})


@dataclass(frozen=True)
class Evidence:
    """One layer's finding: `probability` is the learned layer's calibrated p (else 0)."""

    source: Source
    weight: float
    reason: str
    probability: float = 0.0


def noisy_or(weights: Sequence[float]) -> float:
    """1 − Π (1 − w): independent pieces of evidence reinforce each other."""
    product = 1.0
    for weight in weights:
        product *= 1.0 - weight
    return 1.0 - product


@dataclass(frozen=True)
class DecisionPolicy:
    """Evidence to block / flag / allow; the formula is in the module docstring."""

    flag_at: float = 0.4
    block_at: float = 0.8
    corroborated_at: float = 0.45
    overwhelming: float = 0.95

    def decide(self, evidence: Sequence[Evidence]) -> Action:
        score = noisy_or([e.weight for e in evidence])
        hard = noisy_or([e.weight for e in evidence if e.source not in SOFT])
        learned = max((e.probability for e in evidence if e.source == "learned"), default=0.0)
        if hard >= self.block_at or (score >= self.block_at and hard >= self.corroborated_at):
            return "block"
        if learned >= self.overwhelming:
            return "block"
        return "flag" if score >= self.flag_at else "allow"
