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

// The worker's self-check: each answer is posted to the link's answer endpoint as soon as it is chosen (comments
// shortly after typing stops), one request after the other, so closing the page loses nothing. The result is
// announced in the #wk-autosave status line; a failure says so and the Save button below still works.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form[data-autosave]");
  if (!form) return;
  var status = document.getElementById("wk-autosave");
  var progress = document.getElementById("wk-progress");
  var meter = document.getElementById("wk-meter");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
  var queue = Promise.resolve();
  var timers = {};

  function post(fieldset) {
    var data = new FormData();
    data.append("csrfmiddlewaretoken", csrf ? csrf.value : "");
    fieldset.querySelectorAll("input[type=radio]:checked, textarea").forEach(function (el) {
      data.append(el.name, el.value);
    });
    fieldset.dataset.saved = "pending";
    return fetch(form.dataset.autosave, {method: "POST", body: data, credentials: "same-origin"})
      .then(function (r) { return r.json().then(function (body) { return {ok: r.ok, body: body}; }); })
      .then(function (res) {
        if (!res.ok || !res.body.saved) throw new Error("not saved");
        fieldset.dataset.saved = "yes";
        status.textContent = res.body.message;
        if (progress) progress.textContent = res.body.progress;
        if (meter) meter.value = res.body.answered;
      })
      .catch(function () {
        fieldset.dataset.saved = "failed";
        status.textContent = form.dataset.failed;
      });
  }

  function save(fieldset) {
    if (!fieldset.querySelector("input[type=radio]:checked")) return;  // a comment is kept with its answer
    queue = queue.then(function () { return post(fieldset); });
  }

  form.addEventListener("change", function (e) {
    var fieldset = e.target.closest("fieldset.wk-item");
    if (fieldset) save(fieldset);
  });
  form.addEventListener("input", function (e) {
    var fieldset = e.target.closest("fieldset.wk-item");
    if (!fieldset || e.target.tagName !== "TEXTAREA") return;
    clearTimeout(timers[fieldset.id]);
    timers[fieldset.id] = setTimeout(function () { save(fieldset); }, 800);
  });
});
