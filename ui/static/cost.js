// The cost page's charts, drawn from the spend report the page embeds (GET /api/cost's `spend`).
// With no turns in view the page has no canvases, and nothing is drawn.
(() => {
  const colours = ["#0f6e78", "#c2702e", "#6b4fa0", "#2f8f4e", "#b03a3a", "#5a5a5a", "#2c5d8f", "#9a7b1c"];
  const colour = (i) => colours[i % colours.length];

  // A demo turn costs millionths of a dollar: three significant figures, never "$0.00".
  const usd = (v) => (v === 0 ? "$0" : Math.abs(v) >= 1 ? "$" + v.toFixed(2) : "$" + v.toPrecision(3));
  // An axis tick: two significant figures, trailing zeros dropped ("$0.001", not "$0.00100").
  const tick = (v) => (v === 0 ? "$0" : "$" + Number(v.toPrecision(2)));

  const options = (extra = {}) => ({
    animation: false, responsive: true, maintainAspectRatio: false,
    plugins: {
      legend: {position: "bottom", labels: {boxWidth: 12, font: {size: 11}}},
      tooltip: {callbacks: {label: (item) => `${item.dataset.label}: ${usd(item.raw)}`}},
    },
    ...extra,
  });

  // One bar per group (tenant, configuration, customer), longest first, labels on the left.
  const groupBars = (id, groups, label) => new Chart(document.getElementById(id), {
    type: "bar",
    data: {
      labels: groups.map((g) => g.label),
      datasets: [{label, data: groups.map((g) => g.cost_usd), backgroundColor: colour(0), minBarLength: 2, maxBarThickness: 28}],
    },
    options: options({
      indexAxis: "y",
      plugins: {legend: {display: false}, tooltip: {callbacks: {label: (item) => usd(item.raw)}}},
      scales: {x: {beginAtZero: true, ticks: {callback: tick, maxTicksLimit: 5}}, y: {ticks: {autoSkip: false, font: {size: 11}}}},
    }),
  });

  // The days, one stacked dataset per model (or tenant): every key that spent on any day.
  const dayDatasets = (days, by) => {
    const keys = [...new Set(days.flatMap((d) => Object.keys(d[by])))].sort();
    return keys.map((key, i) => ({
      label: key, data: days.map((d) => d[by][key] || 0), backgroundColor: colour(i), stack: "spend", maxBarThickness: 60,
    }));
  };

  const dayChart = (days) => new Chart(document.getElementById("chart-days"), {
    type: "bar",
    data: {labels: days.map((d) => d.day), datasets: dayDatasets(days, "models")},
    options: options({scales: {x: {stacked: true}, y: {stacked: true, beginAtZero: true, ticks: {callback: tick}}}}),
  });

  const draw = (spend) => {
    const days = dayChart(spend.days);
    const stack = document.getElementById("day-stack");
    stack.addEventListener("change", () => {
      days.data.datasets = dayDatasets(spend.days, stack.value);
      days.update();
    });
    groupBars("chart-tenants", spend.tenants, "spend");
    groupBars("chart-configurations", spend.configurations, "spend");
    groupBars("chart-customers", spend.customers, "spend");
  };

  const embedded = document.getElementById("cost-data");
  if (embedded && document.getElementById("chart-days")) draw(JSON.parse(embedded.textContent));
})();
