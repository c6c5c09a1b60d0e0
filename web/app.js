// Herald console: plain JavaScript, no build step, no dependencies.
// Data: the REST API under /api/v1 (Authorization: Bearer <token>) and the
// Server-Sent Events stream /api/v1/events (actors snapshots, candles,
// signals, insights, posts, restarts, errors). Every value from the server is
// put into the page as text (textContent), never as HTML.
'use strict';

const state = {
  token: localStorage.getItem('herald.token') || '',
  role: 'viewer',
  actors: [],
  actorTotal: 0,
  aggregated: false,
  found: null, // the actor search's results (null: no search)
  foundTotal: 0,
  restarts: {},
  symbol: '',
  interval: '1m',
  candles: [],
  markers: [],
  source: null,
};
const roles = { viewer: 0, operator: 1, admin: 2 };
const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v;
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function toast(text, bad) {
  const t = $('toast');
  t.textContent = text;
  t.className = 'toast' + (bad ? ' bad' : '');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => t.classList.add('hidden'), 4000);
}

async function api(path, options) {
  const res = await fetch(path, Object.assign({}, options, {
    headers: { Authorization: 'Bearer ' + state.token },
  }));
  let body = null;
  try { body = await res.json(); } catch (e) { body = null; }
  if (!res.ok) {
    const msg = body && body.error ? body.error.message : res.status + ' ' + res.statusText;
    const err = new Error(msg);
    err.status = res.status;
    throw err;
  }
  return body;
}

// -- formatting -----------------------------------------------------------------

function fmtRate(x) { return x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x > 0 ? x.toFixed(2) : '0'; }
function fmtDur(s) {
  if (!s) return '-';
  if (s < 1e-3) return (s * 1e6).toFixed(0) + 'µs';
  if (s < 1) return (s * 1e3).toFixed(s < 0.01 ? 2 : 1) + 'ms';
  return s.toFixed(2) + 's';
}
function fmtTime(ms) { return new Date(ms).toISOString().substr(11, 8); }
function fmtUptime(s) {
  s = Math.floor(s);
  const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
  return (d ? d + 'd ' : '') + (h ? h + 'h ' : '') + m + 'm ' + (s % 60) + 's';
}
function fmtPrice(p) { return p >= 1000 ? p.toFixed(2) : p >= 1 ? p.toFixed(4) : p.toPrecision(4); }

// -- supervision tree -------------------------------------------------------------

/// With thousands of series the stream sends the series pools one row per
/// kind ("aggregate", with a count); the search box asks the API for the
/// actors themselves (GET /api/v1/actors?q=...&sort=mailbox).
function renderTree() {
  const body = $('tree-body');
  const onlyBusy = $('only-busy').checked;
  const canOperate = roles[state.role] >= roles.operator;
  const rows = [];
  for (const a of state.found || state.actors) {
    if (onlyBusy && !a.is_supervisor && a.rate < 0.5 && a.mailbox === 0) continue;
    const depth = a.path === 'root' ? 0 : a.path.split('.').length;
    const last = a.path === 'root' ? 'root' : a.path.split('.').pop();
    const name = a.aggregate ? (last === '*' ? 'every series' : last) + ' ×' + a.count : last;
    const level = levelName(a, depth);
    const stateText = a.aggregate ? (a.running_count === a.count ? 'running' : a.running_count + '/' + a.count + ' running')
      : !a.running ? 'down' : a.paused ? 'paused' : 'running';
    const actions = el('td', { class: 'actions' });
    if (canOperate && a.path !== 'root' && !a.aggregate) {
      if (a.kind === 'worker') {
        actions.append(el('button', {
          class: 'small ghost', type: 'button', dataset: { action: a.paused ? 'resume' : 'pause', path: a.path },
        }, a.paused ? 'resume' : 'pause'));
      }
      actions.append(el('button', { class: 'small warn', type: 'button', dataset: { action: 'restart', path: a.path } }, 'restart'));
      actions.append(el('button', { class: 'small bad', type: 'button', dataset: { action: 'kill', path: a.path },
        title: 'chaos: exit_reason::kill' }, 'kill'));
    }
    const prev = state.restarts[a.path];
    const tr = el('tr', { dataset: { path: a.path } },
      el('td', { class: 'name', title: a.path + (a.last_exit_reason ? '\nlast exit: ' + a.last_exit_reason : '') },
        el('span', { class: 'indent' }, '│ '.repeat(Math.max(0, depth - 1)) + (depth ? '├ ' : '')),
        el('span', { class: a.kind === 'supervisor' ? 'sup' : '' }, name),
        el('span', { class: 'level level-' + depth }, level)),
      el('td', { class: 'num rate' }, fmtRate(a.rate)),
      el('td', { class: 'num mailbox' + (a.mailbox > 100 ? ' hot' : '') }, a.mailbox),
      el('td', { class: 'num p99' + (a.p99_seconds > 0.05 ? ' hot' : '') }, fmtDur(a.p99_seconds)),
      el('td', { class: 'num restarts' + (a.restarts > 0 ? ' hot' : '') }, a.restarts),
      el('td', { class: 'state-' + stateText }, stateText),
      actions);
    if (prev !== undefined && a.restarts > prev) tr.classList.add('flash');
    state.restarts[a.path] = a.restarts;
    rows.push(tr);
  }
  body.replaceChildren(...rows);
  $('actor-count').textContent = state.found ? state.foundTotal + ' found of ' + state.actorTotal
    : state.actorTotal + (state.aggregated ? ' (series pools one row per kind)' : '');
}

