// Draws the run comparison charts from the JSON the page embeds.
(() => {
  const data = JSON.parse(document.getElementById("chart-data").textContent);
  const colours = ["#0f6e78", "#c2702e", "#6b4fa0", "#2f8f4e", "#a33", "#777"];
  const dataset = (label, values, i) => ({label, data: values, backgroundColor: colours[i % colours.length]});
  const bar = (id, labels, datasets, options = {}) => new Chart(document.getElementById(id), {
    type: "bar", data: {labels, datasets}, options: {animation: false, responsive: true, ...options},
  });
  bar("chart-scorers", data.scorers, data.rates.map((rates, i) => dataset(data.labels[i], rates.map((r) => r === null ? null : r * 100), i)),
      {scales: {y: {min: 0, max: 100, title: {display: true, text: "% passed"}}}});
  bar("chart-latency", ["p50", "p95"], data.latency.map((l, i) => dataset(data.labels[i], l, i)));
  bar("chart-cost", data.labels, [{label: "cost per turn", data: data.cost, backgroundColor: data.labels.map((_, i) => colours[i % colours.length])}],
      {plugins: {legend: {display: false}}});
})();
