"""`switchboard run` and `compare` end to end on a small dataset, through the real app path."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from switchboard.app.cli import main
from switchboard.app.runs.replay import RunJobs
from switchboard.app.services import Services
from tests.app.datasets import small_dataset

CASES = [
    {
        "id": "track",
        "customer": "C1001",
        "turns": ["where is order 10057?"],
        "expect": {
            "route": "orders",
            "tools": [{"any_of": ["get_order", "track_shipment"], "args": {"order_id": "10057"}}],
            "contains": ["10057"],
        },
        "must_pass": True,
    },
    {
        "id": "refund-time",
        "customer": "C1001",
        "turns": ["how long does a refund take to reach my card?"],
        "expect": {"route": "knowledge", "sources": ["refund-timing"]},
    },
    # Approving a refund changes the shop: every attempt must start from the seed again.
    {
        "id": "refund",
        "customer": "C1010",
        "turns": ["I want a refund for order 10042"],
        "expect": {"contains": ["refund of $42.05 is approved"], "escalated": False},
    },
    {
        "id": "follow-up",
        "customer": "C1001",
        "turns": [
            {"user": "what's the status of order 10049?", "expect": {"contains": ["10049"]}},
            "and when was it delivered?",
        ],
        "expect": {"tools": [{"any_of": ["get_order", "track_shipment"], "args": {"order_id": "10049"}}]},
    },
]


@pytest.fixture
def dataset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return small_dataset(tmp_path, monkeypatch, CASES)


def test_runs_are_stored_reported_and_compared(
    dataset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--dataset", str(dataset), "--instant", "--name", "on", "--repeat", "2"]) == 0
    assert main(["run", "--dataset", str(dataset), "--instant", "--name", "off", "--flags", "all-off"]) == 0
    out = capsys.readouterr().out
    reports = sorted((tmp_path / "data" / "runs").glob("*/report.json"))
    assert len(reports) == 2 and all(r.with_name("summary.html").exists() for r in reports)
    on = next(json.loads(r.read_text()) for r in reports if json.loads(r.read_text())["name"] == "on")
    assert on["summary"]["attempts"] == 8 and on["summary"]["pass_at_1"] == 1.0
    assert on["flags"]["router"] is True and on["prompt_versions"]["router"]
    assert "pass@1" in out

    assert main(["compare", "on", "off"]) == 0
    compared = capsys.readouterr().out
    assert "on → off: newly failing" in compared


def test_min_pass_fails_the_command_and_bad_input_is_exit_2(dataset: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--dataset", str(dataset), "--instant", "--flags", "rag=off", "--min-pass", "1.0"]) == 1
    assert "below --min-pass" in capsys.readouterr().err
    assert main(["run", "--dataset", str(dataset), "--flags", "warp=on"]) == 2
    broken = dataset.with_name("broken.jsonl")
    broken.write_text('{"id": "x", "customer": "C0000", "turns": ["hi"]}\n')
    assert main(["run", "--dataset", str(broken), "--instant"]) == 2
    assert "broken.jsonl:1: unknown customer 'C0000'" in capsys.readouterr().err
    assert main(["compare", "no-such-run"]) == 2
    assert main(["run", "--dataset", str(dataset), "--chaos", "earthquake"]) == 2
    assert "unknown chaos preset 'earthquake'" in capsys.readouterr().err


async def test_run_turns_stay_out_of_the_live_figures(dataset: Path, tmp_path: Path) -> None:
    from switchboard.app.runs.replay import execute_run
    from switchboard.app.services import running_services
    from switchboard.app.settings import Settings

    settings = Settings(data_dir=tmp_path / "data", demo_ttft_ms=0, demo_tokens_per_s=0)
    async with running_services(settings) as services:
        run = await execute_run(services, dataset, services.flags.snapshot())
        assert run.summary["turns"] == 5
        assert await services.records.live() == []
        assert len(await services.records.recent()) == 5
        # ...and their conversations out of the chat page's and the console's lists.
        mine = await services.conversations.create("C1001")
        assert [c.id for c in await services.conversations.recent()] == [mine.id]
        assert [c.id for c in await services.conversations.for_customer("C1001")] == [mine.id]


async def test_a_runs_judge_is_charged_to_the_runs_own_judge_window(dataset: Path, tmp_path: Path) -> None:
    from switchboard.app.runs.replay import execute_run
    from switchboard.app.services import running_services
    from switchboard.app.settings import Settings
    from switchboard.patterns.spend_budget import judge_key

    settings = Settings(data_dir=tmp_path / "data", demo_ttft_ms=0, demo_tokens_per_s=0)
    async with running_services(settings) as services:
        run = await execute_run(services, dataset, services.flags.snapshot(), judge=True)
        judged = await services.ledger.spent([judge_key(run.id)])
        turns = await services.ledger.matching(f"run:{run.id}/tenant:%")
        live = await services.ledger.matching("tenant:%")
    summary = run.summary
    assert summary["judge_cost_usd"] > 0 and summary["scorers"]["judge"]["applicable"] > 0
    assert judged[judge_key(run.id)].usd == pytest.approx(summary["judge_cost_usd"], abs=1e-6)
    assert sum(s.usd for s in turns.values()) == pytest.approx(summary["cost_usd"], abs=1e-6 * summary["turns"])
    assert summary["run_cost_usd"] == pytest.approx(summary["cost_usd"] + summary["judge_cost_usd"], abs=1e-6)
    assert live == {}  # neither the run's turns nor its judge spent a live tenant's month


async def test_a_run_that_fails_shows_its_error_and_logs_its_traceback(
    services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    jobs = RunJobs()
    with caplog.at_level(logging.ERROR):
        job = jobs.start(services, "no-such-dataset", services.flags.snapshot())
        await jobs.wait()
    assert job.error is not None and job.error.startswith("ValueError: unknown dataset 'no-such-dataset'")
    (logged,) = [r for r in caplog.records if r.name == "switchboard.app.runs.replay"]
    assert logged.exc_info is not None
