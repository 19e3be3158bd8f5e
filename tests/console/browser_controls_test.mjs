// The console's controls in a real browser (Debian's chromium through playwright-core) against
// a real treadmill-console and treadmilld on its embedded simulator (time-scaled): held speed
// buttons and how a hold ends (pointerup, pointercancel, the window losing focus), keyboard only
// (pairing, Start's hold, speed, Pause/Resume, Stop, visible focus), a portrait tablet
// (800×1280), a viewer's page, and mph units. Env: see browser_rig.mjs.
import fs from 'node:fs';
import path from 'node:path';
import {
  buttonOf, check, createRig, launchChromium, layoutProblems, pairWith, setDiagnose, sleep, until, visibleCount,
} from './browser_rig.mjs';

const rig = createRig({ prefix: 'treadmill-browser-controls-' });
const { api, status } = rig;
let browser = null;  // closed at the end also when a check fails (else node would not exit)

// A program that holds 8 km/h for long enough: the daemon's target only moves when asked.
fs.writeFileSync(path.join(rig.dir, 'programs', 'steady.yaml'),
  'schema: treadmill-workout/1\nname: "Steady 8"\nsteps:\n  - run: 120 min\n    speed: 8 km/h\n');

const REPEAT_MS = 300;  // the page's repeat interval (console.js)
const target = async () => (await status()).speed.target_kmh;
const near = (a, b, tol = 0.05) => Math.abs(a - b) <= tol;

// Records when the page sent each `speed` request over its WebSocket (the frames themselves).
function recordSpeedRequests(page) {
  const sent = [];
  page.on('websocket', (ws) => ws.on('framesent', (f) => {
    try {
      const m = JSON.parse(f.payload);
      if (m.cmd === 'speed') sent.push({ at: Date.now(), delta: m.delta });
    } catch { /* not JSON */ }
  }));
  return sent;
}

// The focused element's accessible name (aria-label, else its text; a program its id).
const focusedName = (page) => page.evaluate(() => {
  const el = document.activeElement;
  if (!el || el === document.body) return '';
  if (el.dataset.id) return `program ${el.dataset.id}`;
  return el.getAttribute('aria-label') || el.textContent.trim() || el.id;
});

// Presses Tab (Shift+Tab with `back`) until the focus is on `name`; the names passed on the way.
async function tabTo(page, name, { back = false, max = 60 } = {}) {
  const passed = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const now = await focusedName(page);
    passed.push(now);
    if (now === name) return passed;
  }
  check(false, `Tab reaches ${name} (passed ${passed.join(', ')})`);
}

// True when the focused element shows a focus ring (:focus-visible with an outline ≥ 2 px).
const focusVisible = (page) => page.evaluate(() => {
  const el = document.activeElement;
  const css = getComputedStyle(el);
  return el.matches(':focus-visible') && css.outlineStyle !== 'none' && parseFloat(css.outlineWidth) >= 2;
});

// True when `p`'s Stop button is rendered and lies wholly inside the viewport.
const stopInView = (p) => p.getByRole('button', { name: 'Stop', exact: true }).evaluate((el) => {
  const r = el.getBoundingClientRect();
  return el.offsetParent !== null && r.top >= 0 && r.left >= 0 && r.bottom <= window.innerHeight && r.right <= window.innerWidth;
});

// Notes in the page when it sends each `speed` request and when a hold's end reaches it
// (pointerup, pointercancel, keyup, blur), on the one clock of this machine: a request the page
// sends after the end is what a hold that did not stop, or a queue, would send.
function noteSendsAndEnds() {
  window.speedSentAt = [];
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    try { if (JSON.parse(data).cmd === 'speed') window.speedSentAt.push(Date.now()); } catch { /* not ours */ }
    return send.call(this, data);
  };
  window.holdEndsAt = [];
  for (const type of ['pointerup', 'pointercancel', 'keyup', 'blur'])
    window.addEventListener(type, () => window.holdEndsAt.push(Date.now()), true);
}

