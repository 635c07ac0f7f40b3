// The rest of the pages in headless Chromium: rename and delete from my records, revoke a share link, change the
// password, wrong passwords and the lockout message, filters — all in zh-TW sentences.
// Usage: node records-flow.mjs <baseUrl> <screenshotDir>; env HOUSE_A_JSON, HOUSE_C_JSON (the server locks after 3 failures).
import { chromium } from "playwright-core";

const [baseUrl] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const fail = (message) => { console.error(`FAIL ${message}`); process.exitCode = 1; };
const ok = (message) => console.log(`OK ${message}`);
const expect = (condition, good, bad) => (condition ? ok(good) : fail(bad));

try {
  const context = await browser.newContext({ locale: "zh-TW" });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => { if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(m.text()); });
  let dialogs = 0;
  page.on("dialog", (d) => { dialogs++; d.accept(d.type() === "prompt" ? "改過的名字" : undefined); });
  await page.goto(`${baseUrl}/#/account`);
  await page.waitForSelector("body[data-ready=true]");
  const email = `flow-${Date.now()}@example.org`;
  await page.fill("#register-form [name=email]", email);
  await page.fill("#register-form [name=password]", "first password");
  await page.click("#register-submit");
  await page.waitForFunction((e) => document.querySelector("#nav-account").textContent === e, email);
  ok(`registered ${email}`);
  for (const [json, label] of [[process.env.HOUSE_A_JSON, "甲"], [process.env.HOUSE_C_JSON, "乙"], [process.env.HOUSE_A_JSON, "丙"]]) {
    const r = await page.request.post(`${baseUrl}/api/evaluations`, { data: { ...JSON.parse(json), label } });
    if (r.status() !== 201) fail(`saving ${label} answered ${r.status()}`);
  }

  // Filters: house type. (A full load: the page already shows #/records, empty, since registering.)
  await page.goto(`${baseUrl}/?again#/records`);
  await page.waitForSelector("[data-pick]");
  ok(`records listed: ${await page.locator("[data-pick]").count()}`);
  await page.waitForFunction(() => document.querySelectorAll("[data-pick]").length === 3);
  await page.selectOption("#records-house", "TOWNHOUSE");
  await page.click("#records-search");
  await page.waitForFunction(() => document.querySelectorAll("[data-pick]").length === 1);
  expect((await page.textContent(".record-label")).includes("乙"), "filter by house type", "house type filter shows the wrong record");
  await page.selectOption("#records-house", "");
  await page.click("#records-search");
  await page.waitForFunction(() => document.querySelectorAll("[data-pick]").length === 3);

  // Rename the newest (丙) through the prompt, delete the oldest (甲) after the confirmation.
  await page.click("tbody tr:first-child [data-rename]");
  await page.waitForFunction(() => document.querySelector("tbody tr:first-child .record-label").textContent.includes("改過的名字"));
  ok("renamed from the list");
  await page.click("tbody tr:last-child [data-delete]");
  await page.waitForFunction(() => document.querySelectorAll("[data-pick]").length === 2);
  expect(dialogs === 2, "deleted after confirmation", `${dialogs} dialogs`);

  // Share, then revoke: the link stops working.
  await page.click("tbody tr:first-child [data-open]");
  await page.waitForSelector("#report-actions");
  await page.click("#share");
  await page.waitForSelector("#share-url");
  const link = await page.inputValue("#share-url");
  await page.click("#unshare");
  await page.waitForSelector("#share-url", { state: "detached" });
  const stranger = await browser.newContext({ locale: "zh-TW" });
  const strangerPage = await stranger.newPage();
  await strangerPage.goto(link);
  await strangerPage.waitForSelector("#view-report .errors li");
  const gone = await strangerPage.textContent("#view-report .errors li");
  expect(gone.includes("找不到"), `revoked link says "${gone.trim()}"`, `revoked link shows "${gone}"`);
  await stranger.close();

  // Change the password; then sign out and fail to sign in with the old one, in Chinese, until locked.
  await page.goto(`${baseUrl}/#/account`);
  await page.fill("#password-form [name=currentPassword]", "first password");
  await page.fill("#password-form [name=newPassword]", "second password");
  await page.click("#password-form button[type=submit]");
  await page.waitForFunction(() => document.querySelector("#view-account").textContent.includes("密碼已變更"));
  ok("password changed");
  await page.click("#sign-out");
  await page.waitForFunction(() => document.querySelector("#nav-account").textContent === "登入");
  await page.goto(`${baseUrl}/#/account`);
  const messages = [];
  for (let i = 0; i < 3; i++) {
    await page.fill("#login-form [name=email]", email);
    await page.fill("#login-form [name=password]", "first password");
    await page.evaluate(() => { document.querySelector("#login-form .form-errors").textContent = ""; });
    await page.click("#login-submit");
    await page.waitForSelector("#login-form .form-errors li");
    messages.push((await page.textContent("#login-form .form-errors li")).trim());
  }
  expect(messages[0].includes("電子郵件或密碼不正確") && !/[A-Za-z]{3,}/.test(messages[0]), `wrong password: "${messages[0]}"`, `wrong password: "${messages[0]}"`);
  expect(/請於 \d+ 秒後再試/.test(messages[2]), `locked: "${messages[2]}"`, `third failure: "${messages[2]}"`);

  if (errors.length) fail(`page errors: ${errors.join("; ")}`); else ok("no page or console errors");
} catch (e) {
  fail(e.stack ?? String(e));
} finally {
  await browser.close();
}
