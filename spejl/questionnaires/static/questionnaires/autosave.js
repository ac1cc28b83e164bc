// Saves each answer as it is given, so nothing is lost if the browser closes.
// Without this script the page still works: "Next" saves the page.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.FormData) { return; }
  var status = form.querySelector(".q-saved");
  var timer = null;

  function say(key) {
    if (status) { status.textContent = status.getAttribute(key) || ""; }
  }

  function save() {
    var data = new FormData(form);
    data.append("autosave", "1");
    // Not form.action: the buttons are named "action" and would shadow it.
    fetch(form.getAttribute("action"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      say(response.ok ? "data-saved-text" : "data-failed-text");
    }).catch(function () { say("data-failed-text"); });
  }

  form.addEventListener("change", function (event) {
    if (event.target && event.target.type === "radio") { save(); }
  });
  form.addEventListener("input", function (event) {
    if (event.target && event.target.tagName === "TEXTAREA") {
      window.clearTimeout(timer);
      timer = window.setTimeout(save, 1200);
    }
  });
})();