let findTimer = null;
async function refreshFind() {
  const q = $('actor-find').value.trim();
  if (!q) {
    state.found = null;
    renderTree();
    return;
  }
  try {
    const r = await api('/api/v1/actors?q=' + encodeURIComponent(q) + '&sort=mailbox&limit=200');
    state.found = r.items.map((a) => Object.assign(a, { is_supervisor: a.kind === 'supervisor' }));
    state.foundTotal = r.total;
  } catch (e) {
    toast('find ' + q + ': ' + e.message, true);
  }
  renderTree();
}
$('actor-find').addEventListener('input', () => {
  clearTimeout(findTimer);
  findTimer = setTimeout(refreshFind, 250);
});

/// What a row is in the tree: root, a domain supervisor, the series pool, a
/// series supervisor, or a worker (an analyzer under a series).
function levelName(a, depth) {
  if (depth === 0) return 'root';
  if (a.kind === 'supervisor') {
    if (depth === 1) return 'domain';
    if (a.path.endsWith('.series')) return 'pool';
    if (a.path.includes('.series.')) return 'series';
    return 'supervisor';
  }
  if (a.path.includes('.series.')) return 'analyzer';
  return 'agent';
}

function onActors(snapshot) {
  state.actors = snapshot.actors.map((a) => Object.assign(a, { is_supervisor: a.kind === 'supervisor' }));
  state.actorTotal = snapshot.total || state.actors.length;
  state.aggregated = !!snapshot.aggregated;
  if (state.found) refreshFind(); else renderTree();
  if (snapshot.health) renderHealth(snapshot.health);
}

$('tree-body').addEventListener('click', async (ev) => {
  const b = ev.target.closest('button[data-action]');
  if (!b) return;
  const { action, path } = b.dataset;
  if ((action === 'kill' || action === 'restart') && !ev.shiftKey &&
      !window.confirm(action + ' ' + path + '? Its supervisor starts it again.')) return;
  b.disabled = true;
  try {
    const r = await api('/api/v1/agents/' + encodeURIComponent(path) + '/' + action, { method: 'POST' });
    toast(r.message);
  } catch (e) {
    toast(action + ' ' + path + ': ' + e.message, true);
  } finally {
    b.disabled = false;
  }
});
$('only-busy').addEventListener('change', renderTree);

// -- node and health ------------------------------------------------------------------

function renderHealth(h) {
  const pill = $('ready');
  pill.textContent = h.ready ? 'ready' : 'not ready';
  pill.className = 'pill ' + (h.ready ? 'pill-ok' : 'pill-bad');
  $('checks').replaceChildren(...h.checks.map((c) =>
    el('li', { class: c.ok ? 'ok' : 'bad' }, c.name, el('span', { class: 'detail' }, c.detail))));
}

