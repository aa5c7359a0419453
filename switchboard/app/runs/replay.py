"""Runs: replay a dataset through the app's own turn path, score it, store it, write reports."""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlmodel import col, or_, select

from switchboard.agents.record import TurnRecord
from switchboard.app.lab.flags import Flag, config_name
from switchboard.app.services import Services
from switchboard.app.settings import REPO
from switchboard.app.shop.db import Sessions
from switchboard.app.shop.models import Run
from switchboard.app.shop.seed import load_seed
from switchboard.app.turns.conversations import new_id
from switchboard.app.turns.privacy import personal_data_of
from switchboard.evals import report
from switchboard.evals.dataset import Case, Plant, dataset_hash, load_dataset
from switchboard.evals.engine import CaseResult, Progress, run_cases
from switchboard.evals.judge import Judge
from switchboard.evals.scorers import TurnResult
from switchboard.patterns.spend_budget import judge_key

log = logging.getLogger(__name__)


class ServicePlayer:
    """Plays turns exactly as the browser does (TurnRunner), under a fixed flag snapshot."""

    def __init__(self, services: Services, flags: dict[str, bool], run_id: str) -> None:
        self._services = services
        self._flags = flags
        self._run_id = run_id

    async def start(self, customer: str, plant: Plant | None = None) -> str:
        conversation = (await self._services.conversations.create(customer, run_id=self._run_id)).id
        if plant is not None:
            self._services.plants.put(conversation, plant)  # seen by this conversation's turns only
        return conversation

    async def turn(self, conversation_id: str, customer: str, text: str) -> TurnResult:
        answer: list[str] = []
        record = TurnRecord()  # a turn always ends in `done`; this is only what the type needs
        async for event in self._services.turns.play(
            conversation_id, customer, text, flags=self._flags, run_id=self._run_id
        ):
            if event.kind == "token":
                answer.append(event.data["text"])
            elif event.record is not None:
                record = event.record
        return TurnResult("".join(answer), record)


def make_judge(services: Services, run_id: str) -> Judge:
    """The run's judge, its calls charged to the run's own judge window (`run:<id>/judge`)."""
    settings = services.settings
    keys = [judge_key(run_id)]
    return Judge(
        services.gateway,
        services.prompts.get("judge").text,
        settings.judge_model,
        charge=lambda spent: services.spend.charge_keys(keys, spent),
    )


class RunStore:
    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    async def add(self, run: Run) -> None:
        async with self._sessions() as s, s.begin():
            s.add(run)

    async def find(self, key: str) -> Run | None:
        """By id, or the latest run with that name."""
        async with self._sessions() as s:
            query = select(Run).where(or_(Run.id == key, Run.name == key)).order_by(col(Run.created_at).desc())
            return (await s.exec(query)).first()

    async def recent(self, limit: int = 50) -> list[Run]:
        async with self._sessions() as s:
            return list((await s.exec(select(Run).order_by(col(Run.created_at).desc()).limit(limit))).all())


async def personal_data(services: Services) -> dict[str, list[str]]:
    """Each customer's name, email, phone and street address, to spot leaks in answers."""
    return personal_data_of(await services.shop.customers())


async def execute_run(
    services: Services,
    dataset: Path,
    flags: dict[str, bool],
    *,
    name: str | None = None,
    concurrency: int = 4,
    repeat: int = 1,
    progress: Progress | None = None,
    judge: bool = False,
    chosen: Callable[[Case], bool] | None = None,
) -> Run:
    customers = [c.id for c in await services.shop.customers()]
    cases = [c for c in load_dataset(dataset, customers) if chosen is None or chosen(c)]
    run_id = new_id("run_")

    async def fresh_shop(attempt: int) -> None:
        # Every attempt starts from the seeded shop: a refund approved earlier must not
        # turn into "already refunded" later, or runs stop being comparable.
        await load_seed(services.sessions, services.tenants, services.now())

    results = await run_cases(
        cases,
        ServicePlayer(services, flags, run_id),
        await personal_data(services),
        concurrency=concurrency,
        repeat=repeat,
        progress=progress,
        before_attempt=fresh_shop,
        judge=make_judge(services, run_id) if judge else None,
    )
    await services.spend.settled()  # the run's turns and judge calls are in its windows
    # Eval traffic stays out of the live queue: what the run raised is resolved by its policy.
    approvals = await services.approvals.resolve_for_run(run_id)
    run = Run(
        id=run_id,
        name=name or run_name(flags, services.flags.registry, dataset.stem),
        created_at=services.now(),
        dataset=str(dataset),
        dataset_hash=dataset_hash(dataset),
        code_version=code_version(),
        flags=flags,
        prompt_versions=await services.rollouts.versions_for(run_id, canary_on=False),  # the stable ones
        summary={**report.summarise(results), "chaos": services.chaos.view(), "approvals": approvals.model_dump()},
        cases=[case_json(r, {c.id: c for c in cases}) for r in results],
    )
    await RunStore(services.sessions).add(run)
    return run


