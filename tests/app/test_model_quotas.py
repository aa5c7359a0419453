"""model_quota in a turn, on the demo vendors: a provider at its quota is skipped before it is
called and the next answers; with every provider at quota the turn degrades as on an outage; a
bad setting stops the app at start, naming what is wrong."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from switchboard.agents.llm.providers.demo import DEMO_PROFILES
from switchboard.agents.llm.providers.demo.provider import DemoProvider
from switchboard.app.services import Services, running_services
from switchboard.app.settings import Settings
from tests.app.telemetry.scraped import samples, total
from tests.fakes import ProviderCalls

QUESTION = "Is shipping to Canada something you do?"  # the help centre can answer it without a model
ONE_A_MINUTE = ",".join(f"{vendor}:{model}=1rpm" for vendor in ("demo-a", "demo-b") for model in DEMO_PROFILES)


@pytest.fixture
def provider_calls(monkeypatch: pytest.MonkeyPatch) -> ProviderCalls:
    return ProviderCalls().install(monkeypatch, DemoProvider)


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    settings = Settings(data_dir=tmp_path, demo_ttft_ms=0, demo_tokens_per_s=0, model_quotas=ONE_A_MINUTE)
    async with running_services(settings) as built:
        yield built


def use_up(services: Services, *vendors: str) -> None:
    """Each vendor's one request a minute, for every model, taken before the turn."""
    for vendor in vendors:
        for model in DEMO_PROFILES:
            assert services.gateway.quotas.admit(vendor, model) is None


async def play(services: Services, flags: dict[str, bool] | None = None) -> dict[str, Any]:
    conversation = await services.conversations.create("C1001")
    events = [e async for e in services.turns.play(conversation.id, "C1001", QUESTION, flags=flags)]
    record: dict[str, Any] = events[-1].data
    return record


async def test_a_vendor_at_quota_is_skipped_uncalled_and_the_next_answers(
    services: Services, provider_calls: ProviderCalls
) -> None:
    use_up(services, "demo-a")
    record = await play(services)
    assert provider_calls.providers and set(provider_calls.providers) == {"demo-b"}
    assert record["outcome"] == "answered" and record["tier_served"] == "secondary"
    assert {(c["provider"], c["error"]) for c in record["calls"] if c["error"]} == {("demo-a", "at_quota")}
    skipped = sum(c["error"] == "at_quota" for c in record["calls"])
    scraped = samples(services.telemetry.exposition(None)[0].decode())
    assert total(scraped, "switchboard_model_quota_skips_total", provider="demo-a") == skipped > 0


async def test_with_every_vendor_at_quota_the_turn_degrades_calling_none(
    services: Services, provider_calls: ProviderCalls
) -> None:
    use_up(services, "demo-a", "demo-b")
    record = await play(services)
    assert len(provider_calls) == 0 and record["outcome"] == "degraded"
    assert record["tier_served"] in ("kb-only", "unavailable")
    assert record["calls"] and all(c["error"] == "at_quota" for c in record["calls"])


async def test_with_the_switch_off_the_quota_is_not_asked(services: Services, provider_calls: ProviderCalls) -> None:
    use_up(services, "demo-a", "demo-b")
    record = await play(services, {**services.flags.snapshot(), "model_quota": False})
    assert record["outcome"] == "answered" and set(provider_calls.providers) == {"demo-a"}


def test_a_malformed_quota_setting_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(
        ValidationError, match=r"model_quotas[\s\S]*'demo-a:demo-large=60': '60' is not <N>rpm or <N>tpm"
    ):
        Settings(data_dir=tmp_path, model_quotas="demo-a:demo-large=60")


async def test_a_quota_for_a_provider_no_chain_has_stops_the_start(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, model_quotas="demo-c:demo-large=5rpm")
    with pytest.raises(ValueError, match=r"demo-c:demo-large, which no provider serves \(served: demo-a:demo-large"):
        async with running_services(settings):
            pass
