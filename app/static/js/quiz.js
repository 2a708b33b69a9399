// Quiz pages, progressive enhancement only: the forms work without this file.
// - autosave: answers are posted (fetch) when they change, with a visible "Opgeslagen" state;
// - ordering: items can be dragged into order; the position select boxes follow (and stay usable).
(function () {
  "use strict";

  function autosave(form) {
    if (!window.fetch || !window.FormData || !window.Leerlijn) return;
    var show = window.Leerlijn.showState;
    var status = form.querySelector(".save-status");
    var timer = null;
    var dirty = {};

    function questionState(id) { return form.querySelector('[data-state-for="' + id + '"]'); }

    function failed(pending, message) {
      // Nothing was saved: the questions stay dirty (the next change or the button sends them again),
      // and each one says so where the learner is looking.
      pending.forEach(function (id) {
        dirty[id] = true;
        show(questionState(id), form.dataset.notSavedText, "error");
      });
      show(status, message || form.dataset.failedText, "error");
    }

    function save() {
      timer = null;
      var pending = Object.keys(dirty);
      dirty = {};
      pending.forEach(function (id) { show(questionState(id), form.dataset.savingText, "saving"); });
      show(status, form.dataset.savingText, "saving");
      window.Leerlijn.postForm(form, { action: "save" }).then(function (result) {
        var data = result.data;
        if (result.status === 401 && data.login_url) return;  // on its way to the login page
        if (!result.ok) {
          failed(pending, data.error);
          return;
        }
        // A half-done answer (one item still unsorted) is kept as a draft: saved, with what is left to do.
        var incomplete = data.incomplete || {};
        (data.saved || []).forEach(function (id) {
          var note = form.querySelector('[data-question="' + id + '"] .draft-message');
          if (note) note.remove();  // the page's own note may describe an earlier draft
          if (incomplete[id]) show(questionState(id), form.dataset.draftText + ": " + incomplete[id], "draft");
          else show(questionState(id), form.dataset.savedText, "saved");
        });
        show(status, data.saved_at ? form.dataset.savedAtText.replace("%s", data.saved_at) : form.dataset.savedText, "saved");
      }, function () { failed(pending); });
    }

    form.addEventListener("change", function (event) {
      var section = event.target.closest("[data-question]");
      if (!section) return;
      dirty[section.dataset.question] = true;
      show(questionState(section.dataset.question), "", null);
      show(status, "", null);  // "Opgeslagen" again only once this change is saved too
      if (timer) clearTimeout(timer);
      timer = setTimeout(save, 400);
    });
    // Saving or handing in with the buttons sends every answer: a pending background save would only
    // arrive after it (and be refused once the attempt is handed in).
    form.addEventListener("submit", function () { if (timer) clearTimeout(timer); timer = null; });
  }

  function dragOrdering(list) {
    var dragged = null;
    function renumber() {
      list.querySelectorAll(".ordering-item").forEach(function (item, index) {
        var select = item.querySelector("select");
        if (select) select.value = String(index + 1);
      });
      list.dispatchEvent(new Event("change", { bubbles: true }));
    }
    list.querySelectorAll(".ordering-item").forEach(function (item) {
      if (item.querySelector("select[disabled]")) return;
      item.setAttribute("draggable", "true");
      item.addEventListener("dragstart", function (e) {
        dragged = item; item.classList.add("dragging");
        e.dataTransfer.effectAllowed = "move";
        e.dataTransfer.setData("text/plain", item.dataset.item);
      });
      item.addEventListener("dragend", function () { item.classList.remove("dragging"); dragged = null; });
      item.addEventListener("dragover", function (e) {
        if (!dragged || dragged === item) return;
        e.preventDefault();
        var box = item.getBoundingClientRect();
        list.insertBefore(dragged, e.clientY < box.top + box.height / 2 ? item : item.nextSibling);
      });
      item.addEventListener("drop", function (e) { e.preventDefault(); renumber(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-autosave]").forEach(autosave);
    document.querySelectorAll("[data-ordering]").forEach(dragOrdering);
  });
})();
