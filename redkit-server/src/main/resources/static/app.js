// Redkit dashboard: asks for an admin login, then polls the server's JSON API every 2 s. No
// libraries, no CDN, no inline script. Everything user-supplied is written with textContent,
// never innerHTML. Nothing is fetched or shown before an admin has logged in.
'use strict';

const POLL_MS = 2000;
const HISTORY = 150;                 // points kept for the hit-ratio chart
const hitHistory = new Map();        // cache name -> [ratio]
let selectedQueue = null;
let timer = null;                    // the polling interval while an admin is logged in

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c == null ? '' : String(c)));
  return e;
}

async function getJson(path, options) {
  const r = await fetch(path, Object.assign({ headers: { 'Accept': 'application/json' } }, options || {}));
  let body = null;
  try { body = await r.json(); } catch (e) { body = null; }
  if (timer !== null && (r.status === 401 || r.status === 403) && !path.startsWith('/api/auth/')) {
    showLogin('Your session ended or lost its admin rights: log in again.');
  }
  return { status: r.status, ok: r.ok, body };
}

function showLogin(message) {
  if (timer !== null) { clearInterval(timer); timer = null; }
  document.getElementById('dashboard').hidden = true;
  document.getElementById('overall').hidden = true;
  document.getElementById('logout').hidden = true;
  document.getElementById('who').textContent = '';
  document.getElementById('updated').textContent = '';
  document.getElementById('login-section').hidden = false;
  document.getElementById('login-error').textContent = message || '';
}

function showDashboard(user) {
  document.getElementById('login-section').hidden = true;
  document.getElementById('login-password').value = '';
  document.getElementById('dashboard').hidden = false;
  document.getElementById('overall').hidden = false;
  document.getElementById('logout').hidden = false;
  document.getElementById('who').textContent = user.email;
  if (timer === null) {
    timer = setInterval(tick, POLL_MS);
    tick();
  }
}

/** Shows the dashboard for an admin's session, else the login form (saying why, when it is not an admin's). */
async function start() {
  const { status, body } = await getJson('/api/me');
  if (status === 200 && body && body.user && body.user.admin) showDashboard(body.user);
  else if (status === 200 && body && body.user) showLogin(body.user.email + ' is not an admin: log in with an admin account.');
  else showLogin('');
}

