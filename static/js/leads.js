// Leads pages: select all rows for a bulk action, and show only the fields of the chosen action.
(function () {
  "use strict";

  function showBulkFields() {
    const action = document.getElementById("id_bulk-action");
    if (!action) return;
    document.querySelectorAll("[data-bulk]").forEach(function (box) {
      box.hidden = box.getAttribute("data-bulk") !== action.value;
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target.id === "select-all") {
      document.querySelectorAll('input[name="bulk-leads"]').forEach(function (box) {
        box.checked = event.target.checked;
      });
    }
    if (event.target.id === "id_bulk-action") showBulkFields();
  });
  // Progress bars carry their percentage in data-percent (no inline styles): size them after each swap.
  function sizeProgressBars() {
    document.querySelectorAll(".progress-bar[data-percent]").forEach(function (bar) {
      bar.style.width = bar.getAttribute("data-percent") + "%";
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    showBulkFields();
    sizeProgressBars();
  });
  document.addEventListener("htmx:afterSettle", sizeProgressBars);
})();
