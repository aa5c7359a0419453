"""Replay one case of a stored run: the same dataset case, played again through the app's turn
path under the run's flag snapshot, and scored as the run scored it — old and new side by side.

The replay is a run of one case in a partition of its own (a fresh run id: its conversations,
records, spend windows and approvals are kept apart from live traffic and from the run it
replays, as an eval run's are), and it starts from the seeded shop, as every run attempt does.
It is not stored as a run: it answers "does this case still pass, and what does it say now?".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel

from switchboard.app.runs.replay import ServicePlayer, case_json, personal_data
from switchboard.app.services import Services
from switchboard.app.shop.models import Run
from switchboard.app.shop.seed import load_seed
from switchboard.app.turns.conversations import new_id
from switchboard.evals.dataset import Case, DatasetError, load_dataset
from switchboard.evals.engine import run_cases


class CaseNotFound(Exception):
    pass


class DatasetGone(Exception):
    pass


class CaseReplay(BaseModel):
    run_id: str
    case_id: str
    replay_run_id: str  # the partition the new turns were played in
    flags: dict[str, Any]  # the run's snapshot, which the replay played under
    old: dict[str, Any]  # the run's first attempt at the case, as it stored it
    new: dict[str, Any]  # the same shape: turns with answers, outcomes and verdicts; passed


def stored_case(run: Run, case_id: str) -> dict[str, Any]:
    found = next((c for c in run.cases if c.get("case_id") == case_id), None)
    if found is None:
        raise CaseNotFound(f"run {run.id!r} has no case {case_id[:60]!r}")
    return dict(found)


def case_of_record(run: Run, record_id: str) -> str | None:
    """The case whose turns carry this record: the run record page's replay button."""
    for case in run.cases:
        if any(t.get("record_id") == record_id for t in case.get("turns", [])):
            return str(case["case_id"])
    return None


async def _dataset_case(services: Services, run: Run, case_id: str) -> Case:
    customers = [c.id for c in await services.shop.customers()]
    try:
        cases = load_dataset(Path(run.dataset), customers)
    except (OSError, DatasetError) as exc:
        raise DatasetGone(f"the run's dataset {Path(run.dataset).name!r} cannot be read now: {exc}") from None
    found = next((c for c in cases if c.id == case_id), None)
    if found is None:
        raise DatasetGone(f"the run's dataset no longer has case {case_id[:60]!r}")
    return found


async def replay_case(services: Services, run: Run, case_id: str) -> CaseReplay:
    """Raises CaseNotFound (not in the run) or DatasetGone (its dataset changed since)."""
    old = stored_case(run, case_id)
    case = await _dataset_case(services, run, case_id)
    replay_id = new_id("run_")

    async def fresh_shop(attempt: int) -> None:
        await load_seed(services.sessions, services.tenants, services.now())

    player = ServicePlayer(services, dict(run.flags), replay_id)
    (result,) = await run_cases([case], player, await personal_data(services), before_attempt=fresh_shop)
    await services.spend.settled()
    await services.approvals.resolve_for_run(replay_id)
    new = case_json(result, {case.id: case})
    return CaseReplay(run_id=run.id, case_id=case_id, replay_run_id=replay_id, flags=run.flags, old=old, new=new)
