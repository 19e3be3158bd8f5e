// treadmill-console's page: plain JS, one WebSocket to the console (status in, commands out).
'use strict';

const $ = (id) => document.getElementById(id);
const MOVING = ['countdown', 'running', 'paused', 'stopping'];
const SCREENS = ['run', 'programs', 'editor', 'history'];
const FAULT_WORDS = {
  safety_key: ['Safety key out', 'Put the safety key back on the console, then press Reset.'],
  comm_loss: ['Lost contact with the treadmill', 'Check the cable to the motor drive and the incline board, then press Reset.'],
  protocol: ['The treadmill answered wrongly', 'Check the wiring and the configuration, then press Reset.'],
  board_failure: ['A board reported a failure', 'Switch the treadmill off and on, then press Reset.'],
  board_config: ['A board is configured wrongly', 'Check the drive parameters against the manual.'],
  overspeed: ['The belt ran faster than commanded', 'Stay off the belt and call service if it happens again.'],
  reverse: ['The belt ran backwards', 'Stay off the belt and call service.'],
  belt_stall: ['The belt stalled', 'Check that nothing blocks the belt, then press Reset.'],
  incline_stall: ['The incline did not move', 'Check that nothing blocks the deck, then press Reset.'],
  drive_fault: ['The motor drive reported a fault', 'Note the drive code, wait for the belt to stop, then press Reset.'],
  drive_state: ['The motor drive changed state by itself', 'Press Reset; call service if it happens again.'],
  incline_fault: ['The incline board reported a fault', 'Press Reset; call service if it happens again.'],
  loop_stall: ['The controller stalled', 'Press Reset; report it with the daemon log.'],
  estop: ['Emergency stop', 'Make sure everyone is clear of the belt, then press Reset.'],
  internal: ['Internal error', 'Press Reset and report it with the daemon log.'],
};
const ERROR_WORDS = {
  refused: 'Not now', bad_value: 'Not accepted', bad_request: 'Not understood',
  unknown_command: 'Not supported by this treadmilld', internal: 'Internal error in treadmilld',
  unavailable: 'Not connected', bad_json: 'Not understood',
};

let ws = null;
let role = 'viewer';
let units = 'metric';
let status = null;
let statusAt = 0;
let daemonUp = false;
let nextId = 1;
const pending = new Map();
let timeline = null;
let timelineKey = '';
let session = null;
let selectedProgram = null;
const programTags = new Map();  // id → tags, from `programs`
let tab = 'run';

// ---- formatting ----
const pad = (n) => String(n).padStart(2, '0');
function clock(s) {
  if (s == null) return '–';
  s = Math.max(0, Math.floor(s));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  return h ? `${h}:${pad(m)}:${pad(r)}` : `${m}:${pad(r)}`;
}
const imperial = () => units === 'imperial';
const KM_PER_MI = 1.609344;
function distance(m) {
  if (m == null) return '–';
  return imperial() ? `${(m / 1000 / KM_PER_MI).toFixed(2)} mi` : `${(m / 1000).toFixed(2)} km`;
}
function pace(sPerKm) {
  if (sPerKm == null) return '–';
  return imperial() ? `${clock(sPerKm * KM_PER_MI)}/mi` : `${clock(sPerKm)}/km`;
}
function speed(kmh) {
  if (kmh == null) return '–';
  return imperial() ? `${(kmh / KM_PER_MI).toFixed(1)} mph` : `${kmh.toFixed(1)} km/h`;
}
const pct = (p) => (p == null ? '–' : `${p.toFixed(1)} %`);
function sentence(err) {
  if (!err) return 'Something went wrong';
  const head = ERROR_WORDS[err.code] || 'Error';
  return `${head}: ${err.message}`;
}
let toastTimer = 0;
function toast(text) {
  const t = $('toast');
  t.textContent = text;
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, 5000);
}

// ---- connection ----
function banner(text) {
  const b = $('banner');
  b.hidden = !text;
  b.textContent = text || '';
}
function show(id) {
  for (const s of ['pair-screen', 'connecting-screen']) $(s).hidden = s !== id;
  $('app').hidden = id !== 'app';
}

