"""Runs in the browser: one started from the Switchboard page and compared with the previous one
is readable at 1280 px (no horizontal scroll, no clipped figure), and so are six runs side by side;
eval runs leave the Human console's queue empty."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browsing import DOCS
from tests.e2e.conftest import ADMIN

pytestmark = pytest.mark.e2e

RUN_TIMEOUT_MS = 120_000  # a golden run (119 cases) takes ~20 s on the slowed demo models; CI is slower

# Every cell of the metric table whose content is wider than its box: it would be clipped.
CLIPPED_CELLS = """() => [...document.querySelectorAll('#metric-table td, #metric-table th, #runs-header th')]
  .filter((cell) => cell.scrollWidth > cell.clientWidth + 1).map((cell) => cell.textContent.trim())"""

# Each chart's legend, and its bars drawn less than 3 px tall (a value that is there but unseen).
CHARTS = """() => ['chart-scorers', 'chart-latency', 'chart-cost'].map((id) => {
  const chart = Chart.getChart(id);
  const flat = chart.data.datasets.flatMap((d, i) => chart.getDatasetMeta(i).data
    .filter((bar, j) => d.data[j] !== null).map((bar) => Math.abs(bar.base - bar.y)));
  return {legend: chart.data.datasets.map((d) => d.label), unseen: flat.filter((h) => h < 3).length};
})"""

# Starts a run over the API from the tab (its cookies sign it in) and waits, in the page, for it to end.
RUN_IN_PAGE = """async ([dataset, flags]) => {
  const started = await fetch('/api/runs', {method: 'POST', headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({dataset, flags})});
  if (started.status !== 202) throw new Error(`POST /api/runs: ${started.status} ${await started.text()}`);
  const job = await started.json();
  for (;;) {
    const state = await (await fetch(`/api/runs/jobs/${job.id}`)).json();
    if (state.error) throw new Error(state.error);
    if (state.run_id) return state.run_id;
    await new Promise((next) => setTimeout(next, 250));
  }
}"""


@pytest.fixture
def flags_restored(page: Page) -> Iterator[None]:
    """The board's switches as they were, after a test that flips them (the server is shared)."""
    before: dict[str, Any] = page.request.get("/api/flags").json()["flags"]
    yield
    page.request.patch("/api/flags", data={"flags": before}, headers=ADMIN)


def assert_readable(page: Page) -> None:
    width = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert width[0] <= width[1], f"the page is {width[0]} px wide in a {width[1]} px window"
    assert page.evaluate(CLIPPED_CELLS) == []


def start_run_from_the_page(page: Page) -> None:
    page.goto("/switchboard")
    page.select_option(".run-form select[name=dataset]", "golden")
    page.click("#start-run")
    expect(page.locator("#run-job")).to_contain_text("Done:", timeout=RUN_TIMEOUT_MS)


def test_a_page_run_compared_with_the_previous_is_readable_at_1280(page: Page, flags_restored: None) -> None:
    page.request.patch("/api/flags", data={"flags": {"rag": False}}, headers=ADMIN)
    start_run_from_the_page(page)
    expect(page.locator("#run-job .run-name")).to_have_text("defaults − rag")
    page.request.patch("/api/flags", data={"flags": {"rag": True}}, headers=ADMIN)
    start_run_from_the_page(page)

    page.get_by_role("link", name="Compare with the previous run").click()
    expect(page.locator("h1")).to_have_text("2 runs side by side")
    differing = page.locator("#runs-header tr.difference")
    expect(differing).to_have_count(1)
    expect(differing).to_contain_text("rag")
    expect(page.locator("#metric-table thead th").nth(1)).to_contain_text("defaults − rag")
    assert_readable(page)

    shown = page.locator("#case-table tr.case:visible")
    expect(page.locator("#case-table tr.case")).to_have_count(119)
    failing = page.locator("#case-table tr.case[data-failing=yes]").count()
    expect(shown).to_have_count(failing)  # at first, the cases failing in some run
    page.check("#only-newly-failing")
    newly = page.locator("#case-table tr.case[data-newly-failing=yes]").count()
    assert 0 < newly < failing
    expect(shown).to_have_count(newly)
    expect(page.locator("#cases-shown")).to_have_text(f"{newly} of 119 shown")
    expect(shown.first.locator(".tag.newly")).to_be_visible()
    page.screenshot(path=DOCS / "compare.png", full_page=True)  # the header, figures, charts, what broke
    page.uncheck("#only-newly-failing")
    page.uncheck("#only-failing")
    expect(shown).to_have_count(119)

    page.locator("#case-table a.record-link").first.click()
    expect(page.locator("h1")).to_contain_text("Turn record")
    expect(page.locator(".record-page details.strip dl")).to_be_visible()

    page.goto("/runs")
    expect(page.locator(".runs-list .run-name").first).to_have_text("defaults")
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    page.screenshot(path=DOCS / "runs.png", full_page=True)
    page.get_by_role("button", name="Compare selected").click()
    expect(page.locator("#choice-problem")).to_have_text("Tick at least one run.")
    page.locator(".runs-list input[name=ids]").nth(0).check()
    page.locator(".runs-list input[name=ids]").nth(1).check()
    page.get_by_role("button", name="Compare selected").click()
    expect(page.locator("h1")).to_have_text("2 runs side by side")


def test_six_runs_side_by_side_are_readable_and_tell_apart(page: Page) -> None:
    page.goto("/runs")
    flags = ["all-off", "all-on", "chapter-4", "rag=off,router=off", "all-on", "chapter-2"]
    ids = [page.evaluate(RUN_IN_PAGE, ["poisoned", spec]) for spec in flags]
    page.goto("/runs/compare?" + "&".join(f"ids={i}" for i in ids))
    headers = page.locator("#metric-table thead th")
    expect(headers).to_have_count(7)
    labels = [headers.nth(i).inner_text().strip() for i in range(1, 7)]
    assert len(set(labels)) == 6 and "defaults #2" in labels, labels
    assert_readable(page)
    for chart in page.evaluate(CHARTS):
        assert chart == {"legend": labels, "unseen": 0}
    expect(page.locator("#runs-header tr.difference").first).to_be_visible()
    page.screenshot(path=DOCS / "compare-six.png", full_page=True)


def test_eval_runs_leave_the_live_queue_empty(page: Page) -> None:
    """A golden run raises refunds that need a person (six, under the defaults): none of them waits
    in the live queue, and the run's page says how its policy resolved them."""
    page.goto("/runs")
    before = page.request.get("/api/approvals").json()
    page.evaluate(RUN_IN_PAGE, ["golden", "all-on"])
    assert page.request.get("/api/approvals").json() == before
    page.goto("/runs")
    page.locator(".runs-list .run-name").first.click()
    expect(page.locator("#runs-header tr.approvals")).to_contain_text("resolved by policy (deny)")
