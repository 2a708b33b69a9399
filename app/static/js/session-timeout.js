// Idle logins end after LEERLIJN_IDLE_MINUTES (see app/auth/logins.py). While someone is working on a page
// (typing, clicking, scrolling) this keeps their login alive, at most once a minute; when nobody has
// touched the page for a while it warns two minutes before the end, with a button to stay logged in.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="leerlijn-idle-seconds"]');
  var panel = document.getElementById("idle-warning");
  if (!meta || !panel || !window.fetch) { return; }
  var idle = Number(meta.content) * 1000;
  var warnBefore = Math.min(120000, idle / 4);
  var form = panel.querySelector("form");
  var token = form.querySelector('input[name="csrf_token"]');
  var lastContact = Date.now();
  var warnTimer = null;
  var endTimer = null;
  var ended = false;

  function schedule() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    warnTimer = setTimeout(warn, Math.max(0, idle - warnBefore));
    endTimer = setTimeout(expired, idle);
  }

  function warn() {
    panel.hidden = false;
    form.querySelector("button").focus();
  }

  function expired() {
    ended = true;
    panel.hidden = false;
    panel.querySelector(".idle-warning-text").hidden = true;
    panel.querySelector(".idle-expired-text").hidden = false;
    form.hidden = true;
  }

  function keepAlive() {
    lastContact = Date.now();
    var headers = { "Accept": "application/json" };
    if (token) { headers["X-CSRFToken"] = token.value; }
    return fetch(form.action, { method: "POST", headers: headers, credentials: "same-origin" })
      .then(function (response) {
        if (response.ok) {
          panel.hidden = true;
          schedule();
        } else if (response.status === 401) {
          expired();
        }
      })
      .catch(function () { /* offline for a moment: the next activity tries again */ });
  }

  function onActivity() {
    if (!ended && panel.hidden && Date.now() - lastContact > 60000) { keepAlive(); }
  }

  ["keydown", "input", "pointerdown", "scroll"].forEach(function (name) {
    document.addEventListener(name, onActivity, { passive: true, capture: true });
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    keepAlive();
  });
  schedule();
}());
