// Issuer console: move a roster job's progress bar by polling its JSON twin; reload when the job is done.
(function () {
  "use strict";
  var box = document.querySelector("[data-job-json]");
  if (!box) { return; }
  var url = box.getAttribute("data-job-json");
  var bar = box.querySelector("progress");
  var done = box.querySelector("[data-done]");
  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (job) {
        if (!job) { return; }
        if (bar) { bar.value = job.done; }
        if (done) { done.textContent = String(job.done); }
        if (job.state === "done") { window.location.reload(); } else { window.setTimeout(poll, 700); }
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  window.setTimeout(poll, 300);
}());
