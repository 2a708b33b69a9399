// Autosave of reflection and plan drafts while typing. Without JavaScript the "Concept opslaan" button
// does the same with a normal form post; this only saves the learner a click.
(function () {
  "use strict";
  document.querySelectorAll("form[data-draft]").forEach(function (form) {
    var status = form.querySelector("[role=status]");
    var timer = null;
    var last = null;
    function show(text) { if (status) { status.textContent = text; } }
    function save() {
      var data = new FormData(form);
      data.set("action", "draft");
      var body = new URLSearchParams(data).toString();
      if (body === last) { return; }
      show(form.dataset.savingText);
      fetch(form.action, {
        method: "POST", body: data, credentials: "same-origin", headers: { "Accept": "application/json" }
      }).then(function (response) {
        return response.json().then(function (json) { return { ok: response.ok, json: json }; });
      }).then(function (result) {
        if (result.ok) {
          last = body;
          show(form.dataset.savedText + (result.json.saved_at ? " (" + result.json.saved_at + ")" : ""));
        } else {
          show(result.json.error || form.dataset.failedText);
        }
      }).catch(function () { show(form.dataset.failedText); });
    }
    form.addEventListener("input", function () {
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(save, 1500);
    });
  });
})();
