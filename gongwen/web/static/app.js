// The page's scripts: plain fetch() against the JSON API (docs/网页.md), no build step.
"use strict";

const csrf = () => document.querySelector('meta[name="csrf-token"]').content;
const $ = (sel, root = document) => root.querySelector(sel);
const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") e.textContent = v; else if (k === "class") e.className = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
};
const enc = (p) => p.split("/").map(encodeURIComponent).join("/");

async function api(method, url, body) {
  const opts = { method, headers: { "X-CSRF-Token": csrf() }, credentials: "same-origin" };
  if (body instanceof FormData) opts.body = body;
  else if (body !== undefined) { opts.body = JSON.stringify(body); opts.headers["Content-Type"] = "application/json"; }
  const r = await fetch(url, opts);
  let data = null;
  try { data = await r.json(); } catch (e) { data = { problems: [{ message: `服务器返回 ${r.status}` }] }; }
  return { ok: r.ok, status: r.status, data };
}

// A table of problems: file, sheet, row, column, value, what to fix.
function problemsTable(problems) {
  const t = el("table", { class: "grid problems" });
  t.append(el("thead", {}, el("tr", {}, ...["文件", "工作表", "行", "列", "填的是", "问题和改法"].map((h) => el("th", { text: h })))));
  const tb = el("tbody");
  for (const p of problems) {
    tb.append(el("tr", {}, ...[p.file, p.sheet, p.row, p.column, p.value, p.message]
      .map((v, i) => el("td", { text: v == null ? "" : String(v), class: i === 4 ? "value" : "" }))));
  }
  t.append(tb);
  return t;
}

function showProblems(box, problems, title) {
  box.replaceChildren();
  if (!problems || !problems.length) return;
  box.append(el("p", { class: "bad", text: title || `有 ${problems.length} 处问题：` }));
  if (problems.some((p) => p.file || p.row)) box.append(problemsTable(problems));
  else box.append(el("ul", {}, ...problems.map((p) => el("li", { text: p.message || String(p) }))));
}

function showWarnings(box, warnings, what = "保存") {
  if (!warnings || !warnings.length) return;
  box.append(el("details", { class: "warn" }, el("summary", { text: `提示 ${warnings.length} 条（不影响${what}）` }),
    el("ul", {}, ...warnings.map((w) => el("li", { text: w })))));
}

// ---- starting a build (campaign page, register page)
async function startBuild(campaign, mode, chosen) {
  const box = $("#build-problems") || $("#problems");
  const body = chosen ? { mode, chosen: [chosen] } : { mode };
  const ofd = $("#with-ofd");
  if (ofd && ofd.checked && mode !== "issue") body.formats = ["docx", "pdf", "ofd"];
  const r = await api("POST", `/api/campaigns/${encodeURIComponent(campaign)}/builds`, body);
  if (r.ok) location.href = `/builds/${r.data.id}`;
  else if (box) showProblems(box, r.data.problems);
}
document.addEventListener("click", (ev) => {
  const b = ev.target.closest("#build, button.act");
  if (b) { b.disabled = true; startBuild(b.dataset.campaign, b.dataset.mode, b.dataset.chosen).finally(() => { b.disabled = false; }); }
  if (ev.target.id === "logout") { ev.preventDefault(); api("POST", "/api/logout").then(() => { location.href = "/login"; }); }
});
for (const td of document.querySelectorAll("td.when")) {
  td.textContent = new Date(parseFloat(td.dataset.t) * 1000).toLocaleString("zh-CN");
}

