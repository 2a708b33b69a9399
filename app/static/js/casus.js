// The print view's button: printing needs script, so the button stays hidden without it.
document.querySelectorAll("[data-print]").forEach(function (button) {
  "use strict";
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});

// Autosave of reflection and plan drafts while typing. Without JavaScript the "Concept opslaan" button
// does the same with a normal form post; this only saves the learner a click.
(function () {
  "use strict";
  if (!window.fetch || !window.FormData || !window.Leerlijn) return;
  var show = window.Leerlijn.showState;
  document.querySelectorAll("form[data-draft]").forEach(function (form) {
    var status = form.querySelector(".save-status");
    var timer = null;
    var last = null;
    function save() {
      timer = null;
      var body = new URLSearchParams(new FormData(form)).toString();
      if (body === last) return;
      show(status, form.dataset.savingText, "saving");
      window.Leerlijn.postForm(form, { action: "draft" }).then(function (result) {
        if (result.status === 401 && result.data.login_url) return;  // on its way to the login page
        if (result.ok) {
          last = body;
          show(status, result.data.saved_at ? form.dataset.savedAtText.replace("%s", result.data.saved_at)
                                            : form.dataset.savedText, "saved");
        } else {
          show(status, result.data.error || form.dataset.failedText, "error");
        }
      }, function () { show(status, form.dataset.failedText, "error"); });
    }
    form.addEventListener("input", function () {
      if (timer) clearTimeout(timer);
      timer = setTimeout(save, 1500);
    });
    form.addEventListener("submit", function () { if (timer) clearTimeout(timer); timer = null; });
  });
})();