// After a hold pressed at `pressedAt` ended: the page sent nothing once the end reached it, the
// daemon's target settles on one step per request sent and then stays put for four repeat
// intervals, while nothing more is sent.
async function checkHoldEnded(page, how, sent, before, pressedAt, fromKmh, step = 0.1) {
  let endedAt = 0;
  await until(async () => {
    endedAt = Math.min(...(await page.evaluate(() => window.holdEndsAt)).filter((t) => t >= pressedAt));
    return Number.isFinite(endedAt);
  }, `${how}: the end of the hold reached the page`, 3000);
  await until(async () => near(await target(), fromKmh + (sent.length - before) * step),
    `${how}: the daemon's target settles at one step per request`, 3000);
  const count = sent.length - before;
  const late = (await page.evaluate(() => window.speedSentAt)).filter((t) => t > endedAt).length;
  check(late === 0, `${how}: no speed request sent after the hold ended (${late} late; ${count} requests, ` +
    `from ${fromKmh.toFixed(1)} to ${(fromKmh + count * step).toFixed(1)} km/h)`);
  const settled = await target();
  const until4 = Date.now() + 4 * REPEAT_MS;
  const samples = [];
  while (Date.now() < until4) {
    samples.push(await target());
    await sleep(50);
  }
  check(samples.every((v) => v === settled) && sent.length - before === count,
    `${how}: the target stays at ${settled.toFixed(1)} km/h for ${4 * REPEAT_MS} ms after it (sampled ${samples.length}×, ` +
    `${sent.length - before - count} more requests)`);
  return settled;
}

// The requests of one hold of `heldMs`: at least three, and no more than one at the press, one
// at 500 ms and one every 300 ms after it allow (plus one for the clocks' skew), i.e. one per
// repeat and none for the key's auto-repeat. The gaps are reported, not checked (timers
// catch up when the CPU is crowded).
function checkRepeats(how, sent, before, heldMs) {
  const at = sent.slice(before).map((s) => s.at);
  const gaps = at.slice(1).map((t, i) => t - at[i]);
  const most = 1 + (heldMs >= 500 ? 1 + Math.floor((heldMs - 500) / REPEAT_MS) : 0) + 1;
  check(at.length >= 3 && at.length <= most,
    `${how}: one request per repeat (${at.length} requests in ${heldMs} ms, at most ${most}; gaps ${gaps.join('/')} ms)`);
}

