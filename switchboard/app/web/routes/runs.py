"""Runs: start one from the browser, follow its progress, list and compare stored runs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict

from switchboard.app.lab.flags import parse_flag_spec, snapshot_key
from switchboard.app.runs.case_replay import CaseNotFound, CaseReplay, DatasetGone, case_of_record, replay_case
from switchboard.app.runs.chapter_runs import ChapterRuns, chapter_runs, replayable_play
from switchboard.app.runs.chapters import ChapterPlan, plan_of
from switchboard.app.runs.compare import MAX_COMPARED, chaos_of, compare, config_label, dataset_of
from switchboard.app.runs.replay import DATASETS, RunJob, RunJobs, RunStore
from switchboard.app.services import Services
from switchboard.app.shop.models import Message, Run
from switchboard.app.web.auth import ADMIN_ONLY, ActorDep
from switchboard.app.web.deps import RecordDep, ServicesDep
from switchboard.app.web.errors import ApiError, error_responses, not_found
from switchboard.app.web.responses import JobView, RunRow
from switchboard.app.web.templates import templates

router = APIRouter(tags=["runs"], dependencies=ADMIN_ONLY)  # runs are the operator's


def get_jobs(request: Request) -> RunJobs:
    jobs: RunJobs = request.app.state.jobs
    return jobs


JobsDep = Annotated[RunJobs, Depends(get_jobs)]


class NewRun(BaseModel):
    model_config = ConfigDict(extra="forbid")
    dataset: str = "golden"
    flags: str | None = None  # a preset or name=on,...; None means the flags as they are now


def _start(services: Services, jobs: JobsDep, dataset: str, spec: str | None) -> RunJob:
    if dataset not in DATASETS:
        raise ApiError(422, "invalid_input", f"unknown dataset {dataset!r}: use one of {', '.join(DATASETS)}")
    flags = parse_flag_spec(spec, services.flags.registry) if spec else services.flags.snapshot()
    if jobs.busy():
        raise ApiError(409, "run_in_progress", "a run is already in progress; wait for it to finish")
    return jobs.start(services, dataset, flags)


def _job_view(job: RunJob) -> JobView:
    return JobView(**job.__dict__, finished=job.finished)


def _run_row(run: Run, services: Services) -> RunRow:
    registry = services.flags.registry
    return RunRow(
        id=run.id,
        name=run.name,
        label=config_label(run, registry),
        created_at=run.created_at.isoformat(timespec="seconds"),
        dataset=dataset_of(run),
        flags=snapshot_key(run.flags, registry),
        chaos=chaos_of(run),
        cases=run.summary.get("cases"),
        pass_at_1=run.summary.get("pass_at_1"),
    )


@router.post("/api/runs", status_code=202, responses=error_responses(400, 401, 409, 422))
async def start_run(body: NewRun, services: ServicesDep, jobs: JobsDep) -> JobView:
    return _job_view(_start(services, jobs, body.dataset, body.flags))


@router.get("/api/runs/jobs/{job_id}", responses=error_responses(401, 404, 422))
async def job_status(job_id: str, jobs: JobsDep) -> JobView:
    job = jobs.get(job_id)
    if job is None:
        raise not_found("job", job_id)
    return _job_view(job)


@router.get("/api/runs", responses=error_responses(401))
async def list_runs(services: ServicesDep) -> list[RunRow]:
    return [_run_row(r, services) for r in await RunStore(services.sessions).recent()]


@router.get("/api/runs/{run_id}", responses=error_responses(401, 404, 422))
async def get_run(run_id: str, services: ServicesDep) -> Run:
    run = await RunStore(services.sessions).find(run_id)
    if run is None:
        raise not_found("run", run_id)
    return run


@router.get("/runs", response_class=HTMLResponse, include_in_schema=False)
async def runs_page(request: Request, services: ServicesDep) -> HTMLResponse:
    rows = [_run_row(r, services) for r in await RunStore(services.sessions).recent()]
    return templates.TemplateResponse(request, "runs.html", {"runs": rows, "active": "runs"})


@router.get("/runs/compare", response_class=HTMLResponse, include_in_schema=False)
async def compare_page(
    request: Request,
    services: ServicesDep,
    ids: Annotated[list[str], Query()] = [],  # noqa: B006
) -> HTMLResponse:
    comparison = compare(await _chosen_runs(services, ids), services.flags.registry)
    context = {"active": "runs", "c": comparison, "chart": comparison.chart.model_dump()}
    return templates.TemplateResponse(request, "runs_compare.html", context)


async def _chosen_runs(services: Services, ids: list[str]) -> list[Run]:
    """The runs asked for, in order: one to six of them, each one that exists."""
    if not ids:
        raise ApiError(422, "invalid_input", "choose at least one run to show")
    if len(ids) > MAX_COMPARED:
        raise ApiError(422, "invalid_input", f"compare at most {MAX_COMPARED} runs at once, not {len(ids)}")
    store, runs = RunStore(services.sessions), []
    for key in ids:
        run = await store.find(key)
        if run is None:
            raise not_found("run", key)
        runs.append(run)
    return runs


@router.post("/api/runs/{run_id}/cases/{case_id}/replay", responses=error_responses(401, 404, 409, 422))
async def replay_run_case(
    run_id: str, case_id: str, services: ServicesDep, jobs: JobsDep, actor: ActorDep
) -> CaseReplay:
    """The case played again under the run's flags, in a partition of its own: old and new, scored.
    409 while a run is in progress (both reset the shop) or when the run's dataset has changed."""
    run = await RunStore(services.sessions).find(run_id)
    if run is None:
        raise not_found("run", run_id)
    if jobs.busy():
        raise ApiError(409, "run_in_progress", "a run is in progress; replay the case when it has finished")
    try:
        replayed = await replay_case(services, run, case_id)
    except CaseNotFound as exc:
        raise ApiError(404, "case_not_found", str(exc)) from None
    except DatasetGone as exc:
        raise ApiError(409, "dataset_changed", str(exc)) from None
    after = {"replay_run_id": replayed.replay_run_id, "passed": replayed.new.get("passed")}
    await services.audit.record(
        actor, "run.replay_case", {"passed": replayed.old.get("passed")}, after, target=f"{run_id}/{case_id}"
    )
    return replayed


