"""What a resolved turn is, and what one costs: the one definition the run summary
(evals/report.py) and the /cost page (app/cost/spend_report.py) both use.

A turn is resolved when its outcome is `answered`: the assistant itself gave the answer. An
`escalated` turn handed the customer to a person — the tokens bought a hand-off, and the
person's time is the larger bill; a `degraded` one served a fallback (an old answer, a
help-centre excerpt or "unavailable"); `blocked`, `declined` and `error` resolve nothing.

Cost per resolved turn is *all* the spend divided by the resolved turns: what one answer costs
once the turns that did not end in one are paid for too. None when no turn was resolved.
"""

from __future__ import annotations

from collections.abc import Sequence

from switchboard.agents.record import Outcome, TurnRecord

RESOLVED: Outcome = "answered"


def is_resolved(record: TurnRecord) -> bool:
    return record.outcome == RESOLVED


def resolved_count(records: Sequence[TurnRecord]) -> int:
    return sum(map(is_resolved, records))


def cost_per_resolved(records: Sequence[TurnRecord]) -> float | None:
    resolved = resolved_count(records)
    return sum(r.cost_usd for r in records) / resolved if resolved else None