async function login(event) {
  event.preventDefault();
  const email = document.getElementById('login-email').value;
  const password = document.getElementById('login-password').value;
  const { status, body } = await getJson('/api/auth/login', {
    method: 'POST',
    headers: { 'Accept': 'application/json', 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (status === 200 && body && body.user && body.user.admin) showDashboard(body.user);
  else if (status === 200) showLogin(email + ' is not an admin: the dashboard is for admins only.');
  else showLogin((body && body.message) || ('login failed (' + status + ')'));
}

async function logout() {
  await fetch('/api/auth/logout', { method: 'POST' });
  location.reload(); // a fresh page: nothing of the dashboard stays in the document
}

function unavailable(tbody, cols, what) {
  tbody.replaceChildren(el('tr', {}, el('td', { colspan: cols, class: 'unavailable' }, what)));
}

async function refreshHealth() {
  const { status, body } = await getJson('/health/ready');
  const overall = document.getElementById('overall');
  overall.textContent = status === 200 ? 'ready' : 'degraded';
  overall.className = 'badge ' + (status === 200 ? 'up' : 'down');
  const box = document.getElementById('health');
  box.replaceChildren(...((body && body.checks) || []).map(c => el('div', { class: 'card' },
    el('div', { class: 'title' }, c.name + ' ', el('span', { class: 'status-' + c.status }, c.status)),
    el('div', { class: 'muted' }, c.latencyMillis != null ? c.latencyMillis.toFixed(2) + ' ms' : (c.error || '')),
    c.usedMemoryBytes != null ? el('div', {}, 'memory ' + (c.usedMemoryBytes / 1048576).toFixed(1) + ' MiB'
      + (c.maxMemoryBytes ? ' of ' + (c.maxMemoryBytes / 1048576).toFixed(0) + ' MiB' : '')
      + (c.evictionPolicy ? ', ' + c.evictionPolicy : '')) : '')));
  const doctor = await getJson('/api/doctor');
  const ul = document.getElementById('warnings');
  ul.replaceChildren(...((doctor.body && doctor.body.warnings) || []).map(w =>
    el('li', {}, '[' + w.namespace + '] ' + w.code + ': ' + w.message + ' Fix: ' + w.fix)));
}

async function refreshQueues() {
  const tbody = document.querySelector('#queues tbody');
  const { ok, body } = await getJson('/api/queues');
  if (!ok || !body) { unavailable(tbody, 10, 'queues unavailable'); return; }
  const queues = body.queues || [];
  tbody.replaceChildren(...queues.map(q => {
    const c = q.counts || {};
    const perMin = q.throughputPerMinute || [];
    return el('tr', { 'data-queue': q.name },
      el('td', {}, q.name),
      ...['waiting', 'delayed', 'active', 'retrying', 'completed', 'dead'].map(s => el('td', { class: 'num', 'data-state': s }, c[s] ?? 0)),
      el('td', {}, q.paused ? 'yes' : 'no'),
      el('td', { class: 'num' }, perMin.length ? perMin[perMin.length - 1] : 0),
      el('td', {}, el('button', { onclick: () => selectQueue(q.name) }, 'jobs')));
  }));
  drawBars(document.getElementById('throughput'), queues.length ? (queues.find(q => q.name === selectedQueue) || queues[0]).throughputPerMinute || [] : []);
  if (selectedQueue) await refreshJobs();
}

function selectQueue(name) {
  selectedQueue = name;
  document.getElementById('jobs-panel').hidden = false;
  document.getElementById('jobs-queue').textContent = name;
  document.getElementById('job-detail').hidden = true;
  refreshJobs();
}

async function refreshJobs() {
  const state = document.getElementById('jobs-state').value;
  const tbody = document.querySelector('#jobs tbody');
  const { ok, body } = await getJson('/api/queues/' + encodeURIComponent(selectedQueue) + '/jobs?state=' + state + '&size=50');
  if (!ok || !body) { unavailable(tbody, 5, 'jobs unavailable'); return; }
  tbody.replaceChildren(...(body.items || []).map(j => el('tr', { 'data-job': j.id },
    el('td', {}, el('a', { href: '#', onclick: (e) => { e.preventDefault(); showJob(j.id); } }, j.id)),
    el('td', {}, j.type),
    el('td', { class: 'num' }, j.attempts),
    el('td', {}, j.lastError || ''),
    el('td', {},
      state === 'dead' ? el('button', { class: 'retry', onclick: () => act('POST', j.id, 'retry') }, 'retry') : '',
      ' ', el('button', { class: 'remove', onclick: () => act('DELETE', j.id, '') }, 'remove')))));
}

async function showJob(id) {
  const { body } = await getJson('/api/queues/' + encodeURIComponent(selectedQueue) + '/jobs/' + encodeURIComponent(id));
  const pre = document.getElementById('job-detail');
  pre.textContent = JSON.stringify(body, null, 2);
  pre.hidden = false;
}

async function act(method, id, suffix) {
  const path = '/api/queues/' + encodeURIComponent(selectedQueue) + '/jobs/' + encodeURIComponent(id) + (suffix ? '/' + suffix : '');
  await fetch(path, { method });
  await refreshQueues();
}

async function refreshCaches() {
  const tbody = document.querySelector('#caches tbody');
  const { ok, body } = await getJson('/api/cache/stats');
  if (!ok || !body) { unavailable(tbody, 7, 'cache statistics unavailable'); return; }
  const caches = body.caches || [];
  tbody.replaceChildren(...caches.map(c => {
    const h = hitHistory.get(c.name) || [];
    h.push(c.hitRatio || 0);
    if (h.length > HISTORY) h.shift();
    hitHistory.set(c.name, h);
    return el('tr', {}, el('td', {}, c.name), el('td', { class: 'num' }, c.hits), el('td', { class: 'num' }, c.misses),
      el('td', { class: 'num' }, ((c.hitRatio || 0) * 100).toFixed(1) + ' %'), el('td', { class: 'num' }, c.nearHits ?? 0),
      el('td', { class: 'num' }, c.loads ?? 0), el('td', { class: 'num' }, c.databaseQueriesSaved ?? 0));
  }));
  drawLines(document.getElementById('hitratio'), [...hitHistory.values()]);
}

async function refreshLimits() {
  const tbody = document.querySelector('#limits tbody');
  const { ok, body } = await getJson('/api/ratelimits');
  if (!ok || !body) { unavailable(tbody, 5, 'rate limits unavailable'); return; }
  tbody.replaceChildren(...(body.policies || []).map(p => el('tr', {},
    el('td', {}, p.name), el('td', {}, p.limit), el('td', { class: 'num' }, p.allowed ?? 0), el('td', { class: 'num' }, p.denied ?? 0),
    el('td', {}, (p.topKeys || []).map(k => k.key + ' (' + k.denied + ')').join(', ')))));
}

async function refreshSessions() {
  const box = document.getElementById('sessions');
  const { ok, body } = await getJson('/api/sessions/stats');
  if (!ok || !body) { box.replaceChildren(el('div', { class: 'unavailable' }, 'sessions unavailable')); return; }
  box.replaceChildren(el('div', { class: 'card' }, el('div', { class: 'title' }, 'active sessions'), el('div', {}, body.active ?? 0)));
}

function drawBars(canvas, values) {
  const ctx = canvas.getContext('2d');
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const max = Math.max(1, ...values);
  const w = canvas.width / Math.max(60, values.length);
  ctx.fillStyle = '#0969da';
  values.forEach((v, i) => { const h = (v / max) * (canvas.height - 20); ctx.fillRect(i * w + 1, canvas.height - h, w - 2, h); });
  ctx.fillStyle = '#57606a';
  ctx.fillText('jobs/min, last hour (max ' + max + ')', 6, 12);
}

function drawLines(canvas, series) {
  const ctx = canvas.getContext('2d');
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const colors = ['#0969da', '#1a7f37', '#9a6700', '#cf222e', '#8250df'];
  series.forEach((s, n) => {
    ctx.strokeStyle = colors[n % colors.length];
    ctx.beginPath();
    s.forEach((v, i) => { const x = i * canvas.width / HISTORY, y = canvas.height - v * (canvas.height - 10) - 5; i ? ctx.lineTo(x, y) : ctx.moveTo(x, y); });
    ctx.stroke();
  });
  ctx.fillStyle = '#57606a';
  ctx.fillText('hit ratio (0-100 %)', 6, 12);
}

async function tick() {
  await Promise.allSettled([refreshHealth(), refreshQueues(), refreshCaches(), refreshLimits(), refreshSessions()]);
  document.getElementById('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
}

document.getElementById('jobs-state').addEventListener('change', refreshJobs);
document.getElementById('login-form').addEventListener('submit', login);
document.getElementById('logout').addEventListener('click', logout);
start();
