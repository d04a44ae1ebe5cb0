/* plainrecord staff dashboard: live updates over server-sent events. Everything works without
   this script (forms post, pages reload); this only refreshes the queue when something changes. */
(function () {
  "use strict";
  var queue = document.getElementById("queue");
  var status = document.getElementById("live-status");
  var announce = document.getElementById("announce");
  if (!window.EventSource || !status) { return; }

  var URGENCY = { urgent: "urgent", soon: "soon", routine: "routine" };
  var pending = null;

  function setStatus(state, text) {
    status.setAttribute("data-state", state);
    status.textContent = text;
  }

  function say(text) {
    // Clear first so the same words are announced again.
    announce.textContent = "";
    window.setTimeout(function () { announce.textContent = text; }, 50);
  }

  function refreshQueue() {
    if (!queue) { return Promise.resolve(); }
    var focusedId = document.activeElement && document.activeElement.getAttribute("data-id");
    return fetch(queue.getAttribute("data-fragment"), { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) {
        // Signed out (sent to the login page) or refused: reload so the page shows why.
        if (r.redirected || r.status === 401 || r.status === 403) {
          window.location.reload();
          throw new Error("signed out");
        }
        if (!r.ok) { throw new Error("queue " + r.status); }
        return r.text();
      })
      .then(function (html) {
        queue.innerHTML = html;
        if (focusedId) {
          var again = queue.querySelector('a[data-id="' + focusedId + '"]');
          if (again) { again.focus(); }
        }
      })
      .catch(function () {
        setStatus("error", "Could not refresh the queue. Reload the page to see the latest.");
      });
  }

  function scheduleRefresh() {
    // Several events in a burst: refresh once.
    if (pending) { return; }
    pending = window.setTimeout(function () { pending = null; refreshQueue(); }, 150);
  }

  var source = new EventSource("/dashboard/events");
  source.addEventListener("ready", function () {
    setStatus("live", "Live updates are on. New escalations appear here without reloading.");
  });
  source.addEventListener("offline", function () {
    setStatus("offline", "Live updates are off just now. Reload the page to see new escalations.");
  });
  source.addEventListener("escalation", function (ev) {
    var data = {};
    try { data = JSON.parse(ev.data); } catch (e) { return; }
    if (data.type === "escalation.created") {
      say("New " + (URGENCY[data.urgency] || "") + " escalation, " + data.reference + ".");
      if (data.urgency === "urgent") { document.title = "(New urgent) " + document.title.replace(/^\(New urgent\) /, ""); }
    }
    scheduleRefresh();
  });
  source.onerror = function () {
    if (status.getAttribute("data-state") !== "offline") {
      setStatus("reconnecting", "Live updates paused. Trying to reconnect. You can also reload the page.");
    }
  };
  // Keep the SLA timers ("Due in 40 min", "Overdue by 5 min") current between events.
  window.setInterval(function () {
    if (!document.hidden) { refreshQueue(); }
  }, 60000);
  window.addEventListener("focus", function () {
    document.title = document.title.replace(/^\(New urgent\) /, "");
  });
})();
