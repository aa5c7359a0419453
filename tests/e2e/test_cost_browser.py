"""The cost page in a real browser: an empty view says so and draws nothing; after a few turns in
the chat every chart draws the spend the tables list, the day chart restacks by tenant, and the
page fits 1280 px — with no script error or console error on the way."""

from __future__ import annotations

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.e2e.browsing import DOCS, ask

pytestmark = pytest.mark.e2e

CHARTS = ("chart-days", "chart-tenants", "chart-configurations", "chart-customers")

CHARTS_DRAWN = "(ids) => typeof Chart !== 'undefined' && ids.every((id) => Chart.getChart(id))"
# Each chart as drawn: its dataset labels, and the sum of every value it plots.
DRAWN = """(ids) => ids.map((id) => {
  const chart = Chart.getChart(id);
  if (!chart) return null;
  const values = chart.data.datasets.flatMap((d) => d.data);
  return {labels: chart.data.datasets.map((d) => d.label), total: values.reduce((a, b) => a + b, 0),
          bars: chart.getDatasetMeta(0).data.length};
})"""


def _console_errors(page: Page) -> list[str]:
    errors: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", keep)
    return errors


def test_an_empty_view_says_so_without_a_chart_or_an_error(page: Page) -> None:
    errors = _console_errors(page)
    page.goto("/cost?since=2999-01-01")  # nothing has happened yet in the year 2999
    expect(page.locator("#cost-empty")).to_be_visible()
    expect(page.locator("canvas")).to_have_count(0)
    expect(page.locator("#tile-spend")).to_have_text("$0.00")
    expect(page.locator("#configuration-table")).to_contain_text("No turns yet.")
    assert errors == []


def test_after_a_few_turns_every_chart_draws_the_spend_the_page_lists(page: Page) -> None:
    errors = _console_errors(page)
    page.goto("/")
    for question in ("where is order 10057?", "do you ship to Canada?", "how do I clean my tent?"):
        ask(page, question)

    page.get_by_role("link", name="Cost").click()
    expect(page.locator("h1")).to_have_text("Cost")
    expect(page.locator("#cost-empty")).to_have_count(0)
    # the charts draw once the deferred chart script has run: wait for that, not for a time
    page.wait_for_function(CHARTS_DRAWN, arg=list(CHARTS))
    drawn = page.evaluate(DRAWN, list(CHARTS))
    days, tenants, configurations, customers = drawn
    assert all(chart is not None and chart["total"] > 0 for chart in drawn), drawn
    assert {"demo-large", "demo-small"} <= set(days["labels"])  # stacked by model: both demo models spent
    assert customers["bars"] >= 1 and configurations["bars"] >= 1 and tenants["bars"] >= 1
    expect(page.locator("#customer-table")).to_contain_text("(C1001)")
    expect(page.locator("#projection-table tbody tr")).to_have_count(1)  # live traffic only: no run chosen

    page.select_option("#day-stack", "tenants")
    restacked = page.evaluate(DRAWN, ["chart-days"])[0]
    assert restacked["labels"] != days["labels"] and abs(restacked["total"] - days["total"]) < 1e-9

    width = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert width[0] <= width[1], f"the page is {width[0]} px wide in a {width[1]} px window"
    page.screenshot(path=str(DOCS / "cost.png"), full_page=True)
    assert errors == []
