// Opens the seed's dashboard, checks host B's VM and the paused autoscaler, asks the test to resume it, then waits for
// the chart to gain the series of the VM the supervisor starts. Driven by Luban.Tests/Dashboard/DashboardBrowserSpecs.cs.
// Usage: node dashboard-flow.mjs <adminUrl> <screenshot.png>; prints "OK …" and "STEP …" lines, exits non-zero on failure.
import { chromium } from "playwright-core";

const [adminUrl, screenshot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const fail = (message) => { console.error(`FAIL ${message}`); process.exitCode = 1; };
// The labels of the per-VM series, read from the page's own Chart.js instance.
const vmSeries = (page) => page.evaluate(() =>
  Chart.getChart("connections-chart").data.datasets.filter((d) => d.yAxisID === "y").map((d) => d.label));
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("response", (r) => { if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`); });
  await page.goto(`${adminUrl}/dashboard`);
  await page.waitForSelector("#live.ok", { timeout: 15000 });
  console.log("OK stream live");

  await page.waitForSelector('tr[data-vm="luban-b-1"]', { timeout: 30000 });
  const row = await page.textContent('tr[data-vm="luban-b-1"]');
  if (!row.includes("InService")) fail(`luban-b-1 row reads "${row}"`); else console.log("OK vm luban-b-1 InService");
  await page.waitForFunction(() => Chart.getChart("connections-chart").data.datasets.some((d) => d.label.startsWith("luban-b-1")));
  const before = await vmSeries(page);
  const autoscale = await page.textContent("#card-autoscale");
  if (!autoscale.includes("PAUSED")) fail(`autoscale card reads "${autoscale}"`); else console.log("OK autoscale paused shown");
  const policy = await page.textContent("#policy");
  if (!policy.includes("S_max") || !policy.includes("PAUSED")) fail(`policy panel reads "${policy}"`); else console.log("OK policy shown");

  console.log("STEP resume-autoscale");
  await page.waitForFunction(() => Chart.getChart("connections-chart").data.datasets
    .some((d) => d.label.startsWith("luban-b-2") && d.data.some((p) => p.y !== null)), null, { timeout: 60000 });
  const after = await vmSeries(page);
  if (after.length !== before.length + 1) fail(`chart series went from [${before}] to [${after}]`);
  else console.log(`OK chart series ${before.length} -> ${after.length} (${after.join(", ")})`);

  await page.waitForSelector('#events tr[data-kind="start"]', { timeout: 10000 });
  const startReason = await page.textContent('#events tr[data-kind="start"] td.reason');
  if (!startReason.trim()) fail("start event without a reason"); else console.log(`OK start event: ${startReason.trim()}`);
  const times = await page.$$eval("#events tbody td.time", (cells) => cells.map((c) => c.textContent));
  if (times.some((t, i) => i > 0 && t > times[i - 1])) fail(`events not newest first: ${times}`); else console.log(`OK events newest first (${times.length})`);

  // The kernel's counters of the watched bond's links (a bond-lab fixture tree), one row per link.
  await page.waitForSelector('#link-counters tr[data-interface="eth1"]', { timeout: 10000 });
  const eth1 = await page.$$eval('#link-counters tr[data-interface="eth1"] td', (cells) => cells.map((c) => c.textContent));
  const links = await page.$$eval("#link-counters tbody tr", (rows) => rows.map((r) => r.dataset.interface));
  if (eth1[1] !== "bond0" || links.join(",") !== "bond0,eth1,eth2") fail(`link counters read [${eth1}] for [${links}]`);
  else console.log(`OK link eth1 sent ${eth1[5].replace(/\D/g, "")} packets (links ${links.join(", ")})`);

  // A few more seconds of both lines so the picture reads like the paper's Figure 15.
  await page.waitForTimeout(5000);
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`OK screenshot ${screenshot}`);
  if (errors.length) fail(`page errors: ${errors.join("; ")}`);
} catch (e) {
  fail(e.stack ?? String(e));
} finally {
  await browser.close();
}
