// Live sessions: follow the trainer without reloading by hand. Polls the session's tag (ETag → 304 while
// nothing changed) and swaps in the fresh page when it changes. A participant who is typing an open answer
// is not interrupted: they get a notice instead. On the projector, keys press the matching control.
// A phone's answer is posted in the background and the reply (only the live region) swapped in: one small
// request instead of a post, a redirect and a whole page; a second tap while it is on its way sends nothing.
(function () {
  "use strict";
  var region = document.getElementById("live-region");
  if (!region || !window.fetch) { return; }
  var pollUrl = region.getAttribute("data-poll-url");
  var etag = '"' + region.getAttribute("data-etag") + '"';
  var delay = 1500;
  var busy = false;

  function typing() {
    var field = region.querySelector("textarea, input[type=text]");
    return field && field.value.trim() !== "";
  }

  // Put the region of a reply in place of ours; false when the reply has none (an error page).
  function swap(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var fresh = doc.getElementById("live-region");
    if (!fresh) { return false; }
    region.innerHTML = fresh.innerHTML;
    etag = '"' + fresh.getAttribute("data-etag") + '"';
    return true;
  }

  function refresh() {
    return fetch(window.location.href, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(swap);
  }

  // The reply to an answer is the region itself: confirmed (200), refused with the reason (409: locked, moved
  // on, answered already) or to correct (422). Anything else, or no network: the form is posted as without
  // script, so the participant always ends up on a page that says what happened.
  function send(form) {
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; }
    fetch(form.getAttribute("action"), { method: "POST", body: new FormData(form), credentials: "same-origin",
                                         headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (!(response.ok || response.status === 409 || response.status === 422)) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        if (!swap(html)) { throw new Error("no live region"); }
        var message = region.querySelector("[role=status], [role=alert]");
        if (message) {
          message.setAttribute("tabindex", "-1");
          message.focus();
        }
      })
      .catch(function () { form.submit(); });
  }

  region.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList.contains("live-answer")) { return; }
    event.preventDefault();
    if (form.hasAttribute("data-sending")) { return; }  // a second tap while the first is on its way
    form.setAttribute("data-sending", "");
    send(form);
  });

  function poll() {
    if (busy || document.hidden) { return schedule(); }
    busy = true;
    fetch(pollUrl, { credentials: "same-origin", headers: { "If-None-Match": etag, "Accept": "application/json" },
                     cache: "no-cache" })
      .then(function (response) {
        if (response.status === 304) { return null; }
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (data) {
        if (!data || '"' + data.etag + '"' === etag) { return null; }
        if (typing()) {
          notice();
          return null;
        }
        return refresh();
      })
      .catch(function () { delay = Math.min(delay * 2, 15000); })
      .then(function () { busy = false; schedule(); });
  }

  function notice() {
    if (region.querySelector(".live-moved")) { return; }
    var p = document.createElement("p");
    p.className = "flash flash-info live-moved";
    p.setAttribute("role", "status");
    p.textContent = region.getAttribute("data-moved") || "De trainer is verder gegaan. Verstuur je antwoord of kies Vernieuwen.";
    region.insertBefore(p, region.firstChild);
  }

  function schedule() { window.setTimeout(poll, delay); }

  if (region.hasAttribute("data-shortcuts")) {
    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey || /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName)) { return; }
      var button = region.querySelector('button[data-key="' + event.key.toLowerCase() + '"]');
      if (button) { event.preventDefault(); button.click(); }
    });
  }
  schedule();
}());
