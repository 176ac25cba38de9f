// Report charts: every <canvas data-chart="ID"> is drawn from the JSON in <script id="ID"> (json_script),
// on page load and again whenever htmx swaps in a report with new filters.
(function () {
  "use strict";

  const COLOURS = ["#0d6efd", "#adb5bd", "#198754", "#dc3545", "#fd7e14", "#6f42c1", "#20c997", "#ffc107", "#6c757d"];

  function draw(canvas) {
    const source = document.getElementById(canvas.dataset.chart);
    if (!source || typeof Chart === "undefined") return;
    const spec = JSON.parse(source.textContent);
    const existing = Chart.getChart(canvas);
    if (existing) existing.destroy();
    const valueAxis = spec.horizontal ? "x" : "y";
    const scales = { x: { stacked: spec.stacked, beginAtZero: true }, y: { stacked: spec.stacked, beginAtZero: true } };
    const plugins = { legend: { position: "bottom" } };
    const prefix = canvas.dataset.money; // a chart of amounts: axis and tooltips in the site's currency
    if (prefix !== undefined) {
      scales[valueAxis].ticks = {
        callback: function (value) {
          return window.Relay.money(value, prefix);
        },
      };
      plugins.tooltip = {
        callbacks: {
          label: function (context) {
            return context.dataset.label + ": " + window.Relay.money(context.parsed[valueAxis], prefix);
          },
        },
      };
    }
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map(function (dataset, index) {
          return { label: dataset.label, data: dataset.data, backgroundColor: COLOURS[index % COLOURS.length] };
        }),
      },
      options: {
        indexAxis: spec.horizontal ? "y" : "x",
        responsive: true,
        aspectRatio: Number(canvas.dataset.aspectRatio) || 2,
        animation: false,
        scales: scales,
        plugins: plugins,
      },
    });
    canvas.dataset.rendered = source.textContent.length;
  }

  function drawAll(root) {
    root.querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  // Changing a date means custom dates: select that period so that Apply uses them.
  document.addEventListener("change", function (event) {
    const input = event.target;
    if (input.name !== "date_from" && input.name !== "date_to") return;
    const period = input.form && input.form.elements.namedItem("period");
    if (period) period.value = "custom";
  });

  document.addEventListener("DOMContentLoaded", function () {
    drawAll(document);
  });
  document.addEventListener("htmx:afterSettle", function () {
    drawAll(document);
  });
})();
