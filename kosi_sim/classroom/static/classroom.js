// kosi-sim classroom: join, role, public view and facilitator pages (no dependencies).
"use strict";
const CFG = JSON.parse(document.body.dataset.config);
const T = CFG.t;
const main = document.getElementById("main");
const msg = document.getElementById("msg");
const POLL_MS = 1000;  // as kosi_sim/classroom/loadgen.POLL_S

function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const k of kids) if (k != null) e.append(k);
  return e;
}
function say(text, bad = false) { msg.textContent = text; msg.className = bad ? "bad" : "ok"; }
async function api(path, opts = {}, headers = {}) {
  const init = { method: opts.body ? "POST" : "GET", headers: { "Content-Type": "application/json", ...headers } };
  if (opts.body) init.body = JSON.stringify(opts.body);
  if (opts.method) init.method = opts.method;
  const r = await fetch(path, init);
  const doc = await r.json().catch(() => ({ error: "bad answer from the server" }));
  if (!r.ok) throw new Error(doc.error || r.statusText);
  return doc;
}
function fmt(v) {
  if (v == null) return "–";
  if (Math.abs(v) < 1 && v !== 0) return v.toFixed(3);
  return Math.round(v).toLocaleString(CFG.lang);
}
function tokenKey(code) { return "kosi-token-" + code; }

// -- join ------------------------------------------------------------------------------
function joinPage() {
  const params = new URLSearchParams(location.search);
  const code = el("input", { id: "code", value: params.get("code") || "", autocomplete: "off" });
  const name = el("input", { id: "name", maxlength: "40" });
  const role = el("select", { id: "role" }, el("option", { value: "", text: T.role_any }),
    ...["administration", "lab", "vereine", "businesses", "citizens"].map(r => el("option", { value: r, text: r })));
  const go = async () => {
    const c = code.value.trim().toUpperCase();
    try {
      const doc = await api("/api/join", { body: { code: c, name: name.value, role: role.value || null } });
      localStorage.setItem(tokenKey(c), doc.token);
      location.href = "/play/" + encodeURIComponent(c);
    } catch (e) { say(e.message, true); }
  };
  main.append(el("h1", { text: T.title }), el("label", { text: T.code }), code,
    el("label", { text: T.name }), name, role, el("button", { id: "join", onclick: go, text: T.join }));
}