async function main() {
  rig.startDaemon();
  await until(async () => (await status())?.state === 'idle', 'treadmilld idle', 20000);
  const url = await rig.startConsole();
  browser = await launchChromium();

  const runnerContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await runnerContext.addInitScript(noteSendsAndEnds);
  const page = await runnerContext.newPage();
  page.on('pageerror', (e) => { console.log(`page error: ${e}`); process.exitCode = 1; });
  const sent = recordSpeedRequests(page);
  const button = buttonOf(page);
  setDiagnose(() => page.evaluate(() => `toast "${document.getElementById('toast').hidden ? '' : document.getElementById('toast').textContent}", ` +
    `state "${document.getElementById('state-label').textContent}", focus "${document.activeElement?.getAttribute('aria-label') || document.activeElement?.textContent}"`));
  const shot = (p, name) => p.screenshot({ path: path.join(rig.shots, `console-${name}.png`) });

  // ---- Keyboard only: pairing (the PIN field has the focus; Enter submits) ----
  await page.goto(url);
  await page.getByLabel('PIN').waitFor();
  check(await page.evaluate(() => document.activeElement === document.getElementById('pin') &&
    document.querySelector('#pair-form input') === document.activeElement), 'the pairing form\'s first input, the PIN, has the focus');
  await page.keyboard.type(rig.pin());
  await page.keyboard.press('Enter');
  await until(() => button('Stop').isVisible(), 'paired with the keyboard alone: the Stop button shows');
  await until(async () => (await page.locator('#state-label').textContent()) === 'idle', 'the page shows idle');

  // Programs, the program and Start's hold (Enter or Space held 1 s), by Tab.
  const toPrograms = await tabTo(page, 'Programs');
  check(toPrograms.join(',') === 'Run,Programs', `Tab goes Run, Programs first (${toPrograms.join(', ')})`);
  check(await focusVisible(page), 'the focused tab shows its focus ring');
  await page.keyboard.press('Enter');
  await until(() => page.locator('#program-list [data-id="steady"]').isVisible(), 'Enter opens Programs');
  await tabTo(page, 'program steady');
  check(await focusVisible(page), 'the focused program shows its focus ring');
  await page.keyboard.press(' ');
  await page.locator('#pd-name').filter({ hasText: 'Steady 8' }).waitFor();
  await tabTo(page, 'Start');
  check(await focusVisible(page), 'Start shows its focus ring');
  await page.keyboard.down(' ');
  await sleep(300);
  await page.keyboard.up(' ');
  await sleep(300);
  check((await status()).state === 'idle', 'Space pressed briefly on Start does not start');
  await page.keyboard.down('Enter');
  await sleep(1200);
  await page.keyboard.up('Enter');
  await until(async () => ['countdown', 'running'].includes((await status()).state), 'Enter held 1 s on Start starts');
  await until(async () => (await status()).state === 'running' &&
    (await page.locator('#state-label').textContent()) === 'running', 'running after the countdown', 8000);

  // The controls in order, forwards and backwards.
  const toControls = await tabTo(page, 'Speed down');
  check(toControls.length <= 3, `from Start, Tab reaches the controls at once (${toControls.join(', ')})`);
  const order = ['Speed up', 'Plus 1 km/h', 'Incline down', 'Incline up', 'Pause', 'Skip', 'Stop'];
  const forwards = [];
  for (let i = 0; i < order.length; i++) {
    await page.keyboard.press('Tab');
    forwards.push(await focusedName(page));
    check(await focusVisible(page), `${forwards.at(-1) || "nothing"} shows its focus ring (so far ${forwards.join(', ')})`);
  }
  check(forwards.join(',') === order.join(','), `Tab runs through the controls in order (${forwards.join(', ')})`);
  const backwards = await tabTo(page, 'Speed up', { back: true, max: order.length });
  check(backwards.join(',') === order.slice(0, -1).reverse().join(','), `Shift+Tab runs back (${backwards.join(', ')})`);

  // Speed up by keyboard: Space or Enter is one step; a held key repeats like a held pointer and
  // stops when the key goes up (the key's own auto-repeat sends nothing more).
  let from = await target();
  let before = sent.length;
  await page.keyboard.press(' ');
  await until(async () => near(await target(), from + 0.1), 'Space on Speed up raises the daemon\'s target by 0.1 km/h', 3000);
  await page.keyboard.press('Enter');
  await until(async () => near(await target(), from + 0.2), 'Enter on Speed up raises it by another 0.1 km/h', 3000);
  await sleep(REPEAT_MS);
  check(sent.length - before === 2, `two key presses sent two requests (${sent.length - before})`);
  from = await target();
  before = sent.length;
  let pressedAt = Date.now();
  await page.keyboard.down('Enter');
  const keyHeldUntil = Date.now() + 1400;
  while (Date.now() < keyHeldUntil) {
    await sleep(50);
    await page.keyboard.down('Enter');  // the keyboard's auto-repeat
  }
  await page.keyboard.up('Enter');
  let releasedAt = Date.now();
  checkRepeats('Enter held on Speed up', sent, before, releasedAt - pressedAt);
  await checkHoldEnded(page, 'Enter held, then up', sent, before, pressedAt, from);

  // ---- Hold to repeat with a mouse and a finger, and the ways a hold ends ----
  const speedUp = button('Speed up');
  const cdp = await runnerContext.newCDPSession(page);
  const mouse = { down: () => page.mouse.down(), up: () => page.mouse.up() };
  // A finger on Speed up's centre (real touch events through the DevTools protocol).
  const finger = {
    at: null,
    async down() {
      const box = await speedUp.boundingBox();
      finger.at = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [finger.at] });
    },
    up: () => cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] }),
    // Dragged down the screen: the browser takes the touch for panning and cancels the pointer.
    async pan() {
      for (let dy = 10; dy <= 200; dy += 20)
        await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: finger.at.x, y: finger.at.y + dy }] });
    },
  };
  const hold = async (how, by, release, after = async () => {}) => {
    from = await target();
    before = sent.length;
    await speedUp.hover();
    pressedAt = Date.now();
    await by.down();
    await until(() => sent.length - before >= 4, `${how}: holding Speed up repeats`, 4000);
    await release();
    releasedAt = Date.now();
    checkRepeats(how, sent, before, releasedAt - pressedAt);
    await checkHoldEnded(page, how, sent, before, pressedAt, from);
    await after();
  };
  await hold('mouse released (pointerup)', mouse, mouse.up);
  await hold('finger lifted (pointerup)', finger, finger.up);
  await speedUp.evaluate((el) => {
    window.speedUpCancels = 0;
    el.addEventListener('pointercancel', () => { window.speedUpCancels++; });
  });
  await hold('finger panning (pointercancel)', finger, finger.pan, finger.up);
  check(await page.evaluate(() => window.speedUpCancels) === 1, 'the pan made the browser cancel the pointer (one pointercancel)');
  // pointercancel alone (a real one is followed by pointerleave, which ends a hold too).
  await hold('mouse hold cancelled (pointercancel only)', mouse,
    () => speedUp.dispatchEvent('pointercancel', { pointerId: 1, pointerType: 'mouse', bubbles: true }), mouse.up);
  // The window loses the focus for real: another window comes to the front (playwright's
  // focus emulation off, so that the page sees its window's blur).
  await cdp.send('Emulation.setFocusEmulationEnabled', { enabled: false });
  await page.bringToFront();
  const other = await runnerContext.newPage();
  await page.bringToFront();
  await hold('the window lost the focus (blur)', mouse, async () => {
    await other.bringToFront();
    await until(() => page.evaluate(() => !document.hasFocus()), 'the page lost the focus', 3000);
  }, async () => {
    await page.bringToFront();
    await page.mouse.up();
  });
  await other.close();
  await cdp.send('Emulation.setFocusEmulationEnabled', { enabled: true });

  // ---- Keyboard: Pause, then Resume (the focus follows to the button that replaces it) ----
  await tabTo(page, 'Pause');
  await page.keyboard.press('Enter');
  await until(async () => (await status()).state === 'paused', 'Enter on Pause pauses');
  await until(async () => (await focusedName(page)) === 'Resume', 'the focus moves to Resume');
  check(await focusVisible(page), 'Resume shows its focus ring');
  await page.keyboard.press(' ');
  await until(async () => (await status()).state === 'running', 'Space on Resume runs again', 8000);
  await until(async () => (await focusedName(page)) === 'Pause', 'the focus moves back to Pause');

  // ---- Portrait tablet, 800×1280: every screen while the belt runs ----
  await page.setViewportSize({ width: 800, height: 1280 });
  const fits = async (p, what, name) => {
    for (const end of ['top', 'bottom']) {
      await p.evaluate((e) => window.scrollTo(0, e === 'top' ? 0 : document.documentElement.scrollHeight), end);
      check(await stopInView(p), `Stop is visible in the viewport on ${what}, scrolled to the ${end}`);
    }
    await p.evaluate(() => window.scrollTo(0, 0));
    const over = await layoutProblems(p);
    check(over.length === 0, `${what} at 800×1280 fits, buttons at least 48×48 px (${over.join('; ')})`);
    await shot(p, `${name}-800x1280`);
  };
  for (const tab of ['Run', 'Programs', 'Editor', 'History']) {
    await button(tab).click();
    await until(async () => (await page.locator(`[data-tab="${tab.toLowerCase()}"]`).getAttribute('aria-current')) === 'page', `${tab} shows`);
    await sleep(300);  // its list from the daemon
    await fits(page, `${tab} while running`, tab.toLowerCase());
  }
  await button('Run').click();

  // ---- A viewer's page (treadmillctl pair --viewer), portrait ----
  const viewerContext = await browser.newContext({ viewport: { width: 800, height: 1280 } });
  const viewer = await viewerContext.newPage();
  viewer.on('pageerror', (e) => { console.log(`page error (viewer): ${e}`); process.exitCode = 1; });
  await viewer.goto(url);
  await viewer.getByLabel('PIN').waitFor();
  const pairOver = await layoutProblems(viewer);
  check(pairOver.length === 0, `the pairing form at 800×1280 fits (${pairOver.join('; ')})`);
  await shot(viewer, 'pairing-800x1280');
  await pairWith(viewer, rig.pin(['--viewer']));
  const vbutton = buttonOf(viewer);
  await until(async () => (await viewer.locator('#state-label').textContent()) === 'running' &&
    viewer.locator('#run-screen').isVisible(), 'the viewer sees the run screen, running');
  for (const name of ['Stop', 'Pause'])
    check(await visibleCount(vbutton(name)) === 1, `the viewer has one visible ${name}`);
  for (const name of ['Start', 'Resume', 'Skip', 'Speed up', 'Speed down', 'Plus 1 km/h', 'Minus 1 km/h', 'Incline up',
    'Incline down', 'Programs', 'Editor', 'History', 'Pair a device', 'Reset', 'Save'])
    check(await visibleCount(vbutton(name)) === 0, `the viewer has no ${name}`);
  check(await visibleCount(viewer.locator('textarea, input')) === 0, 'the viewer has no editor or input');
  await fits(viewer, 'the viewer\'s run screen', 'viewer');
  // Its own WebSocket asked to start and to speed up: refused, the sentence shown, the belt as it was.
  const was = await target();
  const forcedStart = await viewer.evaluate(() => act('start', { program: 'steady' }));
  check(forcedStart?.ok === false && forcedStart.error.code === 'refused', `the viewer's forced start is refused (${JSON.stringify(forcedStart)})`);
  await until(async () => /^Not now: this device is paired as a viewer/.test(await viewer.locator('#toast').textContent()) &&
    viewer.locator('#toast').isVisible(), 'the viewer is told why in a sentence');
  const forcedSpeed = await viewer.evaluate(() => act('speed', { delta: '+1 km/h' }));
  check(forcedSpeed?.ok === false && forcedSpeed.error.code === 'refused', 'the viewer\'s forced speed is refused');
  await sleep(REPEAT_MS);
  const now = await status();
  check(now.state === 'running' && now.speed.target_kmh === was, `the belt carries on as it was (${now.state}, ${now.speed.target_kmh} km/h)`);
  await vbutton('Pause').click();
  await until(async () => (await status()).state === 'paused', 'the viewer\'s Pause pauses');
  await until(async () => await visibleCount(vbutton('Stop')) === 1 && await visibleCount(vbutton('Resume')) === 0,
    'paused, the viewer still has Stop and no Resume');

  // ---- Keyboard: Stop ----
  await tabTo(page, 'Stop');
  check(await focusVisible(page), 'Stop shows its focus ring');
  await page.keyboard.press('Enter');
  await until(async () => { const s = await status(); return s.state === 'idle' && (s.speed.actual_kmh ?? 0) === 0; },
    'Enter on Stop brings the belt to 0', 30000);
  await until(() => page.locator('#summary').isVisible(), 'the summary shows', 8000);
  await fits(page, 'Run with the summary', 'summary');

  // ---- Portrait: the fault screen ----
  await api({ cmd: 'sim', command: { cmd: 'key', present: false } });
  await until(() => page.locator('#fault-screen').isVisible(), 'the fault screen shows');
  const faultOver = await layoutProblems(page);
  check(faultOver.length === 0, `the fault screen at 800×1280 fits (${faultOver.join('; ')})`);
  await shot(page, 'fault-800x1280');
  await api({ cmd: 'sim', command: { cmd: 'key', present: true } });
  await until(() => button('Reset').isVisible(), 'Reset shows');
  await button('Reset').click();
  await until(async () => (await status()).state === 'idle', 'Reset clears the fault');
  await viewerContext.close();

  // ---- mph: the daemon again, with a profile in imperial units ----
  rig.killDaemon();
  rig.writeProfile('schema: treadmill-profile/1\nname: "Imperial runner"\nunits: imperial\n');
  rig.startDaemon();
  await until(async () => (await status())?.units === 'imperial', 'treadmilld back, the profile in imperial units', 20000);
  check((await api({ cmd: 'start', program: 'steady' }))?.ok, 'Steady 8 starts');
  await until(async () => (await status()).state === 'running', 'running', 10000);
  await until(async () => / mph$/.test(await page.locator('#m-speed').textContent()), 'the speed shows in mph', 5000);
  await until(async () => /^\d+:\d\d\/mi$/.test(await page.locator('#m-pace').textContent()), 'the pace shows in min/mi', 5000);
  for (const name of ['Plus 1 mph', 'Minus 1 mph', 'Speed up', 'Speed down', 'Incline up', 'Incline down', 'Pause', 'Skip', 'Stop'])
    check(await visibleCount(button(name)) === 1, `one visible button named ${name}`);
  for (const name of ['Plus 1 km/h', 'Minus 1 km/h'])
    check(await visibleCount(button(name)) === 0, `no button named ${name}`);
  await fits(page, 'Run in mph', 'run-mph');
  from = await target();
  await button('Plus 1 mph').click();
  await until(async () => near(await target(), from + 1.609344, 0.06), `Plus 1 mph raised the daemon's target by 1.6 km/h (from ${from})`, 3000);
  await button('Stop').click();
  await until(async () => (await status()).state === 'idle', 'and Stop stops', 30000);
}

const began = Date.now();
main().then(() => { console.log(`browser controls test passed in ${((Date.now() - began) / 1000).toFixed(1)} s`); },
  (e) => { console.log(e.message); process.exitCode = 1; })
  .finally(async () => {
    if (browser) await browser.close().catch(() => {});
    rig.cleanup();
  });
