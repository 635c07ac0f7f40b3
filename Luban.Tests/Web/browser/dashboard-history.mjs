// Opens the seed's dashboard after the seed has been sampling for a while: the chart must show the recent past at once
// (points and scale events from before the page opened), then go on live from the stream without repeating a point.
// Driven by Luban.Tests/Dashboard/DashboardBrowserSpecs.cs.
// Usage: node dashboard-history.mjs <adminUrl> <minPastPoints>; prints "OK …" lines, exits non-zero on failure.
import { chromium } from "playwright-core";

const [adminUrl, minPastPoints] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const fail = (message) => { console.error(`FAIL ${message}`); process.exitCode = 1; };
// Every dataset of the page's own Chart.js instance, and the scale markers the page draws.
const chartState = (page) => page.evaluate(() => ({
  datasets: Chart.getChart("connections-chart").data.datasets.map((d) => ({ label: d.label, xs: d.data.map((p) => p.x), ys: d.data.map((p) => p.y) })),
  markers: markers.map((m) => ({ at: m.at, kind: m.kind, label: m.label })),
}));
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("response", (r) => { if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`); });
  const openedAt = Date.now();
  await page.goto(`${adminUrl}/dashboard`);
  // The history is one request: its points are there well before the stream could have pushed a handful.
  await page.waitForFunction(() => Chart.getChart("connections-chart").data.datasets.some((d) => d.label.startsWith("luban-b-1")),
    null, { timeout: 5000 });
  const first = await chartState(page);
  const b1 = first.datasets.find((d) => d.label.startsWith("luban-b-1"));
  const past = b1.xs.filter((x) => x < openedAt).length;
  if (past < Number(minPastPoints)) fail(`only ${past} points of luban-b-1 from before the page opened: ${b1.xs.length} in all`);
  else console.log(`OK history: ${past} points of luban-b-1 from before the page opened (${b1.xs.length} in all)`);
  const startMarker = first.markers.find((m) => m.kind === "start" && m.at < openedAt);
  if (!startMarker) fail(`no start marker from before the page opened: ${JSON.stringify(first.markers)}`);
  else console.log(`OK start marker from history: ${startMarker.label}`);

  // Live from the stream: a few pushes later the lines have grown past the page's opening, each x strictly after the last.
  await page.waitForSelector("#live.ok", { timeout: 15000 });
  await page.waitForTimeout(4000);
  const later = await chartState(page);
  for (const dataset of later.datasets) {
    const repeated = dataset.xs.filter((x, i) => i > 0 && x <= dataset.xs[i - 1]);
    if (repeated.length) fail(`${dataset.label}: ${repeated.length} points not after the one before`);
  }
  const b1Later = later.datasets.find((d) => d.label.startsWith("luban-b-1"));
  const live = b1Later.xs.filter((x) => x > openedAt).length;
  if (live < 2) fail(`luban-b-1 gained ${live} live points in 4 s`);
  else console.log(`OK live after history: ${live} new points, every series strictly in time order (${later.datasets.length} series)`);
  if (b1Later.xs.filter((x) => x < openedAt).length < past - 1) fail("the past points were lost when the stream went on");
  const startMarkers = later.markers.filter((m) => m.kind === "start" && m.label === startMarker?.label && m.at === startMarker?.at);
  if (startMarkers.length !== 1) fail(`the start marker is drawn ${startMarkers.length} times`); else console.log("OK the start marker is drawn once");
  if (errors.length) fail(`page errors: ${errors.join("; ")}`);
} catch (e) {
  fail(e.stack ?? String(e));
} finally {
  await browser.close();
}
