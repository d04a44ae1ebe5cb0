// Portal chat: sends the patient's message to /api/chat and shows the replies.
// No framework, no network beyond this site. A message that could not be delivered stays in the box.
(function () {
  "use strict";
  const section = document.querySelector(".chat");
  if (!section) return;
  const patientId = section.dataset.patient;
  const log = document.getElementById("log");
  const form = document.getElementById("chat-form");
  const box = document.getElementById("message");
  const status = document.getElementById("status");
  const send = document.getElementById("send");
  const SVG_NS = "http://www.w3.org/2000/svg";

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return String(Date.now()) + Math.random().toString(16).slice(2);
  }

  function addMessage(who, text, extra) {
    const li = document.createElement("li");
    li.className = "msg " + who + (extra && extra.alert ? " alert" : "") + (extra && extra.notice ? " notice" : "");
    const label = document.createElement("span");
    label.className = "visually-hidden";
    label.textContent = who === "user" ? "You said: " : "Assistant said: ";
    li.appendChild(label);
    li.appendChild(document.createTextNode(text));
    log.appendChild(li);
    log.scrollTop = log.scrollHeight;
    return li;
  }

  function addButtons(li, buttons) {
    if (!buttons || !buttons.length) return;
    const group = document.createElement("div");
    group.className = "buttons";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Quick replies");
    buttons.forEach(function (b) {
      const btn = document.createElement("button");
      btn.type = "button";
      btn.className = "secondary";
      btn.textContent = b.title;
      btn.addEventListener("click", function () { say(b.payload, b.title); });
      group.appendChild(btn);
    });
    li.appendChild(group);
  }

  // A small line chart of a test's results over time, with the lab range shaded,
  // and the same numbers as a table for screen readers.
  function addChart(li, chart) {
    if (!chart || !chart.points || chart.points.length < 2) return;
    const wrap = document.createElement("figure");
    wrap.className = "chart";
    const W = 320, H = 160, P = 28;
    const values = chart.points.map(function (p) { return Number(p.value); });
    let lo = Math.min.apply(null, values), hi = Math.max.apply(null, values);
    if (chart.range_low != null) lo = Math.min(lo, chart.range_low);
    if (chart.range_high != null) hi = Math.max(hi, chart.range_high);
    if (hi === lo) { hi += 1; lo -= 1; }
    const y = function (v) { return H - P - ((v - lo) / (hi - lo)) * (H - 2 * P); };
    const x = function (i) { return P + (i / (values.length - 1)) * (W - 2 * P); };
    const svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-labelledby", "chart-" + (li.dataset.n = newId()));
    const title = document.createElementNS(SVG_NS, "title");
    title.id = "chart-" + li.dataset.n;
    title.textContent = (chart.title || "Results") + " over time";
    svg.appendChild(title);
    if (chart.range_low != null || chart.range_high != null) {
      const top = y(chart.range_high != null ? chart.range_high : hi);
      const bottom = y(chart.range_low != null ? chart.range_low : lo);
      const band = document.createElementNS(SVG_NS, "rect");
      band.setAttribute("x", P); band.setAttribute("width", W - 2 * P);
      band.setAttribute("y", top); band.setAttribute("height", Math.max(1, bottom - top));
      band.setAttribute("fill", "#d9ecdf");
      svg.appendChild(band);
    }
    const line = document.createElementNS(SVG_NS, "polyline");
    line.setAttribute("points", values.map(function (v, i) { return x(i) + "," + y(v); }).join(" "));
    line.setAttribute("fill", "none"); line.setAttribute("stroke", "#005eb8"); line.setAttribute("stroke-width", "3");
    svg.appendChild(line);
    values.forEach(function (v, i) {
      const dot = document.createElementNS(SVG_NS, "circle");
      dot.setAttribute("cx", x(i)); dot.setAttribute("cy", y(v)); dot.setAttribute("r", "4");
      dot.setAttribute("fill", "#003087");
      svg.appendChild(dot);
    });
    wrap.appendChild(svg);
    const caption = document.createElement("figcaption");
    caption.textContent = (chart.title || "Results") + (chart.unit ? " (" + chart.unit + ")" : "") + ". The green band is the normal range.";
    wrap.appendChild(caption);
    const table = document.createElement("table");
    const head = document.createElement("tr");
    ["Date", "Result"].forEach(function (h) { const th = document.createElement("th"); th.scope = "col"; th.textContent = h; head.appendChild(th); });
    table.appendChild(head);
    chart.points.forEach(function (p) {
      const tr = document.createElement("tr");
      [p.date, p.value + (chart.unit ? " " + chart.unit : "")].forEach(function (c) { const td = document.createElement("td"); td.textContent = c; tr.appendChild(td); });
      table.appendChild(tr);
    });
    wrap.appendChild(table);
    li.appendChild(wrap);
  }

  function showReplies(data) {
    (data.replies || []).forEach(function (r, i) {
      const li = addMessage("bot", r.text, { alert: data.red_flag && i === 0, notice: data.delivered === false });
      addButtons(li, r.buttons);
      if (r.custom && r.custom.chart) addChart(li, r.custom.chart);
    });
  }

  let busy = false;
  async function say(text, shown) {
    if (busy) return;
    text = (text || "").trim();
    if (!text) { status.textContent = "Please type a message first."; box.focus(); return; }
    busy = true; send.disabled = true;
    addMessage("user", shown || text);
    status.textContent = "Sending…";
    const typed = box.value;
    box.value = "";
    let data = null;
    try {
      const res = await fetch("/api/chat", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        credentials: "same-origin",
        body: JSON.stringify({ message: text, message_id: newId(), patient_id: patientId }),
      });
      if (res.status === 401) { window.location.href = "/login"; return; }
      data = await res.json();
      if (!res.ok && !data.replies) {
        box.value = typed;
        addMessage("bot", data.error || "Sorry, something went wrong. Your message is still in the box.", { notice: true });
      } else {
        if (data.delivered === false) box.value = typed || text;
        showReplies(data);
      }
      status.textContent = "";
    } catch (err) {
      box.value = typed || text;
      addMessage("bot", "Sorry, I could not reach the service. Your message is still in the box, so you can send it again.", { notice: true });
      status.textContent = "";
    } finally {
      busy = false; send.disabled = false; box.focus();
    }
  }

  form.addEventListener("submit", function (e) { e.preventDefault(); say(box.value); });
  box.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); say(box.value); }
  });
  document.querySelectorAll(".chip").forEach(function (chip) {
    chip.addEventListener("click", function () { say(chip.dataset.say, chip.textContent); });
  });
})();