async function loadInfo() {
  const info = await api('/info');
  state.role = info.you.role;
  $('node').textContent = info.node + ' · ' + info.version;
  $('whoami').textContent = info.you.token + ' (' + info.you.role + ')';
  const facts = [
    ['node id', info.node_id.length > 40 ? info.node_id.substr(0, 40) + '…' : info.node_id],
    ['roles', info.roles.join(', ')],
    ['started', new Date(info.started_at).toISOString().replace('T', ' ').substr(0, 19) + 'Z'],
    ['uptime', fmtUptime(info.uptime_seconds)],
  ];
  $('node-facts').replaceChildren(...facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
  state.startedAt = info.started_at;
}

// -- live feed -------------------------------------------------------------------------

/// "market 2021-01-01 10:00": the candle time an event speaks of.
function marketTime(ms) {
  if (typeof ms !== 'number' || !ms) return '';
  return el('span', { class: 'market-time', title: 'market time (candle open, UTC)' },
    'market ' + new Date(ms).toISOString().replace('T', ' ').substr(0, 16));
}

function feedLine(type, d, ts) {
  let text;
  switch (type) {
    case 'signal':
      text = [d.symbol, d.interval, el('span', { class: d.direction }, d.direction),
        'score ' + d.score.toFixed(3), 'conf ' + d.confidence.toFixed(0), '@ ' + fmtPrice(d.price),
        marketTime(d.time)];
      break;
    case 'insight':
      text = [d.symbol, el('span', { class: d.direction }, d.direction),
        d.approved ? 'approved' : 'vetoed: ' + d.reason, 'conf ' + d.confidence.toFixed(0),
        marketTime(d.time)];
      break;
    case 'post':
      text = [d.channel, d.state, d.id, d.url ? el('a', { href: d.url, target: '_blank', rel: 'noopener' }, 'link') : d.error];
      break;
    case 'restart':
      text = [d.path, 'restart #' + d.restarts, d.reason];
      break;
    case 'log':
      text = [d.level, d.logger + ':', d.message];
      break;
    case 'alert':
      text = [el('span', { class: d.status === 'firing' ? 'short' : 'long' }, d.status), d.alert,
        d.instance, d.severity, d.summary];
      break;
    default:
      return null;
  }
  const parts = [];
  for (const t of text) { if (t !== undefined && t !== '') { parts.push(t, ' '); } }
  return el('li', { dataset: { type } }, el('span', { class: 't' }, fmtTime(ts || Date.now())),
    el('span', { class: 'k k-' + type }, type), el('span', {}, ...parts));
}

function pushFeed(type, d) {
  const enabled = [...document.querySelectorAll('.feed-filter')].filter((c) => c.checked).map((c) => c.value);
  if (!enabled.includes(type)) return;
  const li = feedLine(type, d);
  if (!li) return;
  const feed = $('feed');
  feed.prepend(li);
  while (feed.children.length > 200) feed.lastChild.remove();
}

// -- chart --------------------------------------------------------------------------------

async function loadSeries() {
  const q = $('symbol-find').value.trim();
  const s = await api('/api/v1/series?limit=1000' + (q ? '&q=' + encodeURIComponent(q) : ''));
  const select = $('symbol');
  const current = select.value;
  const options = s.items.filter((x) => x.interval === state.interval || s.items.length < 4 || q)
    .map((x) => el('option', { value: x.symbol + '|' + x.interval }, x.symbol + ' ' + x.interval));
  if (!options.length) return;
  select.replaceChildren(...options);
  if (current && [...select.options].some((o) => o.value === current)) select.value = current;
  await selectSymbol(select.value);
}

async function selectSymbol(value) {
  const [symbol, interval] = value.split('|');
  state.symbol = symbol;
  state.interval = interval;
  const [c, ins] = await Promise.all([
    api('/api/v1/candles?symbol=' + encodeURIComponent(symbol) + '&interval=' + encodeURIComponent(interval) + '&limit=120'),
    api('/api/v1/insights?symbol=' + encodeURIComponent(symbol) + '&limit=200'),
  ]);
  state.candles = c.items;
  state.markers = ins.items.map((i) => ({
    time: i.payload && i.payload.time !== undefined ? i.payload.time : parseInsightTime(i.id),
    direction: i.payload && i.payload.direction ? i.payload.direction : (i.kind || ''),
    approved: i.payload ? i.payload.approved !== false : true,
  })).filter((m) => m.time);
  drawChart();
}

function parseInsightTime(id) {
  const parts = String(id).split(':');
  const t = Number(parts[parts.length - 1]);
  return Number.isFinite(t) ? t : 0;
}

function onCandle(d) {
  if (d.symbol !== state.symbol || d.interval !== state.interval) return;
  const cs = state.candles;
  if (cs.length && cs[cs.length - 1].open_time === d.open_time) cs[cs.length - 1] = d;
  else if (!cs.length || d.open_time > cs[cs.length - 1].open_time) cs.push(d);
  while (cs.length > 120) cs.shift();
  drawChart();
}

function onInsight(d) {
  if (d.symbol !== state.symbol) return;
  state.markers.push({ time: d.time, direction: d.direction, approved: d.approved });
  if (state.markers.length > 400) state.markers.shift();
  drawChart();
}

function drawChart() {
  const canvas = $('chart');
  const ratio = window.devicePixelRatio || 1;
  const w = canvas.clientWidth, h = canvas.clientHeight;
  canvas.width = w * ratio;
  canvas.height = h * ratio;
  const g = canvas.getContext('2d');
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, w, h);
  const cs = state.candles;
  if (!cs.length) {
    g.fillStyle = '#8a96a8';
    g.font = '13px system-ui';
    g.fillText('no candles stored for this series yet', 16, 24);
    $('last-price').textContent = '';
    return;
  }
  const padR = 64, padT = 10, padB = 22, volH = 50;
  let lo = Infinity, hi = -Infinity, vmax = 0;
  for (const c of cs) { lo = Math.min(lo, c.low); hi = Math.max(hi, c.high); vmax = Math.max(vmax, c.volume); }
  if (hi === lo) { hi += 1; lo -= 1; }
  const plotH = h - padT - padB - volH;
  const step = (w - padR) / cs.length;
  const y = (p) => padT + (hi - p) / (hi - lo) * plotH;
  // grid + price labels
  g.strokeStyle = '#1c232d';
  g.fillStyle = '#8a96a8';
  g.font = '11px ' + getComputedStyle(document.body).getPropertyValue('--mono');
  for (let i = 0; i <= 4; i++) {
    const p = lo + (hi - lo) * i / 4, yy = y(p);
    g.beginPath(); g.moveTo(0, yy); g.lineTo(w - padR, yy); g.stroke();
    g.fillText(fmtPrice(p), w - padR + 4, yy + 4);
  }
  const index = new Map(cs.map((c, i) => [c.open_time, i]));
  cs.forEach((c, i) => {
    const x = i * step + step / 2;
    const up = c.close >= c.open;
    g.strokeStyle = g.fillStyle = up ? '#3fb950' : '#f85149';
    g.beginPath(); g.moveTo(x, y(c.high)); g.lineTo(x, y(c.low)); g.stroke();
    const top = y(Math.max(c.open, c.close)), bot = y(Math.min(c.open, c.close));
    g.fillRect(x - Math.max(1, step * 0.35), top, Math.max(2, step * 0.7), Math.max(1, bot - top));
    g.globalAlpha = 0.35;
    const vh = vmax ? c.volume / vmax * (volH - 6) : 0;
    g.fillRect(x - Math.max(1, step * 0.35), h - padB - vh, Math.max(2, step * 0.7), vh);
    g.globalAlpha = 1;
  });
  // insight markers
  for (const m of state.markers) {
    const i = index.get(m.time);
    if (i === undefined) continue;
    const c = cs[i], x = i * step + step / 2;
    const long = m.direction === 'long';
    g.fillStyle = !m.approved ? '#8a96a8' : long ? '#3fb950' : '#f85149';
    g.beginPath();
    if (long) { const yy = y(c.low) + 12; g.moveTo(x, yy - 8); g.lineTo(x - 5, yy); g.lineTo(x + 5, yy); }
    else { const yy = y(c.high) - 12; g.moveTo(x, yy + 8); g.lineTo(x - 5, yy); g.lineTo(x + 5, yy); }
    g.closePath();
    if (m.approved) g.fill(); else { g.strokeStyle = g.fillStyle; g.stroke(); }
  }
  // time axis
  g.fillStyle = '#8a96a8';
  for (let i = 0; i < cs.length; i += Math.max(1, Math.floor(cs.length / 6))) {
    g.fillText(fmtTime(cs[i].open_time).substr(0, 5), i * step, h - 6);
  }
  const last = cs[cs.length - 1];
  $('last-price').textContent = fmtPrice(last.close);
}
$('symbol').addEventListener('change', (e) => selectSymbol(e.target.value).catch((x) => toast(x.message, true)));
let symbolTimer = null;
$('symbol-find').addEventListener('input', () => {
  clearTimeout(symbolTimer);
  symbolTimer = setTimeout(() => loadSeries().catch((x) => toast(x.message, true)), 250);
});
window.addEventListener('resize', drawChart);

