// Self-check pages (no inline handlers under the CSP).

// Copy buttons for one-time links: <button data-copy="input-id" data-done="…" data-fallback="…" hidden>.
// Without the clipboard (old browser, page not on https) the link is selected and the fallback text says how
// to copy it by hand; without JavaScript the button stays hidden and the link can be selected as before.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("button[data-copy]").forEach(function (b) {
    var input = document.getElementById(b.dataset.copy);
    var status = document.getElementById(b.dataset.copy + "-status");
    if (!input) return;
    b.hidden = false;
    function say(text) { if (status) status.textContent = text; }
    function byHand() { input.focus(); input.select(); say(b.dataset.fallback); }
    b.addEventListener("click", function () {
      if (!navigator.clipboard || !window.isSecureContext) { byHand(); return; }
      navigator.clipboard.writeText(input.value).then(function () { say(b.dataset.done); }, byHand);
    });
  });
});
