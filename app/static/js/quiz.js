// Quiz pages, progressive enhancement only: the forms work without this file.
// - autosave: answers are posted (fetch) when they change, with a visible "Opgeslagen" state;
// - ordering: items can be dragged into order; the position select boxes follow (and stay usable).
(function () {
  "use strict";

  function setState(form, questionId, text, isError) {
    var el = form.querySelector('[data-state-for="' + questionId + '"]');
    if (!el) return;
    el.textContent = text;
    el.classList.toggle("state-error", !!isError);
  }

  function autosave(form) {
    if (!window.fetch || !window.FormData) return;
    var status = form.querySelector(".save-status");
    var timer = null;
    var dirty = {};

    function save() {
      timer = null;
      var body = new FormData(form);
      body.set("action", "save");
      var pending = Object.keys(dirty);
      dirty = {};
      if (status) status.textContent = form.dataset.savingText || "";
      fetch(form.action, {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        return response.json().then(function (data) { return { response: response, data: data }; });
      }).then(function (result) {
        var data = result.data;
        if (result.response.status === 401 && data.login_url) {
          // The session expired; the answers were kept on the server. Log in and come back.
          window.location.assign(data.login_url);
          return;
        }
        if (!result.response.ok && result.response.status !== 422) throw new Error(data.error || "save failed");
        (data.saved || []).forEach(function (id) { setState(form, id, form.dataset.savedText || "✓", false); });
        Object.keys(data.errors || {}).forEach(function (id) { setState(form, id, data.errors[id], true); });
        if (status) status.textContent = data.saved_at ? (form.dataset.savedText + " " + data.saved_at) : "";
      }).catch(function () {
        pending.forEach(function (id) { dirty[id] = true; });
        if (status) status.textContent = form.dataset.failedText || "";
      });
    }

    form.addEventListener("change", function (event) {
      var section = event.target.closest("[data-question]");
      if (!section) return;
      dirty[section.dataset.question] = true;
      setState(form, section.dataset.question, "", false);
      if (timer) clearTimeout(timer);
      timer = setTimeout(save, 400);
    });
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