// -- content ---------------------------------------------------------------------------------

async function loadQueue() {
  const st = $('content-state').value;
  const r = await api('/api/v1/content?state=' + st + '&limit=50');
  const canOperate = roles[state.role] >= roles.operator;
  const items = r.items.map((p) => {
    const text = p.payload && typeof p.payload === 'object' ? (p.payload.text || p.payload.title || '') : '';
    const buttons = el('div', { class: 'buttons' });
    if (canOperate && st !== 'rejected') {
      if (st !== 'scheduled' && st !== 'planned') {
        buttons.append(el('button', { type: 'button', dataset: { act: 'approve', id: p.id } }, 'approve'));
      }
      buttons.append(el('button', { type: 'button', class: 'ghost', dataset: { act: 'reject', id: p.id } }, 'reject'));
    }
    const when = p.scheduled_at ? ' · for ' + new Date(p.scheduled_at).toISOString().replace('T', ' ').substr(0, 16) : '';
    return el('li', { dataset: { id: p.id } },
      el('div', { class: 'meta' }, p.channel + ' · ' + p.kind + ' · ' + p.state + when + ' · ' + p.id),
      el('div', { class: 'text' }, text),
      buttons);
  });
  $('queue').replaceChildren(...(items.length ? items : [el('li', { class: 'empty' }, 'nothing ' + st.replace('_', ' '))]));
}