async function boot() {
  let res;
  try {
    res = await fetch('/api/me', { cache: 'no-store' });
  } catch (e) {
    banner('Disconnected from the console; trying again…');
    return setTimeout(boot, 2000);
  }
  if (res.status === 401) {
    banner('');
    show('pair-screen');
    $('pin').focus();
    return;
  }
  if (res.status !== 200) {
    show('connecting-screen');
    banner('Console disconnected from treadmilld; waiting for it…');
    return setTimeout(boot, 2000);
  }
  connect();
}

function connect() {
  if (!status) show('connecting-screen');
  ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
  ws.onmessage = (ev) => onMessage(JSON.parse(ev.data));
  ws.onclose = () => {
    ws = null;
    for (const [, p] of pending) p({ ok: false, error: { code: 'unavailable', message: 'the connection closed' } });
    pending.clear();
    banner('Disconnected from the console; trying again…');
    setTimeout(boot, 1000);
  };
}

function onMessage(m) {
  if (m.t === 'hello') {
    role = m.role;
    document.body.dataset.role = role;
    for (const el of document.querySelectorAll('.runner-only')) el.hidden = role !== 'runner';
    show('app');
    selectTab(tab);
  } else if (m.t === 'link') {
    daemonUp = m.up;
    banner(m.up ? '' : 'Console disconnected from treadmilld; waiting for it to come back…');
    if (!m.up) render();
  } else if (m.t === 'status') {
    if (!m.msg || !m.msg.status) return;
    daemonUp = true;
    banner('');
    status = m.msg.status;
    statusAt = performance.now();
    render();
  } else if (m.t === 'reply') {
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (p) p(m.msg);
  }
}

// Commands that only read: refused by the console's rate limit, they are sent again after its
// retry_after_ms (a screen asks for a few things at once). Never a command that moves the belt.
const READS = new Set(['status', 'session', 'programs', 'show', 'validate', 'history', 'history_show', 'bests', 'progress', 'export']);

// Sends an API command; resolves with the reply ({ok, …} or {ok:false, error}).
async function send(cmd, args = {}) {
  for (let attempt = 1; ; attempt++) {
    const r = await sendOnce(cmd, args);
    const wait = !r.ok && r.error && r.error.retry_after_ms;
    if (!wait || !READS.has(cmd) || attempt >= 8) return r;
    await new Promise((resume) => setTimeout(resume, wait));
  }
}
function sendOnce(cmd, args) {
  return new Promise((resolve) => {
    if (!ws || ws.readyState !== WebSocket.OPEN)
      return resolve({ ok: false, error: { code: 'unavailable', message: 'not connected; nothing was sent' } });
    const id = nextId++;
    pending.set(id, resolve);
    ws.send(JSON.stringify({ id, cmd, ...args }));
  });
}
async function act(cmd, args) {
  const r = await send(cmd, args);
  if (!r.ok) toast(sentence(r.error));
  return r;
}

// ---- rendering ----
function render() {
  const s = status;
  if (!s) return;
  units = s.units || 'metric';
  const moving = MOVING.includes(s.state);
  $('state-label').textContent = daemonUp ? s.state + (s.reset_pending ? ' (reset pending)' : '') : 'disconnected';
  $('moving-controls').hidden = !moving;
  const focused = document.activeElement;
  $('pause').hidden = !(s.state === 'running' || s.state === 'countdown');
  $('resume').hidden = s.state !== 'paused' || role !== 'runner';
  // Pause and Resume take each other's place: the keyboard's focus goes with them.
  if (focused === $('pause') && $('pause').hidden && !$('resume').hidden) $('resume').focus();
  if (focused === $('resume') && $('resume').hidden && !$('pause').hidden) $('pause').focus();
  $('skip').hidden = role !== 'runner' || !(s.state === 'running' || s.state === 'paused');
  const unit = imperial() ? 'mph' : 'km/h';
  document.querySelector('[data-speed="1"]').setAttribute('aria-label', `Plus 1 ${unit}`);
  document.querySelector('[data-speed="-1"]').setAttribute('aria-label', `Minus 1 ${unit}`);

  const fault = s.state === 'fault' && s.fault;
  $('fault-screen').hidden = !fault;
  for (const t of SCREENS) $(`${t}-screen`).hidden = !!fault || tab !== t;
  if (fault) {
    const words = FAULT_WORDS[s.fault.code] || [s.fault.code, 'Press Reset when it is safe.'];
    $('fault-title').textContent = words[0];
    $('fault-message').textContent = s.fault.message + (s.fault.board_code != null ? ` (code ${s.fault.board_code})` : '');
    $('fault-advice').textContent = words[1];
    $('reset').hidden = role !== 'runner' || s.fault.resettable === false || s.reset_pending;
  }

  renderStateNotice(s.state);
  renderMaintenance(s.maintenance_due || []);
  keepScreenAwake(moving);

  const cd = $('countdown');
  cd.hidden = s.state !== 'countdown' || s.countdown_s == null;
  if (!cd.hidden) $('countdown-n').textContent = String(Math.max(1, Math.ceil(s.countdown_s)));

  $('m-elapsed').textContent = clock(s.elapsed_s);
  $('m-distance').textContent = distance(s.distance_m);
  $('m-pace').textContent = pace(s.pace_s_per_km);
  $('m-speed').textContent = speed(s.speed.actual_kmh ?? s.speed.target_kmh);
  $('m-incline').textContent = pct(s.incline.actual_pct ?? s.incline.target_pct);
  renderStep(s);
  historyStatus(s);  // history.js
  const key = s.program ? `${s.program.id}|${(s.program.seeds || []).join(',')}` : '';
  if (key !== timelineKey) {
    timelineKey = key;
    timeline = null;
    if (key) loadTimeline(s.program.id);
  }
  drawChart($('run-chart'), timeline, s.elapsed_s);
}

