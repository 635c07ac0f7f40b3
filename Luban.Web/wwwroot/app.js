// Luban Cloud pages: stepwise form, result, my records, comparison chart, printable report, shared view, ruler tool
// and account. zh-TW by default, English on request. Every value is put into the page through h`…`, which escapes
// each interpolation unless it is itself h`…` output, so user data can never become markup.
"use strict";
(() => {
  const UI = {
    "zh-TW": {
      title: "魯班雲 陽宅風水評估", navForm: "評估", navRecords: "我的紀錄", navRuler: "魯班尺", navAccount: "登入", lang: "English",
      prev: "上一步", next: "下一步", newEvaluation: "重新填寫", submitSave: "計算並儲存", submitOnly: "計算（登入後可儲存）", loadExample: "載入範例", none: "無",
      steps: ["屋種類型", "陰煞", "水勢路勢", "建築外觀", "建築內部", "尺寸"],
      label: "名稱", houseType: "屋種類型", floor: "所在樓層", totalFloors: "總樓層", facingBasis: "坐向依據", rulerProfile: "尺制",
      exposure: "曝露", remedy: "化解", count: "數量", option: "選項", element: "構件", dimension: "量測", cm: "公分",
      addMeasurement: "新增尺寸", remove: "刪除", total: "總分", grade: "等第", category: "類別", score: "分數", weight: "權重",
      lost: "扣分", topIssues: "主要問題", measurements: "魯班尺結果", suggestions: "建議尺寸", warnings: "提醒",
      section: "尺段", luck: "吉凶", flags: "標記", created: "時間", open: "開啟", close: "關閉",
      delta: "差異", item: "項目", errors: "請修正以下欄位", capped: "有重大煞氣未化解，等第最高為「平」",
      commonRemedies: "常見化解方式", saved: "已儲存到我的紀錄。", notSaved: "尚未儲存：登入後即可儲存這筆結果。", signInToSave: "登入並儲存",
      records: "我的紀錄", search: "搜尋名稱", sort: "排序", apply: "套用", any: "全部", prevPage: "上一頁", nextPage: "下一頁",
      pageOf: (p, n, total) => `第 ${p} / ${n} 頁，共 ${total} 筆`, compare: "比較所選紀錄", exportCsv: "下載全部紀錄（試算表）",
      sortDate: "最新在前", sortDateAsc: "最舊在前", sortScore: "分數高到低", sortScoreAsc: "分數低到高",
      rename: "重新命名", renamePrompt: "新的名稱（最多 100 字）", del: "刪除", confirmDelete: "確定要刪除這筆紀錄嗎？",
      share: "分享連結", unshare: "取消分享", shared: "已分享", shareUrl: "唯讀分享連結（知道連結的人都能看，隨時可取消）：",
      pickSome: "請勾選 2 到 4 筆紀錄", noRecords: "還沒有紀錄。先做一次評估並儲存。", signInFirst: "請先登入。",
      comparison: "比較", baseline: "基準", recompute: "以目前模型與同一尺制重新計算", recomputed: "以下為重新計算的結果（只供比較，未改動紀錄）。",
      basisDiffers: "這些紀錄的模型或尺制不同，直接比較可能失真。",
      report: "評估報告", print: "列印", downloadJson: "下載此筆資料", houseInfo: "房屋資料", model: "模型", date: "日期",
      floorOf: (f, n) => `${f} 樓／共 ${n} 樓`, floors: (n) => `共 ${n} 樓`, sharedReport: "分享的評估報告（唯讀）",
      rulerTool: "魯班尺查詢", length: "長度（公分）", lookUp: "查詢", cell: "所在範圍", luckyRanges: "最近的吉利尺寸",
      distance: (d) => (d === 0 ? "就在其中" : `相差 ${d} 公分`), forElement: "構件得分", selected: "所選",
      account: "帳號", signIn: "登入", register: "註冊", email: "電子郵件", password: "密碼", signOut: "登出",
      changePassword: "變更密碼", currentPassword: "目前密碼", newPassword: "新密碼", passwordChanged: "密碼已變更，其他裝置上的登入已失效。",
      signedInAs: (e) => `已登入：${e}`, welcome: (e) => `歡迎，${e}`, passwordRule: "密碼至少 8 個字元。",
      dbDown: "紀錄資料庫暫時無法使用，請稍後再試；評估與魯班尺查詢仍可使用。",
      fields: { email: "電子郵件", password: "密碼", currentPassword: "目前密碼", newPassword: "新密碼", label: "名稱", q: "搜尋", $: "內容" },
      nth: (what, i) => `${what}第 ${i} 項`, yes: "是",
    },
    en: {
      title: "Luban Cloud feng shui check", navForm: "Evaluate", navRecords: "My records", navRuler: "Luban ruler", navAccount: "Sign in", lang: "中文",
      prev: "Back", next: "Next", newEvaluation: "Start over", submitSave: "Score and save", submitOnly: "Score (sign in to save)", loadExample: "Load an example", none: "none",
      steps: ["House type", "External sha", "Water & road", "Exterior", "Interior", "Dimensions"],
      label: "Name", houseType: "House type", floor: "Floor", totalFloors: "Total floors", facingBasis: "Facing basis", rulerProfile: "Ruler",
      exposure: "Exposure", remedy: "Remedy", count: "Count", option: "Option", element: "Element", dimension: "Dimension", cm: "cm",
      addMeasurement: "Add dimension", remove: "Remove", total: "Total", grade: "Grade", category: "Category", score: "Score", weight: "Weight",
      lost: "Lost", topIssues: "Top issues", measurements: "Luban ruler", suggestions: "Suggested lengths", warnings: "Warnings",
      section: "Section", luck: "Luck", flags: "Flags", created: "Time", open: "Open", close: "Close",
      delta: "Delta", item: "Item", errors: "Please fix these fields", capped: "A severe issue is unremedied: the grade is capped at neutral",
      commonRemedies: "Usual remedies", saved: "Saved to your records.", notSaved: "Not saved: sign in to keep this result.", signInToSave: "Sign in and save",
      records: "My records", search: "Search names", sort: "Order", apply: "Apply", any: "Any", prevPage: "Previous page", nextPage: "Next page",
      pageOf: (p, n, total) => `Page ${p} of ${n}, ${total} records`, compare: "Compare the selected", exportCsv: "Download all records (spreadsheet)",
      sortDate: "Newest first", sortDateAsc: "Oldest first", sortScore: "Highest score first", sortScoreAsc: "Lowest score first",
      rename: "Rename", renamePrompt: "New name (up to 100 characters)", del: "Delete", confirmDelete: "Delete this record?",
      share: "Share link", unshare: "Stop sharing", shared: "Shared", shareUrl: "Read-only link (anyone with it can view; revoke any time):",
      pickSome: "Select 2 to 4 records", noRecords: "No records yet. Evaluate a house and save it first.", signInFirst: "Please sign in first.",
      comparison: "Comparison", baseline: "baseline", recompute: "Recompute with the current model and one ruler", recomputed: "Recomputed results below (for comparing only; records unchanged).",
      basisDiffers: "These records use different models or rulers; comparing them directly may mislead.",
      report: "Evaluation report", print: "Print", downloadJson: "Download this record", houseInfo: "House", model: "Model", date: "Date",
      floorOf: (f, n) => `floor ${f} of ${n}`, floors: (n) => `${n} floors`, sharedReport: "Shared evaluation report (read-only)",
      rulerTool: "Luban ruler", length: "Length (cm)", lookUp: "Look up", cell: "Range", luckyRanges: "Nearest lucky lengths",
      distance: (d) => (d === 0 ? "you are in it" : `${d} cm away`), forElement: "Element score", selected: "selected",
      account: "Account", signIn: "Sign in", register: "Register", email: "E-mail", password: "Password", signOut: "Sign out",
      changePassword: "Change password", currentPassword: "Current password", newPassword: "New password", passwordChanged: "Password changed; other devices are signed out.",
      signedInAs: (e) => `Signed in as ${e}`, welcome: (e) => `Welcome, ${e}`, passwordRule: "At least 8 characters.",
      dbDown: "The records database is unavailable; try again shortly. Evaluating and the ruler still work.",
      fields: { email: "E-mail", password: "Password", currentPassword: "Current password", newPassword: "New password", label: "Name", q: "Search", $: "Body" },
      nth: (what, i) => `${what} no. ${i}`, yes: "yes",
    },
  };
  const CATS = ["ENV", "WATER_ROAD", "EXTERIOR", "INTERIOR", "LUBAN"];
  const PROFILES = ["LUBAN_42_9", "LUBAN_43_2", "LUBAN_42_76", "LUBAN_46_08", "DINGLAN_38_78"];
  const ELEMENTS = ["MAIN_DOOR", "ROOM_DOOR", "KITCHEN_DOOR", "BATH_DOOR", "WINDOW", "FURNITURE", "ANCESTRAL_TABLET"];
  const REMEDIES = ["NONE", "SYMBOLIC", "SCREENING", "STRUCTURAL"];
  const COLORS = ["#8b1a1a", "#1f5f8b", "#2e7d32", "#b8860b"];
  const state = {
    lang: localStorage.getItem("luban-lang") || "zh-TW", step: 0, defs: null, examples: [], result: null, me: null, csrf: null,
    records: { page: 1, pageSize: 20, total: 0 }, pendingKey: null, unsaved: null, pendingSave: null, compare: null, report: null, charts: {},
  };
  const emptyForm = () => ({
    label: "", houseType: "APARTMENT", floor: "", totalFloors: "", facingBasis: "DOOR", rulerProfile: "LUBAN_42_9",
    env: {}, waterRoad: {}, exterior: {}, interior: {},
    measurements: [{ element: "MAIN_DOOR", dimension: "WIDTH", cm: "" }, { element: "MAIN_DOOR", dimension: "HEIGHT", cm: "" }],
  });
  let form = emptyForm();

  // --- escaping ------------------------------------------------------------------------------------------------------
  class Html { constructor(text) { this.text = text; } }
  const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  const part = (v) => (v instanceof Html ? v.text : Array.isArray(v) ? v.map(part).join("") : esc(v));
  const h = (strings, ...values) => new Html(strings.reduce((out, s, i) => out + s + (i < values.length ? part(values[i]) : ""), ""));
  const setHtml = (el, html) => {
    if (!(html instanceof Html)) throw new Error("setHtml takes h`…` output only");
    el.innerHTML = html.text;
  };

  const $ = (s) => document.querySelector(s);
  const t = (k) => UI[state.lang][k];
  const en = () => state.lang === "en";
  const term = (group, id) => state.defs?.terms.find((x) => x.group === group && x.id === id);
  const label = (group, id) => { const x = term(group, id); return x ? (en() ? x.en : x.zh) : id; };
  const termButton = (group, id) => h`<button type="button" class="term" data-group="${group}" data-id="${id}">${label(group, id)}</button>`;
  const options = (group, ids, selected, blank) =>
    h`${blank ? h`<option value="">—</option>` : ""}${ids.map((id) => h`<option value="${id}" ${id === selected ? h`selected` : ""}>${label(group, id)}</option>`)}`;
  // Punctuation follows the page's language too.
  const colon = () => (en() ? ": " : "：");
  const paren = (x) => (en() ? h` (${x})` : h`（${x}）`);
  const when = (date) => new Date(date).toLocaleString(state.lang);
  // Navigates, or re-renders when already there (setting the same hash fires no hashchange).
  const go = (hash) => { if (location.hash === hash) route(); else location.hash = hash; };
  const num = (v) => (v === null || v === undefined ? "" : String(v));

  // --- the API ---------------------------------------------------------------------------------------------------------
  async function refreshCsrf() {
    const r = await fetch("/api/account/antiforgery", { credentials: "same-origin" });
    const body = await r.json().catch(() => null);
    state.csrf = body ? { header: body.headerName, token: body.token } : null;
  }

  async function api(path, { method = "GET", body, headers = {} } = {}, retried = false) {
    const init = { method, headers: { ...headers }, credentials: "same-origin" };
    if (body !== undefined) {
      init.headers["content-type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    if (method !== "GET") {
      if (!state.csrf) await refreshCsrf();
      if (state.csrf) init.headers[state.csrf.header] = state.csrf.token;
    }
    const response = await fetch(path, init);
    const data = response.status === 204 ? null : await response.json().catch(() => null);
    // A token from before a sign-in elsewhere (another tab) is stale: fetch a fresh one once and try again.
    if (response.status === 403 && data?.errors?.[0]?.code === "E_ANTIFORGERY" && !retried) {
      await refreshCsrf();
      return api(path, { method, body, headers }, true);
    }
    if (response.status === 503) notice(t("dbDown"));
    return { ok: response.ok, status: response.status, body: data };
  }

  function notice(text) {
    const el = $("#notice");
    el.textContent = text || "";
    el.hidden = !text;
  }

  // A field path from the API, as people say it: "大門寬" rather than measurements[0].cm.
  function fieldName(field, request) {
    const fields = t("fields");
    if (fields[field]) return fields[field];
    if (["houseType", "floor", "totalFloors", "facingBasis", "rulerProfile", "label"].includes(field)) return t(field);
    let m = /^(waterRoad|exterior)\.([WX]\d)/.exec(field);
    if (m) return label("factor", m[2]);
    m = /^env\[(\d+)\]/.exec(field);
    if (m) return request?.env?.[+m[1]]?.id ? label("envItem", request.env[+m[1]].id) : t("nth")(t("steps")[1], +m[1] + 1);
    m = /^interior\[(\d+)\]/.exec(field);
    if (m) return request?.interior?.[+m[1]]?.id ? label("interiorItem", request.interior[+m[1]].id) : t("nth")(t("steps")[4], +m[1] + 1);
    m = /^measurements\[(\d+)\]/.exec(field);
    if (m) {
      const x = request?.measurements?.[+m[1]];
      return x ? `${label("element", x.element)}${en() ? " " : ""}${label("dimension", x.dimension)}` : t("nth")(t("measurements"), +m[1] + 1);
    }
    if (field === "measurements") return t("measurements");
    return en() ? field : t("fields").$;
  }

  function errorList(body, request) {
    const errors = body?.errors ?? [];
    return h`<ul class="errors">${errors.map((e) => h`<li data-field="${e.field}" data-code="${e.code}">${fieldName(e.field, request)}${colon()}${en() ? e.message : e.messageZh}</li>`)}</ul>`;
  }

  // --- account -----------------------------------------------------------------------------------------------------------
  async function loadMe() {
    const { ok, body } = await api("/api/account/me");
    state.me = ok ? body.email : null;
    renderNav();
  }

  function renderNav() {
    $("#nav-account").textContent = state.me ? state.me : t("navAccount");
    $("#submit").textContent = state.me ? t("submitSave") : t("submitOnly");
  }

  function renderAccount(message) {
    const view = $("#view-account");
    if (state.me) {
      setHtml(view, h`<h2>${t("account")}</h2><p id="account-email">${t("signedInAs")(state.me)}</p>
        <form id="password-form" class="card"><h3>${t("changePassword")}</h3>
          <label>${t("currentPassword")} <input type="password" name="currentPassword" autocomplete="current-password" required></label>
          <label>${t("newPassword")} <input type="password" name="newPassword" autocomplete="new-password" minlength="8" required></label>
          <button type="submit">${t("changePassword")}</button><div class="form-errors" role="alert"></div></form>
        <p>${message ?? ""}</p>
        <button type="button" id="sign-out">${t("signOut")}</button>`);
    } else {
      setHtml(view, h`<h2>${t("account")}</h2><div class="side">
        <form id="login-form" class="card"><h3>${t("signIn")}</h3>
          <label>${t("email")} <input type="email" name="email" autocomplete="username" required></label>
          <label>${t("password")} <input type="password" name="password" autocomplete="current-password" required></label>
          <button type="submit" id="login-submit">${t("signIn")}</button><div class="form-errors" role="alert"></div></form>
        <form id="register-form" class="card"><h3>${t("register")}</h3>
          <label>${t("email")} <input type="email" name="email" autocomplete="username" required></label>
          <label>${t("password")} <input type="password" name="password" autocomplete="new-password" minlength="8" required></label>
          <small>${t("passwordRule")}</small>
          <button type="submit" id="register-submit">${t("register")}</button><div class="form-errors" role="alert"></div></form>
        </div>`);
    }
  }

  async function submitAccount(event) {
    const f = event.target;
    if (!["login-form", "register-form", "password-form"].includes(f.id)) return;
    event.preventDefault();
    const data = Object.fromEntries(new FormData(f).entries());
    const path = { "login-form": "/api/account/login", "register-form": "/api/account/register", "password-form": "/api/account/password" }[f.id];
    const { ok, body } = await api(path, { method: "POST", body: data });
    if (!ok) {
      setHtml(f.querySelector(".form-errors"), errorList(body));
      return;
    }
    // The session changed: the forgery token belongs to the old one.
    await refreshCsrf();
    await loadMe();
    if (f.id === "password-form") {
      renderAccount(t("passwordChanged"));
      return;
    }
    notice(t("welcome")(state.me));
    if (state.pendingSave) {
      await saveResult(state.pendingSave);
    } else {
      go("#/records");
    }
  }

  async function signOut() {
    await api("/api/account/logout", { method: "POST" });
    state.me = null;
    await refreshCsrf();
    renderNav();
    go("#/");
  }

  // --- the stepwise form -------------------------------------------------------------------------------------------------
  function renderSteps() {
    setHtml($("#steps"), h`${t("steps").map((s, i) => h`<li class="${i === state.step ? "active" : ""}"><button type="button" data-step="${i}">${i + 1}. ${s}</button></li>`)}`);
    $("#prev").disabled = state.step === 0;
    $("#next").hidden = state.step === 5;
    $("#submit").hidden = state.step !== 5;
    const body = $("#step-body");
    const d = state.defs;
    if (state.step === 0) {
      setHtml(body, h`<fieldset>
        <div class="row"><label>${t("label")} <input name="label" maxlength="100" value="${form.label}"></label></div>
        <div class="row"><label>${t("houseType")} <select name="houseType">${options("houseType", d.houseTypes.map((x) => x.id), form.houseType)}</select></label> ${termButton("houseType", form.houseType)}</div>
        <div class="row"><label>${t("floor")} <input name="floor" inputmode="numeric" value="${form.floor}"></label>
        <label>${t("totalFloors")} <input name="totalFloors" inputmode="numeric" value="${form.totalFloors}"></label></div>
        <div class="row"><label>${t("facingBasis")} <select name="facingBasis">${options("facingBasis", ["DOOR", "LIGHT_FACE"], form.facingBasis)}</select></label>
        <label>${t("rulerProfile")} <select name="rulerProfile">${options("rulerProfile", PROFILES.slice(0, 4), form.rulerProfile)}</select></label></div>
      </fieldset>`);
    } else if (state.step === 1) {
      setHtml(body, h`<fieldset>${d.envItems.map((item) => {
        const v = form.env[item.id];
        const exposures = d.exposures.filter((x) => x.type === item.exposureType).map((x) => x.id);
        return h`<div class="row"><label><input type="checkbox" data-env="${item.id}" ${v ? h`checked` : ""}> ${termButton("envItem", item.id)}</label>
          <select data-env-exposure="${item.id}">${options("exposure", exposures, v?.exposure ?? exposures[0])}</select>
          <select data-env-remedy="${item.id}">${options("remedy", REMEDIES, v?.remedy ?? "NONE")}</select></div>`;
      })}</fieldset>`);
    } else if (state.step === 2 || state.step === 3) {
      const category = state.step === 2 ? "WATER_ROAD" : "EXTERIOR";
      const bucket = state.step === 2 ? form.waterRoad : form.exterior;
      setHtml(body, h`<fieldset>${d.factors.filter((f) => f.category === category && !f.derived).map((f) => {
        const v = bucket[f.id] ?? {};
        return h`<div class="row">${termButton("factor", f.id)}
          <select data-factor="${f.id}">${options(f.id, f.options.map((o) => o.id), v.option, true)}</select>
          <select data-factor-remedy="${f.id}">${options("remedy", REMEDIES, v.remedy ?? "NONE")}</select></div>`;
      })}</fieldset>`);
    } else if (state.step === 4) {
      setHtml(body, h`<fieldset>${d.interiorItems.map((item) => {
        const v = form.interior[item.id];
        return h`<div class="row"><label><input type="checkbox" data-interior="${item.id}" ${v ? h`checked` : ""}> ${termButton("interiorItem", item.id)}</label>
          ${item.countable ? h`<label>${t("count")} <input type="number" min="1" max="10" data-interior-count="${item.id}" value="${v?.count ?? 1}"></label>` : ""}
          <select data-interior-remedy="${item.id}">${options("remedy", REMEDIES, v?.remedy ?? "NONE")}</select></div>`;
      })}</fieldset>`);
    } else {
      setHtml(body, h`<fieldset>${form.measurements.map((m, i) => h`<div class="row">
          <select data-m-element="${i}">${options("element", ELEMENTS, m.element)}</select>
          <select data-m-dimension="${i}">${options("dimension", ["WIDTH", "HEIGHT", "DEPTH", "LENGTH"], m.dimension)}</select>
          <label><input data-m-cm="${i}" inputmode="decimal" value="${m.cm}"> ${t("cm")}</label>
          ${i > 1 ? h`<button type="button" data-m-remove="${i}">${t("remove")}</button>` : ""}</div>`)}
        <button type="button" id="add-measurement">${t("addMeasurement")}</button> ${termButton("concept", "LUBAN_RULER")}</fieldset>`);
    }
  }

  // Reads the visible step back into the form model before moving or submitting.
  function collect() {
    const body = $("#step-body");
    body.querySelectorAll("input[name], select[name]").forEach((el) => { form[el.name] = el.value; });
    body.querySelectorAll("[data-env]").forEach((el) => {
      const id = el.dataset.env;
      form.env[id] = el.checked ? { exposure: body.querySelector(`[data-env-exposure="${id}"]`).value, remedy: body.querySelector(`[data-env-remedy="${id}"]`).value } : undefined;
    });
    body.querySelectorAll("[data-factor]").forEach((el) => {
      const bucket = state.step === 2 ? form.waterRoad : form.exterior;
      bucket[el.dataset.factor] = { option: el.value, remedy: body.querySelector(`[data-factor-remedy="${el.dataset.factor}"]`).value };
    });
    body.querySelectorAll("[data-interior]").forEach((el) => {
      const id = el.dataset.interior;
      const count = body.querySelector(`[data-interior-count="${id}"]`);
      form.interior[id] = el.checked ? { count: count ? count.value : undefined, remedy: body.querySelector(`[data-interior-remedy="${id}"]`).value } : undefined;
    });
    body.querySelectorAll("[data-m-cm]").forEach((el) => {
      const i = +el.dataset.mCm;
      form.measurements[i] = { element: body.querySelector(`[data-m-element="${i}"]`).value, dimension: body.querySelector(`[data-m-dimension="${i}"]`).value, cm: el.value };
    });
    // Anything edited is a new submission, with a new Idempotency-Key.
    state.pendingKey = null;
  }

  function request() {
    const landed = ["TOWNHOUSE", "VILLA"].includes(form.houseType);
    const factorsOf = (bucket) => Object.fromEntries(Object.entries(bucket).filter(([, v]) => v && v.option)
      .map(([k, v]) => [k, v.remedy && v.remedy !== "NONE" ? v : { option: v.option }]));
    const remedyOf = (v) => (v.remedy && v.remedy !== "NONE" ? { remedy: v.remedy } : {});
    return {
      label: form.label || null,
      houseType: form.houseType,
      floor: landed || form.floor === "" ? undefined : form.floor,
      totalFloors: form.totalFloors === "" ? undefined : form.totalFloors,
      facingBasis: form.facingBasis,
      rulerProfile: form.rulerProfile,
      env: Object.entries(form.env).filter(([, v]) => v).map(([id, v]) => ({ id, exposure: v.exposure, ...remedyOf(v) })),
      waterRoad: factorsOf(form.waterRoad),
      exterior: factorsOf(form.exterior),
      interior: Object.entries(form.interior).filter(([, v]) => v).map(([id, v]) => ({ id, ...(v.count !== undefined ? { count: v.count } : {}), ...remedyOf(v) })),
      measurements: form.measurements.filter((m) => m.cm !== "").map((m) => ({ element: m.element, dimension: m.dimension, cm: m.cm })),
    };
  }

  // An example house (the paper's A or B) becomes the form's content.
  function loadExample(id) {
    const example = state.examples.find((x) => x.id === id);
    if (!example) return;
    const r = example.request;
    form = emptyForm();
    form.label = en() ? example.en : example.zh;
    Object.assign(form, { houseType: r.houseType, floor: num(r.floor), totalFloors: num(r.totalFloors), facingBasis: r.facingBasis, rulerProfile: r.rulerProfile ?? "LUBAN_42_9" });
    for (const e of r.env ?? []) form.env[e.id] = { exposure: e.exposure, remedy: e.remedy ?? "NONE" };
    for (const [k, v] of Object.entries(r.waterRoad ?? {})) if (v) form.waterRoad[k] = { option: v.option, remedy: v.remedy ?? "NONE" };
    for (const [k, v] of Object.entries(r.exterior ?? {})) if (v) form.exterior[k] = { option: v.option, remedy: v.remedy ?? "NONE" };
    for (const i of r.interior ?? []) form.interior[i.id] = { count: i.count === undefined || i.count === null ? undefined : num(i.count), remedy: i.remedy ?? "NONE" };
    form.measurements = (r.measurements ?? []).map((m) => ({ element: m.element, dimension: m.dimension, cm: num(m.cm) }));
    state.step = 0;
    state.pendingKey = null;
    renderSteps();
  }

  async function submit(event) {
    event.preventDefault();
    collect();
    const body = request();
    // One key per submission: pressing again after a failure (a 503, a lost answer) repeats it, never doubles it.
    state.pendingKey ??= crypto.randomUUID();
    const response = await api("/api/evaluations", { method: "POST", body, headers: { "Idempotency-Key": state.pendingKey } });
    if (!response.ok) {
      setHtml($("#form-errors"), h`<p>${t("errors")}</p>${errorList(response.body, body)}`);
      return;
    }
    setHtml($("#form-errors"), h``);
    state.pendingKey = null;
    state.result = response.body;
    // Kept so that "sign in and save" can store this very evaluation afterwards.
    state.unsaved = response.body.saved ? null : { request: body, key: crypto.randomUUID() };
    go(response.body.id ? `#/report/${response.body.id}` : "#/result");
  }

  // After signing in from an unsaved result: save that same evaluation (its own key, so a repeat stores it once).
  async function saveResult(pending) {
    const response = await api("/api/evaluations", { method: "POST", body: pending.request, headers: { "Idempotency-Key": pending.key } });
    if (response.ok) {
      state.pendingSave = null;
      go(`#/report/${response.body.id}`);
    }
  }

  // --- a result, a report, a shared report ---------------------------------------------------------------------------
  function warningText(w) {
    const subject = en() ? w.subject : w.subjectZh;
    const message = en() ? w.message : w.messageZh;
    return subject ? `${subject}${colon()}${message}` : message;
  }

  function resultHtml(r, mode) {
    const input = r.input ?? {};
    const floors = input.floor ? t("floorOf")(input.floor, input.totalFloors) : input.totalFloors ? t("floors")(input.totalFloors) : "";
    const status = mode === "result" && r.saved === false
      ? h`<p class="notice no-print" id="save-status">${t("notSaved")} <button type="button" id="sign-in-to-save">${t("signInToSave")}</button></p>`
      : mode === "report" ? h`<p class="notice no-print" id="save-status">${t("saved")}</p>` : "";
    return h`
      ${status}
      <h2 id="report-title">${mode === "shared" ? t("sharedReport") : t("report")}${r.label ? h`${colon()}<span id="report-label">${r.label}</span>` : ""}</h2>
      <table class="facts"><tbody>
        <tr><th>${t("houseInfo")}</th><td>${label("houseType", r.houseType)} ${floors}</td></tr>
        <tr><th>${t("date")}</th><td>${r.createdAt ? when(r.createdAt) : ""}</td></tr>
        <tr><th>${t("model")}</th><td>${r.model} · ${label("rulerProfile", r.rulerProfile)}</td></tr>
      </tbody></table>
      <p><span class="total" id="result-total">${r.total}</span><span class="grade" id="result-grade" data-grade="${r.grade}">${r.grade} ${en() ? r.gradeEn : r.gradeZh}</span></p>
      ${r.capped || r.flags.includes("SEVERE_UNREMEDIED") ? h`<p class="warning">${termButton("flag", "SEVERE_UNREMEDIED")}${colon()}${t("capped")}</p>` : ""}
      <div class="chart-box"><canvas id="category-chart"></canvas></div>
      <table><thead><tr><th>${t("category")}</th><th>${t("score")}</th><th>${t("weight")}</th><th>${t("lost")}</th></tr></thead>
      <tbody>${CATS.map((c) => h`<tr><td>${termButton("category", c)}</td><td>${r.categories[c].score}</td><td>${r.categories[c].weight}</td><td>${r.categories[c].lost > 0 ? "−" + r.categories[c].lost : 0}</td></tr>`)}</tbody></table>
      <h3>${t("topIssues")}</h3>
      <ol id="top-issues">${r.topIssues.length ? r.topIssues.map((i) => {
        const remedies = en() ? i.commonRemedies : i.commonRemediesZh;
        return h`<li>${termButton(i.category === "ENV" ? "envItem" : i.category === "INTERIOR" ? "interiorItem" : "factor", i.id)} −${i.weightedLoss}
          ${i.formula ? h`<code>${i.formula}</code>` : ""} ${i.remedy !== "NONE" ? paren(label("remedy", i.remedy)) : ""}
          ${remedies ? h`<br><small class="remedies">${t("commonRemedies")}${colon()}${remedies}${en() ? "." : "。"}</small>` : ""}</li>`;
      }) : h`<li>${t("none")}</li>`}</ol>
      <h3>${t("measurements")}</h3>
      <table><thead><tr><th>${t("element")}</th><th>${t("cm")}</th><th>${t("section")}</th><th>${t("luck")}</th><th>${t("flags")}</th><th>${t("suggestions")}</th></tr></thead>
      <tbody>${r.measurements.map((m) => h`<tr><td>${label("element", m.element)} ${label("dimension", m.dimension)}</td><td>${m.cm}</td>
        <td>${en() ? `${m.sectionEn} · ${m.subSectionEn}` : `${m.section}·${m.subSection}`}</td><td>${label("luck", m.luck)}</td>
        <td>${m.flags.map((f) => termButton("flag", f))}</td>
        <td>${m.suggestions.map((s) => h`${s.fromCm}–${s.toCm}${paren(en() ? s.sectionEn : s.section)} `)}</td></tr>`)}</tbody></table>
      <h3>${t("warnings")}</h3>
      <ul id="warnings">${r.warnings.length ? r.warnings.map((w) => h`<li class="warning" data-code="${w.code}">${warningText(w)}</li>`) : h`<li>${t("none")}</li>`}</ul>
      <p class="disclaimer report-disclaimer">${en() ? r.disclaimerEn : r.disclaimer}</p>`;
  }

  function drawCategoryChart(id, r) {
    state.charts[id]?.destroy();
    state.charts[id] = new Chart(document.getElementById(id), {
      type: "bar",
      data: { labels: CATS.map((c) => label("category", c)), datasets: [{ label: t("score"), data: CATS.map((c) => r.categories[c].score), backgroundColor: COLORS[0] }] },
      options: { indexAxis: "y", animation: false, scales: { x: { min: 0, max: 100 } } },
    });
  }

  function renderReport() {
    const { record, mode, share } = state.report ?? {};
    const view = $("#view-report");
    if (!record) return;
    const actions = mode === "result" ? "" : mode === "report" ? h`<div class="buttons no-print" id="report-actions">
        <button type="button" id="print">${t("print")}</button>
        <a id="download-json" href="/api/evaluations/${encodeURIComponent(record.id)}/export.json" download>${t("downloadJson")}</a>
        <button type="button" id="rename" data-rename="${record.id}">${t("rename")}</button>
        <button type="button" id="share" data-share="${record.id}">${t("share")}</button>
        ${share ? h`<button type="button" id="unshare" data-unshare="${record.id}">${t("unshare")}</button>` : ""}
        <button type="button" id="delete" data-delete="${record.id}">${t("del")}</button>
      </div>
      ${share ? h`<p class="no-print" id="share-box">${t("shareUrl")} <input id="share-url" readonly value="${share}" size="60"></p>` : ""}`
      : h`<div class="buttons no-print"><button type="button" id="print">${t("print")}</button></div>`;
    setHtml(view, h`${actions}${resultHtml(record, mode)}`);
    drawCategoryChart("category-chart", record);
  }

  async function openReport(id) {
    // A record is visible to its owner only: signed out, there is nothing to ask for.
    if (!state.me) {
      setHtml($("#view-report"), h`<p class="error">${t("signInFirst")}</p>`);
      return;
    }
    const { ok, body } = await api(`/api/evaluations/${encodeURIComponent(id)}`);
    if (!ok) {
      setHtml($("#view-report"), errorList(body));
      return;
    }
    state.report = { record: body, mode: "report", share: state.report?.record?.id === id ? state.report.share : null };
    renderReport();
  }

  async function openShared(token) {
    const { ok, body } = await api(`/api/shared/${encodeURIComponent(token)}`);
    state.report = ok ? { record: body, mode: "shared" } : null;
    if (ok) renderReport(); else setHtml($("#view-report"), errorList(body));
  }

  // --- my records ----------------------------------------------------------------------------------------------------
  function renderRecordFilters() {
    const keep = (sel) => $(sel).value;
    const grade = keep("#records-grade"), house = keep("#records-house"), sort = keep("#records-sort") || "date";
    setHtml($("#records-grade"), h`<option value="">${t("any")}</option>${state.defs.terms.filter((x) => x.group === "grade").map((g) => h`<option value="${g.id}">${g.id} ${en() ? g.en : g.zh}</option>`)}`);
    setHtml($("#records-house"), h`<option value="">${t("any")}</option>${options("houseType", state.defs.houseTypes.map((x) => x.id))}`);
    setHtml($("#records-sort"), h`${[["date", "sortDate"], ["date_asc", "sortDateAsc"], ["score", "sortScore"], ["score_asc", "sortScoreAsc"]].map(([v, k]) => h`<option value="${v}">${t(k)}</option>`)}`);
    $("#records-grade").value = grade; $("#records-house").value = house; $("#records-sort").value = sort;
  }

  async function loadRecords() {
    const s = state.records;
    const query = new URLSearchParams({ page: s.page, pageSize: s.pageSize, sort: $("#records-sort").value || "date" });
    if ($("#records-q").value.trim()) query.set("q", $("#records-q").value.trim());
    if ($("#records-grade").value) query.set("grade", $("#records-grade").value);
    if ($("#records-house").value) query.set("houseType", $("#records-house").value);
    setHtml($("#records-table thead"), h`<tr><th></th><th>${t("label")}</th><th>${t("created")}</th><th>${t("houseType")}</th><th>${t("total")}</th><th>${t("grade")}</th><th>${t("rulerProfile")}</th><th></th></tr>`);
    const { ok, status, body } = await api(`/api/evaluations?${query}`);
    if (!ok) {
      setHtml($("#records-table tbody"), h``);
      setHtml($("#records-errors"), status === 401 ? h`<p>${t("signInFirst")}</p>` : errorList(body));
      return;
    }
    setHtml($("#records-errors"), h``);
    s.total = body.total;
    const pages = Math.max(1, Math.ceil(body.total / s.pageSize));
    setHtml($("#records-table tbody"), body.items.length ? h`${body.items.map((x) => h`<tr data-id="${x.id}">
      <td><input type="checkbox" data-pick="${x.id}"></td>
      <td class="record-label">${x.label ?? ""}${x.shared ? h` <span class="badge">${t("shared")}</span>` : ""}</td>
      <td>${when(x.createdAt)}</td><td>${label("houseType", x.houseType)}</td><td>${x.total}</td><td>${x.grade} ${label("grade", x.grade)}</td>
      <td>${label("rulerProfile", x.rulerProfile)}</td>
      <td class="actions"><a href="#/report/${encodeURIComponent(x.id)}" data-open="${x.id}">${t("open")}</a>
        <button type="button" data-rename="${x.id}">${t("rename")}</button>
        <button type="button" data-delete="${x.id}">${t("del")}</button></td></tr>`)}` : h`<tr><td colspan="8">${t("noRecords")}</td></tr>`);
    $("#records-page").textContent = t("pageOf")(s.page, pages, body.total);
    $("#records-prev").disabled = s.page <= 1;
    $("#records-next").disabled = s.page >= pages;
  }

  async function renameRecord(id) {
    const name = prompt(t("renamePrompt"));
    if (name === null) return;
    const { ok, body } = await api(`/api/evaluations/${encodeURIComponent(id)}`, { method: "PATCH", body: { label: name } });
    if (!ok) { notice(body?.errors?.map((e) => (en() ? e.message : e.messageZh)).join(" ") ?? ""); return; }
    refresh();
  }

  async function deleteRecord(id) {
    if (!confirm(t("confirmDelete"))) return;
    const { ok } = await api(`/api/evaluations/${encodeURIComponent(id)}`, { method: "DELETE" });
    if (ok) go("#/records");
  }

  async function shareRecord(id, revoke) {
    const { ok, body } = await api(`/api/evaluations/${encodeURIComponent(id)}/share`, { method: revoke ? "DELETE" : "POST" });
    if (!ok) return;
    // The link's origin is the page's own: the service behind a front door may not know its public address.
    state.report.share = revoke ? null : location.origin + body.path;
    renderReport();
  }

  // --- comparison ----------------------------------------------------------------------------------------------------
  async function openCompare(ids, recompute) {
    const query = new URLSearchParams({ ids: ids.join(",") });
    if (recompute) query.set("recompute", "1");
    const { ok, body } = await api(`/api/compare?${query}`);
    const view = $("#view-compare");
    if (!ok) { setHtml(view, errorList(body)); return; }
    state.compare = { ids, body };
    renderCompare();
  }

  function renderCompare() {
    const { ids, body: c } = state.compare;
    const sign = (v) => h`<span class="${v < 0 ? "neg" : v > 0 ? "pos" : ""}">${v > 0 ? "+" : ""}${v}</span>`;
    const name = (r, i) => r.label || `#${i + 1}`;
    const deltaOf = (i, cat) => (i === 0 ? null : c.deltas[i - 1].categories.find((x) => x.category === cat));
    setHtml($("#view-compare"), h`<h2>${t("comparison")}</h2>
      ${c.sameBasis ? "" : h`<p class="warning" id="basis-warning">${t("basisDiffers")} <button type="button" id="recompute">${t("recompute")}</button></p>`}
      ${c.recomputed ? h`<p class="notice" id="recomputed-note">${t("recomputed")}</p>` : ""}
      <div class="chart-box wide"><canvas id="compare-chart"></canvas></div>
      <table id="compare-table"><thead><tr><th>${t("category")}</th>${c.records.map((r, i) => h`<th>${name(r, i)}${i === 0 ? h` <small>${paren(t("baseline"))}</small>` : ""}</th>`)}</tr></thead><tbody>
      <tr><td>${t("total")}</td>${c.records.map((r, i) => h`<td>${r.total} ${r.grade} ${en() ? r.gradeEn : r.gradeZh}${i > 0 ? h` ${i === 1 ? h`<span id="compare-delta">${sign(c.deltas[0].totalDelta)}</span>` : sign(c.deltas[i - 1].totalDelta)}` : ""}</td>`)}</tr>
      ${CATS.map((cat) => h`<tr><td>${termButton("category", cat)}</td>${c.records.map((r, i) => {
        const score = r.categories.find((x) => x.category === cat).score;
        const d = deltaOf(i, cat);
        return h`<td>${score}${d ? h` ${sign(d.weightedDelta)}` : ""}</td>`;
      })}</tr>`)}
      <tr><td>${t("rulerProfile")}</td>${c.records.map((r) => h`<td>${label("rulerProfile", r.rulerProfile)}</td>`)}</tr>
      </tbody></table>
      ${c.deltas.map((d, i) => h`<h3>${name(c.records[0], 0)} → ${name(c.records[i + 1], i + 1)}</h3>
        <table class="item-deltas"><thead><tr><th>${t("item")}</th><th>${name(c.records[0], 0)}</th><th>${name(c.records[i + 1], i + 1)}</th><th>${t("delta")}</th></tr></thead><tbody>
        ${d.items.filter((x) => x.delta !== 0).map((x) => h`<tr><td>${label("category", x.category)}${colon()}${en() ? x.en : x.zh}</td><td>${x.impactA}</td><td>${x.impactB}</td><td>${sign(x.delta)}</td></tr>`)}
        </tbody></table>`)}`);
    state.charts.compare?.destroy();
    state.charts.compare = new Chart($("#compare-chart"), {
      type: "bar",
      data: {
        labels: CATS.map((cat) => label("category", cat)),
        datasets: c.records.map((r, i) => ({ label: name(r, i), data: CATS.map((cat) => r.categories.find((x) => x.category === cat).score), backgroundColor: COLORS[i] })),
      },
      options: { animation: false, scales: { y: { min: 0, max: 100 } } },
    });
    $("#view-compare").dataset.ids = ids.join(",");
  }

  // --- the ruler tool ------------------------------------------------------------------------------------------------
  function renderRulerForm() {
    const profile = $("#ruler-profile").value || "LUBAN_42_9";
    const element = $("#ruler-element").value || "MAIN_DOOR";
    setHtml($("#ruler-profile"), options("rulerProfile", PROFILES, profile));
    setHtml($("#ruler-element"), options("element", ELEMENTS.slice(0, 6), element));
  }

  async function lookUp(event) {
    event?.preventDefault();
    const cm = $("#ruler-cm").value.trim();
    const chosen = $("#ruler-profile").value;
    const element = $("#ruler-element").value;
    const answers = await Promise.all(PROFILES.map((p) => api(`/api/ruler?${new URLSearchParams({ cm, profile: p, element })}`)));
    const failed = answers.find((a) => !a.ok);
    if (failed) {
      setHtml($("#ruler-errors"), errorList(failed.body));
      setHtml($("#ruler-result"), h``);
      return;
    }
    setHtml($("#ruler-errors"), h``);
    const rows = answers.map((a) => a.body);
    const cell = (r) => h`<td class="${r.profile === chosen ? "chosen" : ""} ${r.luck === "吉" ? "good" : "bad"}">`;
    setHtml($("#ruler-result"), h`<table id="ruler-table"><thead><tr><th></th>${rows.map((r) => h`<th class="${r.profile === chosen ? "chosen" : ""}">${label("rulerProfile", r.profile)}${r.profile === chosen ? h`<br><small>${t("selected")}</small>` : ""}</th>`)}</tr></thead><tbody>
      <tr><th>${t("section")}</th>${rows.map((r) => h`${cell(r)}${en() ? `${r.sectionEn} · ${r.subSectionEn}` : `${r.section}·${r.subSection}`}</td>`)}</tr>
      <tr><th>${t("luck")}</th>${rows.map((r) => h`${cell(r)}<span data-luck="${r.profile}">${label("luck", r.luck)}</span></td>`)}</tr>
      <tr><th>${t("cell")}</th>${rows.map((r) => h`<td>${r.cellStartCm.toFixed(2)}–${r.cellEndCm.toFixed(2)} ${t("cm")}</td>`)}</tr>
      <tr><th>${t("forElement")}</th>${rows.map((r) => h`<td>${r.score ?? "—"}</td>`)}</tr>
      <tr><th>${t("flags")}</th>${rows.map((r) => h`<td>${r.flags.map((f) => termButton("flag", f))}</td>`)}</tr>
      <tr><th>${t("luckyRanges")}</th>${rows.map((r) => h`<td><ul class="plain">${r.luckyRanges.map((x) => h`<li>${x.fromCm}–${x.toCm} ${t("cm")}${paren(`${en() ? x.sectionEn : x.section}${en() ? ", " : "，"}${t("distance")(x.distanceCm)}`)}</li>`)}</ul></td>`)}</tr>
      </tbody></table>`);
  }

  // --- navigation ----------------------------------------------------------------------------------------------------
  const VIEWS = ["form", "records", "compare", "report", "ruler", "account"];

  function show(view) {
    for (const v of VIEWS) $(`#view-${v}`).hidden = v !== view;
    document.body.dataset.view = view;
  }

  async function route() {
    const [path, queryText] = location.hash.replace(/^#/, "").split("?");
    const parts = path.split("/").filter(Boolean);
    const query = new URLSearchParams(queryText ?? "");
    notice("");
    if (parts[0] === "records") {
      show("records");
      await loadRecords();
    } else if (parts[0] === "compare") {
      show("compare");
      await openCompare((query.get("ids") ?? "").split(",").filter(Boolean), query.get("recompute") === "1");
    } else if (parts[0] === "report" && parts[1]) {
      show("report");
      await openReport(decodeURIComponent(parts[1]));
    } else if (parts[0] === "shared" && parts[1]) {
      show("report");
      await openShared(decodeURIComponent(parts[1]));
    } else if (parts[0] === "ruler") {
      show("ruler");
    } else if (parts[0] === "account") {
      renderAccount();
      show("account");
    } else if (parts[0] === "result" && state.result) {
      // An evaluation not saved (anonymous): the same report, without the record's actions.
      state.report = { record: state.result, mode: "result" };
      renderReport();
      show("report");
    } else {
      show("form");
    }
  }

  function refresh() {
    const view = document.body.dataset.view;
    if (view === "report" && state.report?.record?.id && state.report.mode === "report") openReport(state.report.record.id);
    else route();
  }

  function applyLanguage() {
    document.documentElement.lang = state.lang;
    document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
    $("#lang").textContent = t("lang");
    $("#disclaimer").textContent = state.defs ? (en() ? state.defs.disclaimerEn : state.defs.disclaimer) : "";
    setHtml($("#example"), h`<option value="">—</option>${state.examples.map((x) => h`<option value="${x.id}">${en() ? x.en : x.zh}</option>`)}`);
    renderNav();
    renderRecordFilters();
    renderRulerForm();
  }

  document.addEventListener("click", async (event) => {
    const el = event.target.closest("button, input, a");
    if (!el) return;
    if (el.classList.contains("term")) {
      const x = term(el.dataset.group, el.dataset.id);
      $("#term-title").textContent = x ? (en() ? `${x.en} · ${x.zh}` : x.zh) : label(el.dataset.group, el.dataset.id);
      $("#term-body").textContent = x ? ((en() ? x.explanation : x.explanationZh) ?? "") : "";
      $("#term-dialog").showModal();
    } else if (el.dataset.step) {
      collect(); state.step = +el.dataset.step; renderSteps();
    } else if (el.id === "new-evaluation") {
      form = emptyForm(); state.step = 0; state.pendingKey = null; setHtml($("#form-errors"), h``); renderSteps();
    } else if (el.id === "add-measurement") {
      collect(); form.measurements.push({ element: "ROOM_DOOR", dimension: "WIDTH", cm: "" }); renderSteps();
    } else if (el.dataset.mRemove) {
      collect(); form.measurements.splice(+el.dataset.mRemove, 1); renderSteps();
    } else if (el.id === "sign-in-to-save") {
      state.pendingSave = state.unsaved;
      location.hash = "#/account";
    } else if (el.id === "sign-out") {
      await signOut();
    } else if (el.id === "print") {
      window.print();
    } else if (el.dataset.rename) {
      await renameRecord(el.dataset.rename);
    } else if (el.dataset.delete) {
      await deleteRecord(el.dataset.delete);
    } else if (el.dataset.share) {
      await shareRecord(el.dataset.share, false);
    } else if (el.dataset.unshare) {
      await shareRecord(el.dataset.unshare, true);
    } else if (el.id === "recompute") {
      location.hash = `#/compare?ids=${state.compare.ids.map(encodeURIComponent).join(",")}&recompute=1`;
    }
  });
  document.addEventListener("submit", submitAccount);
  $("#prev").onclick = () => { collect(); state.step = Math.max(0, state.step - 1); renderSteps(); };
  $("#next").onclick = () => { collect(); state.step = Math.min(5, state.step + 1); renderSteps(); };
  $("#form").addEventListener("submit", submit);
  $("#example").onchange = (event) => { loadExample(event.target.value); event.target.value = ""; };
  $("#records-filter").addEventListener("submit", (event) => { event.preventDefault(); state.records.page = 1; loadRecords(); });
  $("#records-prev").onclick = () => { state.records.page--; loadRecords(); };
  $("#records-next").onclick = () => { state.records.page++; loadRecords(); };
  $("#compare").onclick = () => {
    // The list shows newest first; the oldest picked is the baseline, so deltas read "what changed since".
    const picked = [...document.querySelectorAll("[data-pick]:checked")].map((x) => x.dataset.pick).reverse();
    if (picked.length < 2 || picked.length > 4) { setHtml($("#records-errors"), h`<p>${t("pickSome")}</p>`); return; }
    location.hash = `#/compare?ids=${picked.map(encodeURIComponent).join(",")}`;
  };
  $("#ruler-form").addEventListener("submit", lookUp);
  $("#lang").onclick = () => {
    if (!$("#view-form").hidden) collect();
    state.lang = en() ? "zh-TW" : "en";
    localStorage.setItem("luban-lang", state.lang);
    applyLanguage();
    renderSteps();
    if (!$("#view-report").hidden) renderReport();
    if (!$("#view-compare").hidden && state.compare) renderCompare();
    if (!$("#view-account").hidden) renderAccount();
    if (!$("#view-records").hidden) loadRecords();
    if (!$("#view-ruler").hidden && $("#ruler-cm").value) lookUp();
  };
  window.addEventListener("hashchange", route);

  Promise.all([api("/api/definitions"), api("/api/examples"), loadMe(), refreshCsrf()]).then(([defs, examples]) => {
    state.defs = defs.body;
    state.examples = examples.body ?? [];
    applyLanguage();
    renderSteps();
    document.body.dataset.ready = "true";
    return route();
  });
})();
