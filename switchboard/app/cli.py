"""The `switchboard` command: serve the app, load its data, replay and compare eval runs."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from switchboard.app.lab.chaos import ALL_PRESETS, PRESETS
from switchboard.app.lab.registry import CHAPTERS
from switchboard.app.lab.wiring import wiring_lines
from switchboard.app.settings import Settings
from switchboard.app.web.auth import AdminToken

if TYPE_CHECKING:
    from switchboard.app.shop.migrations import Migrated


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = Settings()
    return int(args.run(args, settings) or 0)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="switchboard",
        description="Switchboard: a support assistant whose production patterns are switches. "
        "Serve the web app, load the demo shop, replay datasets under chosen switches and compare the runs.",
        epilog="Run `switchboard COMMAND --help` for a command's options.",
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND", title="commands")

    serve = _command(commands, "serve", "run the web app")
    serve.add_argument("--host", help="the address to listen on (default: the host setting, 127.0.0.1)")
    serve.add_argument("--port", type=int, help="the port to listen on (default: the port setting, 8000)")
    serve.add_argument(
        "--chapter",
        type=int,
        choices=range(1, 13),
        metavar="N",
        help="only the layers of chapters 1..N",
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="worker processes sharing the port (default: 1). N > 1 needs the state they share on servers: "
        "SWITCHBOARD_REDIS_URL (switches, chaos, limits, the console's channel) and SWITCHBOARD_CHROMA_URL "
        "(an embedded Chroma is one process's). The database may stay SQLite, a file every worker on this "
        "machine opens and writes in turn, or be Postgres; leases keep each worker's turns its own.",
    )
    serve.set_defaults(run=_serve)

    migrate = _command(commands, "migrate", "bring the database's schema and the checkpoints' tables up to date")
    migrate.set_defaults(run=_migrate)

    seed = _command(commands, "seed", "load each storefront's demo data (data/tenants/*/seed)")
    seed.add_argument("--reset", action="store_true", help="put the orders back to the seed even if loaded before")
    seed.set_defaults(run=_seed)

    ingest = _command(commands, "ingest", "index a folder of markdown articles into the knowledge base")
    ingest.add_argument("path", type=Path, help="a folder of markdown (.md) articles")
    ingest.add_argument("--tenant", required=True, help="the storefront whose help centre they join (e.g. tidewater)")
    ingest.add_argument("--source", help="a name for this folder's articles (default: the folder name)")
    ingest.set_defaults(run=_ingest)
    token = _command(commands, "token", "print a signed bearer token for a customer (for API clients)")
    token.add_argument("customer_id", help="the customer the token signs in, e.g. C1001")
    token.set_defaults(run=_token)

    wiring = _command(commands, "wiring", "list what each chapter wires into the app (serve --chapter N builds 1..N)")
    wiring.add_argument(
        "chapter", nargs="?", type=int, choices=range(1, 13), metavar="N", help="one chapter (default: all)"
    )
    wiring.set_defaults(run=_wiring)

    run = _command(commands, "run", "replay a dataset under a flag configuration and score it")
    run.add_argument("--dataset", type=Path, required=True, help="a JSONL dataset (see evals/README.md)")
    run.add_argument("--flags", default="all-on", help="all-on | all-off | chapter-N | name=on,name=off,...")
    run.add_argument("--chaos", default="calm", help="fault injection preset: " + ", ".join(ALL_PRESETS))
    run.add_argument("--name", help="a name to find the run by (default: dataset and flags)")
    run.add_argument("--concurrency", type=int, default=4, help="cases played at once (default: 4)")
    run.add_argument("--repeat", type=int, default=1, help="attempts per case; reports pass^k too")
    run.add_argument("--min-pass", type=float, help="exit 1 when pass@1 is below this share (0..1)")
    run.add_argument("--instant", action="store_true", help="demo models at zero latency")
    run.add_argument("--judge", action="store_true", help="also grade each answer with the judge model (costs calls)")
    run.add_argument("--out", type=Path, help="where reports go (default: <data dir>/runs)")
    run.add_argument("--gate", action="store_true", help="exit 1 if the run falls below evals/baselines/<dataset>.json")
    run.add_argument("--update-baseline", action="store_true", help="store this run as the dataset's baseline")
    run.set_defaults(run=_run)

    snap = _command(commands, "snapshots", "check (or --update) the stored answers of chosen cases")
    snap.add_argument("--dataset", type=Path, default=None, help="default: evals/datasets/golden.jsonl")
    snap.add_argument("--update", action="store_true", help="rewrite the stored answers")
    snap.set_defaults(run=_snapshots)

    resilience = _command(
        commands, "resilience", "replay a dataset under chaos presets, resilience switches off then on, and compare"
    )
    resilience.add_argument(
        "--dataset", type=Path, default=Path("evals/datasets/golden.jsonl"), help="a JSONL dataset (default: golden)"
    )
    resilience.add_argument(
        "--chaos",
        nargs="+",
        default=["flaky-primary", "primary-down"],
        choices=list(PRESETS),
        help="the chaos presets to replay under (default: flaky-primary primary-down)",
    )
    resilience.add_argument("--instant", action="store_true", help="demo models at zero latency")
    resilience.add_argument("--concurrency", type=int, default=4, help="cases played at once (default: 4)")
    resilience.set_defaults(run=_resilience)

    chapters = _command(commands, "chapters", "the book: measure each chapter before and after it")
    chapter_commands = chapters.add_subparsers(
        required=True, metavar="ACTION", title="actions", help="measure: write the chapters' measured tables"
    )
    measure = _command(
        chapter_commands, "measure", "replay chapter N's datasets (all chapters without N) and write its tables"
    )
    measure.add_argument("chapter", nargs="?", type=int, choices=range(1, 13), metavar="N", help="1 to 12")
    measure.set_defaults(run=_measure_chapters)

    compare = _command(commands, "compare", "set stored runs side by side, and print the page's link")
    compare.add_argument("runs", nargs="+", help="run ids or names (a name means its latest run)")
    compare.set_defaults(run=_compare)
    return parser


def _command(commands: Any, name: str, text: str) -> argparse.ArgumentParser:
    """A command whose one-line help, in the list, is also its own --help's description."""
    parser: argparse.ArgumentParser = commands.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
    return parser


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from switchboard.app.web.main import create_app

    overrides = {
        k: v for k, v in {"host": args.host, "port": args.port, "chapter": args.chapter}.items() if v is not None
    }
    settings = settings.model_copy(update=overrides)
    if args.workers != 1:
        return _serve_workers(args.workers, settings, overrides)
    configure_logging()
    app = create_app(settings)
    base = f"http://{settings.host}:{settings.port}"
    print(f"Switchboard on {base}  (Ctrl+C to stop)")
    print(operator_sign_in(app.state.admin_token, base))
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")
    return 0


