// A home buyer's journey in headless Chromium (issue 16): evaluate an example anonymously, register, fill in the
// paper's house A by hand and save it, find it by search, compare it with house C (chart drawn, recompute offered),
// share it and open the link in a fresh browser context, print view, the ruler tool, sign out.
// Usage: node journey.mjs <baseUrl> <screenshotDir>; env HOUSE_C_JSON. Prints "OK …" lines, exits non-zero on failure.
import { chromium } from "playwright-core";

const [baseUrl, shots] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const fail = (message) => { console.error(`FAIL ${message}`); process.exitCode = 1; };
const ok = (message) => console.log(`OK ${message}`);
const expect = (condition, good, bad) => (condition ? ok(good) : fail(bad));

// Every page error and console error (a Content-Security-Policy violation is one) fails the journey.
function watch(page, errors) {
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  // A failed resource load is the network's news (an expected 401 from /api/account/me), not a script or CSP error.
  page.on("console", (m) => { if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(`console: ${m.text()}`); });
  page.on("dialog", (d) => d.accept(d.type() === "prompt" ? "renamed" : undefined));
}

// Visible text of a view in the zh-TW page: Latin words there are English or raw codes leaking through.
async function latinWords(page, selector) {
  const text = await page.locator(selector).innerText();
  return (text.replace(/LBC-FS-\d+\.\d+/g, "").match(/[A-Za-z]{3,}/g) ?? []);
}