@router.get("/runs/records/{record_id}", response_class=HTMLResponse, include_in_schema=False)
async def record_page(request: Request, record: RecordDep, services: ServicesDep) -> HTMLResponse:
    """One turn a run played: what was asked and answered, and its whole request record; with the
    case it belongs to, so that it can be played again (replay_run_case)."""
    exchange = _exchange(await services.conversations.messages(record.conversation_id), record.id)
    run = await RunStore(services.sessions).find(record.run_id) if record.run_id else None
    case_id = case_of_record(run, record.id) if run is not None else None
    context = {"active": "runs", "record": record, "exchange": exchange, "case_id": case_id}
    return templates.TemplateResponse(request, "run_record.html", context)


def _exchange(messages: list[Message], record_id: str) -> list[Message]:
    """The customer's message and the answer that carries this record."""
    for i, message in enumerate(messages):
        if message.record_id == record_id:
            return [m for m in messages[max(0, i - 1) : i + 1] if m.role == "user" or m is message]
    return []


@router.post("/ui/runs", response_class=HTMLResponse, include_in_schema=False)
async def start_run_from_page(
    request: Request, services: ServicesDep, jobs: JobsDep, dataset: Annotated[str, Form()] = "golden"
) -> HTMLResponse:
    job = _start(services, jobs, dataset, None)
    return templates.TemplateResponse(request, "partials/run_job.html", {"job": job, "previous": None})


@router.get("/ui/runs/jobs/{job_id}", response_class=HTMLResponse, include_in_schema=False)
async def job_partial(request: Request, job_id: str, services: ServicesDep, jobs: JobsDep) -> HTMLResponse:
    job = jobs.get(job_id)
    if job is None:
        raise not_found("job", job_id)
    previous = await _previous_run(services, job) if job.run_id else None
    return templates.TemplateResponse(request, "partials/run_job.html", {"job": job, "previous": previous})


async def _previous_run(services: Services, job: RunJob) -> str | None:
    """The latest earlier run of the same dataset, to compare the new one with."""
    for run in await RunStore(services.sessions).recent():
        if run.id != job.run_id and run.dataset.endswith(f"{job.dataset}.jsonl"):
            return run.id
    return None


@router.get("/runs/chapters/{number}", response_class=HTMLResponse, include_in_schema=False, response_model=None)
async def chapter_runs_page(request: Request, number: int, services: ServicesDep) -> HTMLResponse | RedirectResponse:
    """Chapter N's before and after on this server: the comparison when both runs exist,
    otherwise a page saying which is missing, with a button that makes it."""
    plan = _plan(number)
    play = replayable_play(plan)
    pair = await _pair(services, plan) if play is not None else None
    if pair is not None and pair.missing is None:
        assert pair.before.run is not None and pair.after.run is not None
        return RedirectResponse(f"/runs/compare?ids={pair.before.run.id}&ids={pair.after.run.id}", status_code=303)
    context = {"active": "runs", "plan": plan, "pair": pair, "chaos_now": services.chaos.preset}
    return templates.TemplateResponse(request, "runs_chapter.html", context)


@router.post("/ui/runs/chapters/{number}", response_class=HTMLResponse, include_in_schema=False)
async def start_chapter_run(request: Request, number: int, services: ServicesDep, jobs: JobsDep) -> HTMLResponse:
    """Starts the chapter's missing run, under the chaos preset its comparison is made under."""
    plan = _plan(number)
    pair = await _pair(services, plan) if replayable_play(plan) is not None else None
    refused = _why_not_run(pair, services.chaos.preset, jobs)
    if refused is not None or pair is None or pair.missing is None:
        return templates.TemplateResponse(request, "partials/run_job.html", {"message": refused, "job": None})
    job = jobs.start(services, pair.play.dataset, pair.missing.flags)
    return templates.TemplateResponse(request, "partials/run_job.html", {"job": job, "previous": None})


def _why_not_run(pair: ChapterRuns | None, chaos_now: str, jobs: RunJobs) -> str | None:
    if pair is None or pair.missing is None:
        return "Both runs exist already: reload the page to see the comparison."
    if chaos_now != pair.play.chaos:
        return f"Set the chaos preset {pair.play.chaos!r} on the panel first (it is {chaos_now!r} now)."
    if jobs.busy():
        return "A run is already in progress; wait for it to finish."
    return None


def _plan(number: int) -> ChapterPlan:
    try:
        return plan_of(number)
    except ValueError:
        raise not_found("chapter", str(number)) from None


async def _pair(services: Services, plan: ChapterPlan) -> ChapterRuns:
    play = replayable_play(plan)
    assert play is not None
    runs = await RunStore(services.sessions).recent(limit=200)
    return chapter_runs(plan, play, runs, services.flags.registry)