def unshared_state(settings: Settings) -> list[str]:
    """The settings several processes need set to share their state, and have not: without them
    each worker would keep its own switches, limits and embedded Chroma."""
    wanted = {"SWITCHBOARD_REDIS_URL": settings.redis_url, "SWITCHBOARD_CHROMA_URL": settings.chroma_url}
    return [name for name, value in wanted.items() if not value]


def _serve_workers(workers: int, settings: Settings, overrides: dict[str, Any]) -> int:
    """`serve --workers N`: uvicorn's N processes, each building its app with `worker_app` from
    the environment — so the command's options and the one admin token and session secret are
    handed down through it, and every worker signs and checks sessions alike."""
    import uvicorn

    from switchboard.app.services import prepare_shared
    from switchboard.app.web.auth import admin_token
    from switchboard.app.web.signing import session_secret

    missing = unshared_state(settings)
    if workers < 1 or missing:
        why = "N must be at least 1" if workers < 1 else f"set {' and '.join(missing)} (state the workers share)"
        print(f"switchboard serve: --workers {workers}: {why}", file=sys.stderr)
        return 2
    configure_logging()
    token = admin_token(settings.admin_token)
    session_secret(settings.session_secret, settings.data_dir)  # made here once, not raced for by N workers
    asyncio.run(prepare_shared(settings))  # likewise the schema, the seed and the index
    os.environ.update({f"SWITCHBOARD_{k.upper()}": str(v) for k, v in overrides.items()})
    os.environ["SWITCHBOARD_ADMIN_TOKEN"] = token.value
    base = f"http://{settings.host}:{settings.port}"
    print(f"Switchboard on {base}, {workers} workers  (Ctrl+C to stop)")
    print(operator_sign_in(token, base))
    uvicorn.run(WORKER_APP, factory=True, workers=workers, host=settings.host, port=settings.port, log_level="warning")
    return 0