// ---- month page: 报送情况, upload, paragraphs, forms, history
async function loadSubmissions(cid, month) {
  const box = $("#subs");
  const r = await api("GET", `/api/campaigns/${encodeURIComponent(cid)}/submissions?month=${month}`);
  box.replaceChildren();
  if (!r.ok) { showProblems(box, r.data.problems, "本月报表有问题，暂时无法统计："); return; }
  const d = r.data;
  box.append(el("p", { text: `参评单位 ${d.units.length} 个，已报送 ${d.sent} 个，未报送 ${d.units.length - d.sent} 个。` }));
  const t = el("table", { class: "grid subs" });
  t.append(el("thead", {}, el("tr", {}, el("th", { text: "单位" }), el("th", { text: "类别" }),
    ...d.sheets.map((s) => el("th", { text: s })), el("th", { text: "来自" }))));
  const tb = el("tbody");
  const sel = $("#form-unit");
  sel.replaceChildren();
  const units = [...d.units.filter((u) => !u.total), ...d.units.filter((u) => u.total)];  // who has not sent, first
  for (const u of units) {
    const tr = el("tr", { class: u.total ? "" : "missing" }, el("td", { text: u.unit }), el("td", { text: u.category }),
      ...d.sheets.map((s) => el("td", { class: "num", text: u.rows[s] ? String(u.rows[s]) : (u.total ? "0" : "—") })),
      el("td", { class: "muted", text: u.total ? u.files.map((f) => f.split("/").pop()).join("、") : "未报送" }));
    tb.append(tr);
    sel.append(el("option", { value: u.unit, text: u.unit }));
  }
  t.append(tb);
  box.append(t);
  showWarnings(box, d.warnings, "计分");
}

async function upload(cid, month, files) {
  const box = $("#upload-result");
  box.replaceChildren(el("p", { class: "muted", text: `正在检查 ${files.length} 个文件……` }));
  const fd = new FormData();
  for (const f of files) fd.append("files", f, f.name);
  const r = await api("POST", `/api/campaigns/${encodeURIComponent(cid)}/reports?month=${month}`, fd);
  box.replaceChildren();
  if (r.ok) {
    box.append(el("p", { class: "good", text: `已检查无误并保存 ${r.data.stored.length} 个文件。` }));
    showWarnings(box, r.data.warnings);
    loadSubmissions(cid, month);
    loadHistory(cid);
  } else {
    showProblems(box, r.data.problems, `有 ${r.data.problems.length} 处问题，没有保存任何文件。请改好后重新上传：`);
  }
}

async function loadNotes(cid, month) {
  const r = await api("GET", `/api/campaigns/${encodeURIComponent(cid)}/notes?month=${month}`);
  if (!r.ok) return;
  const f = $("#notes");
  for (const [k, v] of Object.entries(r.data)) if (f.elements[k]) f.elements[k].value = v.join("\n");
}

async function loadHistory(cid) {
  const r = await api("GET", `/api/campaigns/${encodeURIComponent(cid)}/history`);
  if (!r.ok || !r.data.length) return;
  $("#history").replaceChildren(el("ul", {}, ...r.data.slice(0, 50).map((h) =>
    el("li", { text: `${h.when.slice(0, 4)}-${h.when.slice(4, 6)}-${h.when.slice(6, 8)} ${h.when.slice(9, 11)}:${h.when.slice(11, 13)} 替换下来的 ${h.file}` }))));
}

function initMonth() {
  const m = $("#month");
  if (!m) return;
  const cid = m.dataset.campaign, month = m.dataset.month;
  loadSubmissions(cid, month);
  loadNotes(cid, month);
  loadHistory(cid);
  const drop = $("#drop"), input = $("#files");
  input.addEventListener("change", () => { if (input.files.length) upload(cid, month, [...input.files]); input.value = ""; });
  for (const t of ["dragenter", "dragover"]) drop.addEventListener(t, (e) => { e.preventDefault(); drop.classList.add("over"); });
  for (const t of ["dragleave", "drop"]) drop.addEventListener(t, (e) => { e.preventDefault(); drop.classList.remove("over"); });
  drop.addEventListener("drop", (e) => { if (e.dataTransfer.files.length) upload(cid, month, [...e.dataTransfer.files]); });
  $("#notes").addEventListener("submit", async (e) => {
    e.preventDefault();
    const f = e.target, body = {};
    for (const k of ["存在问题", "下步工作", "工作亮点"]) body[k] = f.elements[k].value.split("\n").map((s) => s.trim()).filter(Boolean);
    const r = await api("PUT", `/api/campaigns/${encodeURIComponent(cid)}/notes?month=${month}`, body);
    const out = $("#notes-result");
    out.className = r.ok ? "good" : "bad";
    out.textContent = r.ok ? "已保存，下次生成时排入通报。" : r.data.problems.map((p) => p.message).join("；");
  });
  $("#form-one").addEventListener("click", (e) => {
    e.preventDefault();
    const u = $("#form-unit").value;
    if (u) location.href = `/api/campaigns/${encodeURIComponent(cid)}/forms?month=${month}&unit=${encodeURIComponent(u)}`;
  });
}

