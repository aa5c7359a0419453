"""End to end in a real browser: the Switchboard page compares configurations as turns arrive.

The operator flips a switch from the panel between two sets of questions in the chat; back on
/switchboard, every chart has one dataset per configuration, named by what differs ("defaults",
"defaults − rag"). A question asked in a second tab then shows up in the same Chart.js
instances, polled from /api/metrics/live, without the page reloading.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browsing import DOCS, ask
from tests.e2e.conftest import ADMIN

pytestmark = pytest.mark.e2e

CHARTS = ("chart-latency", "chart-ttft", "chart-cost", "chart-tiers", "chart-outcomes")
WITHOUT_RAG = "defaults − rag"

# What a chart draws, read from its Chart.js instance: x labels, and per dataset its
# configuration's name, turn count, label (the legend) and values.
CHART_DATA = """
(id) => {
  const data = Chart.getChart(document.getElementById(id)).data;
  return {
    labels: data.labels,
    datasets: data.datasets.map((d) => ({name: d.configName, turns: d.turns, label: d.label, data: d.data})),
  };
}
"""
CHARTS_NAME = """
([ids, names]) => ids.every((id) => {
  const chart = Chart.getChart(document.getElementById(id));
  const shown = chart ? chart.data.datasets.map((d) => d.configName) : [];
  return names.every((name) => shown.includes(name));
})
"""
TURNS_GROWN = """
([name, before]) => {
  const chart = Chart.getChart(document.getElementById("chart-latency"));
  const dataset = chart.data.datasets.find((d) => d.configName === name);
  return dataset !== undefined && dataset.turns > before;
}
"""


TOOLTIP_OF_FIRST_BAR = """
(name) => {
  const chart = Chart.getChart(document.getElementById("chart-latency"));
  const datasetIndex = chart.data.datasets.findIndex((d) => d.configName === name);
  const bar = chart.getDatasetMeta(datasetIndex).data[0];
  chart.tooltip.setActiveElements([{datasetIndex, index: 0}], {x: bar.x, y: bar.y});
  chart.update("none");
  return chart.tooltip.body.flatMap((item) => [...item.lines, ...item.after]);
}
"""


def chart_data(page: Page, chart_id: str) -> dict[str, Any]:
    data: dict[str, Any] = page.evaluate(CHART_DATA, chart_id)
    return data


def turns_of(page: Page, name: str) -> int:
    (dataset,) = [d for d in chart_data(page, "chart-latency")["datasets"] if d["name"] == name]
    return int(dataset["turns"])


def ask_in_a_new_conversation(page: Page, *questions: str) -> None:
    page.goto("/")
    page.click("#new-conversation")
    expect(page.locator("#messages .msg")).to_have_count(0)
    for question in questions:
        ask(page, question)


def set_from_the_panel(page: Page, control: str, name: str) -> None:
    page.goto("/switchboard")
    page.click(control)
    expect(page.locator("#config-name")).to_have_text(name)


def test_the_charts_compare_two_configurations_and_follow_new_turns(page: Page, server: str) -> None:
    try:
        set_from_the_panel(page, 'button[data-preset="all-on"]', "defaults")
        expect(page.locator('button[data-preset="all-on"]')).to_have_class("on")
        ask_in_a_new_conversation(page, "where is my order?", "how do I return a tent?")
        set_from_the_panel(page, '#flags input[data-flag="rag"]', WITHOUT_RAG)
        expect(page.locator('button[data-preset="all-on"]')).not_to_have_class("on")
        ask_in_a_new_conversation(page, "where is my order?", "how do I return a tent?")

        page.goto("/switchboard")
        page.wait_for_function(CHARTS_NAME, arg=[list(CHARTS), ["defaults", WITHOUT_RAG]])
        _check_the_charts(page)
        _check_the_table(page)
        fits = "() => document.documentElement.scrollWidth <= window.innerWidth"
        assert page.evaluate(fits), "the page scrolls sideways at 1280 px"
        table = page.locator("#metrics table").bounding_box()
        column = page.locator("#metrics").bounding_box()
        assert table and column and table["width"] <= column["width"] + 1, "the table spills out of its column"
        page.screenshot(path=DOCS / "switchboard.png", full_page=True)
        tooltip = page.evaluate(TOOLTIP_OF_FIRST_BAR, WITHOUT_RAG)  # a bar names its switches
        assert tooltip[0].startswith(f"{WITHOUT_RAG} (now): ") and "turns)" in tooltip[0], tooltip
        assert "rag=off" in tooltip[1:], tooltip

        _a_turn_in_a_second_tab_updates_the_charts_in_place(page)
    finally:
        httpx.patch(f"{server}/api/flags", json={"preset": "all-on"}, headers=ADMIN, timeout=10).raise_for_status()


def _check_the_charts(page: Page) -> None:
    for chart_id in CHARTS:
        data = chart_data(page, chart_id)
        legends = [d["label"] for d in data["datasets"]]
        assert len(set(legends)) == len(legends), f"{chart_id}: legends repeat {legends}"
        assert f"{WITHOUT_RAG} (now)" in legends, legends  # the board's configuration now
        for dataset in data["datasets"]:
            assert len(dataset["data"]) == len(data["labels"]), (chart_id, dataset)
    outcomes = chart_data(page, "chart-outcomes")
    assert outcomes["labels"] == ["answered", "escalated", "blocked", "declined", "degraded", "cancelled", "error"]
    for dataset in outcomes["datasets"]:
        assert all(isinstance(v, int | float) for v in dataset["data"]), dataset  # a 0, never a gap
        assert abs(sum(dataset["data"]) - 100) < 0.01, dataset
    tiers = chart_data(page, "chart-tiers")
    assert "primary" in tiers["labels"], tiers["labels"]
    latency = {d["name"]: d["data"] for d in chart_data(page, "chart-latency")["datasets"]}
    assert all(p50 is not None and p95 >= p50 > 0 for p50, p95 in latency.values()), latency
    assert turns_of(page, WITHOUT_RAG) >= 2 and turns_of(page, "defaults") >= 2


def _check_the_table(page: Page) -> None:
    row = page.locator("#metrics tr.current")
    expect(row.locator(".config-name")).to_have_text(WITHOUT_RAG)
    expect(row.locator("code.chip", has_text="rag=off")).to_be_visible()
    defaults = page.locator(".config-name", has_text=re.compile(r"^\s*defaults\s*$"))
    other = page.locator("#metrics tbody tr", has=defaults)
    expect(other.locator("code.chip", has_text="rag=on")).to_be_visible()


def _a_turn_in_a_second_tab_updates_the_charts_in_place(page: Page) -> None:
    before = turns_of(page, WITHOUT_RAG)
    page.evaluate("() => { window.__samePage = Chart.getChart(document.getElementById('chart-latency')); }")
    second = page.context.new_page()
    try:
        ask_in_a_new_conversation(second, "do you ship to Canada?")
    finally:
        second.close()
    page.wait_for_function(TURNS_GROWN, arg=[WITHOUT_RAG, before])
    same = page.evaluate("() => window.__samePage === Chart.getChart(document.getElementById('chart-latency'))")
    assert same, "the page was reloaded or the chart recreated"


def test_chapter_presets_name_the_configuration_and_chaos_reads_in_words(page: Page, server: str) -> None:
    try:
        set_from_the_panel(page, 'button[data-preset="chapter-4"]', "chapter-4")
        expect(page.locator('button[data-preset="chapter-4"]')).to_have_class("on")
        expect(page.locator('#flags input[data-flag="failover"]')).not_to_be_checked()
        page.click('#flags input[data-flag="pii_redaction"]')
        expect(page.locator("#config-name")).to_have_text("chapter-4 + pii_redaction")
        expect(page.locator(".flag-presets button.on")).to_have_count(0)  # no preset is exactly this

        page.click('#chaos button:text-is("slow")')
        expect(page.locator('#chaos td.faults[data-provider="demo-a"]')).to_have_text("3× slower")
        page.click('#chaos button:text-is("primary-down-secondary-flaky")')
        expect(page.locator('#chaos td.faults[data-provider="demo-a"]')).to_have_text("down")
        expect(page.locator('#chaos td.faults[data-provider="demo-b"]')).to_have_text("30% errors")
        expect(page.locator("#chaos")).not_to_contain_text("outage=")
    finally:
        httpx.patch(f"{server}/api/chaos", json={"preset": "calm"}, headers=ADMIN, timeout=10).raise_for_status()
        httpx.patch(f"{server}/api/flags", json={"preset": "all-on"}, headers=ADMIN, timeout=10).raise_for_status()
