// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Post a form in the background and hand back {ok, status, data}. The URL is the form's action
  // *attribute*: `form.action` would be a button when the form has buttons named "action".
  // A reply that is not JSON (an error page) gives data = {}; the caller shows its own message then.
  // A 401 with a login_url means the session expired and the server kept the work: go and log in.
  // `keepalive` lets a small post outlive the page (the learner follows a link while it is on its way).
  function postForm(form, fields, keepalive) {
    var body = new FormData(form);
    Object.keys(fields || {}).forEach(function (name) { body.set(name, fields[name]); });
    return fetch(form.getAttribute("action"), {
      method: "POST", body: body, credentials: "same-origin", headers: { "Accept": "application/json" },
      keepalive: !!keepalive
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      return (json ? response.json() : Promise.resolve({})).then(function (data) {
        if (response.status === 401 && data.login_url) window.location.assign(data.login_url);
        return { ok: response.ok, status: response.status, data: data };
      });
    });
  }

  // A save state that a person can see: text plus a class for success (state-saved), error (state-error)
  // or in progress (state-saving); the colours and marks are in leerlijn.css.
  function showState(element, text, state) {
    if (!element) return;
    element.textContent = text || "";
    ["state-saved", "state-error", "state-saving", "state-draft"].forEach(function (name) {
      element.classList.toggle(name, !!text && name === "state-" + state);
    });
  }

  window.Leerlijn = { postForm: postForm, showState: showState };

  // Mark a page as read when its end comes into view (the "Gelezen" button still works without it).
  function autoMarkRead(form) {
    if (!("IntersectionObserver" in window) || !window.fetch) return;
    var status = form.querySelector(".save-status");
    var sent = false;
    var observer = new IntersectionObserver(function (entries) {
      if (sent || !entries.some(function (e) { return e.isIntersecting; })) return;
      sent = true;
      observer.disconnect();
      // Reaching the end and following the pager at once must still count the page as read.
      postForm(form, null, true).then(function (result) {
        if (result.ok) showState(status, form.dataset.savedText || "Gelezen ✓", "saved");
        else sent = false;
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