WORKER_APP = "switchboard.app.cli:worker_app"  # uvicorn's workers import the app by name


def worker_app() -> Any:
    """The factory each `serve --workers` process calls: the app, from the environment's settings."""
    from switchboard.app.web.main import create_app

    configure_logging()
    return create_app(Settings())


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(level: int = logging.INFO) -> None:
    """One line per event on stderr — time, level, the module's logger, the message — and the
    traceback under it for an error. Every module logs through `logging.getLogger(__name__)`."""
    logging.basicConfig(level=level, format=LOG_FORMAT)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request to a model is noise


def operator_sign_in(token: AdminToken, base: str) -> str:
    """The operator's sign-in link. A token set in the environment is known to the operator
    already and stays out of logs; only one made at this start is printed."""
    if token.generated:
        return f"Operator sign-in (valid until the next start): {base}/admin?token={token.value}"
    return f"Operator sign-in: {base}/admin?token=<your SWITCHBOARD_ADMIN_TOKEN>"


def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    """Applies the revisions to SWITCHBOARD_DATABASE_URL's database (under the start-up lock, so
    a replica starting meanwhile waits) and sets up the checkpointer's tables. Idempotent: run
    again, it finds both at head. Serving migrates too: this is for doing it before a rollout."""
    from sqlalchemy import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from switchboard.app.checkpoints import set_up_checkpoints

    where = make_url(settings.resolved_database_url).render_as_string(hide_password=True)
    # refused, unknown host, bad credentials: one line, not a traceback
    unreachable: tuple[type[Exception], ...] = (OSError, SQLAlchemyError, *_checkpoint_errors())
    try:
        migrated = asyncio.run(_migrate_database(settings.resolved_database_url))
        checkpoints = asyncio.run(set_up_checkpoints(settings.resolved_checkpoint_url, settings.checkpoint_path))
    except unreachable as failure:
        print(f"switchboard migrate: cannot migrate {where}: {_first_line(failure)}", file=sys.stderr)
        return 1
    before, after = migrated.before or "empty", migrated.after
    done = f"{before} → {after}" if migrated.changed else f"already at {after}, nothing to do"
    print(f"database {where}: {done}")
    print(f"checkpoints ({checkpoints}): set up")
    return 0


def _checkpoint_errors() -> tuple[type[Exception], ...]:
    """psycopg's errors (a Postgres checkpointer unreachable), when the `scale` extra is installed."""
    try:
        import psycopg
    except ImportError:
        return ()
    return (psycopg.Error,)


async def _migrate_database(url: str) -> Migrated:
    from switchboard.app.shop.db import make_engine, start_up_lock, upgrade_schema

    engine = make_engine(url, pool_size=1)
    try:
        async with start_up_lock(engine):
            return await upgrade_schema(engine)
    finally:
        await engine.dispose()


def _first_line(failure: BaseException) -> str:
    """An error's own first line, without SQLAlchemy's background link or a driver's traceback."""
    text = str(getattr(failure, "orig", None) or failure).strip()
    return text.splitlines()[0] if text else type(failure).__name__


def _seed(args: argparse.Namespace, settings: Settings) -> None:
    from switchboard.app.services import utcnow
    from switchboard.app.shop.db import make_engine, make_sessions, upgrade_schema
    from switchboard.app.shop.seed import load_seed, seed_if_empty
    from switchboard.app.shop.tenants import load_tenants

    tenants = load_tenants(settings.tenants_dir)

    async def run() -> list[str]:
        engine = make_engine(settings.resolved_database_url)
        await upgrade_schema(engine)
        sessions = make_sessions(engine)
        if args.reset:
            await load_seed(sessions, tenants, utcnow())
            loaded = tenants.ids()
        else:
            loaded = await seed_if_empty(sessions, tenants, utcnow())
        await engine.dispose()
        return loaded

    loaded = asyncio.run(run())
    print(f"Seed data loaded: {', '.join(loaded)}." if loaded else "Seed data already loaded (use --reset to reload).")