const STATE_NOTICES = {
  paused: 'Paused — press Resume to go on',
  stopping: 'Stopping — the belt is slowing down',
};
// The two states a runner must not mistake for running, in a band above the figures.
function renderStateNotice(state) {
  const n = $('state-notice');
  const text = daemonUp ? STATE_NOTICES[state] : undefined;
  n.hidden = !text;
  n.className = `state-notice ${text ? state : ''}`;
  if (text && n.textContent !== text) n.textContent = text;
}

const MAINTENANCE_WORDS = { lubrication: 'lubricate the belt', service: 'service the treadmill' };
// The daemon's status.maintenance_due (docs/fleet.md, "Maintenance"), for the gym's staff.
function renderMaintenance(due) {
  const m = $('maintenance');
  m.hidden = due.length === 0;
  const text = `Maintenance due: ${due.map((d) => MAINTENANCE_WORDS[d] || d).join(', ')} ` +
    '(then record it with treadmillctl service --done).';
  if (!m.hidden && m.textContent !== text) m.textContent = text;
}

// Keeps a tablet's screen on while the belt can move (the Screen Wake Lock API: secure contexts
// only, i.e. localhost or the console over TLS; elsewhere the tablet's own settings decide).
let wakeLock = null;
let wantAwake = false;
async function keepScreenAwake(want) {
  wantAwake = want;
  if (!('wakeLock' in navigator)) return;
  if (want && !wakeLock && document.visibilityState === 'visible') {
    try {
      wakeLock = await navigator.wakeLock.request('screen');
      wakeLock.addEventListener('release', () => { wakeLock = null; });
    } catch (e) {
      wakeLock = null;  // refused (battery saver, not allowed): the screen follows its settings
    }
  } else if (!want && wakeLock) {
    const lock = wakeLock;
    wakeLock = null;
    lock.release().catch(() => {});
  }
}
// The browser drops the lock when the page is hidden; take it again when it comes back.
document.addEventListener('visibilitychange', () => keepScreenAwake(wantAwake));

function renderStep(s) {
  const st = s.step;
  $('step').hidden = !st;
  if (!st) return;
  $('step-class').textContent = st.class;
  $('step-rep').textContent = st.rep != null ? `rep ${st.rep} of ${st.reps}` : '';
  $('step-cue').textContent = st.cue || '';
  // A distance step shows the metres left (and the time they take); a time step the time.
  const metres = st.remaining_m != null ? `${Math.ceil(st.remaining_m)} m` : '';
  const time = st.remaining_s != null ? clock(st.remaining_s) : '';
  $('step-left').textContent = `${[metres, time].filter(Boolean).join(' · ')} left`;
  const planned = timeline && timeline.steps[st.index];
  let frac = 0;
  if (planned && st.remaining_m != null && planned.distance_m > 0) frac = 1 - st.remaining_m / planned.distance_m;
  else if (planned && planned.duration_s > 0 && st.remaining_s != null) frac = 1 - st.remaining_s / planned.duration_s;
  $('step-bar').style.width = `${Math.round(Math.min(1, Math.max(0, frac)) * 100)}%`;
  const next = timeline && timeline.steps[st.index + 1];
  $('step-next').textContent = next ? `Next: ${next.class}${next.cue ? ' — ' + next.cue : ''}` : (timeline ? 'Last step' : '');
}

