// Attendance marking: HTMX posts each tap. If the connection drops, the row says so and the
// buttons stay usable, so the facilitator can tap again; nothing already saved is lost.
(function () {
  "use strict";
  function statusOf(target) {
    var row = target && target.closest ? target.closest(".attendance-row") : null;
    return row ? row.querySelector(".mark-status") : null;
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var status = statusOf(event.target);
    if (status) { status.textContent = status.dataset.saving || "…"; }
  });
  document.addEventListener("htmx:sendError", function (event) {
    var status = statusOf(event.target);
    if (status) {
      status.innerHTML = "";
      var span = document.createElement("span");
      span.className = "errorlist";
      span.textContent = document.documentElement.lang === "en"
        ? "Not saved: no connection. Tap again."
        : "Ikke gemt: ingen forbindelse. Tryk igen.";
      status.appendChild(span);
    }
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    // Let 422 answers (a refused mark) replace the row so their message is shown.
    if (event.detail.xhr.status === 422) { event.detail.shouldSwap = true; event.detail.isError = false; }
  });
})();
