// Fills the stepwise form for house A (FENGSHUI.md §7.6), checks 88.2 / B, switches to English, compares A with B.
// Usage: node house-a-flow.mjs <baseUrl> <screenshot.png>; prints "OK …" lines, exits non-zero on any failure.
import { chromium } from "playwright-core";

const [baseUrl, screenshot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const fail = (message) => { console.error(`FAIL ${message}`); process.exitCode = 1; };
try {
  const page = await browser.newPage({ locale: "zh-TW" });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(baseUrl);
  await page.waitForSelector("select[name=houseType]");

  await page.fill("input[name=label]", "A");
  await page.selectOption("select[name=houseType]", "APARTMENT");
  await page.fill("input[name=floor]", "3");
  await page.fill("input[name=totalFloors]", "5");
  await page.selectOption("select[name=facingBasis]", "DOOR");
  await page.click("#next");

  await page.check("[data-env=POLE]");
  await page.selectOption("[data-env-exposure=POLE]", "DIRECT_WINDOW");
  await page.check("[data-env=TEMPLE]");
  await page.selectOption("[data-env-exposure=TEMPLE]", "VISIBLE");
  await page.click("#next");

  for (const [f, o] of [["W1", "STRAIGHT_PASSING"], ["W2", "NONE"], ["W3", "MODERATE"], ["W4", "EQUAL"], ["W5", "TIGER_HIGHER"]]) {
    await page.selectOption(`[data-factor=${f}]`, o);
  }
  await page.click("#next");
  for (const [f, o] of [["X1", "RECTANGLE"], ["X2", "SE"], ["X3", "GOOD"], ["X4", "SINGLE_SIDE"], ["X6", "AVERAGE"]]) {
    await page.selectOption(`[data-factor=${f}]`, o);
  }
  await page.click("#next");

  await page.check("[data-interior=BEAM_OVER_SEAT]");
  await page.check("[data-interior=DOOR_TO_DOOR]");
  await page.fill("[data-interior-count=DOOR_TO_DOOR]", "1");
  await page.selectOption("[data-interior-remedy=DOOR_TO_DOOR]", "SCREENING");
  await page.click("#next");

  await page.fill("[data-m-cm='0']", "90");
  await page.fill("[data-m-cm='1']", "210");
  await page.click("#add-measurement");
  await page.selectOption("[data-m-element='2']", "ROOM_DOOR");
  await page.selectOption("[data-m-dimension='2']", "WIDTH");
  await page.fill("[data-m-cm='2']", "81");
  await page.click("#submit");

  await page.waitForSelector("#result-total");
  const total = (await page.textContent("#result-total")).trim();
  const grade = await page.getAttribute("#result-grade", "data-grade");
  if (total !== "88.2" || grade !== "B") fail(`house A scored ${total} ${grade}`); else console.log(`OK total=${total} grade=${grade}`);
  const disclaimer = await page.textContent("#disclaimer");
  if (!disclaimer.includes("僅供參考")) fail("zh-TW disclaimer missing"); else console.log("OK disclaimer zh-TW");
  await page.waitForFunction(() => document.querySelector("#category-chart").width > 0);
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`OK screenshot ${screenshot}`);

  await page.click("#lang");
  const gradeEn = await page.textContent("#result-grade");
  const nav = await page.textContent("#nav-records");
  if (!gradeEn.includes("auspicious") || nav !== "Records") fail(`English switch shows "${gradeEn}" / "${nav}"`); else console.log("OK english");

  const houseB = JSON.parse(process.env.HOUSE_B_JSON);
  const posted = await page.request.post(`${baseUrl}/api/evaluations`, { data: houseB });
  if (posted.status() !== 201) fail(`posting house B answered ${posted.status()}`);

  await page.click("#nav-records");
  await page.waitForSelector("[data-pick]");
  const boxes = await page.$$("[data-pick]");
  if (boxes.length < 2) fail(`records page lists ${boxes.length} records`);
  await boxes[0].check();
  await boxes[1].check();
  await page.click("#compare");
  await page.waitForSelector("#compare-delta");
  const delta = (await page.textContent("#compare-delta")).trim();
  if (delta !== "-15.4") fail(`A vs B delta ${delta}`); else console.log(`OK compare delta=${delta}`);
  if (errors.length) fail(`page errors: ${errors.join("; ")}`);
} catch (e) {
  fail(e.stack ?? String(e));
} finally {
  await browser.close();
}