async function loadTimeline(id) {
  const r = await send('session');
  if (r.ok && r.session && r.session.program) {
    timeline = r.session.program;
    session = r.session;
    renderLaps();
  } else {
    const shown = await send('show', { program: id });
    if (shown.ok) timeline = shown.program;
  }
  render();
}

async function refreshSession() {
  if (!status || !MOVING.includes(status.state) && status.state !== 'idle') return;
  if (document.hidden || tab !== 'run') return;
  const r = await send('session');
  if (r.ok) { session = r.session; renderLaps(); }
}

function renderLaps() {
  const laps = (session && session.laps) || [];
  $('laps').hidden = laps.length === 0;
  const body = $('laps').querySelector('tbody');
  body.replaceChildren(...laps.map((l) => {
    const tr = document.createElement('tr');
    for (const v of [l.rep != null ? `${l.rep}` : l.kind, clock(l.time_s), distance(l.distance_m), pace(l.avg_pace_s_per_km)]) {
      const td = document.createElement('td');
      td.textContent = v;
      tr.append(td);
    }
    return tr;
  }));
  const sum = session && session.summary;
  $('summary').hidden = !sum || !status || status.state !== 'idle';
  if (sum) $('summary').textContent = `Done: ${clock(sum.time_s)}, ${distance(sum.distance_m)}, average ${pace(sum.avg_pace_s_per_km)}, best ${pace(sum.best_pace_s_per_km)}, climbed ${Math.round(sum.ascent_m || 0)} m`;
}

// The profile: speed (line) and incline (area) over the workout; done part shaded.
function drawChart(canvas, tl, elapsed) {
  const ctx = canvas.getContext('2d');
  const w = canvas.width, h = canvas.height;
  ctx.clearRect(0, 0, w, h);
  if (!tl || !tl.steps || !tl.total_s) return;
  let maxV = 1, maxI = 1;
  for (const st of tl.steps) {
    maxV = Math.max(maxV, st.speed_kmh || 0, st.speed_end_kmh || 0);
    maxI = Math.max(maxI, st.incline_pct || 0, st.incline_end_pct || 0);
  }
  const x = (t) => (t / tl.total_s) * w;
  let t = 0;
  ctx.fillStyle = '#334155';
  for (const st of tl.steps) {
    ctx.beginPath();
    ctx.moveTo(x(t), h);
    ctx.lineTo(x(t), h - (st.incline_pct / maxI) * h * 0.35);
    ctx.lineTo(x(t + st.duration_s), h - (st.incline_end_pct / maxI) * h * 0.35);
    ctx.lineTo(x(t + st.duration_s), h);
    ctx.fill();
    t += st.duration_s;
  }
  t = 0;
  ctx.strokeStyle = '#38bdf8';
  ctx.lineWidth = h >= 100 ? 4 : 2;  // thinner in a list's small charts
  ctx.beginPath();
  for (const st of tl.steps) {
    if (st.speed_kmh != null) {
      ctx.moveTo(x(t), h - (st.speed_kmh / maxV) * h * 0.9);
      ctx.lineTo(x(t + st.duration_s), h - (st.speed_end_kmh / maxV) * h * 0.9);
    }
    t += st.duration_s;
  }
  ctx.stroke();
  if (elapsed != null) {
    ctx.fillStyle = 'rgba(255,255,255,0.12)';
    ctx.fillRect(0, 0, x(elapsed), h);
    ctx.fillStyle = '#f59e0b';
    ctx.fillRect(x(elapsed) - 2, 0, 4, h);
  }
}

// Values grey out when no status came for 2 s.
setInterval(() => {
  $('run-screen').classList.toggle('stale', !status || performance.now() - statusAt > 2000);
}, 250);
setInterval(refreshSession, 3000);