// -- role page ---------------------------------------------------------------------------
let shownTurn = -1;
function playPage() {
  const token = localStorage.getItem(tokenKey(CFG.code));
  if (!token) { location.href = "/?code=" + encodeURIComponent(CFG.code); return; }
  const head = { "X-Token": token };
  const status = el("p", { id: "status" });
  const year = el("p", { id: "year-text" });
  const form = el("div", { id: "form" });
  const last = el("div", { id: "last" });
  main.append(el("h1", { id: "role-title" }), el("p", { id: "task" }), status, year, form, last);
  let state = null;
  const collect = () => {
    const d = {};
    for (const p of state.controls.params) d[p.name] = Number(document.getElementById("p-" + p.name).value);
    if (state.controls.lab) {
      d.lab = {};
      for (const i of state.controls.lab.instruments) {
        d.lab[i.type] = {
          budget: Number(document.getElementById("b-" + i.type).value),
          staff: Number(document.getElementById("s-" + i.type).value),
          districts: state.controls.districts.filter(x => document.getElementById(`d-${i.type}-${x}`).checked),
        };
      }
    }
    if (state.controls.citizens) {
      d.citizens = {
        districts: state.controls.districts.filter(x => document.getElementById(`d-citizens-${x}`).checked),
        project_eur: Number(document.getElementById("project").value),
      };
    }
    return d;
  };
  const render = () => {
    const title = document.getElementById("role-title");
    title.textContent = `${state.title} (${state.name})`;
    title.dataset.role = state.role;
    document.getElementById("task").textContent = state.task;
    form.replaceChildren();
    const dec = state.decision;
    for (const p of state.controls.params) {
      const step = (p.hi - p.lo) / 100;
      const out = el("output", { id: "o-" + p.name, text: fmt(dec[p.name]) });
      const inp = el("input", { type: "range", id: "p-" + p.name, min: p.lo, max: p.hi, step, value: dec[p.name],
        oninput: e => { out.textContent = fmt(Number(e.target.value)); } });
      form.append(el("div", { class: "ctl" }, el("label", { for: "p-" + p.name, text: p.label }), inp, out,
        el("small", { text: ` (${fmt(p.lo)}–${fmt(p.hi)}; default ${fmt(p.default)})` })));
    }
    const boxes = (prefix, chosen) => el("span", {}, ...state.controls.districts.map(x => el("label", { class: "box" },
      el("input", { type: "checkbox", id: `d-${prefix}-${x}`, ...(chosen.includes(x) ? { checked: "" } : {}) }), x)));
    if (state.controls.lab) {
      const lab = state.controls.lab;
      const left = el("p", { id: "lab-left" });
      const sums = () => {
        let b = 0, s = 0;
        for (const i of lab.instruments) { b += Number(document.getElementById("b-" + i.type).value); s += Number(document.getElementById("s-" + i.type).value); }
        left.textContent = `${T.left}: EUR ${fmt(lab.budget - b)} / ${(lab.staff - s).toFixed(2)} FTE`;
      };
      const rows = lab.instruments.map(i => el("tr", {},
        el("td", { title: i.doc, text: i.name }),
        el("td", {}, el("input", { type: "number", id: "b-" + i.type, min: 0, max: lab.budget, step: 500, value: dec.lab[i.type].budget, oninput: sums })),
        el("td", {}, el("input", { type: "number", id: "s-" + i.type, min: 0, max: lab.staff, step: 0.05, value: dec.lab[i.type].staff, oninput: sums })),
        el("td", {}, boxes(i.type, dec.lab[i.type].districts))));
      form.append(el("table", { id: "lab" }, el("tr", {}, el("th", {}), el("th", { text: T.budget }), el("th", { text: T.staff }), el("th", { text: T.districts })), ...rows), left);
      sums();
    }
    if (state.controls.citizens) {
      const c = state.controls.citizens;
      form.append(el("div", { class: "ctl" }, el("label", { text: T.districts }), boxes("citizens", dec.citizens.districts)),
        el("div", { class: "ctl" }, el("label", { text: T.project }),
          el("input", { type: "number", id: "project", min: c.project_lo, max: c.project_hi, step: 500, value: dec.citizens.project_eur })));
    }
    form.append(el("button", { id: "submit", text: T.submit, onclick: async () => {
      try { await api("/api/decide", { body: { decision: collect(), turn: state.turn } }, head); say("✓ " + T.submitted); poll(); }
      catch (e) { say(e.message, true); }
    } }));
  };
  const renderLast = () => {
    last.replaceChildren();
    if (!state.last_year.length) return;
    last.append(el("h2", { text: T.last_year }), el("table", {}, el("tr", {}, el("th"), el("th", { text: T.played }), el("th", { text: T.twin })),
      ...state.last_year.map(r => el("tr", {}, el("td", { text: r.label }), el("td", { text: fmt(r.played) }), el("td", { text: fmt(r.twin) })))));
  };
  const poll = async () => {
    try { state = await api("/api/me", {}, head); }
    catch (e) { say(e.message, true); return; }
    const rem = state.remaining != null ? ` · ${Math.round(state.remaining)} s ${T.remaining}` : "";
    status.textContent = state.status === "finished" ? T.finished
      : `${T.year} ${state.turn + 1} ${T.of} ${state.years} · ${state.submitted ? T.submitted : T.waiting}${rem}` + (state.locked ? " · " + T.locked : "");
    status.dataset.turn = state.turn;
    year.textContent = state.year_text;
    if (state.turn !== shownTurn) { shownTurn = state.turn; render(); renderLast(); }
    document.getElementById("submit").disabled = state.status === "finished" || state.locked;
  };
  poll();
  setInterval(poll, POLL_MS);
}

