// Campaign pages: the daily figures chart (redrawn after each htmx swap) and the slug suggestion.
(function () {
  "use strict";

  let chart = null;

  function drawChart() {
    const canvas = document.getElementById("campaign-chart");
    const source = document.getElementById("campaign-chart-data");
    if (chart) {
      chart.destroy();
      chart = null;
    }
    if (!canvas || !source || !window.Chart) return;
    const data = JSON.parse(source.textContent);
    const prefix = canvas.dataset.money;
    function amount(value) {
      return window.Relay.money(value, prefix);
    }
    chart = new window.Chart(canvas, {
      data: {
        labels: data.labels,
        datasets: [
          { type: "line", label: "Impressions", data: data.impressions, yAxisID: "volume", tension: 0.2 },
          { type: "line", label: "Clicks", data: data.clicks, yAxisID: "clicks", tension: 0.2 },
          { type: "bar", label: "Spend", data: data.spend.map(Number), yAxisID: "spend" },
        ],
      },
      options: {
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          volume: { type: "linear", position: "left", title: { display: true, text: "Impressions" } },
          clicks: { type: "linear", position: "right", title: { display: true, text: "Clicks" }, grid: { drawOnChartArea: false } },
          spend: {
            type: "linear",
            position: "right",
            title: { display: true, text: "Spend" },
            grid: { drawOnChartArea: false },
            ticks: { callback: amount },
          },
        },
        plugins: {
          tooltip: {
            callbacks: {
              label: function (context) {
                const value = context.dataset.yAxisID === "spend" ? amount(context.parsed.y) : context.formattedValue;
                return context.dataset.label + ": " + value;
              },
            },
          },
        },
      },
    });
    canvas.parentElement.classList.add("campaign-chart");
    canvas.parentElement.style.height = "280px";
  }

  function slugify(text) {
    return text
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 70);
  }

  // On the campaign form: suggest the slug from the name until the marketer types one themselves.
  function suggestSlug() {
    const name = document.getElementById("id_name");
    const slug = document.getElementById("id_slug");
    if (!name || !slug) return;
    let touched = slug.value !== "";
    slug.addEventListener("input", function () {
      touched = slug.value !== "";
    });
    name.addEventListener("input", function () {
      if (!touched) slug.placeholder = slugify(name.value);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawChart();
    suggestSlug();
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (document.getElementById("campaign-chart-data") || chart) drawChart();
  });
})();