// ---- tabs ----
function selectTab(name) {
  tab = name;
  for (const b of document.querySelectorAll('[data-tab]')) {
    if (b.dataset.tab === name) b.setAttribute('aria-current', 'page');
    else b.removeAttribute('aria-current');
  }
  if (name === 'programs') loadPrograms();
  if (name === 'editor') validateSoon();
  if (name === 'history') loadHistory();  // history.js
  render();
  if (!status) for (const t of SCREENS) $(`${t}-screen`).hidden = tab !== t;
}
for (const b of document.querySelectorAll('[data-tab]')) b.addEventListener('click', () => selectTab(b.dataset.tab));

// ---- programs ----
async function loadPrograms() {
  const r = await act('programs');
  if (!r.ok) return;
  for (const p of r.programs) programTags.set(p.id, p.tags || []);
  const list = $('program-list');
  list.replaceChildren(...r.programs.map((p) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.setAttribute('role', 'listitem');
    b.setAttribute('aria-pressed', String(p.id === selectedProgram));
    b.dataset.id = p.id;
    const name = document.createElement('span');
    name.textContent = p.name || p.id;
    const where = document.createElement('small');
    where.textContent = `${p.id} · ${p.source}`;
    b.append(name, where, chips(p.tags), programFacts(p));
    const tl = chartTimeline(p.chart);
    if (tl) {
      const mini = document.createElement('canvas');
      mini.className = 'mini-chart';
      mini.width = 400;
      mini.height = 64;
      mini.setAttribute('aria-hidden', 'true');  // the figures above say it in words
      b.append(mini);
      drawChart(mini, tl, null);
    }
    b.addEventListener('click', () => selectProgram(p.id));
    return b;
  }));
}

// A listed program's duration and distance, or why it does not load (an older treadmilld
// lists neither: nothing is shown).
function programFacts(p) {
  const facts = document.createElement('span');
  facts.className = 'p-facts';
  if (p.error) {
    facts.classList.add('p-error');
    facts.textContent = p.error;
  } else if (p.duration_s != null) {
    facts.textContent = `${clock(p.duration_s)} · ${distance(p.distance_m)}`;
  }
  return facts;
}

// A `programs` entry's chart ([[t_s, speed_kmh, incline_pct], …]) as the steps drawChart draws.
function chartTimeline(points) {
  if (!Array.isArray(points) || points.length < 2) return null;
  const steps = [];
  for (let i = 1; i < points.length; i++) {
    const [t0, v0, i0] = points[i - 1], [t1, v1, i1] = points[i];
    const manual = v0 == null || v1 == null;
    steps.push({ duration_s: t1 - t0, speed_kmh: manual ? null : v0, speed_end_kmh: manual ? null : v1,
      incline_pct: i0, incline_end_pct: i1 });
  }
  const total = points[points.length - 1][0];
  return total > 0 ? { total_s: total, steps } : null;
}

// The tags as small chips (an older treadmilld sends none).
function chips(tags, into = document.createElement('span')) {
  into.classList.add('chips');
  into.replaceChildren(...(tags || []).map((t) => {
    const c = document.createElement('span');
    c.className = 'chip';
    c.textContent = t;
    return c;
  }));
  return into;
}

function parsePace(text) {
  const out = {};
  for (const part of text.split(',')) {
    const m = part.match(/^\s*([^=\s]+)\s*=\s*(.+?)\s*$/);
    if (m) out[m[1]] = m[2];
  }
  return out;
}

async function selectProgram(id) {
  selectedProgram = id;
  for (const b of $('program-list').children) b.setAttribute('aria-pressed', String(b.dataset.id === id));
  const args = { program: id };
  const p = parsePace($('pace').value);
  if (Object.keys(p).length) args.pace = p;
  const r = await act('show', args);
  if (!r.ok) return;
  $('program-detail').hidden = false;
  $('pd-name').textContent = r.program.name;
  chips(r.program.tags || programTags.get(id), $('pd-tags'));
  const reps = r.program.steps.filter((s) => s.rep != null).length;
  $('pd-facts').textContent = `${clock(r.program.total_s)} · ${distance(r.program.total_m)} · ${r.program.steps.length} steps${reps ? '' : ''}`;
  drawChart($('pd-chart'), r.program, null);
}
$('pace').addEventListener('change', () => selectedProgram && selectProgram(selectedProgram));

