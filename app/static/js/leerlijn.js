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

  // The account menu is a <details> (works without script); close it with Escape or a click elsewhere.
  function accountMenu(menu) {
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.open) {
        menu.open = false;
        menu.querySelector("summary").focus();
      }
    });
    document.addEventListener("click", function (event) {
      if (menu.open && !menu.contains(event.target)) menu.open = false;
    });
  }

  // Printed pages show the text descriptions of figures, which are folded away on screen.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.figure-description:not([open])").forEach(function (d) {
      d.setAttribute("open", "");
      d.dataset.openedForPrint = "1";
    });
  });
  window.addEventListener("afterprint", function () {
    document.querySelectorAll("details[data-opened-for-print]").forEach(function (d) {
      d.removeAttribute("open");
      delete d.dataset.openedForPrint;
    });
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-auto-mark-read]").forEach(autoMarkRead);
    document.querySelectorAll("details.account-menu").forEach(accountMenu);
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  });
})();