$('queue').addEventListener('click', async (ev) => {
  const b = ev.target.closest('button[data-act]');
  if (!b) return;
  b.disabled = true;
  try {
    const r = await api('/api/v1/content/' + encodeURIComponent(b.dataset.id) + '/' + b.dataset.act, { method: 'POST' });
    toast(r.id + ': ' + r.action + 'd (' + r.state + ')');
    await loadQueue();
  } catch (e) {
    toast(b.dataset.act + ': ' + e.message, true);
    b.disabled = false;
  }
});
$('content-state').addEventListener('change', () => loadQueue().catch((x) => toast(x.message, true)));

// -- replies (the engagement agent's ledger) -------------------------------------------------

async function loadReplies() {
  const st = $('reply-state').value;
  const r = await api('/api/v1/replies?state=' + st + '&limit=50');
  const canOperate = roles[state.role] >= roles.operator;
  const held = st === 'pending_approval' || st === 'in_doubt' || st === 'failed';
  const items = r.items.map((x) => {
    const buttons = el('div', { class: 'buttons' });
    if (canOperate && held) {
      buttons.append(el('button', { type: 'button', dataset: { act: 'approve', id: x.id } }, 'approve'));
      buttons.append(el('button', { type: 'button', class: 'ghost', dataset: { act: 'reject', id: x.id } }, 'reject'));
    }
    const when = new Date(x.updated_at).toISOString().replace('T', ' ').substr(0, 16);
    const why = x.rule ? ' · ' + x.rule : (x.error ? ' · ' + x.error : '');
    // Texts are set as text nodes (el): whatever people wrote stays text.
    return el('li', { dataset: { id: x.id } },
      el('div', { class: 'meta' }, x.platform + ' · ' + x.intent + ' · ' + x.state + why + ' · ' + when + ' · ' + x.id),
      el('div', { class: 'text' }, x.text || ''),
      buttons);
  });
  $('replies').replaceChildren(...(items.length ? items : [el('li', { class: 'empty' }, 'nothing ' + st.replace('_', ' '))]));
}

