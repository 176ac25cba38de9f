// The pipeline board: drag a card to another column or place, save it, refresh the column headers.
// A failed save puts the card back where it was and says why; a drop on a lost stage asks for the reason.
(function () {
  "use strict";

  const board = document.getElementById("board");
  if (!board || !window.Sortable) return;

  const headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
  const csrfToken = headers["X-CSRFToken"] || "";
  const lostModalElement = document.getElementById("lost-modal");
  const lostForm = document.getElementById("lost-form");
  const lostModal = window.bootstrap ? window.bootstrap.Modal.getOrCreateInstance(lostModalElement) : null;
  let pendingLost = null;

  function showMessage(text, level) {
    if (window.Relay && window.Relay.showMessage) window.Relay.showMessage(text, level);
  }

  function snapBack(evt) {
    const item = evt.item;
    item.remove();
    const cards = evt.from.querySelectorAll(":scope > .deal-card");
    evt.from.insertBefore(item, cards[evt.oldIndex] || null);
  }

  function refreshHeaders(html) {
    const template = document.createElement("template");
    template.innerHTML = html;
    template.content.querySelectorAll("[data-stage-header]").forEach(function (fresh) {
      const current = board.querySelector('header[data-stage-header="' + fresh.dataset.stageHeader + '"]');
      if (current) current.innerHTML = fresh.innerHTML;
    });
  }

  function failureText(response, text) {
    if (response.status === 403) return "You are not allowed to move this deal.";
    const type = response.headers.get("Content-Type") || "";
    if (type.indexOf("text/plain") === 0 && text) return text;
    return "The move was not saved (error " + response.status + "). Please try again.";
  }

  function save(evt, extra) {
    const item = evt.item;
    const next = item.nextElementSibling;
    const body = new URLSearchParams();
    body.set("stage", evt.to.dataset.stage);
    if (next && next.dataset.deal) {
      body.set("before", next.dataset.deal);
    } else {
      body.set("position", String(evt.to.querySelectorAll(":scope > .deal-card").length - 1));
    }
    Object.keys(extra || {}).forEach(function (key) { body.set(key, extra[key]); });
    item.classList.add("is-saving");
    board.setAttribute("aria-busy", "true");
    return fetch(item.dataset.moveUrl + window.location.search, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "X-CSRFToken": csrfToken,
        "HX-Request": "true",
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: body,
    })
      .then(function (response) {
        return response.text().then(function (text) {
          if (!response.ok) throw new Error(failureText(response, text));
          refreshHeaders(text);
          board.dispatchEvent(new CustomEvent("relay:deal-moved", { detail: { deal: item.dataset.deal } }));
        });
      }, function () {
        throw new Error("The server could not be reached: the move was not saved.");
      })
      .catch(function (error) {
        snapBack(evt);
        showMessage(error.message, "danger");
      })
      .finally(function () {
        item.classList.remove("is-saving");
        board.removeAttribute("aria-busy");
      });
  }

  function askForLostReason(evt) {
    if (!lostModal) {
      snapBack(evt);
      showMessage("Open the deal to mark it as lost with a reason.", "warning");
      return;
    }
    pendingLost = evt;
    lostForm.reset();
    lostModal.show();
  }

  lostForm.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!pendingLost) return;
    const evt = pendingLost;
    pendingLost = null;
    lostModal.hide();
    save(evt, { lost_reason: lostForm.elements.lost_reason.value, note: lostForm.elements.note.value });
  });
  lostModalElement.addEventListener("shown.bs.modal", function () {
    lostForm.elements.lost_reason.focus();
  });
  lostModalElement.addEventListener("hide.bs.modal", function () {
    if (pendingLost) {
      snapBack(pendingLost);  // cancelled: the deal stays where it was
      pendingLost = null;
    }
  });

  board.querySelectorAll(".board-cards").forEach(function (list) {
    window.Sortable.create(list, {
      group: "deals",
      draggable: ".deal-card[data-editable]",
      filter: "select, option, button, input, label, summary",
      preventOnFilter: false,
      animation: 150,
      forceFallback: true,
      fallbackTolerance: 4,
      ghostClass: "is-ghost",
      onEnd: function (evt) {
        if (evt.from === evt.to && evt.oldIndex === evt.newIndex) return;
        if (evt.to !== evt.from && evt.to.dataset.kind === "lost") {
          askForLostReason(evt);
          return;
        }
        save(evt, {});
      },
    });
  });
})();