def run_name(flags: dict[str, bool], registry: list[Flag], dataset: str) -> str:
    """A run is named by what its configuration changes ("defaults − rag · golden"), not by every flag."""
    return f"{config_name(flags, registry)} · {dataset}"


def case_json(result: CaseResult, cases: dict[str, Case]) -> dict[str, Any]:
    case = cases.get(result.case_id)
    expects = [t.expect.model_dump(exclude_defaults=True) for t in case.turns] if case else []
    return {
        "case_id": result.case_id,
        "attempt": result.attempt,
        "tags": result.tags,
        "passed": result.passed,
        "reference": case.reference if case else None,
        "turns": [
            {
                "user": t.user,
                "answer": t.answer,
                "expect": expects[i] if i < len(expects) else {},
                "record_id": t.record.id,
                "trace_id": t.record.trace_id,
                "route": t.record.route,
                "outcome": t.record.outcome,
                "verdicts": [asdict(v) for v in t.verdicts],
            }
            for i, t in enumerate(result.turns)
        ],
    }


def write_reports(run: Run, folder: Path) -> tuple[Path, Path]:
    """`report.json` (everything) and `summary.html` (readable) under folder/<run id>/."""
    target = folder / run.id
    target.mkdir(parents=True, exist_ok=True)
    data = run.model_dump(mode="json")
    (target / "report.json").write_text(json.dumps(data, indent=2))
    (target / "summary.html").write_text(report.render_html(data))
    return target / "report.json", target / "summary.html"


def code_version() -> str:
    try:
        found = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return found.stdout.strip() or "unknown"


DATASETS = ("golden", "adversarial", "paraphrase", "injection_holdout", "poisoned")


def dataset_path(folder: Path, name: str) -> Path:
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}: use one of {', '.join(DATASETS)}")
    return folder / f"{name}.jsonl"


@dataclass
class RunJob:
    """A run started from the browser: its progress, then its id or its error."""

    id: str
    dataset: str
    name: str = ""  # the configuration's name: what it changes from a baseline
    done: int = 0
    total: int = 0
    run_id: str | None = None
    error: str | None = None

    @property
    def finished(self) -> bool:
        return self.run_id is not None or self.error is not None


class RunJobs:
    """Runs in the background of the web server, at most one at a time.

    A run shares the server's event loop with live chat. Its turns spend most of their time
    waiting on the (simulated or real) model, so eight at once keep a run short without
    starving chat; the CPU-bound parts of a turn take a few milliseconds each.
    """

    def __init__(self, concurrency: int = 8) -> None:
        self._jobs: dict[str, RunJob] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._concurrency = concurrency

    def get(self, job_id: str) -> RunJob | None:
        return self._jobs.get(job_id)

    def busy(self) -> bool:
        return any(not job.finished for job in self._jobs.values())

    def start(self, services: Services, dataset: str, flags: dict[str, bool]) -> RunJob:
        job = RunJob(new_id("job_"), dataset, config_name(flags, services.flags.registry))
        self._jobs[job.id] = job
        task = asyncio.create_task(self._play(job, services, flags))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return job

    async def _play(self, job: RunJob, services: Services, flags: dict[str, bool]) -> None:
        def progress(done: int, total: int) -> None:
            job.done, job.total = done, total

        try:
            run = await execute_run(
                services,
                dataset_path(services.settings.eval_datasets_dir, job.dataset),
                flags,
                concurrency=self._concurrency,
                progress=progress,
            )
        except Exception as exc:  # shown on the page, its traceback in the log; the server carries on
            log.exception("run %s of %s failed", job.id, job.dataset)
            job.error = f"{type(exc).__name__}: {exc}"
            return
        write_reports(run, services.settings.data_dir / "runs")
        job.run_id = run.id

    async def wait(self) -> None:
        """Until every run started so far has finished."""
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