$('replies').addEventListener('click', async (ev) => {
  const b = ev.target.closest('button[data-act]');
  if (!b) return;
  b.disabled = true;
  try {
    const r = await api('/api/v1/replies/' + encodeURIComponent(b.dataset.id) + '/' + b.dataset.act, { method: 'POST' });
    toast(r.id + ': ' + r.action + 'd (' + r.state + ')');
    await loadReplies();
  } catch (e) {
    toast(b.dataset.act + ': ' + e.message, true);
    b.disabled = false;
  }
});
$('reply-state').addEventListener('change', () => loadReplies().catch((x) => toast(x.message, true)));

// -- analytics (the latest metrics snapshot of each piece) ----------------------------------

async function loadAnalytics() {
  const by = $('analytics-by').value;
  const r = await api('/api/v1/analytics?by=' + encodeURIComponent(by));
  const num = (v) => (v === null || v === undefined ? 'n/a' : String(v));
  const rows = r.items.map((x) => el('tr', {},
    el('td', {}, x.key),
    el('td', { class: 'num' }, String(x.posts)),
    el('td', { class: 'num' }, num(x.impressions)),
    el('td', { class: 'num' }, String(x.engagements)),
    el('td', { class: 'num' }, x.engagement_rate === null ? 'n/a' : (100 * x.engagement_rate).toFixed(2) + '%'),
    el('td', { class: 'num' }, x.engagements_per_post.toFixed(1))));
  $('analytics').replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { colspan: '6', class: 'empty' }, 'no snapshot yet'))]));
  $('analytics-formula').textContent = r.formula;
}
$('analytics-by').addEventListener('change', () => loadAnalytics().catch((x) => toast(x.message, true)));

// -- learning (the feedback loops and the experiments) ------------------------------------

function utc(ms) { return ms ? new Date(ms).toISOString().replace('T', ' ').substr(0, 16) : ''; }

function loopResult(loop, r) {
  if (!r) return '';
  if (r.error) return 'error: ' + r.error;
  if (loop === 'ab') return r.settled + ' outcomes settled';
  if (loop === 'expiry') return r.expired ? 'version ' + r.expired + ' expired; configured weights back' : 'nothing expired';
  if (loop === 'tuning') return (r.version ? 'v' + r.version + ' ' : '') + r.decision + ': ' + r.reason;
  return JSON.stringify(r);
}

async function showReliability(scope) {
  const res = await fetch('/api/v1/performance/reliability.png?scope=' + encodeURIComponent(scope),
    { headers: { Authorization: 'Bearer ' + state.token } });
  if (!res.ok) throw new Error('reliability diagram: ' + res.status + ' ' + res.statusText);
  const url = URL.createObjectURL(await res.blob());
  const img = $('learning-reliability');
  if (img.src) URL.revokeObjectURL(img.src);
  img.src = url;
  img.alt = 'reliability diagram of ' + scope;
  img.hidden = false;
}

