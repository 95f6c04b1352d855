// Checklist and item form: a refused save (422) shows its message in the row; any other failure says the change was not saved;
// after a save the control that was used keeps the focus. No inline handlers under the CSP.
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
      var status = evt.detail.xhr && evt.detail.xhr.status ? " (HTTP " + evt.detail.xhr.status + ")" : "";
      box.textContent = table.dataset.failed + status;
    }
  }
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:sendError", failed);
  document.addEventListener("htmx:afterSettle", function () {
    if (!focused) return;
    var el = document.getElementById(focused);
    focused = null;
    if (el && document.activeElement !== el) el.focus();
  });
})();