// -- public view ------------------------------------------------------------------------
function viewPage() {
  let turn = -1;
  const img = el("img", { id: "map", alt: "map" });
  const sel = el("select", { id: "metric" });
  const head = el("h1", { id: "view-title" });
  const year = el("p", { id: "year-text" });
  const ind = el("table", { id: "indicators" });
  const rl = el("table", { id: "roles" });
  main.append(head, year, el("div", { class: "cols" }, el("div", {}, sel, img), el("div", {}, el("h2", { text: T.indicators }), ind, el("h2", { text: T.roles }), rl)));
  const setMap = () => { img.src = `/api/map/${encodeURIComponent(CFG.code)}.png?metric=${sel.value}&turn=${turn}`; };
  sel.addEventListener("change", setMap);
  const poll = async () => {
    let s;
    try { s = await api("/api/public/" + encodeURIComponent(CFG.code)); } catch (e) { say(e.message, true); return; }
    if (!sel.options.length) for (const m of s.map_metrics) sel.append(el("option", { value: m.metric, text: m.label }));
    const rem = s.remaining != null ? ` · ${Math.round(s.remaining)} s` : "";
    head.textContent = s.status === "finished" ? `${CFG.code}: ${T.finished}` : `${CFG.code} · ${T.year} ${s.turn + 1} ${T.of} ${s.years}${rem}`;
    head.dataset.turn = s.turn;
    year.textContent = s.year_text;
    ind.replaceChildren(el("tr", {}, el("th"), el("th", { text: T.played }), el("th", { text: T.twin })),
      ...s.indicators.map(r => el("tr", {}, el("td", { text: r.label }), el("td", { text: fmt(r.played) }), el("td", { text: fmt(r.twin) }))));
    rl.replaceChildren(...s.roles.map(r => el("tr", {}, el("td", { text: r.title }), el("td", { text: r.submitted ? "✓" : "…" }), el("td", { class: "dec", text: r.last }))));
    if (s.turn !== turn) { turn = s.turn; setMap(); }
  };
  poll();
  setInterval(poll, POLL_MS);
}

// -- facilitator -------------------------------------------------------------------------
// the debrief's year table: each year's decisions next to the difference to the twin
function yearTable(d) {
  const metrics = [...new Set(d.by_year.map(r => r.metric))];
  const years = [...new Set(d.decisions.map(r => r.turn))];
  const diff = (t, m) => d.by_year.find(r => r.turn === t && r.metric === m);
  return el("table", { id: "by-year" }, el("caption", { text: T.difference }),
    el("tr", {}, el("th", { text: T.year }), ...metrics.map(m => el("th", { text: d.labels[m] || m })), el("th", { text: T.roles })),
    ...years.map(t => el("tr", {}, el("td", { text: t }),
      ...metrics.map(m => el("td", { text: diff(t, m) ? (diff(t, m).difference >= 0 ? "+" : "") + fmt(diff(t, m).difference) : "–" })),
      el("td", { class: "dec", text: d.decisions.filter(r => r.turn === t).map(r => `${r.role} (${r.source}): ${r.summary}`).join(" | ") }))));
}

