// Report form: show only the guidance for the situation that is chosen (all of it without JavaScript).
document.addEventListener("DOMContentLoaded", function () {
  var radios = document.querySelectorAll(".report-form input[name=situation]");
  var guides = document.querySelectorAll("#guides .guide");
  if (!radios.length || !guides.length) return;
  function show() {
    var chosen = document.querySelector(".report-form input[name=situation]:checked");
    guides.forEach(function (g) { g.hidden = !chosen || g.dataset.situation !== chosen.value; });
  }
  radios.forEach(function (r) { r.addEventListener("change", show); });
  show();
});

// The contact card's print button (no inline handlers under the CSP).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { window.print(); });
  });
});
