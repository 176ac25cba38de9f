// Relay's page behaviour. No inline scripts: everything the pages do lives in static files.
(function () {
  "use strict";

  function showMessage(text, level) {
    const box = document.getElementById("messages");
    if (!box) return;
    const alert = document.createElement("div");
    alert.className = "alert alert-" + (level || "danger") + " alert-dismissible fade show";
    alert.setAttribute("role", "alert");
    alert.textContent = text;
    const close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close";
    close.setAttribute("data-bs-dismiss", "alert");
    close.setAttribute("aria-label", "Close");
    alert.appendChild(close);
    box.appendChild(alert);
  }

  // An amount as the pages' money filter shows it (crm/templatetags/relay.py): "$1,500", "$1,500.50" (cents
  // when there are any), "-$20"; `prefix` is the site's currency ("$", or "CHF" and a no-break space).
  function money(value, prefix) {
    if (value === null || value === undefined || value === "") return "—";
    const amount = Number(value);
    const cents = Math.round(Math.abs(amount) * 100) % 100 !== 0;
    const digits = Math.abs(amount).toLocaleString("en-US", {
      minimumFractionDigits: cents ? 2 : 0,
      maximumFractionDigits: cents ? 2 : 0,
    });
    const negative = amount < 0 && /[1-9]/.test(digits);
    return (negative ? "-" : "") + (prefix || "") + digits;
  }

  window.Relay = { showMessage: showMessage, money: money };

  document.addEventListener("htmx:responseError", function (event) {
    const status = event.detail.xhr.status;
    const text = status === 403 ? "You are not allowed to do that." : "That did not work (error " + status + "). Please try again.";
    showMessage(text, "danger");
  });
  document.addEventListener("htmx:sendError", function () {
    showMessage("The server could not be reached. Check your connection and try again.", "warning");
  });
})();

// Swap 409/422 answers too: they carry the form with its errors, or a message saying why not.
document.addEventListener("DOMContentLoaded", function () {
  if (!window.htmx) return;
  window.htmx.config.responseHandling = [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "409", swap: true, error: false },
    { code: "422", swap: true, error: false },
    { code: "[45]..", swap: false, error: true },
  ];
});

// The search box: "/" focuses it (outside other fields), Enter opens the first result shown, Escape closes.
document.addEventListener("DOMContentLoaded", function () {
  const form = document.querySelector("[data-search-box]");
  if (!form) return;
  const input = form.querySelector("input[name=q]");
  const results = document.getElementById("nav-search-results");
  document.addEventListener("keydown", function (event) {
    const typing = event.target.closest("input, textarea, select, [contenteditable]");
    if (event.key === "/" && !typing) {
      event.preventDefault();
      input.focus();
    }
  });
  form.addEventListener("submit", function (event) {
    const first = results.querySelector("[data-first-result]");
    if (first) {
      event.preventDefault();
      window.location.assign(first.href);
    }
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Escape") results.replaceChildren();
  });
});