def _token(args: argparse.Namespace, settings: Settings) -> None:
    """What a shop's own login would issue: the session token the API accepts as a bearer."""
    from switchboard.app.web.signing import make_signer

    signer = make_signer(settings)
    print(signer.customer_token(args.customer_id))


def _ingest(args: argparse.Namespace, settings: Settings) -> int:
    from rich.progress import Progress

    from switchboard.agents.embeddings import StaticEmbedder
    from switchboard.app.services import chosen_chunking, open_answer_cache, open_knowledge_base
    from switchboard.app.shop.tenants import load_tenants

    if not args.path.is_dir():
        print(f"switchboard ingest: {args.path} is not a folder", file=sys.stderr)
        return 2
    tenants = load_tenants(settings.tenants_dir)
    if tenants.get(args.tenant) is None:
        known = ", ".join(tenants.ids())
        print(f"switchboard ingest: no tenant {args.tenant!r} (there are: {known})", file=sys.stderr)
        return 2
    embedder = StaticEmbedder(settings.embedding_model_dir)
    chosen: list[str | None] = []  # the panel's choice of chunking strategy, if it made one

    async def read_choice() -> None:
        chosen.append(await chosen_chunking(settings))

    _on_a_thread(read_choice())
    kb = open_knowledge_base(settings, embedder, chosen[0])
    kb.refresh(args.tenant)  # an index another embedder made is re-embedded before it is written to
    with Progress() as progress:
        task = progress.add_task(f"Indexing {args.path}", total=None)
        report = kb.ingest(
            args.path,
            args.source or args.path.resolve().name,
            args.tenant,
            lambda done, total: progress.update(task, completed=done, total=total),
        )
    # The answers that cited a changed article go with it (no vocabulary needed to forget).
    open_answer_cache(settings, embedder, frozenset(), kb.versions).forget_citing(list(report.changed))
    print(
        f"added {report.added}, updated {report.updated}, removed {report.removed}, "
        f"unchanged {report.unchanged}, re-embedded {report.reembedded}; {report.chunks} chunks in the index"
        + (f"; cached answers citing {len(report.changed)} changed article(s) dropped" if report.changed else "")
    )
    counts = {k: getattr(report, k) for k in ("added", "updated", "removed", "unchanged", "reembedded")}
    done = {"tenant": args.tenant, "source": args.source or args.path.resolve().name, **counts}
    _on_a_thread(_audit_ingest(settings, str(args.path.resolve()), done))
    return 0


async def _audit_ingest(settings: Settings, path: str, done: dict[str, Any]) -> None:
    """An ingest is an operator's action: in the audit log, signed `cli`, from this host and user."""
    import getpass
    import socket

    from switchboard.app.services import utcnow
    from switchboard.app.shop.audit import Actor, AuditLog
    from switchboard.app.shop.db import make_engine, make_sessions, upgrade_schema

    engine = make_engine(settings.resolved_database_url)
    try:
        await upgrade_schema(engine)
        actor = Actor.of("cli", socket.gethostname(), f"switchboard ingest (user {getpass.getuser()})")
        await AuditLog(make_sessions(engine), utcnow).record(actor, "knowledge.ingest", None, done, target=path)
    finally:
        await engine.dispose()