// ---- editor ----
let validateTimer = 0;
function validateSoon() {
  clearTimeout(validateTimer);
  validateTimer = setTimeout(validate, 300);
}
$('yaml').addEventListener('input', validateSoon);
$('yaml').addEventListener('scroll', () => { $('gutter').scrollTop = $('yaml').scrollTop; });

function renderGutter(diagnostics) {
  const lines = $('yaml').value.split('\n').length;
  const marks = new Map();
  for (const d of diagnostics) if (!marks.has(d.line) || d.severity === 'error') marks.set(d.line, d.severity);
  const g = $('gutter');
  g.replaceChildren();
  for (let i = 1; i <= lines; i++) {
    const span = document.createElement('span');
    span.textContent = String(i);
    span.dataset.line = String(i);
    const sev = marks.get(i);
    if (sev) {
      span.className = sev === 'error' ? 'bad' : 'warn';
      span.title = diagnostics.filter((d) => d.line === i).map((d) => d.message).join('\n');
    }
    g.append(span, '\n');
  }
}

async function validate() {
  const yaml = $('yaml').value;
  const r = await send('validate', { yaml });
  let diagnostics = [];
  let valid = false;
  if (r.ok) {
    diagnostics = r.diagnostics;
    valid = r.valid;
  } else if (r.error && r.error.code === 'unknown_command') {
    const shown = await send('show', { yaml });  // an older treadmilld: one error as text
    valid = shown.ok;
    if (!shown.ok) {  // "<request>:4:10: error: …", one per line
      for (const text of shown.error.message.split('\n')) {
        const m = /:(\d+):(\d+): (error|warning): (.*)$/.exec(text);
        diagnostics.push(m ? { severity: m[3], line: +m[1], col: +m[2], message: m[4] }
          : { severity: 'error', line: 1, col: 1, message: text });
      }
    }
  } else {
    return toast(sentence(r.error));
  }
  renderGutter(diagnostics);
  const list = $('diagnostics');
  list.replaceChildren(...diagnostics.map((d) => {
    const li = document.createElement('li');
    li.className = d.severity;
    li.textContent = `Line ${d.line}:${d.col}: ${d.message}`;
    return li;
  }));
  if (valid && diagnostics.length === 0) {
    const li = document.createElement('li');
    li.className = 'valid';
    li.textContent = 'Valid';
    list.append(li);
  }
  const shown = valid ? await send('show', { yaml }) : null;
  const program = shown && shown.ok ? shown.program : null;
  if (valid) drawChart($('ed-chart'), program, null);
  renderTimeline(program);
}

// A speed or incline that changes over a step: "8.0 km/h → 9.6 km/h".
const ramp = (from, to, show) => (to != null && Math.abs(to - from) > 1e-9 ? `${show(from)} → ${show(to)}` : show(from));

// The edited program expanded as the daemon will run it: one row per step (reps unrolled).
function renderTimeline(program) {
  const table = $('ed-timeline');
  table.hidden = !program;
  if (!program) return;
  $('ed-total').textContent = `Timeline: ${program.steps.length} steps, ${clock(program.total_s)}, ${distance(program.total_m)}`;
  table.tBodies[0].replaceChildren(...program.steps.map((st) => {
    const tr = document.createElement('tr');
    const name = st.reps ? `${st.class} ${st.rep}/${st.reps}` : st.class;
    for (const text of [name, clock(st.duration_s), distance(st.distance_m),
      ramp(st.speed_kmh, st.speed_end_kmh, speed), ramp(st.incline_pct, st.incline_end_pct, pct)]) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    if (st.cue) tr.title = st.cue;
    return tr;
  }));
}

$('save').addEventListener('click', async () => {
  const r = await act('save_program', { program: $('program-id').value, yaml: $('yaml').value, overwrite: $('overwrite').checked });
  if (r.ok) toast(`Saved as ${$('program-id').value}`);
});

// ---- controls ----
$('stop').addEventListener('click', () => act('stop'));
$('pause').addEventListener('click', () => act('pause'));
$('resume').addEventListener('click', () => act('resume'));
$('skip').addEventListener('click', () => act('skip'));
$('reset').addEventListener('click', () => act('reset'));

function stepSpeed(d) {
  const u = imperial() ? 'mph' : 'km/h';
  return act('speed', { delta: `${d > 0 ? '+' : ''}${d} ${u}` });
}
function stepIncline(d) {
  if (!status) return;
  const v = Math.round(((status.incline.target_pct || 0) + d) * 10) / 10;
  return act('incline', { value: `${v}%` });
}

