// curatorops console: the little the pages do without the server. Every
// page works without it; it only refreshes the SLA board, counts a review
// lease down and keeps the review draft in this browser while typing.
"use strict";
(function () {
  var board = document.querySelector("[data-refresh]");
  if (board) {
    var seconds = parseInt(board.getAttribute("data-refresh"), 10) || 60;
    setTimeout(function () { window.location.reload(); }, seconds * 1000);
  }
  var lease = document.getElementById("lease");
  if (lease) {
    var ends = Date.parse(lease.getAttribute("data-ends"));
    var out = lease.querySelector(".countdown");
    var tick = function () {
      var left = Math.max(0, Math.round((ends - Date.now()) / 1000));
      var m = Math.floor(left / 60), s = left % 60;
      out.textContent = "(" + m + ":" + (s < 10 ? "0" : "") + s + ")";
      if (left > 0) { setTimeout(tick, 1000); }
    };
    if (!isNaN(ends) && out) { tick(); }
  }
  var form = document.getElementById("review-form");
  if (form && window.localStorage) {
    var key = "curatorops-draft:" + form.getAttribute("action");
    try {
      var saved = JSON.parse(localStorage.getItem(key) || "null");
      if (saved) {
        Object.keys(saved).forEach(function (name) {
          var el = form.elements.namedItem(name);
          if (!el || name === "csrf" || name === "version") { return; }
          if (el instanceof RadioNodeList) { el.value = saved[name]; } else if (!el.value) { el.value = saved[name]; }
        });
      }
    } catch (e) { /* a broken draft is dropped */ }
    var timer = null, status = document.getElementById("draft-status");
    var saveDraft = function () {
      // The server keeps the draft too (save-homework-draft), so it
      // survives another browser; the form's CSRF token goes with it.
      fetch(form.getAttribute("data-draft"), { method: "POST", body: new URLSearchParams(new FormData(form)), credentials: "same-origin" })
        .then(function (resp) { if (status) { status.textContent = resp.ok ? "✓ " + new Date().toLocaleTimeString() : "✗ " + resp.status; } })
        .catch(function () { if (status) { status.textContent = "✗"; } });
    };
    form.addEventListener("input", function () {
      var data = {};
      new FormData(form).forEach(function (v, k) { if (k !== "csrf" && k !== "version") { data[k] = v; } });
      localStorage.setItem(key, JSON.stringify(data));
      clearTimeout(timer);
      timer = setTimeout(saveDraft, 1500);
    });
    form.addEventListener("submit", function () { localStorage.removeItem(key); });
  }
})();
