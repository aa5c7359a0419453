// A budget edit the server refused (a 422 naming the field) is said under the Budgets box.
document.addEventListener("htmx:responseError", (event) => {
  const where = document.getElementById("budget-error");
  if (!where || !event.detail.elt.closest?.("#budgets")) return;
  let message = `HTTP ${event.detail.xhr.status}`;
  try { message = JSON.parse(event.detail.xhr.responseText).error.message; } catch { /* not our JSON error */ }
  where.textContent = `Not changed: ${message}`;
});
// The Switchboard page's live charts. Every 2 s it reads GET /api/metrics/live and updates the
// Chart.js instances in place (chart.update("none"): no new charts, no reload), so flipping a
// switch and asking a few questions shows its effect here. One dataset per configuration, named
// by what differs (config_name), in the same colour on every chart; every bar carries its value,
// so a 0 is a labelled 0 rather than a missing bar.
(() => {
  const root = document.getElementById("live-charts");
  if (!root || !window.Chart) return;
  const POLL_MS = 2000;
  const MAX_CONFIGURATIONS = 6; // the most-used ones; the table below lists every configuration
  const PALETTE = ["#0f6e78", "#c2702e", "#6b4fa0", "#2f8f4e", "#b03a48", "#5d6d73"];
  const colours = new Map(); // flags_key → colour, kept across polls: a configuration keeps its colour
  const status = document.getElementById("chart-status");

  const colourOf = (key) => {
    if (!colours.has(key)) colours.set(key, PALETTE[colours.size % PALETTE.length]);
    return colours.get(key);
  };
  // Each chart's value format, its axis ticks' (shorter) and its scale: shares stop at 100%.
  const formats = {
    ms: {value: (v) => `${Math.round(v)}`, tick: (v) => `${v}`, scale: {grace: "12%"}},
    usd: {value: (v) => `$${Number(v).toFixed(5)}`, tick: (v) => `$${Number(v.toPrecision(2))}`, scale: {grace: "12%"}},
    percent: {value: (v) => `${Math.round(v)}%`, tick: (v) => `${v}%`, scale: {max: 100}},
  };

  // Draws each bar's value above it (turned upright when the bar is narrower than its text, and
  // then inside the bar's top if the canvas has no room above); a bar with no value (no turn
  // streamed a token, say) says "n/a".
  const valueLabels = {
    id: "valueLabels",
    afterDatasetsDraw(chart, _args, options) {
      const {ctx} = chart;
      const zero = chart.scales.y.getPixelForValue(0);
      ctx.save();
      ctx.font = "10px system-ui, sans-serif";
      ctx.fillStyle = "#1d2a2f";
      chart.data.datasets.forEach((dataset, i) => {
        const meta = chart.getDatasetMeta(i);
        if (meta.hidden) return;
        meta.data.forEach((bar, j) => drawLabel(ctx, bar, dataset.data[j], zero, options.format));
      });
      ctx.restore();
    },
  };

  const drawLabel = (ctx, bar, value, zero, format) => {
    if (!Number.isFinite(bar.x)) return;
    const text = value === null || value === undefined ? "n/a" : format(value);
    const top = Number.isFinite(bar.y) && value !== null ? Math.min(bar.y, zero - 3) : zero;
    const width = ctx.measureText(text).width;
    const upright = width > bar.width;
    const inside = upright && width + 4 > top && zero - top > width + 4;
    ctx.save();
    ctx.translate(bar.x, inside ? top + 3 : top - 2);
    if (upright) ctx.rotate(-Math.PI / 2);
    ctx.textAlign = upright ? (inside ? "right" : "left") : "center";
    ctx.textBaseline = upright ? "middle" : "bottom";
    if (inside) ctx.fillStyle = "#fff";
    ctx.fillText(text, 0, 0);
    ctx.restore();
  };

  const makeChart = (id, {value: format, tick, scale}) => new Chart(document.getElementById(id), {
    type: "bar",
    data: {labels: [], datasets: []},
    plugins: [valueLabels],
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      layout: {padding: {top: 16}}, // room for the labels above the tallest bars
      scales: {y: {beginAtZero: true, ...scale, ticks: {callback: tick, maxTicksLimit: 5}}},
      plugins: {
        valueLabels: {format},
        legend: {position: "bottom", labels: {boxWidth: 10, font: {size: 11}}},
        tooltip: {callbacks: {
          label: (c) => `${c.dataset.label}: ${c.raw === null ? "n/a" : format(c.raw)} (${c.dataset.turns} turns)`,
          afterLabel: (c) => c.dataset.differs, // the switches that tell it from the others
        }},
      },
    },
  });

  const charts = {
    latency: makeChart("chart-latency", formats.ms),
    ttft: makeChart("chart-ttft", formats.ms),
    cost: makeChart("chart-cost", formats.usd),
    tiers: makeChart("chart-tiers", formats.percent),
    outcomes: makeChart("chart-outcomes", formats.percent),
  };

  const share = (count, total) => (total ? (100 * count) / total : 0);
  // What each chart draws for one configuration, on the x labels `labels(live)`.
  const series = {
    latency: {labels: () => ["p50", "p95"], values: (c) => [c.p50_ms, c.p95_ms]},
    ttft: {labels: () => ["p50", "p95"], values: (c) => [c.p50_ttft_ms, c.p95_ttft_ms]},
    cost: {labels: () => ["mean per turn"], values: (c) => [c.mean_cost_usd]},
    tiers: {labels: (live) => live.tiers, values: (c, live) => live.tiers.map((t) => share(c.tiers[t] ?? 0, c.count))},
    outcomes: {labels: (live) => live.outcomes, values: (c, live) => live.outcomes.map((o) => share(c.outcomes[o] ?? 0, c.count))},
  };

  // Reuses each configuration's dataset object, so Chart.js keeps its state (a legend item the
  // operator hid stays hidden) while the values change.
  const update = (chart, {labels, values}, live, shown) => {
    const previous = new Map(chart.data.datasets.map((d) => [d.configKey, d]));
    chart.data.labels = labels(live);
    chart.data.datasets = shown.map((c) => Object.assign(previous.get(c.flags_key) ?? {}, {
      configKey: c.flags_key,
      configName: c.name,
      turns: c.count,
      differs: live.differing.slice(0, 8).map((flag) => `${flag}=${c.flags[flag] ? "on" : "off"}`),
      label: c.current ? `${c.name} (now)` : c.name,
      data: values(c, live),
      backgroundColor: colourOf(c.flags_key),
      borderColor: "#1d2a2f",
      borderWidth: c.current ? 1.5 : 0,
      minBarLength: 3,
    }));
    chart.update("none");
  };

  // The most-used configurations, and the board's current one whatever its count.
  const chosen = (configurations) => {
    const shown = configurations.slice(0, MAX_CONFIGURATIONS);
    const current = configurations.find((c) => c.current);
    if (current && !shown.includes(current)) shown[shown.length - 1] = current;
    return shown;
  };

  const draw = (live) => {
    const shown = chosen(live.configurations);
    for (const [name, chart] of Object.entries(charts)) update(chart, series[name], live, shown);
    root.dataset.turns = String(live.turns);
    const hidden = live.configurations.length - shown.length;
    status.textContent = !live.turns
      ? "No live turns yet: ask something in the chat, flip a switch, ask again."
      : `${live.turns} live turns in ${live.configurations.length} configurations` +
        (hidden > 0 ? ` (charts show ${shown.length}: the most used, and the one now)` : "") + ".";
  };

  let busy = false;
  const refresh = async () => {
    if (busy) return; // a slow answer is not overtaken by the next poll
    busy = true;
    try {
      const response = await fetch(root.dataset.source, {headers: {accept: "application/json"}, cache: "no-store"});
      if (!response.ok) throw new Error(`the server answered ${response.status}`);
      draw(await response.json());
    } catch (error) {
      status.textContent = `Charts not updated: ${error.message}`;
    } finally {
      busy = false;
    }
  };
  refresh();
  setInterval(refresh, POLL_MS);
})();