def _on_a_thread(work: Coroutine[Any, Any, None]) -> None:
    """Runs `work` to the end on an event loop of its own: the command may be called from code that
    has a loop running already (a test, a notebook), where asyncio.run would refuse."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, work).result()


def _run(args: argparse.Namespace, settings: Settings) -> int:
    from rich.progress import Progress

    from switchboard.app.lab.flags import REGISTRY, FlagError, parse_flag_spec
    from switchboard.app.runs.replay import execute_run, write_reports
    from switchboard.app.services import running_services
    from switchboard.evals.dataset import DatasetError

    if args.instant:
        settings = settings.model_copy(update={"demo_ttft_ms": 0, "demo_tokens_per_s": 0})
    try:
        flags = parse_flag_spec(args.flags, list(REGISTRY))
    except FlagError as exc:
        print(f"switchboard run: {exc}", file=sys.stderr)
        return 2
    if args.chaos not in ALL_PRESETS:
        print(
            f"switchboard run: unknown chaos preset {args.chaos!r}: use one of {', '.join(ALL_PRESETS)}",
            file=sys.stderr,
        )
        return 2

    async def go() -> int:
        async with running_services(settings) as services:
            services.chaos.apply_preset(args.chaos)
            with Progress() as progress:
                task = progress.add_task(f"Running {args.dataset.name}", total=None)
                run = await execute_run(
                    services,
                    args.dataset,
                    flags,
                    name=args.name,
                    concurrency=args.concurrency,
                    repeat=args.repeat,
                    judge=args.judge,
                    progress=lambda done, total: progress.update(task, completed=done, total=total),
                )
        report_json, summary_html = write_reports(run, args.out or settings.data_dir / "runs")
        _print_table([run])
        print(f"run {run.id}: {report_json}  {summary_html}")
        failures = run.summary["must_pass_failures"]
        if failures:
            print(f"must-pass cases failing: {', '.join(failures)}", file=sys.stderr)
        below = args.min_pass is not None and run.summary["pass_at_1"] < args.min_pass
        if below:
            print(f"pass@1 {run.summary['pass_at_1']:.1%} is below --min-pass {args.min_pass:.1%}", file=sys.stderr)
        return 1 if below or not _baseline(args, run.summary) else 0

    try:
        return asyncio.run(go())
    except DatasetError as exc:
        print(f"switchboard run: {exc}", file=sys.stderr)
        return 2


def _resilience(args: argparse.Namespace, settings: Settings) -> int:
    from rich.progress import Progress

    from switchboard.app.runs.replay import write_reports
    from switchboard.app.runs.scenarios import play, scenarios
    from switchboard.evals.dataset import DatasetError

    if args.instant:
        settings = settings.model_copy(update={"demo_ttft_ms": 0, "demo_tokens_per_s": 0})
    with Progress() as progress:

        def track(scenario: Any) -> Callable[[int, int], None]:
            task = progress.add_task(scenario.name(args.dataset), total=None)
            return lambda done, total: progress.update(task, completed=done, total=total)

        try:
            runs = asyncio.run(play(settings, args.dataset, scenarios(args.chaos), track, args.concurrency))
        except DatasetError as exc:
            print(f"switchboard resilience: {exc}", file=sys.stderr)
            return 2
    for run in runs:
        write_reports(run, settings.data_dir / "runs")
    _print_table(runs)
    print(f"side by side: {compare_link(settings, runs)}")
    return 0


def _measure_chapters(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import UTC, datetime

    from switchboard.app.runs.chapter_blocks import Provenance
    from switchboard.app.runs.chapter_measure import ChapterFileError, dirty_code_version, measure
    from switchboard.app.runs.chapters import PLANS, plan_of
    from switchboard.app.settings import REPO

    plans = PLANS if args.chapter is None else (plan_of(args.chapter),)
    command = "switchboard chapters measure" + ("" if args.chapter is None else f" {args.chapter}")
    made = Provenance(dirty_code_version(), command, datetime.now(UTC).date().isoformat())
    started = time.monotonic()
    try:
        asyncio.run(measure(settings, plans, REPO / "docs" / "chapters", REPO / "README.md", made))
    except ChapterFileError as exc:
        print(f"switchboard chapters measure: {exc}", file=sys.stderr)
        return 2
    print(f"measured {len(plans)} chapter(s) in {time.monotonic() - started:.0f} s on code {made.code_version}")
    return 0


def compare_link(settings: Settings, runs: Sequence[Any]) -> str:
    """The /runs/compare page for these runs, on the server the settings describe."""
    ids = "&".join(f"ids={run.id}" for run in runs)
    return f"http://{settings.host}:{settings.port}/runs/compare?{ids}"


def _baseline(args: argparse.Namespace, summary: dict[str, Any]) -> bool:
    """Update or check the dataset's baseline as asked; False when the gate fails."""
    from switchboard.app.settings import REPO
    from switchboard.evals.gate import baseline_from, gate_problems

    path = REPO / "evals" / "baselines" / f"{args.dataset.stem}.json"
    if args.update_baseline:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(baseline_from(summary, args.flags), indent=2) + "\n")
        print(f"baseline written: {path}")
        return True
    if not args.gate:
        return True
    if not path.exists():
        print(f"switchboard run: no baseline at {path} (create it with --update-baseline)", file=sys.stderr)
        return False
    problems = gate_problems(summary, json.loads(path.read_text()))
    for problem in problems:
        print(f"gate: {problem}", file=sys.stderr)
    print("gate: passed" if not problems else f"gate: {len(problems)} problem(s)")
    return not problems


