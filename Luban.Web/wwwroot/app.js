// Luban Cloud pages: stepwise form, result, records and comparison. zh-TW by default, English on request.
"use strict";
(() => {
  const UI = {
    "zh-TW": {
      title: "魯班雲 陽宅風水評估", navForm: "評估", navRecords: "紀錄", prev: "上一步", next: "下一步", submit: "計算並儲存",
      records: "紀錄", more: "更多", compare: "比較所選兩筆", close: "關閉", lang: "English",
      steps: ["屋種類型", "陰煞", "水勢路勢", "建築外觀", "建築內部", "尺寸"],
      label: "名稱", houseType: "屋種類型", floor: "所在樓層", totalFloors: "總樓層", facingBasis: "坐向依據", rulerProfile: "尺制",
      exposure: "曝露", remedy: "化解", count: "數量", option: "選項", element: "構件", dimension: "量測", cm: "公分",
      addMeasurement: "新增尺寸", remove: "刪除", total: "總分", grade: "等第", category: "類別", score: "分數", weight: "權重",
      lost: "扣分", topIssues: "主要問題", measurements: "魯班尺結果", suggestions: "建議尺寸", warnings: "提醒",
      section: "尺段", luck: "吉凶", flags: "標記", created: "時間", open: "開啟", pickTwo: "請勾選兩筆紀錄",
      delta: "差異", item: "項目", basisDiffers: "模型或尺制不同，請重新計算後比較", errors: "請修正以下欄位", capped: "重大煞未化解，等第上限為 C",
      none: "無", commonRemedies: "常見化解",
    },
    en: {
      title: "Luban Cloud feng shui check", navForm: "Evaluate", navRecords: "Records", prev: "Back", next: "Next", submit: "Score and save",
      records: "Records", more: "More", compare: "Compare the two selected", close: "Close", lang: "中文",
      steps: ["House type", "External sha", "Water & road", "Exterior", "Interior", "Dimensions"],
      label: "Name", houseType: "House type", floor: "Floor", totalFloors: "Total floors", facingBasis: "Facing basis", rulerProfile: "Ruler",
      exposure: "Exposure", remedy: "Remedy", count: "Count", option: "Option", element: "Element", dimension: "Dimension", cm: "cm",
      addMeasurement: "Add dimension", remove: "Remove", total: "Total", grade: "Grade", category: "Category", score: "Score", weight: "Weight",
      lost: "Lost", topIssues: "Top issues", measurements: "Luban ruler", suggestions: "Suggested lengths", warnings: "Warnings",
      section: "Section", luck: "Luck", flags: "Flags", created: "Time", open: "Open", pickTwo: "Select two records",
      delta: "Delta", item: "Item", basisDiffers: "Different model or ruler profile: recompute before comparing", errors: "Please fix these fields",
      capped: "Severe issue unremedied: grade capped at C", none: "none", commonRemedies: "Common remedies",
    },
  };
  const state = { lang: localStorage.getItem("luban-lang") || "zh-TW", step: 0, defs: null, result: null, page: 1, selected: [] };
  const form = {
    label: "", houseType: "APARTMENT", floor: "", totalFloors: "", facingBasis: "DOOR", rulerProfile: "LUBAN_42_9",
    env: {}, waterRoad: {}, exterior: {}, interior: {},
    measurements: [{ element: "MAIN_DOOR", dimension: "WIDTH", cm: "" }, { element: "MAIN_DOOR", dimension: "HEIGHT", cm: "" }],
  };
  const $ = (s) => document.querySelector(s);
  const t = (k) => UI[state.lang][k];
  const en = () => state.lang === "en";
  const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  const term = (group, id) => state.defs.terms.find((x) => x.group === group && x.id === id);
  const label = (group, id) => { const x = term(group, id); return x ? (en() ? x.en : x.zh) : id; };
  // Every special term is a button that opens its definition.
  const termButton = (group, id) => `<button type="button" class="term" data-group="${esc(group)}" data-id="${esc(id)}">${esc(label(group, id))}</button>`;
  const options = (group, ids, selected, blank) =>
    (blank ? `<option value="">—</option>` : "") + ids.map((id) => `<option value="${esc(id)}" ${id === selected ? "selected" : ""}>${esc(label(group, id))}</option>`).join("");
  const remedies = ["NONE", "SYMBOLIC", "SCREENING", "STRUCTURAL"];

  async function api(path, init) {
    const response = await fetch(path, init);
    const body = await response.json().catch(() => null);
    return { ok: response.ok, status: response.status, body };
  }

  function applyLanguage() {
    document.documentElement.lang = state.lang;
    document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
    $("#lang").textContent = t("lang");
    $("#disclaimer").textContent = state.defs ? (en() ? state.defs.disclaimerEn : state.defs.disclaimer) : "";
  }

  function show(view) {
    for (const v of ["form", "result", "records"]) $(`#view-${v}`).hidden = v !== view;
    if (view === "records") loadRecords(true);
  }

  function renderSteps() {
    $("#steps").innerHTML = t("steps").map((s, i) => `<li class="${i === state.step ? "active" : ""}">${i + 1}. ${esc(s)}</li>`).join("");
    $("#prev").disabled = state.step === 0;
    $("#next").hidden = state.step === 5;
    $("#submit").hidden = state.step !== 5;
    const body = $("#step-body");
    const d = state.defs;
    if (state.step === 0) {
      body.innerHTML = `<fieldset>
        <div class="row"><label>${t("label")} <input name="label" value="${esc(form.label)}"></label></div>
        <div class="row"><label>${t("houseType")} <select name="houseType">${options("houseType", d.houseTypes.map((h) => h.id), form.houseType)}</select></label> ${termButton("houseType", form.houseType)}</div>
        <div class="row"><label>${t("floor")} <input name="floor" inputmode="numeric" value="${esc(form.floor)}"></label>
        <label>${t("totalFloors")} <input name="totalFloors" inputmode="numeric" value="${esc(form.totalFloors)}"></label></div>
        <div class="row"><label>${t("facingBasis")} <select name="facingBasis">${options("facingBasis", ["DOOR", "LIGHT_FACE"], form.facingBasis)}</select></label>
        <label>${t("rulerProfile")} <select name="rulerProfile">${options("rulerProfile", ["LUBAN_42_9", "LUBAN_43_2", "LUBAN_42_76", "LUBAN_46_08"], form.rulerProfile)}</select></label></div>
      </fieldset>`;
    } else if (state.step === 1) {
      body.innerHTML = `<fieldset>${d.envItems.map((item) => {
        const v = form.env[item.id];
        const exposures = d.exposures.filter((x) => x.type === item.exposureType).map((x) => x.id);
        return `<div class="row"><label><input type="checkbox" data-env="${item.id}" ${v ? "checked" : ""}> ${termButton("envItem", item.id)}</label>
          <select data-env-exposure="${item.id}">${options("exposure", exposures, v?.exposure ?? exposures[0])}</select>
          <select data-env-remedy="${item.id}">${options("remedy", remedies, v?.remedy ?? "NONE")}</select></div>`;
      }).join("")}</fieldset>`;
    } else if (state.step === 2 || state.step === 3) {
      const category = state.step === 2 ? "WATER_ROAD" : "EXTERIOR";
      const bucket = state.step === 2 ? form.waterRoad : form.exterior;
      body.innerHTML = `<fieldset>${d.factors.filter((f) => f.category === category && !f.derived).map((f) => {
        const v = bucket[f.id] ?? {};
        return `<div class="row">${termButton("factor", f.id)}
          <select data-factor="${f.id}">${options(f.id, f.options.map((o) => o.id), v.option, true)}</select>
          <select data-factor-remedy="${f.id}">${options("remedy", remedies, v.remedy ?? "NONE")}</select></div>`;
      }).join("")}</fieldset>`;
    } else if (state.step === 4) {
      body.innerHTML = `<fieldset>${d.interiorItems.map((item) => {
        const v = form.interior[item.id];
        return `<div class="row"><label><input type="checkbox" data-interior="${item.id}" ${v ? "checked" : ""}> ${termButton("interiorItem", item.id)}</label>
          ${item.countable ? `<label>${t("count")} <input type="number" min="1" max="10" data-interior-count="${item.id}" value="${esc(v?.count ?? 1)}"></label>` : ""}
          <select data-interior-remedy="${item.id}">${options("remedy", remedies, v?.remedy ?? "NONE")}</select></div>`;
      }).join("")}</fieldset>`;
    } else {
      const elements = ["MAIN_DOOR", "ROOM_DOOR", "KITCHEN_DOOR", "BATH_DOOR", "WINDOW", "FURNITURE", "ANCESTRAL_TABLET"];
      body.innerHTML = `<fieldset>${form.measurements.map((m, i) => `<div class="row">
          <select data-m-element="${i}">${options("element", elements, m.element)}</select>
          <select data-m-dimension="${i}">${options("dimension", ["WIDTH", "HEIGHT", "DEPTH", "LENGTH"], m.dimension)}</select>
          <label><input data-m-cm="${i}" inputmode="decimal" value="${esc(m.cm)}"> ${t("cm")}</label>
          ${i > 1 ? `<button type="button" data-m-remove="${i}">${t("remove")}</button>` : ""}</div>`).join("")}
        <button type="button" id="add-measurement">${t("addMeasurement")}</button> ${termButton("concept", "LUBAN_RULER")}</fieldset>`;
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

  async function submit(event) {
    event.preventDefault();
    collect();
    const { ok, body } = await api("/api/evaluations", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(request()) });
    if (!ok) {
      $("#form-errors").innerHTML = `<p>${t("errors")}</p><ul>${(body?.errors ?? []).map((e) => `<li data-field="${esc(e.field)}" data-code="${esc(e.code)}">${esc(e.field)}: ${esc(en() ? e.message : e.messageZh)} (${esc(e.code)})</li>`).join("")}</ul>`;
      return;
    }
    $("#form-errors").innerHTML = "";
    state.result = body;
    renderResult();
    show("result");
  }

  let chart;
  function renderResult() {
    const r = state.result;
    if (!r) return;
    const cats = ["ENV", "WATER_ROAD", "EXTERIOR", "INTERIOR", "LUBAN"];
    $("#view-result").innerHTML = `
      <h2>${esc(r.label ?? "")}</h2>
      <p><span class="total" id="result-total">${r.total}</span><span class="grade" id="result-grade" data-grade="${r.grade}">${r.grade} ${esc(en() ? r.gradeEn : r.gradeZh)}</span></p>
      ${r.capped || r.flags.includes("SEVERE_UNREMEDIED") ? `<p class="warning">${termButton("flag", "SEVERE_UNREMEDIED")}: ${t("capped")}</p>` : ""}
      <div class="chart-box"><canvas id="category-chart"></canvas></div>
      <table><thead><tr><th>${t("category")}</th><th>${t("score")}</th><th>${t("weight")}</th><th>${t("lost")}</th></tr></thead>
      <tbody>${cats.map((c) => `<tr><td>${termButton("category", c)}</td><td>${r.categories[c].score}</td><td>${r.categories[c].weight}</td><td>${r.categories[c].lost > 0 ? "−" + r.categories[c].lost : 0}</td></tr>`).join("")}</tbody></table>
      <h3>${t("topIssues")}</h3>
      <ol>${r.topIssues.map((i) => `<li>${termButton(i.category === "ENV" ? "envItem" : i.category === "INTERIOR" ? "interiorItem" : "factor", i.id)} −${i.weightedLoss}
        ${i.formula ? `<code>${esc(i.formula)}</code>` : ""} ${i.remedy !== "NONE" ? `(${esc(label("remedy", i.remedy))})` : ""}
        ${i.commonRemedies ? `<br><small>${t("commonRemedies")}: ${esc(i.commonRemedies)}</small>` : ""}</li>`).join("") || `<li>${t("none")}</li>`}</ol>
      <h3>${t("measurements")}</h3>
      <table><thead><tr><th>${t("element")}</th><th>${t("cm")}</th><th>${t("section")}</th><th>${t("luck")}</th><th>${t("flags")}</th><th>${t("suggestions")}</th></tr></thead>
      <tbody>${r.measurements.map((m) => `<tr><td>${esc(label("element", m.element))} ${esc(label("dimension", m.dimension))}</td><td>${m.cm}</td>
        <td>${esc(en() ? `${m.sectionEn} · ${m.subSectionEn}` : `${m.section}·${m.subSection}`)}</td><td>${esc(label("luck", m.luck))}</td>
        <td>${m.flags.map((f) => termButton("flag", f)).join(" ")}</td>
        <td>${m.suggestions.map((s) => `${s.fromCm}–${s.toCm} (${esc(en() ? s.sectionEn : s.section)})`).join("; ")}</td></tr>`).join("")}</tbody></table>
      <h3>${t("warnings")}</h3>
      <ul>${r.warnings.map((w) => `<li class="warning">${esc(w.code)} ${esc(w.field ?? "")}: ${esc(en() ? w.message : w.messageZh)}</li>`).join("") || `<li>${t("none")}</li>`}</ul>
`;
    if (chart) chart.destroy();
    chart = new Chart($("#category-chart"), {
      type: "bar",
      data: { labels: cats.map((c) => label("category", c)), datasets: [{ label: t("score"), data: cats.map((c) => r.categories[c].score), backgroundColor: "#8b1a1a" }] },
      options: { indexAxis: "y", animation: false, scales: { x: { min: 0, max: 100 } } },
    });
  }

  async function loadRecords(reset) {
    if (reset) { state.page = 1; state.selected = []; $("#records-table tbody").innerHTML = ""; $("#comparison").innerHTML = ""; }
    $("#records-table thead").innerHTML = `<tr><th></th><th>${t("label")}</th><th>${t("created")}</th><th>${t("total")}</th><th>${t("grade")}</th><th>${t("rulerProfile")}</th><th></th></tr>`;
    const { body } = await api(`/api/evaluations?page=${state.page}&pageSize=20`);
    $("#records-table tbody").insertAdjacentHTML("beforeend", body.items.map((x) => `<tr data-id="${x.id}">
      <td><input type="checkbox" data-pick="${x.id}"></td><td>${esc(x.label ?? "")}</td><td>${esc(new Date(x.createdAt).toLocaleString())}</td>
      <td>${x.total}</td><td>${x.grade}</td><td>${esc(label("rulerProfile", x.rulerProfile))}</td><td><button data-open="${x.id}">${t("open")}</button></td></tr>`).join(""));
    $("#records-more").hidden = state.page * 20 >= body.total;
  }

  async function compare() {
    // The list is newest first; the older record is A so that deltas read "what changed since".
    const picked = [...document.querySelectorAll("[data-pick]:checked")].map((x) => x.dataset.pick).reverse();
    if (picked.length !== 2) { $("#comparison").textContent = t("pickTwo"); return; }
    const { body: c } = await api(`/api/compare?a=${picked[0]}&b=${picked[1]}`);
    const sign = (v) => `<span class="${v < 0 ? "neg" : v > 0 ? "pos" : ""}">${v > 0 ? "+" : ""}${v}</span>`;
    $("#comparison").innerHTML = `${c.sameBasis ? "" : `<p class="warning">${t("basisDiffers")}</p>`}
      <table id="compare-table"><thead><tr><th>${t("category")}</th><th>A</th><th>B</th><th>${t("delta")}</th></tr></thead><tbody>
      <tr><td>${t("total")}</td><td>${c.totalA} ${c.gradeA}</td><td>${c.totalB} ${c.gradeB}</td><td id="compare-delta">${sign(c.totalDelta)}</td></tr>
      ${c.categories.map((x) => `<tr><td>${termButton("category", x.category)}</td><td>${x.scoreA}</td><td>${x.scoreB}</td><td>${sign(x.weightedDelta)}</td></tr>`).join("")}
      </tbody></table>
      <table><thead><tr><th>${t("item")}</th><th>A</th><th>B</th><th>${t("delta")}</th></tr></thead><tbody>
      ${c.items.filter((x) => x.delta !== 0).map((x) => `<tr><td>${esc(label("category", x.category))}: ${esc(en() ? x.en : x.zh)}</td><td>${x.impactA}</td><td>${x.impactB}</td><td>${sign(x.delta)}</td></tr>`).join("")}
      </tbody></table>`;
  }

  document.addEventListener("click", async (event) => {
    const el = event.target.closest("button, input");
    if (!el) return;
    if (el.classList.contains("term")) {
      const x = term(el.dataset.group, el.dataset.id);
      $("#term-title").textContent = x ? `${x.zh} · ${x.en}` : el.dataset.id;
      $("#term-body").textContent = x?.explanation ?? "";
      $("#term-dialog").showModal();
    } else if (el.id === "add-measurement") {
      collect(); form.measurements.push({ element: "ROOM_DOOR", dimension: "WIDTH", cm: "" }); renderSteps();
    } else if (el.dataset.mRemove) {
      collect(); form.measurements.splice(+el.dataset.mRemove, 1); renderSteps();
    } else if (el.dataset.open) {
      state.result = (await api(`/api/evaluations/${el.dataset.open}`)).body; renderResult(); show("result");
    }
  });
  $("#prev").onclick = () => { collect(); state.step = Math.max(0, state.step - 1); renderSteps(); };
  $("#next").onclick = () => { collect(); state.step = Math.min(5, state.step + 1); renderSteps(); };
  $("#form").addEventListener("submit", submit);
  $("#nav-form").onclick = () => show("form");
  $("#nav-records").onclick = () => show("records");
  $("#records-more").onclick = () => { state.page++; loadRecords(false); };
  $("#compare").onclick = compare;
  $("#lang").onclick = () => {
    collect();
    state.lang = en() ? "zh-TW" : "en";
    localStorage.setItem("luban-lang", state.lang);
    applyLanguage(); renderSteps(); renderResult();
    if (!$("#view-records").hidden) loadRecords(true);
  };

  api("/api/definitions").then(({ body }) => { state.defs = body; applyLanguage(); renderSteps(); });
})();
