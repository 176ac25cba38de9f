// The pipeline board: drag a card to another column or place, or move it from its menu; save it, refresh the
// column headers. A failed save puts the card back where it was and says why; a move to a lost stage asks for
// the reason. On a phone the board shows one stage at a time, picked by its tab or by swiping left and right.
(function () {
  "use strict";

  const board = document.getElementById("board");
  if (!board) return;

  const headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
  const csrfToken = headers["X-CSRFToken"] || "";
  const lostModalElement = document.getElementById("lost-modal");
  const lostForm = document.getElementById("lost-form");
  const lostModal = window.bootstrap ? window.bootstrap.Modal.getOrCreateInstance(lostModalElement) : null;
  const phone = window.matchMedia("(max-width: 575.98px)");
  const columns = Array.prototype.slice.call(board.querySelectorAll(".board-column"));
  const tabs = document.querySelector(".board-tabs");
  const tabButtons = tabs ? Array.prototype.slice.call(tabs.querySelectorAll("[data-stage-tab]")) : [];
  const menu = document.getElementById("card-menu");
  let pendingLost = null;

  // The board carries each URL once, for deal 0; a card carries only its deal's id.
  function urlFor(template, dealId) {
    return template.replace("/0/", "/" + dealId + "/");
  }

  function showMessage(text, level) {
    if (window.Relay && window.Relay.showMessage) window.Relay.showMessage(text, level);
  }

  function cardsOf(list) {
    return list.querySelectorAll(":scope > .deal-card");
  }

  function snapBack(evt) {
    const item = evt.item;
    item.remove();
    evt.from.insertBefore(item, cardsOf(evt.from)[evt.oldIndex] || null);
  }

  function refreshHeaders(html) {
    const template = document.createElement("template");
    template.innerHTML = html;
    template.content.querySelectorAll("[data-stage-header]").forEach(function (fresh) {
      const stage = fresh.dataset.stageHeader;
      const current = board.querySelector('header[data-stage-header="' + stage + '"]');
      if (current) current.innerHTML = fresh.innerHTML;
      const count = fresh.querySelector('[data-testid="count"]');
      const tabCount = tabs && tabs.querySelector('[data-stage-tab="' + stage + '"] .badge');
      if (count && tabCount) {
        tabCount.textContent = count.textContent;
        tabCount.setAttribute("aria-label", count.getAttribute("aria-label"));
      }
    });
  }

  function failureText(response, text) {
    if (response.status === 403) return "You are not allowed to move this deal.";
    const type = response.headers.get("Content-Type") || "";
    if (type.indexOf("text/plain") === 0 && text) return text;
    return "The move was not saved (error " + response.status + "). Please try again.";
  }

  // Save where `evt.item` now stands (a SortableJS drop, or a move from the menu shaped like one).
  function save(evt, extra) {
    const item = evt.item;
    const next = item.nextElementSibling;
    const body = new URLSearchParams();
    body.set("stage", evt.to.dataset.stage);
    if (next && next.dataset.deal) {
      body.set("before", next.dataset.deal);
    } else {
      body.set("position", String(cardsOf(evt.to).length - 1));
    }
    Object.keys(extra || {}).forEach(function (key) { body.set(key, extra[key]); });
    item.classList.add("is-saving");
    board.setAttribute("aria-busy", "true");
    return fetch(urlFor(board.dataset.moveUrl, item.dataset.deal) + window.location.search, {
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
          if (evt.announce) showMessage(titleOf(item) + " moved to " + evt.to.dataset.stageName + ".", "success");
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

  function moveOrAsk(evt) {
    if (evt.to !== evt.from && evt.to.dataset.kind === "lost") {
      askForLostReason(evt);
      return;
    }
    save(evt, {});
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

  // --- Drag and drop (not on a phone: the other stages are out of sight there; the menu moves deals) ------

  const sortables = [];
  if (window.Sortable) {
    board.querySelectorAll(".board-cards").forEach(function (list) {
      sortables.push(window.Sortable.create(list, {
        group: "deals",
        draggable: ".deal-card[data-editable]",
        filter: "button, select, option, input, label",
        preventOnFilter: false,
        disabled: phone.matches,
        animation: 150,
        forceFallback: true,
        fallbackTolerance: 4,
        ghostClass: "is-ghost",
        onEnd: function (evt) {
          if (evt.from === evt.to && evt.oldIndex === evt.newIndex) return;
          moveOrAsk(evt);
        },
      }));
    });
  }

  // --- The card's menu: one for the page, its actions fetched from the server when it opens ------------

  function titleOf(card) {
    return card.querySelector(":scope > a").textContent;
  }

  // Cards arrive without a menu button (hundreds of them would weigh on the page): one for each card the
  // user may move, added here, since the menu needs this script anyway.
  board.querySelectorAll(".deal-card[data-editable]").forEach(function (card) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "card-menu";
    button.setAttribute("aria-haspopup", "menu");
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-label", "Actions for " + titleOf(card));
    button.textContent = "⋯";
    card.querySelector(":scope > a").after(button);
  });

  let openButton = null;

  function menuItems() {
    return Array.prototype.slice.call(menu.querySelectorAll('[role="menuitem"]'));
  }

  function focusItem(index) {
    const items = menuItems();
    if (items.length) items[(index + items.length) % items.length].focus({ preventScroll: true });
  }

  function placeMenu(button) {
    const rect = button.getBoundingClientRect();
    const width = menu.offsetWidth;
    const height = menu.offsetHeight;
    const left = Math.max(8, Math.min(rect.right - width, window.innerWidth - width - 8));
    let top = rect.bottom + 4;
    if (top + height > window.innerHeight - 8 && rect.top - height - 4 > 8) top = rect.top - height - 4;
    menu.style.left = left + "px";
    menu.style.top = top + "px";
  }

  function closeMenu(returnFocus) {
    if (!openButton) return;
    const button = openButton;
    openButton = null;
    menu.hidden = true;
    menu.textContent = "";
    button.setAttribute("aria-expanded", "false");
    if (returnFocus) button.focus();
  }

  function openMenu(button, focusLast) {
    const card = button.closest(".deal-card");
    closeMenu(false);
    openButton = button;
    button.setAttribute("aria-expanded", "true");
    menu.dataset.deal = card.dataset.deal;
    menu.innerHTML = '<span class="dropdown-item-text text-body-secondary">Loading…</span>';
    menu.hidden = false;
    placeMenu(button);
    fetch(urlFor(board.dataset.menuUrl, card.dataset.deal), { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (response) {
        if (response.ok) return response.text();
        throw new Error(response.status === 403 ? "You are not allowed to move this deal."
          : "The deal's actions could not be loaded (error " + response.status + ").");
      }, function () {
        throw new Error("The server could not be reached. Check your connection and try again.");
      })
      .then(function (html) {
        if (openButton !== button) return;  // closed, or another opened, meanwhile
        menu.innerHTML = html;
        placeMenu(button);
        focusItem(focusLast ? -1 : 0);
      })
      .catch(function (error) {
        if (openButton === button) closeMenu(true);
        showMessage(error.message, "danger");
      });
  }

  function moveFromMenu(card, stageId) {
    const from = card.parentElement;
    const to = board.querySelector('.board-cards[data-stage="' + stageId + '"]');
    if (!to || to === from) return;
    const evt = { item: card, from: from, to: to, oldIndex: Array.prototype.indexOf.call(cardsOf(from), card), announce: true };
    to.insertBefore(card, cardsOf(to)[0] || null);  // on top of its new column
    moveOrAsk(evt);
  }

  board.addEventListener("click", function (event) {
    const button = event.target.closest(".card-menu");
    if (!button) return;
    if (openButton === button) closeMenu(true);
    else openMenu(button, false);
  });
  board.addEventListener("keydown", function (event) {
    const button = event.target.closest(".card-menu");
    if (button && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      event.preventDefault();
      openMenu(button, event.key === "ArrowUp");
    }
  });
  menu.addEventListener("click", function (event) {
    const item = event.target.closest("[data-stage]");
    if (!item) return;
    const button = openButton;
    const card = board.querySelector('.deal-card[data-deal="' + menu.dataset.deal + '"]');
    closeMenu(false);
    if (card) moveFromMenu(card, item.dataset.stage);
    // Focus stays on the card where it is still in sight (a phone shows one stage: its tab then).
    if (button && button.offsetParent) button.focus();
    else if (tabButtons[current]) tabButtons[current].focus();
  });
  menu.addEventListener("keydown", function (event) {
    const items = menuItems();
    const index = items.indexOf(document.activeElement);
    const moves = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: -1 };
    if (event.key in moves) {
      event.preventDefault();
      focusItem(moves[event.key]);
    } else if (event.key === "Escape" || event.key === "Tab") {
      event.preventDefault();
      closeMenu(true);
    }
  });
  document.addEventListener("click", function (event) {
    if (openButton && !menu.contains(event.target) && !event.target.closest(".card-menu")) closeMenu(false);
  });
  window.addEventListener("resize", function () { closeMenu(false); });
  window.addEventListener("scroll", function (event) {
    if (!menu.contains(event.target)) closeMenu(false);
  }, true);

  // --- On a phone: one stage at a time ------------------------------------------------------------------

  let current = 0;
  const remembered = "relay.board.stage";

  function showStage(index) {
    current = Math.max(0, Math.min(columns.length - 1, index));
    columns.forEach(function (column, n) { column.classList.toggle("is-current", n === current); });
    tabButtons.forEach(function (tab, n) { tab.setAttribute("aria-current", n === current ? "true" : "false"); });
    const stage = tabButtons[current] && tabButtons[current].dataset.stageTab;
    try { window.sessionStorage.setItem(remembered, stage); } catch (error) { /* storage off: not kept */ }
    if (phone.matches && tabButtons[current]) tabButtons[current].scrollIntoView({ block: "nearest", inline: "center" });
  }

  function startingStage() {
    let stage = null;
    try { stage = window.sessionStorage.getItem(remembered); } catch (error) { /* storage off */ }
    const index = tabButtons.findIndex(function (tab) { return tab.dataset.stageTab === stage; });
    return index < 0 ? 0 : index;
  }

  if (tabs && columns.length) {
    tabs.hidden = false;
    board.classList.add("is-paged");
    showStage(startingStage());
    tabs.addEventListener("click", function (event) {
      const tab = event.target.closest("[data-stage-tab]");
      if (tab) showStage(tabButtons.indexOf(tab));
    });
  }

  phone.addEventListener("change", function () {
    sortables.forEach(function (sortable) { sortable.option("disabled", phone.matches); });
    closeMenu(false);
  });

  // A swipe: a horizontal touch move of 50 px or more, mostly sideways. Left shows the next stage.
  let touch = null;
  board.addEventListener("touchstart", function (event) {
    touch = phone.matches && event.touches.length === 1
      ? { x: event.touches[0].clientX, y: event.touches[0].clientY } : null;
  }, { passive: true });
  board.addEventListener("touchend", function (event) {
    if (!touch) return;
    const end = event.changedTouches[0];
    const dx = end.clientX - touch.x;
    const dy = end.clientY - touch.y;
    touch = null;
    if (Math.abs(dx) < 50 || Math.abs(dx) < 2 * Math.abs(dy)) return;
    closeMenu(false);
    showStage(current + (dx < 0 ? 1 : -1));
  }, { passive: true });
  board.addEventListener("touchcancel", function () { touch = null; });
})();
