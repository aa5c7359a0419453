"""A turn speaks for its storefront: the prompts and the polite no name the shop in the turn's
context and never the other (tests/app/web/test_tenant_boundary.py: the app puts the customer's own)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from switchboard.agents.context import TurnContext
from switchboard.agents.events import Token
from switchboard.agents.llm.gateway import Gateway
from switchboard.agents.prompts import Prompt, PromptBook
from switchboard.app.services import Services, running_services
from switchboard.app.settings import Settings
from tests.agents.playing import Listening, play, turn_context

SHOPS = [("S2001", "summit", "Summit Cycles", "Tidewater"), ("C1001", "tidewater", "Tidewater Outfitters", "Summit")]


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    async with running_services(Settings(data_dir=tmp_path, demo_ttft_ms=0, demo_tokens_per_s=0)) as built:
        yield built


def context_for(services: Services, customer: str, tenant: str, gateway: Gateway) -> TurnContext:
    """A turn of the customer's, in their tenant's name as the app's tenants have it."""
    name = services.tenants[tenant].name
    flags = {"injection_scan": False}
    return turn_context(services, f"conv-{customer}", flags=flags, gateway=gateway, tenant_id=tenant, shop_name=name)


def overheard(services: Services) -> tuple[Gateway, list[Listening]]:
    models = {services.settings.model, services.settings.router_model}
    spies = {m: Listening(services.gateway.chain_for(m)[0]) for m in models}
    return Gateway(dict(spies)), list(spies.values())


def system_prompts(spies: list[Listening]) -> list[str]:
    return [str(m.get("content")) for s in spies for r in s.requests for m in r.messages if m["role"] == "system"]


@pytest.mark.parametrize(("customer", "tenant", "ours", "theirs"), SHOPS)
async def test_every_system_prompt_names_the_customers_own_shop(
    services: Services, customer: str, tenant: str, ours: str, theirs: str
) -> None:
    gateway, spies = overheard(services)
    await play(services, context_for(services, customer, tenant, gateway), "how long do refunds take?")
    prompts = [p for p in system_prompts(spies) if p.startswith("You are")]  # not the passages' message
    assert len(prompts) == 2  # the router's and the specialist's
    assert all(ours in p and theirs not in p and "{shop}" not in p for p in prompts)


@pytest.mark.parametrize(("customer", "tenant", "ours", "theirs"), SHOPS)
async def test_the_polite_no_is_said_in_the_customers_shops_name(
    services: Services, customer: str, tenant: str, ours: str, theirs: str
) -> None:
    ctx = context_for(services, customer, tenant, services.gateway)
    events = await play(services, ctx, "please write a haiku about autumn leaves")
    said = "".join(e.text for e in events if isinstance(e, Token))
    assert f"I'm {ours}'" in said and theirs not in said


@pytest.mark.parametrize("name", ["router", "orders", "knowledge", "account", "generalist"])
def test_a_shop_naming_prompt_is_one_template_with_one_version(name: str) -> None:
    prompt = PromptBook().get(name)
    assert "{shop}" in prompt.text and "Tidewater" not in prompt.text  # the name is filled per turn
    assert "Summit Cycles" in prompt.render(shop="Summit Cycles")


def test_render_fills_only_the_fields_it_is_given() -> None:
    prompt = Prompt("escalate", "1", "{shop} ticket {ticket_id}")
    assert prompt.render(shop="Summit Cycles") == "Summit Cycles ticket {ticket_id}"