async function loadLearning() {
  let status = null;
  try { status = await api('/api/v1/learning'); } catch (e) { /* no coordinator on this node */ }
  const loops = status ? status.loops.map((l) => el('tr', {},
    el('td', {}, l.loop),
    el('td', {}, l.last ? utc(l.last.finished_at) : 'never'),
    el('td', {}, l.last ? l.last.status : ''),
    el('td', {}, l.last ? loopResult(l.loop, l.last.result) : ''),
    el('td', {}, l.every_ms ? utc(l.next_at) : 'off'))) : [];
  $('learning-loops').replaceChildren(...(loops.length ? loops
    : [el('tr', {}, el('td', { colspan: '5', class: 'empty' }, 'no feedback-loop coordinator on this node'))]));
  $('learning-current').textContent = status
    ? 'weights v' + status.current.version + (status.current.version ? '' : ' (configured)')
      + ' · threshold ' + status.current.threshold + ' · ' + status.proposals + ' proposals, '
      + status.trials + ' thresholds tried' + (status.auto_apply ? ' · auto-apply' : ' · propose-only')
    : 'feedback loops';
  const ex = await api('/api/v1/experiments');
  const rows = [];
  for (const e of ex.experiments) {
    for (const a of (e.arms || [])) {
      rows.push(el('tr', {},
        el('td', {}, e.id + (e.status === 'running' ? '' : ' (' + e.status + ')')),
        el('td', { title: e.warning || '' }, e.verdict + (e.verdict === 'ready' && e.leader === a.arm ? ' · leads' : '')),
        el('td', {}, a.arm + (a.control ? ' (control)' : '')),
        el('td', { class: 'num' }, String(a.exposures)),
        el('td', { class: 'num' }, (100 * a.mean).toFixed(1) + '% [' + (100 * a.ci95[0]).toFixed(1) + ', ' + (100 * a.ci95[1]).toFixed(1) + ']'),
        el('td', { class: 'num' }, a.control ? '' : (100 * a.p_beat_control).toFixed(0) + '%')));
    }
  }
  $('learning-experiments').replaceChildren(...(rows.length ? rows
    : [el('tr', {}, el('td', { colspan: '6', class: 'empty' }, 'no experiment'))]));
  const perf = await api('/api/v1/performance');
  const pct = (x) => (100 * x).toFixed(1) + '%';
  const ret = (x) => (x >= 0 ? '+' : '') + (100 * x).toFixed(3) + '%';
  const prow = Object.keys(perf.overall).map((k) => {
    const m = perf.overall[k];
    return el('tr', {},
      el('td', {}, el('a', { href: '#', title: 'show its reliability diagram', onclick: (ev) => { ev.preventDefault(); showReliability(k).catch((x) => toast(x.message, true)); } }, k)),
      el('td', { class: 'num' }, String(m.calls)),
      el('td', { class: 'num' }, m.calls ? pct(m.hit_rate) + ' [' + pct(m.ci95[0]) + ', ' + pct(m.ci95[1]) + ']' : '-'),
      el('td', { class: 'num' }, m.rows ? m.brier.toFixed(4) : '-'),
      el('td', { class: 'num' }, ret(m.long_return) + ' / ' + ret(m.short_return) + ' / ' + ret(m.buy_hold)));
  });
  $('learning-performance').replaceChildren(...(prow.length ? prow
    : [el('tr', {}, el('td', { colspan: '5', class: 'empty' }, 'no resolved outcome yet'))]));
}

async function loadPublished() {
  const r = await api('/api/v1/published?limit=30');
  const items = r.items.map((p) => {
    const title = p.title || p.id; // the server names a piece by its title
    return el('li', { dataset: { id: p.id, plan: p.plan_id || '' } },
      p.url ? el('a', { href: p.url, target: '_blank', rel: 'noopener', title: p.id }, title)
        : el('span', { title: p.id }, title),
      el('div', { class: 'meta' }, p.channel + (p.kind ? ' · ' + p.kind : '') + ' · '
        + new Date(p.published_at).toISOString().replace('T', ' ').substr(0, 19) + 'Z'));
  });
  $('published').replaceChildren(...(items.length ? items : [el('li', { class: 'empty' }, 'nothing published yet')]));
}

// -- cluster ----------------------------------------------------------------------------------

async function loadCluster() {
  const r = await api('/api/v1/cluster');
  const rows = r.nodes.map((n) => el('tr', { dataset: { node: n.name },
    class: n.name === state.clusterNode ? 'selected' : '' },
    el('td', {}, n.name), el('td', {}, (n.roles || []).join(', ')),
    el('td', { class: 'status-' + n.status, title: n.down_reason || n.seen_by || '' }, n.status),
    el('td', {}, n.address || ''), el('td', {}, n.version || ''),
    el('td', {}, n.up_since ? new Date(n.up_since).toISOString().replace('T', ' ').substr(0, 19) : ''),
    el('td', {}, String(n.agents_running || 0)), el('td', {}, String((n.series || []).length))));
  $('cluster-body').replaceChildren(...rows);
  $('cluster-legend').textContent = r.nodes.filter((n) => n.status === 'up').length + ' of '
    + r.nodes.length + ' node(s) up; click a node for its agents';
  $('cluster-leases').textContent = r.leases.length
    ? 'leases: ' + r.leases.map((l) => l.name + ' held by ' + l.holder + ' (epoch ' + l.epoch + ')').join('; ')
    : 'no leases';
  if (state.clusterNode) await loadClusterAgents(state.clusterNode);
}