// ---- build page: progress, documents, thumbnails, preview
function preview(bid, d) {
  const p = $("#preview");
  p.hidden = false;
  $("#preview-title").textContent = d.rel;
  $("#preview-pdf").href = `/api/builds/${bid}/files/${enc(d.rel + ".pdf")}?inline=1`;
  const docx = $("#preview-docx");
  docx.hidden = !d.formats.includes("docx");
  docx.href = `/api/builds/${bid}/files/${enc(d.rel + ".docx")}`;
  const pages = $("#preview-pages");
  pages.replaceChildren();
  for (let i = 1; i <= Math.min(d.pages || 1, 60); i++) {
    pages.append(el("img", { class: "page", alt: `第${i}页`, loading: "lazy",
      src: `/api/builds/${bid}/pages/${enc(d.rel + ".pdf")}?page=${i}&size=large` }));
  }
  p.scrollIntoView({ behavior: "smooth", block: "start" });
}

function showDocs(bid, b) {
  $("#docs-head").hidden = false;
  const ul = $("#docs");
  ul.replaceChildren();
  const shown = new Set();
  for (const d of b.documents) {
    const hasPdf = d.formats.includes("pdf");
    const li = el("li", { class: "doc" });
    if (hasPdf) {
      const img = el("img", { class: "thumb", alt: d.rel, loading: "lazy",
        src: `/api/builds/${bid}/pages/${enc(d.rel + ".pdf")}?page=1&size=small` });
      img.addEventListener("click", () => preview(bid, d));
      li.append(img);
    }
    const name = el("a", { href: "#", class: "docname", text: d.rel });
    name.addEventListener("click", (e) => { e.preventDefault(); if (hasPdf) preview(bid, d); });
    li.append(el("div", {}, name, el("div", { class: "muted", text: d.number
        ? `${d.kind} · ${d.number} · ${d.issued_now ? "本次印发" : "以前已印发"}` : `${d.kind} · ${d.pages} 页` }),
      el("div", {}, ...d.formats.map((f) => {
        shown.add(`${d.rel}.${f}`);
        return el("a", { class: "fmt", href: `/api/builds/${bid}/files/${enc(d.rel + "." + f)}`, text: f.toUpperCase() });
      }))));
    ul.append(li);
  }
  const others = b.files.filter((f) => !shown.has(f));
  if (others.length) {
    $("#other-files").hidden = false;
    $("#others").replaceChildren(...others.map((f) => el("li", {}, el("a", { href: `/api/builds/${bid}/files/${enc(f)}`, text: f }))));
  }
}

function initBuild() {
  const v = $("#build-view");
  if (!v) return;
  const bid = v.dataset.build;
  const tick = async () => {
    const r = await api("GET", `/api/builds/${bid}`);
    if (!r.ok) { $("#stage").textContent = "找不到这次生成。"; return; }
    const b = r.data;
    const pct = b.state === "done" ? 100 : (b.total ? Math.round((100 * b.done) / b.total) : (b.state === "running" ? 5 : 0));
    $("#bar").style.width = `${pct}%`;
    $("#bar").className = `bar ${b.state}`;
    const words = { queued: b.ahead ? `排队中，前面还有 ${b.ahead} 项` : "排队中", running: b.stage + (b.total ? `（${b.done}/${b.total}）` : ""),
      done: b.mode === "issue" ? `完成：印发了 ${b.documents.filter((d) => d.issued_now).length} 份公文，此后内容锁定；再改须“重新印发”`
        : `完成：${b.documents.length} 份公文，${b.files.length} 个文件`, failed: `未完成：${b.message}。之前生成的文件和报表保持不变。` };
    $("#stage").textContent = words[b.state];
    if (b.state === "failed") {
      showProblems($("#problems"), b.problems);
      if (b.reissue) {
        $("#problems").append(el("p", {}, el("button", { class: "act", "data-campaign": b.campaign, "data-mode": "reissue", text: "重新印发" }),
          " 新文件照常生成，旧文件改名为“……（第N版）”留在旁边，并记入发文登记。"));
      }
    }
    if (b.state === "done") {
      const w = $("#warnings"); w.replaceChildren(); showWarnings(w, b.warnings, "生成");
      showDocs(bid, b);
      return;
    }
    if (b.state !== "failed") setTimeout(tick, 400);
  };
  tick();
}

