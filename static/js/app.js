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
  window.Relay = { showMessage: showMessage };

  document.addEventListener("htmx:responseError", function (event) {
    const status = event.detail.xhr.status;
    const text = status === 403 ? "You are not allowed to do that." : "That did not work (error " + status + "). Please try again.";
    showMessage(text, "danger");
  });
  document.addEventListener("htmx:sendError", function () {
    showMessage("The server could not be reached. Check your connection and try again.", "warning");
  });
})();