async function loadClusterAgents(node) {
  const r = await api('/api/v1/cluster/agents?node=' + encodeURIComponent(node));
  const items = r.agents.map((a) => el('li', { class: a.status === 'running' ? '' : 'status-down',
    title: a.kind + (a.last_exit_reason ? ', last exit: ' + a.last_exit_reason : '') },
  a.path + (a.restarts ? ' (' + a.restarts + ' restarts)' : '')));
  $('cluster-agents').replaceChildren(...(items.length ? items
    : [el('li', { class: 'empty' }, 'no agents registered for ' + node + ' (cluster nodes write agent_registry; this node\'s own tree is above)')]));
}

$('cluster-body').addEventListener('click', (ev) => {
  const tr = ev.target.closest('tr');
  if (!tr) return;
  state.clusterNode = tr.dataset.node;
  loadCluster().catch((x) => toast(x.message, true));
});

// -- event stream ----------------------------------------------------------------------------

function connect() {
  if (state.source) state.source.close();
  const src = new EventSource('/api/v1/events?access_token=' + encodeURIComponent(state.token));
  state.source = src;
  const pill = $('stream');
  src.onopen = () => { pill.textContent = 'live'; pill.className = 'pill pill-ok'; };
  src.onerror = () => { pill.textContent = 'reconnecting'; pill.className = 'pill pill-bad'; };
  const on = (type, f) => src.addEventListener(type, (e) => {
    try { f(JSON.parse(e.data)); } catch (x) { console.error(type, x); }
  });
  on('actors', onActors);
  on('candle', onCandle);
  on('signal', (d) => pushFeed('signal', d));
  on('insight', (d) => { pushFeed('insight', d); onInsight(d); });
  on('post', (d) => { pushFeed('post', d); loadPublished().catch(() => {}); loadQueue().catch(() => {}); });
  on('restart', (d) => pushFeed('restart', d));
  // Logged warnings and errors arrive as "log": an SSE event named "error"
  // would fire EventSource's own onerror.
  on('log', (d) => pushFeed('log', d));
  // Alertmanager's notifications, posted to /api/v1/alerts.
  on('alert', (d) => pushFeed('alert', d));
}

// -- start ------------------------------------------------------------------------------------

async function start() {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromHash) {
    state.token = fromHash;
    localStorage.setItem('herald.token', fromHash);
    history.replaceState(null, '', location.pathname);
  }
  if (!state.token) return showLogin('');
  try {
    await loadInfo();
  } catch (e) {
    return showLogin(e.status === 401 ? 'That token was not accepted.' : e.message);
  }
  $('login').classList.add('hidden');
  $('console').classList.remove('hidden');
  connect();
  const first = await api('/api/v1/actors');
  onActors({ actors: first.items });
  fetch('/ready').then((r) => r.json()).then(renderHealth).catch(() => {});
  await Promise.all([loadSeries(), loadQueue(), loadReplies(), loadAnalytics(), loadLearning(), loadPublished(), loadCluster()].map((p) => p.catch((e) => toast(e.message, true))));
  setInterval(() => { loadCluster().catch(() => {}); }, 3000);
  setInterval(() => { loadInfo().catch(() => {}); }, 10000);
  setInterval(() => { loadQueue().catch(() => {}); loadReplies().catch(() => {}); }, 5000);
  setInterval(() => loadAnalytics().catch(() => {}), 60000);
  setInterval(() => loadLearning().catch(() => {}), 30000);
  setInterval(() => { if (!state.candles.length) loadSeries().catch(() => {}); }, 5000);
}

function showLogin(message) {
  $('console').classList.add('hidden');
  $('login').classList.remove('hidden');
  $('login-error').textContent = message;
}

$('login-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  state.token = $('token-input').value.trim();
  localStorage.setItem('herald.token', state.token);
  start();
});
$('logout').addEventListener('click', () => {
  localStorage.removeItem('herald.token');
  state.token = '';
  if (state.source) state.source.close();
  showLogin('');
});

start();
