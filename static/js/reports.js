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

  // Column pickers. A table marked data-columns="KEY" can hide the columns whose header has data-column;
  // those with data-start-hidden are hidden until someone picks them, so that the table fits a laptop
  // screen. The choice is kept per KEY in this browser (localStorage) and applies to every such table.
  const COLUMNS_STORE = "relay.columns.";

  function hiddenColumns(key, table) {
    let stored = null;
    try {
      stored = JSON.parse(window.localStorage.getItem(COLUMNS_STORE + key));
    } catch (error) {
      stored = null; // storage refused (private mode) or garbled: the defaults
    }
    if (Array.isArray(stored)) return new Set(stored);
    const optional = table.querySelectorAll("thead th[data-start-hidden]");
    return new Set(Array.from(optional, function (th) { return th.dataset.column; }));
  }

  function showColumns(table, hidden) {
    // Header positions, counting colspans, so that a row with a merged cell hides the right cells too.
    const hiddenAt = new Set();
    let position = 0;
    Array.from(table.tHead.rows[0].cells).forEach(function (th) {
      if (hidden.has(th.dataset.column)) hiddenAt.add(position);
      position += th.colSpan;
    });
    Array.from(table.rows).forEach(function (row) {
      let at = 0;
      Array.from(row.cells).forEach(function (cell) {
        let covered = true;
        for (let offset = 0; offset < cell.colSpan; offset += 1) covered = covered && hiddenAt.has(at + offset);
        cell.hidden = covered;
        at += cell.colSpan;
      });
    });
  }

  function applyColumns(root, key, hidden) {
    root.querySelectorAll('table[data-columns="' + key + '"]').forEach(function (table) {
      showColumns(table, hidden);
    });
    root.querySelectorAll('[data-column-picker="' + key + '"] input[data-column]').forEach(function (box) {
      box.checked = !hidden.has(box.dataset.column);
    });
  }

  function choose(key, hidden) {
    try {
      window.localStorage.setItem(COLUMNS_STORE + key, JSON.stringify(Array.from(hidden)));
    } catch (error) {
      // not kept, but still applied to this page
    }
    applyColumns(document, key, hidden);
  }

  function buildPicker(menu) {
    const key = menu.dataset.columnPicker;
    const table = document.querySelector('table[data-columns="' + key + '"]');
    if (!table || menu.dataset.built) return;
    menu.dataset.built = "1";
    table.querySelectorAll("thead th[data-column]").forEach(function (th) {
      const id = "column-" + key + "-" + th.dataset.column + "-" + Math.random().toString(36).slice(2, 8);
      const check = document.createElement("div");
      check.className = "form-check text-nowrap";
      const box = document.createElement("input");
      box.className = "form-check-input";
      box.type = "checkbox";
      box.id = id;
      box.dataset.column = th.dataset.column;
      const label = document.createElement("label");
      label.className = "form-check-label";
      label.htmlFor = id;
      label.textContent = th.dataset.label || th.textContent.trim();
      check.append(box, label);
      menu.append(check);
    });
    const all = document.createElement("button");
    all.type = "button";
    all.className = "btn btn-link btn-sm px-0";
    all.textContent = "Show all";
    menu.append(all);
    menu.addEventListener("change", function () {
      const boxes = menu.querySelectorAll("input[data-column]");
      choose(key, new Set(Array.from(boxes).filter(function (box) { return !box.checked; }).map(function (box) {
        return box.dataset.column;
      })));
    });
    all.addEventListener("click", function () {
      choose(key, new Set());
    });
    const toggle = menu.parentElement.querySelector("[data-bs-toggle]");
    if (toggle) toggle.hidden = false;
  }

  function pickColumns(root) {
    root.querySelectorAll("[data-column-picker]").forEach(buildPicker);
    const keys = new Set(Array.from(root.querySelectorAll("table[data-columns]"), function (table) {
      return table.dataset.columns;
    }));
    keys.forEach(function (key) {
      applyColumns(root, key, hiddenColumns(key, root.querySelector('table[data-columns="' + key + '"]')));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    pickColumns(document);
    drawAll(document);
  });
  document.addEventListener("htmx:afterSettle", function () {
    pickColumns(document);
    drawAll(document);
  });
})();
