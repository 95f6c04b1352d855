// Checklist and item form: a refused save (422) shows its message in the row; any other failure says the change was not saved;
// after a save the control that was used keeps the focus and the page's live region says it was saved. No inline handlers under the CSP.
(function () {
  var focused = null;
  document.addEventListener("htmx:beforeRequest", function (evt) {
    var a = document.activeElement;
    focused = a && a.id && evt.detail.elt.contains(a) ? a.id : null;
  });
  document.addEventListener("htmx:beforeSwap", function (evt) {
    if (evt.detail.xhr.status === 422) {  // the answer is the row with its error message
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
    }
  });
  function failed(evt) {
    var row = evt.detail.elt.closest("tr, #item-form");
    var table = evt.detail.elt.closest("[data-failed]");
    var box = row && row.querySelector(".row-error");
    if (box && table) {
      var code = evt.detail.xhr && evt.detail.xhr.status;
      box.textContent = code ? table.dataset.failed + " (HTTP " + code + ")" : table.dataset.offline || table.dataset.failed;
    }
  }
  // Enter on a status menu saves it, like pressing its Save button (arrow keys only choose)
  document.addEventListener("keydown", function (evt) {
    var el = evt.target;
    if (evt.key !== "Enter" || !el.matches || !el.matches(".status-form select")) return;
    evt.preventDefault();
    el.form.requestSubmit();
  });
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:sendError", failed);
  document.addEventListener("htmx:afterSettle", function () {
    // one live region that stays on the page announces the save (a region swapped in with the row may not be read)
    var live = document.getElementById("save-announce");
    var saved = document.querySelector(".saved[data-fresh]");
    if (live && saved) {
      saved.removeAttribute("data-fresh");
      var row = saved.closest("tr, #item-form");
      var name = row && row.querySelector(".what strong");
      live.textContent = (name ? name.textContent + " " : "") + saved.textContent;
    }
    if (!focused) return;
    var el = document.getElementById(focused);
    focused = null;
    if (el && document.activeElement !== el) el.focus();
  });
})();