// ---- paste page
function initPaste() {
  const f = $("#paste");
  if (!f) return;
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    const out = $("#paste-result");
    out.textContent = "正在提交……";
    const r = await api("POST", "/api/notices", { text: f.elements.text.value });
    if (r.ok) location.href = `/builds/${r.data.id}`;
    else { out.className = "bad"; out.textContent = r.data.problems.map((p) => p.message).join("；"); }
  });
}

// ---- import a Word draft into the paste box (一键排版)
function initImport() {
  const input = $("#import-file");
  if (!input) return;
  input.addEventListener("change", async () => {
    const box = $("#import-result");
    if (!input.files.length) return;
    box.replaceChildren(el("p", { class: "muted", text: `正在导入 ${input.files[0].name}……` }));
    const fd = new FormData();
    fd.append("file", input.files[0], input.files[0].name);
    const r = await api("POST", "/api/notices/import", fd);
    box.replaceChildren();
    if (!r.ok) { showProblems(box, r.data.problems); return; }
    $("#paste").elements.text.value = r.data.text;
    box.append(el("p", { class: "good", text: "已导入到下面的框里，文字一字未改。核对后点“排版”。" }));
    if (r.data.doubts.length) {
      box.append(el("p", { class: "bad", text: `有 ${r.data.doubts.length} 处是猜的，请核对（源文字里也用 # 注释标出了）：` }),
        el("ul", {}, ...r.data.doubts.map((d) => el("li", { text: d }))));
    }
  });
}

// ---- check page (格式检查)
function initCheck() {
  const f = $("#check");
  if (!f) return;
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    const state = $("#check-state"), box = $("#check-result");
    const file = f.elements.file.files[0];
    if (!file) return;
    state.className = "muted"; state.textContent = "正在检查……";
    box.replaceChildren();
    const fd = new FormData();
    fd.append("file", file, file.name);
    const r = await api("POST", "/api/check", fd);
    state.textContent = "";
    if (!r.ok) { showProblems(box, r.data.problems); return; }
    const rep = r.data;
    if (rep["错误"]) { box.append(el("p", { class: "bad", text: `无法读取：${rep["错误"]}` })); return; }
    if (!rep["问题"].length) box.append(el("p", { class: "good", text: `${rep["文件"]}：未发现不合 GB/T 9704 的地方。` }));
    else {
      box.append(el("p", { class: "bad", text: `${rep["文件"]}：${rep["问题"].length} 处问题。` }));
      const t = el("table", { class: "grid findings" });
      t.append(el("thead", {}, el("tr", {}, ...["严重程度", "规则", "位置", "原文", "实际", "应为", "依据"].map((h) => el("th", { text: h })))));
      t.append(el("tbody", {}, ...rep["问题"].map((x) => el("tr", {}, ...[x.severity, x.rule_name, x.where, x.snippet, x.measured, x.expected, x.clause]
        .map((v) => el("td", { text: v || "" }))))));
      box.append(t);
    }
    if (rep["说明"].length) box.append(el("ul", { class: "muted" }, ...rep["说明"].map((n) => el("li", { text: n }))));
  });
}

// ---- login page
function initLogin() {
  const f = $("#login");
  if (!f) return;
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    const r = await api("POST", "/api/login", { name: f.elements.name.value, password: f.elements.password.value });
    if (r.ok) {
      const next = new URLSearchParams(location.search).get("next") || "/";
      location.href = next.startsWith("/") && !next.startsWith("//") ? next : "/";
    } else { $("#login-result").className = "bad"; $("#login-result").textContent = r.data.problems[0].message; }
  });
}

document.addEventListener("DOMContentLoaded", () => { initMonth(); initBuild(); initPaste(); initImport(); initCheck(); initLogin(); });
