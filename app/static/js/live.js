// Live sessions: follow the trainer without reloading by hand. Polls the session's tag (ETag → 304 while
// nothing changed) and swaps in the fresh page when it changes. A participant who is typing an open answer
// is not interrupted: they get a notice instead. On the projector, keys press the matching control.
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

  function refresh() {
    return fetch(window.location.href, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("live-region");
        if (!fresh) { return; }
        region.innerHTML = fresh.innerHTML;
        etag = '"' + fresh.getAttribute("data-etag") + '"';
      });
  }

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
