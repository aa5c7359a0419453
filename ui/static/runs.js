// The runs pages: the comparison charts (from the JSON the page embeds), the case filters, and
// the record page's details opened. Colours match the .swatch classes in runs.css.
(() => {
  const colours = ["#0f6e78", "#c2702e", "#6b4fa0", "#2f8f4e", "#b03a3a", "#5a5a5a"];

  // Prints each bar's value above it, so a zero (a free demo model's cost) reads "0", not blank.
  const valueLabels = (format) => ({
    id: "valueLabels",
    afterDatasetsDraw(chart) {
      const {ctx} = chart;
      ctx.save();
      ctx.font = "10px system-ui, sans-serif";
      ctx.fillStyle = "#222";
      ctx.textAlign = "center";
      chart.data.datasets.forEach((dataset, i) => {
        chart.getDatasetMeta(i).data.forEach((bar, j) => {
          const value = dataset.data[j];
          if (value === null || value === undefined || bar.width < 14) return;
          ctx.fillText(format(value), bar.x, Math.min(bar.y, bar.base - 3) - 3);
        });
      });
      ctx.restore();
    },
  });

  const perRun = (labels, values) => labels.map((label, i) => ({
    label, data: values[i], backgroundColor: colours[i % colours.length], minBarLength: 3,
  }));

  const bar = (id, categories, datasets, format, y = {}) => new Chart(document.getElementById(id), {
    type: "bar",
    data: {labels: categories, datasets},
    plugins: [valueLabels(format)],
    options: {
      animation: false, responsive: true, maintainAspectRatio: false,
      layout: {padding: {top: 14}},
      plugins: {legend: {position: "bottom", labels: {boxWidth: 12, font: {size: 11}}}},
      scales: {y: {beginAtZero: true, grace: "10%", ...y}},
    },
  });

  const drawCharts = (data) => {
    const percent = (rates) => rates.map((r) => (r === null ? null : r * 100));
    bar("chart-scorers", data.scorers, perRun(data.labels, data.rates.map(percent)), (v) => v.toFixed(0),
      {max: 100, grace: 0, title: {display: true, text: "% passed"}});
    bar("chart-latency", ["p50", "p95"], perRun(data.labels, data.latency), (v) => v.toFixed(0),
      {title: {display: true, text: "ms"}});
    bar("chart-cost", ["cost per turn"], perRun(data.labels, data.cost.map((c) => [c])),
      (v) => (v === 0 ? "$0" : "$" + v.toPrecision(2)), {title: {display: true, text: "$ per turn"}});
  };

  const filterCases = () => {
    const newly = document.getElementById("only-newly-failing");
    const failing = document.getElementById("only-failing");
    const rows = document.querySelectorAll("#case-table tr.case");
    let shown = 0;
    rows.forEach((row) => {
      const hide = (newly && newly.checked && row.dataset.newlyFailing !== "yes")
        || (failing && failing.checked && row.dataset.failing !== "yes");
      row.hidden = hide;
      shown += hide ? 0 : 1;
    });
    document.getElementById("cases-shown").textContent = `${shown} of ${rows.length} shown`;
  };

  // The runs list: two to six runs fit side by side; say so rather than send the page an error.
  const guardChoice = (form) => form.addEventListener("submit", (event) => {
    const chosen = form.querySelectorAll("input[name=ids]:checked").length;
    const problem = chosen === 0 ? "Tick at least one run." : chosen > 6 ? `Tick at most 6 runs, not ${chosen}.` : "";
    document.getElementById("choice-problem").textContent = problem;
    if (problem) event.preventDefault();
  });

  const form = document.getElementById("runs-form");
  if (form) guardChoice(form);
  const embedded = document.getElementById("chart-data");
  if (embedded) drawCharts(JSON.parse(embedded.textContent));
  if (document.getElementById("case-table")) {
    document.querySelectorAll(".case-filters input").forEach((box) => box.addEventListener("change", filterCases));
    filterCases();
  }
  document.querySelectorAll(".record-page details.strip").forEach((details) => { details.open = true; });
})();