function facilitatorPage() {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get("key");
  if (fromHash) sessionStorage.setItem("kosi-fac", fromHash);
  const key = el("input", { id: "key", type: "password", value: sessionStorage.getItem("kosi-fac") || "" });
  const head = () => ({ "X-Facilitator-Key": key.value });
  const lab = el("input", { type: "checkbox", id: "lab", checked: "" });
  const cit = el("input", { type: "checkbox", id: "citizens" });
  const pick = el("input", { type: "checkbox", id: "pick" });
  const years = el("input", { type: "number", id: "years", min: 1, max: 30, value: 10 });
  const list = el("div", { id: "rooms" });
  const deb = el("div", { id: "debrief" });
  const create = async () => {
    sessionStorage.setItem("kosi-fac", key.value);
    say("…");
    try {
      const d = await api("/api/fac/rooms", { body: { lab: lab.checked, citizens: cit.checked, pick: pick.checked, years: Number(years.value) } }, head());
      say(`${T.code}: ${d.code}`); refresh();
    } catch (e) { say(e.message, true); }
  };
  const act = (code, action, body = {}) => async () => {
    try { await api(`/api/fac/room/${code}/${action}`, { body }, head()); refresh(); } catch (e) { say(e.message, true); }
  };
  const showDebrief = async (code) => {
    try {
      const d = await api(`/api/fac/room/${code}/debrief`, {}, head());
      deb.replaceChildren(el("h2", { text: `${T.debrief} ${code}` }),
        el("ul", { id: "effects" }, ...d.effects.map(x => el("li", { text: x }))),
        el("ul", { id: "moments" }, ...d.moments.map(x => el("li", { text: x }))),
        yearTable(d),
        el("button", { text: T.replicates, onclick: act(code, "replicates", { replicates: 5 }) }),
        el("button", { id: "export", text: T.export, onclick: async () => {
          try { const r = await api(`/api/fac/room/${code}/export`, { body: {} }, head()); say(r.folder); } catch (e) { say(e.message, true); }
        } }),
        el("button", { text: T.print, onclick: async () => {
          const r = await fetch(`/api/fac/room/${code}/debrief.html`, { headers: head() });
          const url = URL.createObjectURL(new Blob([await r.text()], { type: "text/html" }));
          window.open(url);
        } }));
    } catch (e) { say(e.message, true); }
  };
  const refresh = async () => {
    if (!key.value) return;
    let d;
    try { d = await api("/api/fac/rooms", {}, head()); } catch (e) { say(e.message, true); return; }
    list.replaceChildren(...d.rooms.map(r => {
      const timer = el("input", { type: "number", min: 0, max: 3600, value: r.timer, class: "timer" });
      return el("section", { class: "room", "data-code": r.code },
        el("h2", { text: `${r.code} · ${T.year} ${r.turn + (r.status === "finished" ? 0 : 1)} ${T.of} ${r.years} · ${r.status}` }),
        el("a", { href: `/view/${r.code}`, target: "_blank", text: T.public }),
        el("p", { class: "players", text: `${T.players}: ` + r.players.map(p => `${p.name} (${p.role})`).join(", ") }),
        el("table", {}, ...r.roles.map(role => el("tr", {},
          el("td", { text: role }),
          el("td", { text: r.submitted.includes(role) ? "✓" : (r.due.includes(role) ? "…" : "–") }),
          el("td", {}, el("button", { onclick: act(r.code, "lock", { role, locked: !r.locked.includes(role) }), text: (r.locked.includes(role) ? "✗ " : "") + T.lock })),
          el("td", {}, el("button", { onclick: act(r.code, "defaults", { role, on: !r.defaults.includes(role) }), text: (r.defaults.includes(role) ? "✓ " : "") + T.defaults }))))),
        el("label", { text: T.timer }), timer,
        el("button", { onclick: () => act(r.code, "timer", { seconds: Number(timer.value) })(), text: T.set_timer }),
        el("button", { class: "advance", onclick: act(r.code, "advance"), text: T.advance }),
        el("button", { class: "show-debrief", onclick: () => showDebrief(r.code), text: T.debrief }));
    }));
  };
  main.append(el("h1", { text: T.title }), el("label", { text: T.key }), key,
    el("fieldset", {}, el("label", {}, lab, T.with_lab), el("label", {}, cit, T.with_citizens), el("label", {}, pick, T.pick),
      el("label", { text: T.years }), years, el("button", { id: "create", onclick: create, text: T.create })),
    list, deb);
  refresh();
  setInterval(refresh, POLL_MS * 2);
}

({ join: joinPage, play: playPage, view: viewPage, facilitator: facilitatorPage })[CFG.page]();
