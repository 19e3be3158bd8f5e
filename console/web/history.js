// treadmill-console's History screen: the recorded sessions, one session's summary, laps and
// events, the personal bests, the progress (mile best over time, the last 12 weeks), and exports
// (FIT, TCX, CSV) turned into browser downloads.
// Uses console.js's helpers ($, send, act, clock, distance, pace, speed, toast, FAULT_WORDS).
'use strict';

const BEST_NAMES = { '400m': '400 m', '800m': '800 m', '1km': '1 km', mile: 'Mile', '5km': '5 km', '10km': '10 km' };
const BEST_ORDER = ['400m', '800m', '1km', 'mile', '5km', '10km'];
const ENDED_WORDS = { completed: 'completed', stopped: 'stopped', fault: 'fault', interrupted: 'interrupted', running: 'recording' };
let historySession = null;  // the session shown in detail (its history_show reply)

// The runner's local date and time of a start: "2026-12-07 07:00".
function localStart(startUtc, offsetS) {
  const ms = Date.parse(startUtc);
  if (Number.isNaN(ms)) return startUtc || '–';
  const d = new Date(ms + (offsetS || 0) * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

// How a session ended, in words ("fault: Safety key out").
function endedText(s) {
  const word = ENDED_WORDS[s.ended] || s.ended;
  if (s.ended !== 'fault' || !s.fault_code) return word;
  return `fault: ${(FAULT_WORDS[s.fault_code] || [s.fault_code])[0]}`;
}

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text != null) e.textContent = text;
  return e;
}

async function loadHistory() {
  showHistoryList();
  await refreshHistory();
}

async function refreshHistory() {
  const [list] = await Promise.all([send('history'), loadBests(), loadProgress()]);
  if (!list.ok) return toast(sentence(list.error));
  renderSessions(list.sessions);
}

// Called with each status: a session the daemon has just finished writing shows in the list.
let lastWrittenSession;
function historyStatus(s) {
  const last = s.history && s.history.last_session;
  const id = last ? last.id : null;
  if (lastWrittenSession !== undefined && id !== lastWrittenSession && tab === 'history' && !$('history-list').hidden)
    refreshHistory();
  lastWrittenSession = id;
}

function renderSessions(sessions) {
  $('sessions-empty').hidden = sessions.length > 0;
  $('sessions').replaceChildren(...sessions.map((s) => {
    const b = el('button');
    b.type = 'button';
    b.dataset.session = String(s.id);
    const facts = el('span', 's-facts');
    facts.append(el('span', 's-date', localStart(s.start_utc, s.utc_offset_s)), el('span', 's-time', clock(s.duration_s)),
      el('span', 's-distance', distance(s.distance_m)), el('span', `s-end ${s.ended}`, endedText(s)));
    if (s.simulated) facts.append(el('span', 'chip sim', 'simulated'));
    b.append(el('span', 's-name', s.name || s.program_id), facts);
    b.addEventListener('click', () => openSession(s.id));
    const li = el('li');
    li.append(b);
    return li;
  }));
}

async function loadBests() {
  const r = await send('bests', { all: $('bests-all').checked });
  if (!r.ok) return toast(sentence(r.error));
  const byDistance = new Map(r.bests.map((b) => [b.distance, b]));
  $('bests').querySelector('tbody').replaceChildren(...BEST_ORDER.map((d) => {
    const b = byDistance.get(d);
    const tr = el('tr', d === 'mile' ? 'mile' : '');
    tr.dataset.distance = d;
    tr.append(el('td', '', BEST_NAMES[d]), el('td', 'b-time', b ? clock(b.time_s) : '–'), el('td', 'b-date', b ? b.date : ''));
    return tr;
  }));
  return r;
}
$('bests-all').addEventListener('change', () => Promise.all([loadBests(), loadProgress()]));

// The daemon's `progress`: the mile best of each session (oldest first) as a line, faster
// higher, and each of the last 12 weeks as a bar of its distance with its time.
async function loadProgress() {
  const r = await send('progress', { all: $('bests-all').checked });
  if (!r.ok) return toast(sentence(r.error));
  renderMile(r.mile || []);
  renderWeeks(r.weeks || []);
  return r;
}

function renderMile(mile) {
  $('mile-none').hidden = mile.length > 0;
  $('mile-facts').hidden = mile.length === 0;
  $('mile-chart').hidden = mile.length === 0;
  if (!mile.length) return;
  const best = mile.reduce((a, m) => (m.time_s < a.time_s ? m : a));
  const last = mile[mile.length - 1];
  $('mile-facts').textContent = `Best ${clock(best.time_s)} (${best.date}) · latest ${clock(last.time_s)} (${last.date})`;
  const canvas = $('mile-chart');
  // Drawn at the size it shows (times as text must not be stretched).
  const box = canvas.getBoundingClientRect(), dpr = window.devicePixelRatio || 1;
  if (box.width > 0) {
    canvas.width = Math.round(box.width * dpr);
    canvas.height = Math.round(box.height * dpr);
  }
  const ctx = canvas.getContext('2d');
  const w = canvas.width, h = canvas.height, pad = 16 * dpr;
  ctx.clearRect(0, 0, w, h);
  let lo = Infinity, hi = 0;
  for (const m of mile) { lo = Math.min(lo, m.time_s); hi = Math.max(hi, m.time_s); }
  const slowest = hi;
  if (hi - lo < 10) hi = lo + 10;
  const left = 56 * dpr;  // room for the times
  const x = (i) => (mile.length > 1 ? left + (i / (mile.length - 1)) * (w - left - pad) : (left + w) / 2);
  const y = (t) => pad + ((t - lo) / (hi - lo)) * (h - 2 * pad);  // faster is higher
  ctx.strokeStyle = '#38bdf8';
  ctx.fillStyle = '#38bdf8';
  ctx.lineWidth = 3 * dpr;
  ctx.beginPath();
  mile.forEach((m, i) => (i ? ctx.lineTo(x(i), y(m.time_s)) : ctx.moveTo(x(i), y(m.time_s))));
  ctx.stroke();
  mile.forEach((m, i) => { ctx.beginPath(); ctx.arc(x(i), y(m.time_s), 5 * dpr, 0, 2 * Math.PI); ctx.fill(); });
  ctx.fillStyle = '#8b95a3';
  ctx.font = `${14 * dpr}px system-ui, sans-serif`;
  ctx.textBaseline = 'top';
  ctx.fillText(clock(lo), 4 * dpr, 4 * dpr);
  if (slowest > lo) {
    ctx.textBaseline = 'bottom';
    ctx.fillText(clock(slowest), 4 * dpr, y(slowest) + 8 * dpr);
  }
}