// Held buttons repeat (one request per repeat) and stop on release, cancel or blur. Space or
// Enter held on the focused button is a hold too: one step on the key going down, repeats after
// 500 ms like a pointer, none once the key is up (the key's own auto-repeat sends nothing).
// A repeat is skipped while the previous request is unanswered, so nothing piles up to be sent
// after the release; a button hidden while held (the belt stopped) ends its hold.
const holdEnds = [];
for (const b of document.querySelectorAll('.repeat')) {
  let delay = 0, every = 0, waiting = false;
  const end = () => { clearTimeout(delay); clearInterval(every); delay = every = 0; };
  const once = async () => {
    if (b.offsetParent === null) return end();
    if (waiting) return;
    waiting = true;
    try {
      await (b.dataset.speed ? stepSpeed(+b.dataset.speed) : stepIncline(+b.dataset.incline));
    } finally {
      waiting = false;
    }
  };
  const begin = () => {
    end();
    once();
    delay = setTimeout(() => { once(); every = setInterval(once, 300); }, 500);
  };
  b.addEventListener('pointerdown', (e) => { if (e.button === 0) begin(); });
  for (const ev of ['pointerup', 'pointercancel', 'pointerleave', 'blur']) b.addEventListener(ev, end);
  b.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' && e.key !== ' ') return;
    e.preventDefault();  // the key going down is the press: no click from it
    if (!e.repeat) begin();
  });
  b.addEventListener('keyup', (e) => {
    if (e.key !== 'Enter' && e.key !== ' ') return;
    e.preventDefault();  // Space would click on its way up
    end();
  });
  b.addEventListener('click', (e) => { if (e.detail === 0) once(); });  // a screen reader's click
  holdEnds.push(end);
}
// The page losing the focus or going to the background ends every hold.
const endHolds = () => { for (const end of holdEnds) end(); };
window.addEventListener('blur', endHolds);
document.addEventListener('visibilitychange', () => { if (document.hidden) endHolds(); });

// Start needs a deliberate press-and-hold of 1 s (pointer, Enter or Space).
for (const b of document.querySelectorAll('[data-start]')) {
  let timer = 0;
  const cancel = () => { clearTimeout(timer); timer = 0; b.classList.remove('holding'); };
  const begin = () => {
    if (timer) return;
    b.classList.add('holding');
    timer = setTimeout(() => { cancel(); start(b.dataset.start); }, 1000);
  };
  b.addEventListener('pointerdown', (e) => { if (e.button === 0) begin(); });
  for (const ev of ['pointerup', 'pointercancel', 'pointerleave', 'blur']) b.addEventListener(ev, cancel);
  b.addEventListener('keydown', (e) => {
    if ((e.key === 'Enter' || e.key === ' ') && !e.repeat) { e.preventDefault(); begin(); }
  });
  b.addEventListener('keyup', (e) => { if (e.key === 'Enter' || e.key === ' ') cancel(); });
  b.addEventListener('click', (e) => e.preventDefault());
  window.addEventListener('blur', cancel);
}

async function start(kind) {
  let args;
  if (kind === 'program') {
    if (!selectedProgram) return toast('Pick a program first');
    args = { program: selectedProgram };
    const p = parsePace($('pace').value);
    if (Object.keys(p).length) args.pace = p;
  } else {
    args = { yaml: $('yaml').value };
  }
  const r = await act('start', args);
  if (r.ok) selectTab('run');
}

// ---- pairing ----
$('pair-device').addEventListener('click', async () => {
  const r = await act('pair_issue');
  if (r.ok) toast(`PIN for the new device: ${r.pin} (valid ${Math.round(r.expires_s / 60)} minutes)`);
});

$('pair-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('pair-error').textContent = '';
  const res = await fetch('/api/pair', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ pin: $('pin').value.trim(), device: $('device-name').value.trim() || 'Browser' }),
  }).catch(() => null);
  if (!res) return ($('pair-error').textContent = 'The console is not reachable');
  const body = await res.json().catch(() => ({}));
  if (!res.ok) return ($('pair-error').textContent = body.error || `Refused (${res.status})`);
  $('pin').value = '';
  boot();
});

boot();
