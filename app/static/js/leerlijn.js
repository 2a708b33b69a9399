// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Mark a page as read when its end comes into view (the "Gelezen" button still works without it).
  function autoMarkRead(form) {
    if (!("IntersectionObserver" in window) || !window.fetch) return;
    var status = form.querySelector(".save-status");
    var sent = false;
    var observer = new IntersectionObserver(function (entries) {
      if (sent || !entries.some(function (e) { return e.isIntersecting; })) return;
      sent = true;
      observer.disconnect();
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { "Accept": "application/json" },
        credentials: "same-origin"
      }).then(function (response) {
        if (response.ok && status) status.textContent = form.dataset.savedText || "Gelezen ✓";
      }).catch(function () { sent = false; });
    }, { threshold: 1.0 });
    observer.observe(form);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-auto-mark-read]").forEach(autoMarkRead);
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  });
})();