try {
  const context = await browser.newContext({ locale: "zh-TW", viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  watch(page, errors);
  await page.goto(baseUrl);
  await page.waitForSelector("body[data-ready=true]");

  // Anonymous: the paper's house B from the examples, evaluated but not saved.
  await page.selectOption("#example", "B");
  for (let i = 0; i < 5; i++) await page.click("#next");
  await page.click("#submit");
  await page.waitForSelector("#view-report:not([hidden]) #sign-in-to-save");
  const anonymousTotal = (await page.textContent("#view-report #result-total")).trim();
  expect(anonymousTotal === "72.8" && await page.isVisible("#sign-in-to-save"), "example B evaluated anonymously 72.8, not saved", `example B: ${anonymousTotal}`);

  // Register (and so sign in).
  const email = `buyer-${Date.now()}@example.org`;
  await page.goto(`${baseUrl}/#/account`);
  await page.fill("#register-form [name=email]", email);
  await page.fill("#register-form [name=password]", "correct horse battery");
  await page.click("#register-submit");
  await page.waitForFunction((e) => document.querySelector("#nav-account").textContent === e, email);
  ok(`registered ${email}`);

  // House A by hand, step by step, then saved.
  await page.goto(`${baseUrl}/#/`);
  await page.click("#new-evaluation");
  await page.waitForSelector("select[name=houseType]");
  await page.fill("input[name=label]", "論文 A 宅");
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
  await page.screenshot({ path: `${shots}/form.png`, fullPage: true });
  ok(`screenshot ${shots}/form.png`);
  const [posted] = await Promise.all([
    page.waitForRequest((r) => r.url().endsWith("/api/evaluations") && r.method() === "POST"),
    page.click("#submit"),
  ]);
  expect(/^[0-9a-f-]{36}$/.test(posted.headers()["idempotency-key"] ?? ""), "the form sent an Idempotency-Key", "no Idempotency-Key on the submission");
  await page.waitForSelector("#view-report:not([hidden]) #report-actions");
  const total = (await page.textContent("#view-report #result-total")).trim();
  const grade = await page.getAttribute("#view-report #result-grade", "data-grade");
  expect(total === "88.2" && grade === "B", `house A saved: total=${total} grade=${grade}`, `house A scored ${total} ${grade}`);
  const reportUrl = page.url();

  // zh-TW page: remedies and warnings as Chinese sentences, no English words and no raw codes.
  const latin = await latinWords(page, "#view-report");
  expect(latin.length === 0, "zh-TW report has no English words or codes", `Latin text in the zh-TW report: ${latin.join(", ")}`);
  const remedies = await page.locator("#top-issues .remedies").allInnerTexts();
  expect(remedies.length > 0 && remedies.every((r) => r.startsWith("常見化解方式：")), `remedies in Chinese (${remedies[0]})`, `remedies: ${remedies.join(" | ")}`);
  const warnings = await page.locator("#warnings li").allInnerTexts();
  expect(warnings.some((w) => w.startsWith("大門寬 90 公分：")), `warnings as sentences (${warnings[0]})`, `warnings: ${warnings.join(" | ")}`);

  // House C saved through the API with this browser's session (a script's JSON call needs no form token).
  const houseC = JSON.parse(process.env.HOUSE_C_JSON);
  const savedC = await page.request.post(`${baseUrl}/api/evaluations`, { data: houseC });
  expect(savedC.status() === 201, "house C saved through the API", `posting house C answered ${savedC.status()}`);

  // Find A by search.
  await page.goto(`${baseUrl}/#/records`);
  await page.waitForSelector("[data-pick]");
  await page.fill("#records-q", "A 宅");
  await page.click("#records-search");
  await page.waitForFunction(() => document.querySelectorAll("#records-table [data-pick]").length === 1);
  const found = await page.textContent("#records-table .record-label");
  expect(found.includes("論文 A 宅"), `search found "${found.trim()}"`, `search found "${found}"`);
  await page.fill("#records-q", "");
  await page.click("#records-search");
  await page.waitForFunction(() => document.querySelectorAll("#records-table [data-pick]").length === 2);
  await page.screenshot({ path: `${shots}/records.png`, fullPage: true });
  ok(`screenshot ${shots}/records.png`);

  // Compare A with C: a chart of both, and a recompute offered (C was measured with another ruler).
  for (const box of await page.$$("[data-pick]")) await box.check();
  await page.click("#compare");
  await page.waitForSelector("#compare-table");
  await page.waitForFunction(() => {
    const chart = window.Chart?.getChart(document.querySelector("#compare-chart"));
    return chart && chart.data.datasets.length === 2 && document.querySelector("#compare-chart").width > 0;
  });
  ok("comparison chart drawn with 2 series");
  expect(await page.isVisible("#basis-warning"), "different rulers: recompute offered", "no recompute offered for different rulers");
  await page.screenshot({ path: `${shots}/compare.png`, fullPage: true });
  ok(`screenshot ${shots}/compare.png`);
  await page.click("#recompute");
  await page.waitForSelector("#recomputed-note");
  expect(!(await page.isVisible("#basis-warning")), `recomputed on one basis, delta ${(await page.textContent("#compare-delta")).trim()}`, "still on different bases");

  // Share A; the link opens read-only in a fresh context (no cookies).
  await page.goto(reportUrl);
  await page.waitForSelector("#report-actions");
  await page.click("#share");
  await page.waitForSelector("#share-url");
  const shareUrl = await page.inputValue("#share-url");
  const stranger = await browser.newContext({ locale: "zh-TW" });
  const strangerPage = await stranger.newPage();
  const strangerErrors = [];
  watch(strangerPage, strangerErrors);
  await strangerPage.goto(shareUrl);
  await strangerPage.waitForSelector("#view-report:not([hidden]) #result-total");
  const sharedTotal = (await strangerPage.textContent("#view-report #result-total")).trim();
  const readOnly = !(await strangerPage.isVisible("#delete")) && !(await strangerPage.isVisible("#rename"));
  expect(sharedTotal === "88.2" && readOnly, `share link opened read-only in a fresh context (${shareUrl.replace(/shared\/.*/, "shared/…")})`, `shared view: ${sharedTotal}, read-only ${readOnly}`);
  errors.push(...strangerErrors);
  await stranger.close();

  // Print view: the report as a document (navigation and buttons gone, disclaimer kept).
  await page.emulateMedia({ media: "print" });
  await page.screenshot({ path: `${shots}/print.png`, fullPage: true });
  const printed = !(await page.isVisible("header")) && !(await page.isVisible("#report-actions")) && await page.isVisible("#view-report .report-disclaimer");
  expect(printed, `print view without navigation, with disclaimer; screenshot ${shots}/print.png`, "print view shows navigation or lacks the disclaimer");
  await page.emulateMedia({ media: "screen" });

  // English page: the same report in English.
  await page.click("#lang");
  const remediesEn = await page.locator("#top-issues .remedies").allInnerTexts();
  expect(remediesEn.every((r) => r.startsWith("Usual remedies: ") && !/\p{Script=Han}/u.test(r)), `English remedies (${remediesEn[0]})`, `English remedies: ${remediesEn.join(" | ")}`);
  await page.click("#lang");

  // The ruler tool: every profile side by side.
  await page.goto(`${baseUrl}/#/ruler`);
  await page.fill("#ruler-cm", "210");
  await page.selectOption("#ruler-profile", "LUBAN_42_9");
  await page.click("#ruler-go");
  await page.waitForSelector("#ruler-table");
  const columns = await page.locator("#ruler-table thead th").count();
  const luck42 = await page.textContent("[data-luck=LUBAN_42_9]");
  const luck43 = await page.textContent("[data-luck=LUBAN_43_2]");
  expect(columns === 6 && luck42 === "吉" && luck43 === "凶", "ruler tool: 210 cm is 吉 on 42.9 and 凶 on 43.2, five profiles", `ruler tool: ${columns} columns, ${luck42}/${luck43}`);

  // Sign out: the records are gone from this browser.
  await page.goto(`${baseUrl}/#/account`);
  await page.click("#sign-out");
  await page.waitForFunction(() => document.querySelector("#nav-account").textContent === "登入");
  await page.goto(`${baseUrl}/#/records`);
  await page.waitForFunction(() => document.querySelector("#records-errors").textContent.includes("請先登入"));
  ok("signed out");

  if (errors.length) fail(`page errors: ${errors.join("; ")}`); else ok("no page or console errors");
} catch (e) {
  fail(e.stack ?? String(e));
} finally {
  await browser.close();
}
