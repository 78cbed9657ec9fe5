namespace Nygard.Resilience.AspNetCore.Dashboard;

/// <summary>
/// The dashboard: one self-contained HTML page (inline CSS and script, no external assets) that reads
/// <c>{pattern}/events</c> and updates in place. Every colour pair meets WCAG AA (4.5:1 or more; see docs/operations.md).
/// </summary>
internal static class DashboardPage
{
    private const string ControlsPlaceholder = "{{CONTROLS}}";

    private static readonly string WithControls = Html.Replace(ControlsPlaceholder, "true", StringComparison.Ordinal);

    private static readonly string WithoutControls = Html.Replace(ControlsPlaceholder, "false", StringComparison.Ordinal);

    public static string Render(bool controls) => controls ? WithControls : WithoutControls;

    private const string Html = """
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Circuit breakers</title>
<style>
:root { color-scheme: light; --ink: #1a1a1a; --muted: #4d4d4d; --paper: #ffffff; --panel: #f4f4f4; --line: #767676;
  --closed: #1b6e32; --open: #b3261e; --half: #8a4b00; --isolated: #5b2a86; --action: #1f4e99; --warn: #b3261e; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--paper); }
header { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; justify-content: space-between; padding: .75rem 1rem; border-bottom: 1px solid var(--line); }
h1 { font-size: 1.25rem; margin: 0; }
main { padding: 1rem; display: grid; gap: 1rem; grid-template-columns: repeat(auto-fill, minmax(min(100%, 330px), 1fr)); align-items: start; }
.status { color: var(--muted); margin: 0; }
.summary { margin: 0; font-weight: 600; }
button { font: inherit; min-height: 44px; padding: .4rem .55rem; border-radius: 6px; border: 2px solid var(--action); background: var(--action); color: #ffffff; cursor: pointer; }
button.secondary { background: var(--paper); color: var(--action); }
button:focus-visible { outline: 3px solid var(--ink); outline-offset: 2px; }
article { border: 1px solid var(--line); border-left: 8px solid var(--closed); border-radius: 8px; padding: .75rem 1rem; background: var(--paper); }
article[data-state="Open"] { border-left-color: var(--open); }
article[data-state="HalfOpen"] { border-left-color: var(--half); }
article[data-state="Isolated"] { border-left-color: var(--isolated); }
h2 { font-size: 1rem; margin: 0 0 .5rem; overflow-wrap: anywhere; }
.state { display: inline-block; font-weight: 700; padding: .1rem .6rem; border-radius: 999px; color: #ffffff; background: var(--closed); }
article[data-state="Open"] .state { background: var(--open); }
article[data-state="HalfOpen"] .state { background: var(--half); }
article[data-state="Isolated"] .state { background: var(--isolated); }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem .75rem; margin: .75rem 0; }
dt { color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; }
meter { width: 100%; height: .8rem; }
.rates { display: flex; flex-wrap: wrap; gap: .25rem .9rem; margin: 0; padding: 0; list-style: none; }
.rates li { white-space: nowrap; }
.spark { display: block; width: 100%; height: 28px; margin-top: .25rem; border-bottom: 1px solid var(--line); }
.spark .s { fill: var(--closed); } .spark .f { fill: var(--open); } .spark .r { fill: var(--isolated); }
.actions { display: flex; flex-wrap: wrap; gap: .5rem; }
.message { color: var(--warn); font-weight: 600; margin: .5rem 0 0; }
.message:empty { display: none; }
section.log { grid-column: 1 / -1; background: var(--panel); border-radius: 8px; padding: .75rem 1rem; }
section.log h2 { font-size: 1.1rem; }
section.log ol { margin: 0; padding-left: 1.25rem; }
.empty { color: var(--muted); }
</style>
</head>
<body data-controls="{{CONTROLS}}">
<header>
  <h1>Circuit breakers</h1>
  <p class="summary" id="summary">Loading…</p>
  <p class="status" id="status" role="status">Connecting to the live stream…</p>
  <button type="button" class="secondary" id="pause" aria-pressed="false">Pause live updates</button>
</header>
<main id="breakers" aria-label="Breakers">
  <p class="empty" id="none" hidden>No breaker has been built yet: they appear when their pipeline is first used.</p>
  <section class="log" aria-labelledby="log-title">
    <h2 id="log-title">Recent events</h2>
    <ol id="log" aria-live="polite"></ol>
  </section>
</main>
<template id="card">
  <article>
    <h2 class="id"></h2>
    <span class="state"></span>
    <dl>
      <dt>Failures</dt><dd><span class="failures"></span><br><meter class="meter" min="0" value="0"></meter></dd>
      <dt>Time left</dt><dd class="left"></dd>
      <dt>Last change</dt><dd class="changed"></dd>
      <dt>State kept</dt><dd class="shared"></dd>
      <dt>Store</dt><dd class="store"></dd>
      <dt>Calls/s</dt><dd><ul class="rates"><li class="r-success">—</li><li class="r-failure"></li><li class="r-rejected"></li><li class="r-ignored"></li></ul><svg class="spark" viewBox="0 0 120 28" preserveAspectRatio="none" aria-hidden="true"></svg></dd>
      <dt>Options</dt><dd class="options"></dd>
    </dl>
    <div class="actions" hidden>
      <button type="button" data-command="open">Open</button>
      <button type="button" data-command="half-open">Half-open</button>
      <button type="button" data-command="close">Close</button>
      <button type="button" data-command="isolate">Isolate</button>
    </div>
    <p class="message" role="alert"></p>
  </article>
</template>
<script>
(() => {
  "use strict";
  const base = location.pathname.replace(/\/dashboard\/?$/, "");
  const controls = document.body.dataset.controls === "true";
  const main = document.getElementById("breakers");
  const logList = document.getElementById("log");
  const statusText = document.getElementById("status");
  const summary = document.getElementById("summary");
  const none = document.getElementById("none");
  const pauseButton = document.getElementById("pause");
  const template = document.getElementById("card");
  const cards = new Map();
  const stateNames = { Closed: "Closed", Open: "Open", HalfOpen: "Half-open", Isolated: "Isolated" };
  let paused = false;
  const time = t => t ? new Date(t).toLocaleTimeString() : "never";
  const number = n => (Math.round(n * 10) / 10).toString();

  function card(id) {
    let entry = cards.get(id);
    if (entry) return entry;
    const node = template.content.firstElementChild.cloneNode(true);
    node.dataset.id = id;
    node.querySelector(".id").textContent = id;
    const actions = node.querySelector(".actions");
    if (controls) {
      actions.hidden = false;
      for (const button of actions.querySelectorAll("button")) {
        button.setAttribute("aria-label", button.textContent + " " + id);
        button.addEventListener("click", () => command(id, button.dataset.command, node));
      }
    }
    entry = { node, deadline: null, changed: null, history: [] };
    cards.set(id, entry);
    const ordered = [...cards.keys()].sort();
    const next = ordered[ordered.indexOf(id) + 1];
    main.insertBefore(node, next ? cards.get(next).node : main.querySelector("section.log"));
    return entry;
  }

  function show(b) {
    const entry = card(b.id);
    const n = entry.node;
    n.dataset.state = b.state;
    n.querySelector(".state").textContent = stateNames[b.state] || b.state;
    n.querySelector(".failures").textContent = b.failureCount + " of " + b.failureThreshold;
    const meter = n.querySelector(".meter");
    meter.max = b.failureThreshold; meter.value = Math.min(b.failureCount, b.failureThreshold);
    meter.setAttribute("aria-label", "Failures " + b.failureCount + " of " + b.failureThreshold);
    entry.deadline = b.retryAfterSeconds == null ? null : performance.now() + b.retryAfterSeconds * 1000;
    entry.state = b.state;
    entry.changed = b.lastTransitionAt ? new Date(b.lastTransitionAt) : null;
    n.querySelector(".shared").textContent = b.shared ? "Shared (fleet-wide store)" : "Local (this process)";
    n.querySelector(".store").textContent = b.storeAvailable ? "Reachable" : "Unreachable";
    n.querySelector(".options").textContent = "threshold " + b.failureThreshold + ", break " + number(b.breakDurationSeconds) + " s, " + b.halfOpenPermits + " probe(s), " + b.successThreshold + " success(es) to close";
    tickOne(entry);
  }

  function ago(date) {
    const s = Math.max(0, Math.round((Date.now() - date.getTime()) / 1000));
    return s < 60 ? s + " s ago" : s < 3600 ? Math.floor(s / 60) + " min ago" : Math.floor(s / 3600) + " h ago";
  }

  function tickOne(entry) {
    entry.node.querySelector(".changed").textContent = entry.changed ? time(entry.changed) + " (" + ago(entry.changed) + ")" : "never";
    const left = entry.node.querySelector(".left");
    if (entry.state === "Isolated") left.textContent = "Held open until closed";
    else if (entry.deadline == null) left.textContent = "—";
    else left.textContent = Math.max(0, Math.ceil((entry.deadline - performance.now()) / 1000)) + " s";
  }

  function showAll(list) {
    for (const b of list) show(b);
    const ids = new Set(list.map(b => b.id));
    for (const [id, entry] of cards) if (!ids.has(id)) { entry.node.remove(); cards.delete(id); }
    none.hidden = list.length !== 0;
    const open = list.filter(b => b.state !== "Closed").length;
    summary.textContent = list.length + " breaker(s), " + open + " not closed";
  }

  function showRates(rates) {
    for (const r of rates.breakers) {
      const entry = cards.get(r.id);
      if (!entry) continue;
      const n = entry.node;
      n.querySelector(".r-success").textContent = number(r.success) + " success";
      n.querySelector(".r-failure").textContent = number(r.failure) + " failure";
      n.querySelector(".r-rejected").textContent = number(r.rejected) + " rejected";
      n.querySelector(".r-ignored").textContent = number(r.ignored) + " ignored";
      entry.history.push([r.success, r.failure, r.rejected]);
      if (entry.history.length > 30) entry.history.shift();
      spark(n.querySelector(".spark"), entry.history);
    }
  }

  // The recent call rate, stacked by outcome (success, failure, rejected), newest on the right: Hystrix's sparkline.
  function spark(svg, history) {
    const peak = Math.max(1, ...history.map(h => h[0] + h[1] + h[2]));
    const width = 120 / 30;
    const bars = [];
    history.forEach((h, i) => {
      let y = 28;
      const x = (120 - history.length * width + i * width).toFixed(1);
      [["s", h[0]], ["f", h[1]], ["r", h[2]]].forEach(([kind, value]) => {
        const height = value / peak * 28;
        if (height <= 0) return;
        y -= height;
        bars.push('<rect class="' + kind + '" x="' + x + '" y="' + y.toFixed(2) + '" width="' + (width - 0.5).toFixed(1) + '" height="' + height.toFixed(2) + '"></rect>');
      });
    });
    svg.innerHTML = bars.join("");
  }

  function log(t) {
    const item = document.createElement("li");
    item.textContent = time(t.at) + " — " + t.id + ": " + (stateNames[t.from] || t.from) + " → " + (stateNames[t.to] || t.to) + (t.isManual ? " (manual)" : "");
    logList.prepend(item);
    while (logList.children.length > 20) logList.lastElementChild.remove();
  }

  async function command(id, name, node) {
    const message = node.querySelector(".message");
    message.textContent = "";
    try {
      const response = await fetch(base + "/" + encodeURIComponent(id) + "/" + name, { method: "POST", credentials: "same-origin" });
      if (response.status === 401) message.textContent = "Refused (401): sign in to use the controls.";
      else if (response.status === 403) message.textContent = "Refused (403): you are not allowed to use the controls.";
      else if (response.status === 404) message.textContent = "Unknown breaker (404).";
      else if (!response.ok) message.textContent = "Failed (" + response.status + ").";
    } catch (e) {
      message.textContent = "Failed: the service did not answer.";
    }
  }

  pauseButton.addEventListener("click", () => {
    paused = !paused;
    pauseButton.setAttribute("aria-pressed", String(paused));
    pauseButton.textContent = paused ? "Resume live updates" : "Pause live updates";
    statusText.textContent = paused ? "Paused: updates resume with the next event after you resume." : "Live";
  });

  const stream = new EventSource(base + "/events");
  stream.onopen = () => { if (!paused) statusText.textContent = "Live"; };
  stream.onerror = () => { statusText.textContent = "Connection lost: reconnecting…"; };
  stream.addEventListener("breakers", e => { if (!paused) showAll(JSON.parse(e.data)); });
  stream.addEventListener("rates", e => { if (!paused) showRates(JSON.parse(e.data)); });
  stream.onmessage = e => {
    if (paused) return;
    const t = JSON.parse(e.data);
    log(t);
    if (t.breaker) show(t.breaker);
    summary.textContent = cards.size + " breaker(s), " + [...cards.values()].filter(c => c.state !== "Closed").length + " not closed";
  };
  setInterval(() => { if (!paused) for (const entry of cards.values()) tickOne(entry); }, 1000);
})();
</script>
</body>
</html>
""";
}
