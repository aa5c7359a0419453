"""`switchboard serve | seed | ingest`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

from switchboard.app.settings import Settings


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = Settings()
    return int(args.run(args, settings) or 0)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="switchboard", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the web app")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument(
        "--chapter",
        type=int,
        choices=range(1, 13),
        metavar="N",
        help="only the layers of chapters 1..N",
    )
    serve.set_defaults(run=_serve)

    seed = commands.add_parser("seed", help="load the demo shop's data")
    seed.add_argument("--reset", action="store_true", help="replace the business data even if loaded before")
    seed.set_defaults(run=_seed)

    ingest = commands.add_parser("ingest", help="index a folder of markdown articles into the knowledge base")
    ingest.add_argument("path", type=Path)
    ingest.add_argument("--source", help="a name for this folder's articles (default: the folder name)")
    ingest.set_defaults(run=_ingest)
    return parser


def _serve(args: argparse.Namespace, settings: Settings) -> None:
    import uvicorn

    from switchboard.app.main import create_app

    overrides = {
        k: v for k, v in {"host": args.host, "port": args.port, "chapter": args.chapter}.items() if v is not None
    }
    settings = settings.model_copy(update=overrides)
    print(f"Switchboard on http://{settings.host}:{settings.port}  (Ctrl+C to stop)")
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="warning")


def _seed(args: argparse.Namespace, settings: Settings) -> None:
    from switchboard.app.db import create_tables, make_engine, make_sessions
    from switchboard.app.seed import load_seed, seed_if_empty
    from switchboard.app.services import utcnow

    async def run() -> bool:
        engine = make_engine(settings.resolved_database_url)
        await create_tables(engine)
        sessions = make_sessions(engine)
        if args.reset:
            await load_seed(sessions, settings.seed_dir, utcnow())
            loaded = True
        else:
            loaded = await seed_if_empty(sessions, settings.seed_dir, utcnow())
        await engine.dispose()
        return loaded

    print("Seed data loaded." if asyncio.run(run()) else "Seed data already loaded (use --reset to reload).")


def _ingest(args: argparse.Namespace, settings: Settings) -> int:
    from rich.progress import Progress

    from switchboard.agents.embeddings import StaticEmbedder
    from switchboard.app.knowledge import KnowledgeBase

    if not args.path.is_dir():
        print(f"switchboard ingest: {args.path} is not a folder", file=sys.stderr)
        return 2
    kb = KnowledgeBase.open(settings.chroma_path, settings.kb_collection, StaticEmbedder(settings.embedding_model_dir))
    with Progress() as progress:
        task = progress.add_task(f"Indexing {args.path}", total=None)
        report = kb.ingest(
            args.path,
            args.source or args.path.resolve().name,
            lambda done, total: progress.update(task, completed=done, total=total),
        )
    print(
        f"added {report.added}, updated {report.updated}, removed {report.removed}, "
        f"unchanged {report.unchanged}; {report.chunks} chunks in the collection"
    )
    return 0
