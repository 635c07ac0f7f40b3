// 魯班雲 dashboard: draws the seed's recent past from /api/history, then renders the status document pushed by
// /api/status/stream; plain JS and Chart.js, no build step.
"use strict";

let chartWindowMs = 15 * 60 * 1000;       // the seed's luban.dashboard.history, once /api/history has said it
const STALE_AFTER_MS = 4000;              // the stream pushes every second; silence this long means trouble
const EVENT_ROWS = 100;
const MARKER_KINDS = { start: "#1a7f37", drain: "#b36b00", stop: "#c62828" };
const RUNNING_STATES = new Set(["Booting", "InService", "Draining", "Stopping"]);
const PALETTE = ["#0b62a4", "#d9480f", "#2b8a3e", "#862e9c", "#c2255c", "#1098ad", "#5c940d", "#e67700", "#364fc7", "#a61e4d"];

// ---------- small DOM helpers (text only, never innerHTML, so reasons from the cluster cannot inject markup) ----------

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "style") node.style.cssText = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const badge = (text, kind) => el("span", { class: `badge ${kind ?? text}` }, text);
const yesNo = (ok, yes, no) => badge(ok ? yes : no, ok ? "ok" : "bad");
const two = (n) => String(n).padStart(2, "0");
const clock = (ms) => { const d = new Date(ms); return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`; };
const seconds = (s) => (s >= 60 && s % 60 === 0 ? `${s / 60} min` : `${s} s`);
const percent = (u) => `${Math.round(u * 100)}%`;

// ---------- the chart: one line per VM, the VM count on a second axis, scale events as vertical lines ----------

const markers = [];          // { at, kind, label }
const seenEvents = new Set();
const seriesByVm = new Map(); // "host/vm" -> dataset
let lastPointAt = -Infinity;  // the chart's newest time: a point is added only after it, so history and stream never overlap

// Draws each scale event as a labelled vertical line, like the arrows of the paper's Figure 15.
const scaleMarkerPlugin = {
  id: "scaleMarkers",
  afterDatasetsDraw(chart) {
    const { ctx, chartArea: area, scales: { x } } = chart;
    ctx.save();
    ctx.font = "11px system-ui, sans-serif";
    ctx.textBaseline = "top";
    markers.forEach((marker, i) => {
      if (marker.at < x.min || marker.at > x.max) return;
      const px = Math.round(x.getPixelForValue(marker.at)) + 0.5;
      ctx.strokeStyle = MARKER_KINDS[marker.kind];
      ctx.lineWidth = 1.5;
      ctx.setLineDash([4, 3]);
      ctx.beginPath();
      ctx.moveTo(px, area.top);
      ctx.lineTo(px, area.bottom);
      ctx.stroke();
      // Alternate label heights so that events close together stay readable; a white box keeps them off the lines.
      const top = area.top + 2 + (i % 3) * 14;
      ctx.fillStyle = "rgba(255, 255, 255, 0.85)";
      ctx.fillRect(px + 2, top - 1, ctx.measureText(marker.label).width + 4, 13);
      ctx.fillStyle = MARKER_KINDS[marker.kind];
      ctx.fillText(marker.label, px + 4, top);
    });
    ctx.restore();
  },
};

const vmCountSeries = {
  label: "VMs running · 運行中虛擬機",
  data: [],
  yAxisID: "vms",
  stepped: "before", // the count changes at the sample that saw it, not at the one before
  borderColor: "#6a737d",
  backgroundColor: "#6a737d",
  borderDash: [6, 4],
  borderWidth: 2,
  pointRadius: 0,
  order: 0,
};

const chart = new Chart(document.getElementById("connections-chart"), {
  type: "line",
  data: { datasets: [vmCountSeries] },
  options: {
    animation: false,
    maintainAspectRatio: false,
    spanGaps: false,
    interaction: { mode: "nearest", axis: "x", intersect: false },
    scales: {
      x: {
        type: "linear",
        ticks: { callback: (value) => clock(value), maxTicksLimit: 10, maxRotation: 0 },
        title: { display: true, text: "time · 時間" },
      },
      y: {
        beginAtZero: true,
        suggestedMax: 10,
        ticks: { precision: 0 },
        title: { display: true, text: "connections · 連線數" },
      },
      vms: {
        position: "right",
        beginAtZero: true,
        suggestedMax: 4,
        ticks: { precision: 0, stepSize: 1 },
        grid: { drawOnChartArea: false },
        title: { display: true, text: "VMs · 虛擬機數" },
      },
    },
    plugins: {
      legend: { position: "bottom", labels: { boxWidth: 14, usePointStyle: true } },
      tooltip: { callbacks: { title: (items) => (items.length ? clock(items[0].parsed.x) : "") } },
    },
  },
  plugins: [scaleMarkerPlugin],
});

function seriesFor(hostId, vmId) {
  const key = `${hostId}/${vmId}`;
  let series = seriesByVm.get(key);
  if (!series) {
    const color = PALETTE[seriesByVm.size % PALETTE.length];
    series = {
      label: `${vmId} (host ${hostId})`,
      data: [],
      yAxisID: "y",
      borderColor: color,
      backgroundColor: color,
      borderWidth: 2,
      pointRadius: 0,
      cubicInterpolationMode: "monotone",
      order: 1,
    };
    seriesByVm.set(key, series);
    chart.data.datasets.push(series);
  }
  return series;
}

// One instant of the chart: each VM's connections (null leaves a gap) and the running count (null: not known).
function addPoint(t, vms, running) {
  const present = new Set();
  for (const { hostId, vmId, connections } of vms) {
    // A VM joins the chart with its first connection count, so a start still in flight adds no empty series.
    if (connections == null && !seriesByVm.has(`${hostId}/${vmId}`)) continue;
    const series = seriesFor(hostId, vmId);
    present.add(series);
    series.data.push({ x: t, y: connections });
  }
  for (const series of seriesByVm.values()) {
    if (!present.has(series)) series.data.push({ x: t, y: null });
  }
  vmCountSeries.data.push({ x: t, y: running });
  lastPointAt = t;
}

// The same event may come from the history and from the stream's event log: it is drawn once.
function addMarkers(events) {
  for (const event of events) {
    if (!(event.kind in MARKER_KINDS)) continue;
    const at = Date.parse(event.at);
    const key = `${at}|${event.kind}|${event.host ?? ""}|${event.vm ?? ""}`;
    if (seenEvents.has(key)) continue;
    seenEvents.add(key);
    markers.push({ at, kind: event.kind, label: `${event.kind} ${event.vm ?? event.host ?? ""}`.trim() });
  }
  markers.sort((a, b) => a.at - b.at);
}

function redrawChart(t) {
  const oldest = t - chartWindowMs;
  for (const dataset of chart.data.datasets) {
    while (dataset.data.length && dataset.data[0].x < oldest) dataset.data.shift();
  }
  while (markers.length && markers[0].at < oldest) markers.shift();
  chart.options.scales.x.min = Math.max(oldest, vmCountSeries.data[0]?.x ?? t);
  chart.options.scales.x.max = t;
  chart.update("none");
}

function updateChart(doc) {
  const t = Date.parse(doc.generatedAt);
  addMarkers(doc.events);
  if (t <= lastPointAt) return;
  const vms = [];
  let running = 0;
  for (const host of doc.hosts) {
    for (const vm of host.vms) {
      if (host.reachable && RUNNING_STATES.has(vm.state)) running++;
      // A shut-off VM or one whose count is unknown leaves a gap rather than a misleading zero.
      const live = vm.state !== "ShutOff" && vm.state !== "Failed" && vm.state !== "Warm";
      vms.push({ hostId: host.id, vmId: vm.id, connections: live ? vm.connections ?? null : null });
    }
  }
  // Without the supervisor's answer (no policy) the count is unknown, not zero.
  addPoint(t, vms, doc.policy ? running : null);
  redrawChart(t);
}

// The seed's samples of the window before the page opened, column by column (see /api/history).
function drawHistory(history) {
  chartWindowMs = history.windowSeconds * 1000;
  history.times.forEach((t, i) => {
    if (t <= lastPointAt) return;
    addPoint(t, history.vms.map((vm) => ({ hostId: vm.host, vmId: vm.vm, connections: vm.connections[i] })), history.running[i]);
  });
  addMarkers(history.events);
  if (history.times.length) redrawChart(lastPointAt);
}

// ---------- panels ----------

function renderCards(doc) {
  const vms = doc.hosts.flatMap((h) => h.vms);
  const serving = vms.filter((v) => v.state === "InService");
  const connections = serving.reduce((sum, v) => sum + (v.connections ?? 0), 0);
  const warm = vms.filter((v) => v.state === "Warm").length;
  document.getElementById("card-vms").textContent =
    `${serving.length} / ${vms.filter((v) => RUNNING_STATES.has(v.state)).length}` + (warm ? ` · ${warm} warm` : "");
  document.getElementById("card-vms").title = "in service / running · warm (suspended, not counted)";
  document.getElementById("card-connections").textContent = String(connections);

  const autoscale = document.getElementById("card-autoscale");
  autoscale.replaceChildren(doc.policy
    ? (doc.policy.autoscalePaused ? badge("PAUSED · 已暫停", "paused") : badge("on · 啟用", "ok"))
    : badge("unknown", "hold"));

  const bond = document.getElementById("card-bond");
  bond.replaceChildren(doc.bond
    ? el("span", {}, doc.bond.health.map((h) => badge(`${h.bond} ${h.health}`, h.health)))
    : el("span", { class: "muted small" }, "not watched"));

  // Which front-end host holds the public (virtual) address, and where the supervisor singleton runs.
  const doors = doc.frontDoors ?? [];
  const holder = doors.find((f) => f.holdsVirtualAddress);
  document.getElementById("card-front-door").replaceChildren(doors.length === 0
    ? el("span", { class: "muted small" }, "none reporting")
    : el("span", { title: `front doors: ${doors.map((f) => f.host).join(", ")}` },
        holder ? badge(`VIP on ${holder.host}`, "ok") : badge(doors.length > 1 ? "VIP on no host" : doors[0].host, doors.length > 1 ? "warn" : "ok"),
        doc.supervisorHost ? el("span", { class: "muted small" }, ` · supervisor on ${doc.supervisorHost}`) : null));

  const decision = doc.lastDecision;
  document.getElementById("card-decision").replaceChildren(decision
    ? el("span", { title: decision.reason }, badge(decision.kind), " ", decision.rule)
    : "–");
}

function renderProblems(doc) {
  const list = document.getElementById("problems");
  list.replaceChildren(...doc.problems.map((p) => el("li", {}, p)));
  list.hidden = doc.problems.length === 0;
}

function renderHosts(doc) {
  const container = document.getElementById("hosts");
  if (doc.hosts.length === 0) {
    container.replaceChildren(el("p", { class: "muted" }, "No agent has reported yet · 尚無主機回報"));
    return;
  }
  const sMax = doc.policy?.sMax;
  container.replaceChildren(...doc.hosts.map((host) => el("div", { class: "host", "data-host": host.id },
    el("div", { class: "host-head" },
      el("strong", {}, `Host ${host.id}`),
      yesNo(host.reachable, "reachable", "unreachable"),
      host.networkDegraded ? badge("network degraded", "warn") : badge("network ok", "ok"),
      el("span", { class: "muted small" }, `VMs ${host.minVms}–${host.maxVms}`),
      host.warmPoolSize ? el("span", { class: "muted small", "data-warm": host.id },
        `warm pool ${host.vms.filter((v) => v.state === "Warm" && v.suspended).length}/${host.warmPoolSize}`) : null,
      host.lastReportAt ? el("span", { class: "muted small" }, `last report ${clock(Date.parse(host.lastReportAt))}`) : null),
    host.vms.length === 0
      ? el("p", { class: "muted small" }, "no VMs defined")
      : el("table", { class: "table" },
        el("thead", {}, el("tr", {}, ["VM", "State", "Connections", "Utilisation", "Endpoint"].map((h) => el("th", {}, h)))),
        el("tbody", {}, host.vms.map((vm) => el("tr", { "data-vm": vm.id },
          el("td", {}, el("strong", {}, vm.id)),
          el("td", {}, vm.state === "Warm" && !vm.suspended ? badge("Warm (booting)", "Warm") : badge(vm.state)),
          el("td", { class: "num" }, vm.connections ?? "–", sMax ? el("span", { class: "muted small" }, ` / ${sMax}`) : null),
          el("td", {}, vm.utilisation == null ? "–" : [
            el("span", { class: `bar${doc.policy && vm.utilisation > doc.policy.tUpper ? " hot" : ""}` },
              el("span", { style: `width:${Math.min(100, Math.round(vm.utilisation * 100))}%` })),
            percent(vm.utilisation)]),
          el("td", {}, vm.endpoint ? el("code", {}, vm.endpoint) : "–"))))))));
}

function renderPolicy(doc) {
  const p = doc.policy;
  const list = document.getElementById("policy");
  if (!p) {
    list.replaceChildren(el("dt", {}, "unknown"), el("dd", { class: "muted" }, "the scale supervisor did not answer"));
    return;
  }
  const rows = [
    ["Autoscale · 自動擴展", p.autoscalePaused ? badge("PAUSED · 已暫停", "paused") : badge("on · 啟用", "ok")],
    ["S_max (connections = 100%)", p.sMax],
    ["Scale out above T_upper", `${percent(p.tUpper)} (${Math.round(p.tUpper * p.sMax)} connections on every VM)`],
    ["Idle at or below T_lower", `${percent(p.tLower)} (${Math.round(p.tLower * p.sMax)} connections)`],
    ["VMs in the cluster", `${p.minVms}–${p.maxVms}`],
    ["VMs per host", `${p.hostMinVms}–${p.hostMaxVms}`],
    ["Preferred hosts", p.preferredHosts.length ? p.preferredHosts.join(", ") : "–"],
    ["Decision tick", seconds(p.tickIntervalSeconds)],
    ["Cooldown out / in", `${seconds(p.scaleOutCooldownSeconds)} / ${seconds(p.scaleInCooldownSeconds)}`],
    ["Reports stale after", seconds(p.reportStaleAfterSeconds)],
    ["Restarted seed waits for agents", seconds(p.agentRejoinGraceSeconds)],
    ["Drain deadline", seconds(p.drainDeadlineSeconds)],
  ];
  list.replaceChildren(...rows.flatMap(([term, value]) => [el("dt", {}, term), el("dd", {}, value)]));
}

function renderBond(doc) {
  const container = document.getElementById("bond");
  if (!doc.bond) {
    container.replaceChildren(el("p", { class: "muted" }, "No bond is watched on this host (start the seed with --bond NAME)."));
    return;
  }
  container.replaceChildren(
    ...doc.bond.health.map((h) => {
      const reading = doc.bond.bonds.find((b) => b.bond === h.bond);
      const status = reading?.status;
      return el("div", { class: "host", "data-bond": h.bond },
        el("div", { class: "host-head" }, el("strong", {}, h.bond), badge(h.health),
          status ? el("span", { class: "muted small" }, `${status.modeText}; active ${status.activeSlave ?? "–"}`) : null),
        h.reasons.length ? el("ul", { class: "small" }, h.reasons.map((r) => el("li", {}, r))) : null,
        reading?.error ? el("p", { class: "small" }, reading.error) : null,
        status ? el("table", { class: "table" },
          el("thead", {}, el("tr", {}, ["Slave", "MII", "Speed", "Link failures"].map((t) => el("th", {}, t)))),
          el("tbody", {}, status.slaves.map((s) => el("tr", {},
            el("td", {}, s.name), el("td", {}, badge(s.mii)),
            el("td", { class: "num" }, s.speedMbps ? `${s.speedMbps} Mb/s` : "–"),
            el("td", { class: "num" }, s.linkFailureCount))))) : null);
    }),
    renderCounters(doc.bond),
    el("p", { class: "muted small" }, `read ${clock(Date.parse(doc.bond.takenAt))}`));
}

// Traffic per bond, slave and plain interface as the kernel counts it, with the rate since the previous reading.
let previousCounters = null;
function renderCounters(bond) {
  const counters = bond.counters ?? [];
  if (counters.length === 0) return null;
  const at = Date.parse(bond.takenAt);
  const before = previousCounters;
  previousCounters = { at, byName: new Map(counters.map((c) => [c.interface, c])) };
  const rate = (c, field) => {
    const old = before?.byName.get(c.interface);
    const seconds = before ? (at - before.at) / 1000 : 0;
    if (!old || seconds <= 0 || c[field] == null || old[field] == null || c[field] < old[field]) return "–";
    return `${Math.round((c[field] - old[field]) / seconds).toLocaleString()}/s`;
  };
  const count = (v) => (v == null ? "–" : v.toLocaleString());
  return el("table", { class: "table", id: "link-counters" },
    el("thead", {}, el("tr", {}, ["Link · 介面", "Bond", "Received B", "Sent B", "Received pkts", "Sent pkts", "In pkts/s", "Out pkts/s"]
      .map((t) => el("th", {}, t)))),
    el("tbody", {}, counters.map((c) => el("tr", { "data-interface": c.interface },
      el("td", {}, c.interface), el("td", {}, c.bond ?? "–"),
      el("td", { class: "num" }, count(c.rxBytes)), el("td", { class: "num" }, count(c.txBytes)),
      el("td", { class: "num" }, count(c.rxPackets)), el("td", { class: "num" }, count(c.txPackets)),
      el("td", { class: "num" }, rate(c, "rxPackets")), el("td", { class: "num" }, rate(c, "txPackets"))))));
}

function renderMembers(doc) {
  document.querySelector("#members tbody").replaceChildren(...doc.members.map((m) => el("tr", {},
    el("td", {}, el("code", {}, m.address), m.address === doc.leader ? el("span", { class: "muted small" }, " (leader)") : null),
    el("td", {}, m.roles.join(", ")),
    el("td", {}, badge(m.status, m.status === "Up" ? "ok" : "warn")),
    el("td", {}, yesNo(m.reachable, "yes", "no")))));
}

function renderEvents(doc) {
  const events = [...doc.events].sort((a, b) => Date.parse(b.at) - Date.parse(a.at)).slice(0, EVENT_ROWS);
  const body = document.querySelector("#events tbody");
  if (events.length === 0) {
    body.replaceChildren(el("tr", {}, el("td", { colspan: 6, class: "muted" }, "No events yet · 尚無事件")));
    return;
  }
  body.replaceChildren(...events.map((e) => el("tr", { "data-kind": e.kind },
    el("td", { class: "time" }, clock(Date.parse(e.at))),
    el("td", {}, badge(e.kind)),
    el("td", {}, el("code", {}, e.rule)),
    el("td", { class: "reason" }, e.reason),
    el("td", {}, e.host ?? "–"),
    el("td", {}, e.vm ?? "–"))));
}

// ---------- the stream ----------

const live = document.getElementById("live");
let lastMessageAt = 0;

function setLive(kind, text) {
  live.className = `live ${kind}`;
  live.textContent = text;
}

// Status documents that arrive before the history is drawn wait for it, so the chart's points stay in time order.
let historyDrawn = false;
const waitingForHistory = [];

function render(doc) {
  renderProblems(doc);
  renderCards(doc);
  if (historyDrawn) updateChart(doc); else waitingForHistory.push(doc);
  renderHosts(doc);
  renderPolicy(doc);
  renderBond(doc);
  renderMembers(doc);
  renderEvents(doc);
  document.getElementById("updated").textContent = `updated ${clock(Date.parse(doc.generatedAt))}`;
}

fetch("/api/history")
  .then((response) => (response.ok ? response.json() : Promise.reject(new Error(`history: HTTP ${response.status}`))))
  .then(drawHistory)
  .catch((e) => console.warn("the chart starts without its recent past", e))
  .finally(() => {
    historyDrawn = true;
    waitingForHistory.splice(0).forEach(updateChart);
  });

const stream = new EventSource("/api/status/stream");
stream.onmessage = (message) => {
  lastMessageAt = Date.now();
  setLive("ok", "live · 即時");
  try {
    render(JSON.parse(message.data));
  } catch (e) {
    console.error("could not render the status document", e);
  }
};
// EventSource reconnects by itself; the badge only tells the operator.
stream.onerror = () => setLive("down", "reconnecting · 重新連線中");
setInterval(() => {
  if (lastMessageAt && Date.now() - lastMessageAt > STALE_AFTER_MS && live.classList.contains("ok")) {
    setLive("stale", "stale · 資料延遲");
  }
}, 1000);