SNAPSHOT_CLOCK = "2026-06-01T12:00:00+00:00"  # a fixed "now", so the dates in answers never drift


def _snapshots(args: argparse.Namespace, settings: Settings) -> int:
    import tempfile
    from datetime import datetime

    from switchboard.app.runs.replay import execute_run
    from switchboard.app.services import running_services
    from switchboard.app.settings import REPO
    from switchboard.evals import snapshots

    dataset = args.dataset or REPO / "evals" / "datasets" / "golden.jsonl"
    path = REPO / "evals" / "snapshots" / f"{dataset.stem}.json"
    fixed = datetime.fromisoformat(SNAPSHOT_CLOCK)
    with tempfile.TemporaryDirectory() as scratch:
        quiet = settings.model_copy(update={"data_dir": Path(scratch), "demo_ttft_ms": 0, "demo_tokens_per_s": 0})

        async def play() -> dict[str, str]:
            async with running_services(quiet, now=lambda: fixed) as services:
                run = await execute_run(services, dataset, services.flags.snapshot(), concurrency=1, chosen=_must_pass)
            return {c["case_id"]: snapshots.normalise(c["turns"][-1]["answer"]) for c in run.cases}

        fresh = asyncio.run(play())
    if args.update:
        snapshots.save(path, fresh)
        print(f"{len(fresh)} answers written to {path}")
        return 0
    changed = snapshots.differences(snapshots.load(path), fresh)
    for change in changed:
        print(change, file=sys.stderr)
    print(
        f"{len(fresh)} answers checked, {len(changed)} changed" + (" (run with --update to accept)" if changed else "")
    )
    return 1 if changed else 0


def _must_pass(case: Any) -> bool:
    return bool(case.must_pass)


def _compare(args: argparse.Namespace, settings: Settings) -> int:
    from switchboard.app.runs.replay import RunStore
    from switchboard.app.shop.db import make_engine, make_sessions
    from switchboard.evals.report import case_changes

    async def load() -> list[Any]:
        engine = make_engine(settings.resolved_database_url)
        store = RunStore(make_sessions(engine))
        found = [await store.find(key) for key in args.runs]
        await engine.dispose()
        return found

    runs = asyncio.run(load())
    missing = [key for key, run in zip(args.runs, runs, strict=True) if run is None]
    if missing:
        print(f"switchboard compare: no run {', '.join(map(repr, missing))}", file=sys.stderr)
        return 2
    _print_table(runs)
    for other in runs[1:]:
        changes = case_changes(runs[0].summary, other.summary)
        print(
            f"{runs[0].name} → {other.name}: newly failing {changes['newly_failing'] or 'none'}; "
            f"newly passing {changes['newly_passing'] or 'none'}"
        )
    print(f"side by side: {compare_link(settings, runs)}")
    return 0


def _print_table(runs: Sequence[Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    from switchboard.evals.report import comparison_rows

    table = Table("metric", *(f"{r.name}\n{r.id}" for r in runs))
    for label, values in comparison_rows([r.summary for r in runs]):
        table.add_row(label, *values)
    Console().print(table)


def _wiring(args: argparse.Namespace, settings: Settings) -> int:
    for chapter in [args.chapter] if args.chapter else list(CHAPTERS):
        print("\n".join(wiring_lines(chapter)))
    return 0
