// Shared parts of the console's browser tests: a real treadmilld on its embedded simulator
// (time-scaled), real treadmill-console processes, Debian's chromium through playwright-core,
// checks that poll with a deadline, and the layout checks (overflow, 48 px touch targets).
// Env: TREADMILLD_BIN, TREADMILL_CONSOLE_BIN, TREADMILLCTL_BIN, REPO_ROOT, SHOT_DIR.
import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';

const require = createRequire(path.join(process.env.REPO_ROOT, 'package.json'));
export const { chromium } = require('playwright-core');

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let diagnose = null;  // what the page shows, for a failure's message
// `fn` describes the page when a check times out (an async function returning text).
export function setDiagnose(fn) { diagnose = fn; }

export function check(cond, what) {
  if (!cond) throw new Error(`FAILED: ${what}`);
  console.log(`ok   ${what}`);
}

// Polls `pred` every 50 ms until it holds; fails after `ms`.
export async function until(pred, what, ms = 10000) {
  const end = Date.now() + ms;
  for (;;) {
    try { if (await pred()) return check(true, what); } catch (e) { /* not yet */ }
    if (Date.now() > end) {
      const seen = diagnose ? await diagnose().catch(() => '') : '';
      return check(false, `${what} (within ${ms} ms)${seen ? `; the page: ${seen}` : ''}`);
    }
    await sleep(50);
  }
}

// A scratch directory with treadmilld's config, the daemon and the consoles started in it,
// and the API reached over its socket. `profile` is the runner profile's YAML (none: no file).
export function createRig({ prefix = 'treadmill-browser-', timeScale = 50, profile = null } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const sock = path.join(dir, 'api.sock');
  const children = [];
  let daemon = null;
  fs.writeFileSync(path.join(dir, 'treadmilld.yaml'),
    `bus: {transport: sim}\nprofile: ${dir}/profile.yaml\npairing: {file: ${dir}/pairing.json}\n` +
    `metrics: {file: ${dir}/metrics.json}\nhistory: {database: ${dir}/history.db}\n` +
    'maintenance: {lubrication: 1 s}\n' +
    `programs: {dirs: [${dir}/programs], user_dir: ${dir}/programs}\n`);
  fs.mkdirSync(path.join(dir, 'programs'));

  const rig = {
    dir,
    sock,
    shots: process.env.SHOT_DIR || dir,
    // Writes the runner profile the daemon reads when it starts.
    writeProfile(yaml) { fs.writeFileSync(path.join(dir, 'profile.yaml'), yaml); },
    startDaemon() {
      const log = fs.openSync(path.join(dir, 'daemon.log'), 'a');
      daemon = spawn(process.env.TREADMILLD_BIN, ['--config', path.join(dir, 'treadmilld.yaml'),
        '--socket', sock, '--time-scale', String(timeScale)], { stdio: ['ignore', log, log] });
      children.push(daemon);
    },
    killDaemon() { daemon.kill('SIGKILL'); },
    // One request to the daemon's API (a fresh connection); null when it does not answer.
    api(request) {
      return new Promise((resolve) => {
        const c = net.createConnection(sock);
        let buf = '';
        const done = (v) => { c.destroy(); resolve(v); };
        c.on('connect', () => c.write(JSON.stringify({ id: 1, ...request }) + '\n'));
        c.on('data', (d) => { buf += d; if (buf.includes('\n')) done(JSON.parse(buf.split('\n')[0])); });
        c.on('error', () => done(null));
        setTimeout(() => done(null), 3000);
      });
    },
    async status() { return (await rig.api({ cmd: 'status' }))?.status; },
    // A fresh PIN from `treadmillctl pair` (`--viewer` among `extra` for a viewer's).
    pin(extra = []) {
      return execFileSync(process.env.TREADMILLCTL_BIN, ['pair', ...extra, '--socket', sock])
        .toString().split('\n')[0].trim();
    },
    // Starts a treadmill-console with `args`; the URL it says it listens on.
    startConsole(args = []) {
      const proc = spawn(process.env.TREADMILL_CONSOLE_BIN, [...args, '--listen', '127.0.0.1:0', '--socket', sock],
        { stdio: ['ignore', 'pipe', 'inherit'] });
      children.push(proc);
      return new Promise((resolve, reject) => {
        let out = '';
        proc.stdout.on('data', (d) => {
          out += d;
          const m = /listening on (https?:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]);
        });
        setTimeout(() => reject(new Error('the console did not say where it listens')), 10000);
      });
    },
    // Kills every process started here, prints the daemon log's tail, removes the directory.
    cleanup() {
      for (const c of children) c.kill('SIGKILL');
      try { console.log(fs.readFileSync(path.join(dir, 'daemon.log'), 'utf8').split('\n').slice(-5).join('\n')); } catch { /* none */ }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  if (profile) rig.writeProfile(profile);
  fs.mkdirSync(rig.shots, { recursive: true });
  return rig;
}

// Launches Debian's chromium (no download).
export function launchChromium() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
}

// The button with exactly this accessible name.
export const buttonOf = (page) => (name) => page.getByRole('button', { name, exact: true });

// How many of the elements `locator` matches are rendered (not display: none).
export const visibleCount = (locator) => locator.evaluateAll((els) => els.filter((e) => e.offsetParent !== null).length);

// What does not fit the viewport (up to 5 descriptions; none when the layout is right): the
// page scrolling sideways, an element beyond the left or right edge, a button under 48×48 px,
// text clipped inside its box.
export function layoutProblems(page) {
  return page.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    const bad = [];
    if (document.documentElement.scrollWidth > vw) bad.push(`page ${document.documentElement.scrollWidth}>${vw}`);
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (el.tagName === 'BUTTON' && r.width && (r.width < 48 || r.height < 48))
        bad.push(`button "${el.textContent}" is ${r.width}×${r.height} (under 48 px)`);
      if (r.width && (r.right > vw + 0.5 || r.left < -0.5)) bad.push(`${el.tagName}#${el.id}.${el.className} ${r.left}-${r.right}`);
      // Text clipped inside its box (a figure cut off by overflow: hidden).
      if (r.width && el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === 'hidden' && el.textContent.trim())
        bad.push(`${el.tagName}#${el.id} clips its text (${el.scrollWidth}>${el.clientWidth})`);
    }
    return bad.slice(0, 5);
  });
}

// Pairs `page` (on the pairing form) with `pin` the way a person does: the PIN, then Enter.
export async function pairWith(page, pin) {
  await page.getByLabel('PIN').fill(pin);
  await page.getByLabel('PIN').press('Enter');
}
