"""`router_fallback`: an unsure routing decision goes to the generalist with read-only tools."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from switchboard.agents.nodes.fallback import read_only_tools
from switchboard.agents.nodes.router import next_after_router
from switchboard.agents.tools import TOOLS
from switchboard.app.services import Services, running_services
from switchboard.app.settings import Settings
from tests.agents.playing import turn_context
from tests.app.playing import turn

VAGUE = "what about the thing"  # the demo router: orders, at confidence 0.46
CLEAR = "What is your return policy for tents?"  # knowledge, at 0.9


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    settings = Settings(data_dir=tmp_path, demo_ttft_ms=0, demo_tokens_per_s=0, router_fallback_threshold=0.5)
    async with running_services(settings) as built:
        yield built


async def test_with_the_switch_on_an_unsure_route_goes_to_the_fallback(services: Services) -> None:
    _, record = await turn(services, "C1001", VAGUE, router_fallback=True, escalation_triggers=False)
    assert record["path"][-2:] == ["router", "fallback"] and record["route"] == "fallback"
    assert record["router_confidence"] < 0.5
    (acted,) = [g for g in record["guards"] if g["guard"] == "router_fallback"]
    assert acted["action"] == "fallback" and acted["detail"].startswith("router unsure (orders at confidence 0.46")
    used = {t["name"] for t in record["tools"]}
    assert not used & {name for name, tool in TOOLS.items() if tool.writes}


async def test_with_the_switch_off_the_same_route_goes_to_the_specialist(services: Services) -> None:
    _, record = await turn(services, "C1001", VAGUE, router_fallback=False, escalation_triggers=False)
    assert record["path"][-1] == "orders" and record["route"] == "orders"
    assert not [c for c in record["checks"] if c["guard"] == "router_fallback"]


async def test_a_confident_route_keeps_its_specialist_with_the_switch_on(services: Services) -> None:
    _, record = await turn(services, "C1001", CLEAR, router_fallback=True)
    assert record["path"][-1] == "knowledge" and record["route"] == "knowledge"
    (check,) = [c for c in record["checks"] if c["guard"] == "router_fallback"]
    assert check["verdict"] == "pass"


async def test_the_fallback_has_no_tool_that_changes_the_shop(services: Services) -> None:
    names = {t.spec.name for t in read_only_tools(turn_context(services, "c"))}
    assert "get_order" in names and "search_kb" in names
    assert not names & {"request_refund", "update_address"}


def test_the_fallback_route_leads_to_the_fallback_node() -> None:
    assert next_after_router({"route": "fallback"}) == "fallback"
    assert next_after_router({"route": "human"}) == "escalate" and next_after_router({}) == "knowledge"