function renderWeeks(weeks) {
  const most = Math.max(1, ...weeks.map((wk) => wk.distance_m));
  $('weeks').replaceChildren(...weeks.map((wk) => {
    const li = el('li', 'week');
    li.dataset.week = wk.week;
    const bar = el('span', 'week-bar');
    const fill = el('span', 'week-fill');
    fill.style.width = `${(wk.distance_m / most) * 100}%`;
    bar.append(fill);
    const sessions = wk.sessions === 1 ? '1 run' : `${wk.sessions} runs`;
    li.append(el('span', 'week-of', wk.week.slice(5)), bar,
      el('span', 'week-figures', wk.sessions ? `${distance(wk.distance_m)} · ${clock(wk.duration_s)}` : '–'));
    li.title = `Week of ${wk.week}: ${distance(wk.distance_m)}, ${clock(wk.duration_s)}, ${sessions}`;
    return li;
  }));
}

function showHistoryList() {
  $('history-list').hidden = false;
  $('history-detail').hidden = true;
}

async function openSession(id) {
  const r = await act('history_show', { session: id });
  if (!r.ok) return;
  historySession = r.session;
  renderSession(r.session);
  $('history-list').hidden = true;
  $('history-detail').hidden = false;
  $('hd-name').focus();
}

function renderSession(s) {
  $('hd-name').textContent = s.name || s.program_id;
  $('hd-when').textContent = `${localStart(s.start_utc, s.utc_offset_s)} · ${endedText(s)}${s.simulated ? ' · simulated' : ''}`;
  const sum = s.summary || {};
  const items = [
    ['Time', clock(s.duration_s)], ['Distance', distance(s.distance_m)],
    ['Average pace', pace(sum.avg_pace_s_per_km)], ['Best pace', pace(sum.best_pace_s_per_km)],
    ['Climbed', sum.ascent_m != null ? `${Math.round(sum.ascent_m)} m` : '–'],
  ];
  if (sum.energy_kcal != null) items.push(['Energy (estimate)', `${Math.round(sum.energy_kcal)} kcal`]);
  $('hd-summary').replaceChildren(...items.map(([k, v]) => {
    const d = el('div');
    d.append(el('dt', '', k), el('dd', '', v));
    return d;
  }));
  $('hd-laps').querySelector('tbody').replaceChildren(...(s.laps || []).map((l, i) => {
    const tr = el('tr');
    const lapPace = l.distance_m > 0 ? l.time_s / (l.distance_m / 1000) : null;
    for (const v of [String(i + 1), l.kind, clock(l.time_s), distance(l.distance_m), pace(lapPace)]) tr.append(el('td', '', v));
    return tr;
  }));
  const events = s.events || [];
  $('hd-no-events').hidden = events.length > 0;
  $('hd-events').replaceChildren(...events.map((e) => el('li', '', `${clock(e.elapsed_s)} ${e.kind}${e.detail ? ` — ${e.detail}` : ''}`)));
}

$('history-back').addEventListener('click', () => {
  const id = historySession && historySession.id;
  showHistoryList();
  const b = id != null && $('sessions').querySelector(`[data-session="${id}"]`);
  if (b) b.focus();
});

// The export's base64 as a file download named as the daemon names it.
function download(filename, base64, type) {
  const bin = atob(base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const a = el('a');
  a.href = url;
  a.download = filename;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

const EXPORT_TYPES = { fit: 'application/vnd.ant.fit', tcx: 'application/vnd.garmin.tcx+xml', csv: 'text/csv' };
for (const b of document.querySelectorAll('[data-export]')) {
  b.addEventListener('click', async () => {
    if (!historySession) return;
    // Busy, not disabled: a disabled button would lose the keyboard's focus.
    if (b.getAttribute('aria-busy') === 'true') return;
    const format = b.dataset.export;
    b.setAttribute('aria-busy', 'true');
    try {
      const r = await act('export', { session: historySession.id, format });
      if (!r.ok) return;
      if (r.encoding !== 'base64') return toast(`Not understood: an export in ${r.encoding}`);
      download(r.filename, r.data, EXPORT_TYPES[format]);
      toast(`Downloaded ${r.filename}`);
    } finally {
      b.removeAttribute('aria-busy');
    }
  });
}
