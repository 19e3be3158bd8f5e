// The console in a real browser: Debian's chromium driven by playwright-core (no download),
// against a real treadmill-console and treadmilld on its embedded simulator (time-scaled).
// Env: TREADMILLD_BIN, TREADMILL_CONSOLE_BIN, TREADMILLCTL_BIN, REPO_ROOT, SHOT_DIR.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { buttonOf, check, createRig, launchChromium, layoutProblems, setDiagnose, sleep, until, visibleCount } from './browser_rig.mjs';

const rig = createRig();
const { dir, sock, shots } = rig;
const api = rig.api;
const status = rig.status;
const startDaemon = rig.startDaemon;
const killDaemon = rig.killDaemon;
const startConsole = rig.startConsole;
let browser = null;  // closed at the end also when a check fails (else node would not exit)

async function main() {
  startDaemon();
  await until(async () => (await status())?.state === 'idle', 'treadmilld idle', 20000);
  const url = await startConsole([]);

  browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('pageerror', (e) => { console.log(`page error: ${e}`); process.exitCode = 1; });
  const button = buttonOf(page);
  setDiagnose(() => page.evaluate(() => `toast "${document.getElementById('toast').hidden ? '' : document.getElementById('toast').textContent}", ` +
    `state "${document.getElementById('state-label').textContent}"`));
  const shot = (name) => page.screenshot({ path: path.join(shots, `console-${name}.png`) });

  // Pairing with a PIN from `treadmillctl pair`.
  await page.goto(url);
  await page.getByLabel('PIN').waitFor();
  await shot('pairing');
  const pin = execFileSync(process.env.TREADMILLCTL_BIN, ['pair', '--socket', sock]).toString().split('\n')[0].trim();
  check(/^\d{6}$/.test(pin), `treadmillctl pair printed a PIN (${pin})`);
  await page.getByLabel('PIN').fill(pin);
  await page.getByLabel('PIN').press('Enter');
  await until(() => button('Stop').isVisible(), 'paired: the Stop button shows');
  await until(async () => (await page.locator('#state-label').textContent()) === 'idle', 'the page shows idle');
  await shot('idle');
  await button('Pair a device').click();
  await until(async () => /PIN for the new device: \d{6}/.test(await page.locator('#toast').textContent()), 'Pair a device shows a fresh PIN');

  // Programs: pick 8 x 400 m and start it with a 1 s press-and-hold.
  fs.writeFileSync(path.join(dir, 'programs', 'broken-one.yaml'), 'schema: treadmill-workout/1\nname: B\nsteps:\n  - run: 10 parsecs\n');
  await button('Programs').click();
  const item400 = page.getByRole('listitem').filter({ hasText: '8 x 400 m' });
  await until(async () => (await item400.locator('.chip').allTextContents()).includes('vo2max'),
    'the program list shows 8 x 400 m\'s tag vo2max as a chip');
  // Without a tap: its duration and distance as `show` finds them, and a small profile chart.
  const show400 = (await api({ cmd: 'show', program: '8x400m' })).program;
  const mmss = (s) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
  const expected400 = `${mmss(show400.total_s)} · ${(show400.total_m / 1000).toFixed(2)} km`;
  check(await page.locator('#program-detail').isHidden(), 'no program is opened yet');
  await until(async () => (await item400.locator('.p-facts').textContent()) === expected400,
    `the listed 8 x 400 m shows its duration and distance (${expected400})`);
  const painted = await item400.locator('canvas.mini-chart').evaluate((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let speed = 0, incline = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i] === 0x38 && d[i + 1] === 0xbd && d[i + 2] === 0xf8) speed++;
      if (d[i] === 0x33 && d[i + 1] === 0x41 && d[i + 2] === 0x55) incline++;
    }
    return { speed, incline, shown: c.getBoundingClientRect().height > 20 };
  });
  check(painted.speed > 200 && painted.shown, `the listed 8 x 400 m shows a profile chart (${painted.speed} speed pixels)`);
  const listedHill = page.getByRole('listitem').filter({ hasText: 'Hill repeats' });
  check(await listedHill.locator('canvas.mini-chart').evaluate((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 0; i < d.length; i += 4) if (d[i] === 0x33 && d[i + 1] === 0x41 && d[i + 2] === 0x55) return true;
    return false;
  }), 'the listed hill repeats chart shows its incline');
  const brokenItem = page.getByRole('listitem').filter({ hasText: 'broken-one' });
  check(/broken-one\.yaml:4:\d+: error/.test(await brokenItem.locator('.p-error').textContent()),
    'a broken program is listed with its error');
  check((await brokenItem.locator('canvas').count()) === 0, 'the broken program has no chart');
  await item400.click();
  await page.locator('#pd-name').filter({ hasText: '8 x 400 m' }).waitFor();
  await page.evaluate(() => { document.getElementById('toast').hidden = true; });  // Pair a device's PIN
  await shot('programs');
  // A pace override: the start request must carry it (4:30/km for the 5K reps, not 5:00/km).
  await page.locator('#pace').fill('5k = 4:30/km');
  const start = button('Start');
  await start.hover();
  await page.mouse.down();
  await sleep(300);
  await page.mouse.up();
  await sleep(300);
  check((await status()).state === 'idle', 'a short press does not start');
  await start.hover();
  await page.mouse.down();
  await sleep(1300);
  await page.mouse.up();
  await until(() => page.locator('#countdown').isVisible(), 'the countdown shows');
  check(/^[1-3]$/.test(await page.locator('#countdown-n').textContent()), 'the countdown shows 3, 2 or 1');
  await shot('countdown');
  await until(async () => (await page.locator('#step-class').textContent()) === 'warmup', 'the warm-up step shows', 8000);

  // Speed +1 during the warm-up: the daemon's target moves above the program's.
  await button('Plus 1 km/h').click();
  await until(async () => { const s = (await status()).speed; return s.target_kmh > s.program_kmh + 0.5; },
    'Plus 1 km/h raised the daemon\'s target', 3000);
  // While the belt runs, every control is one visible button with its exact name.
  for (const name of ['Stop', 'Pause', 'Skip', 'Speed up', 'Speed down', 'Plus 1 km/h', 'Minus 1 km/h',
    'Incline up', 'Incline down']) {
    const visible = await button(name).evaluateAll((els) => els.filter((e) => e.offsetParent !== null).length);
    check(visible === 1, `one visible button named ${name} while running (found ${visible})`);
  }
  await shot('run');

  // Pause, then resume (one press; the countdown is the delay).
  await button('Pause').click();
  await until(async () => (await status()).state === 'paused', 'Pause pauses');
  await until(() => button('Resume').isVisible(), 'Resume shows while paused');
  await until(async () => /^Paused/.test(await page.locator('#state-notice').textContent()) &&
    await page.locator('#state-notice').isVisible(), 'a wide Paused band shows while paused');
  await button('Resume').click();
  await until(async () => (await status()).state === 'running', 'Resume runs again', 8000);
  check(!(await page.locator('#state-notice').isVisible()), 'the Paused band goes once running');
  // The config's lubrication interval (1 s of belt time) has passed: the staff's notice shows.
  await until(async () => (await status()).maintenance_due.includes('lubrication') &&
    /lubricate the belt/.test(await page.locator('#maintenance').textContent()) &&
    await page.locator('#maintenance').isVisible(), 'maintenance due shows on the page');

  // The steps and reps change (the warm-up lasts 12 s at 50×).
  await until(async () => (await page.locator('#step-rep').textContent()) === 'rep 1 of 8', 'rep 1 of 8 shows', 20000);
  await until(async () => (await page.locator('#step-rep').textContent()) === 'rep 2 of 8', 'rep 2 of 8 shows', 15000);
  const run = (await api({ cmd: 'session' }))?.session?.program?.steps?.find((st) => st.class === 'run');
  check(run?.speed_kmh === 13.3, `the override reached the daemon: the reps at 4:30/km, 13.3 km/h (got ${run?.speed_kmh})`);
  // The Run screen: the lap table has the finished rep 1, the next step, what is left of this
  // step as a number with its unit and a bar that has grown.
  await until(async () => (await page.locator('#laps tbody tr td:first-child').allTextContents()).includes('1'),
    'the lap table shows the finished rep 1', 8000);
  const lap1 = await page.locator('#laps tbody tr').filter({ has: page.locator('td:first-child', { hasText: /^1$/ }) })
    .first().locator('td').allTextContents();
  check(/^\d+:\d\d$/.test(lap1[1]) && /\d/.test(lap1[2]) && /^\d+:\d\d/.test(lap1[3]),
    `rep 1's lap shows its time, distance and pace (${lap1.join(' | ')})`);
  check(/^Next: /.test(await page.locator('#step-next').textContent()), 'the next step\'s line starts with "Next:"');
  await until(async () => /^(\d+ m( · \d+:\d\d)?|\d+:\d\d) left$/.test(await page.locator('#step-left').textContent()),
    'the step\'s left text is a number with its unit', 3000);
  await until(async () => (await page.locator('#step-bar').evaluate((e) => e.getBoundingClientRect().width)) > 0,
    'the step bar has a width', 5000);
  await shot('reps');

  // STOP brings the belt to 0.
  await button('Stop').click();
  await until(async () => { const s = await status(); return s.state === 'idle' && (s.speed.actual_kmh ?? 0) === 0; },
    'Stop brought the belt to 0', 30000);

  // The key pulled: the fault screen; the key back and Reset.
  await api({ cmd: 'sim', command: { cmd: 'key', present: false } });
  await until(async () => (await page.locator('#fault-title').textContent()) === 'Safety key out' &&
    await page.locator('#fault-screen').isVisible(), 'the fault screen names the key');
  check(/put the safety key back/i.test(await page.locator('#fault-advice').textContent()),
    'the fault screen says to put the safety key back');
  await until(async () => (await status()).fault?.resettable === false, 'the daemon says the fault is not resettable while the key is out');
  await sleep(500);  // a few statuses later: still no Reset
  check(await visibleCount(button('Reset')) === 0, 'no visible Reset while the key is out');
  await shot('fault');
  await api({ cmd: 'sim', command: { cmd: 'key', present: true } });
  await until(async () => (await status()).key_present === true, 'the key is back');
  await until(() => button('Reset').isVisible(), 'Reset shows');
  await button('Reset').click();
  await until(async () => (await status()).state === 'idle', 'Reset clears the fault', 10000);
  await until(async () => !(await page.locator('#fault-screen').isVisible()), 'the fault screen goes');

  // The editor: a broken YAML is marked at its line.
  await button('Editor').click();
  const yaml = page.getByLabel('Workout YAML');
  await yaml.fill('schema: treadmill-workout/1\nname: "Broken"\nsteps:\n  - run: 10 parsecs\n');
  await until(() => page.locator('#gutter .bad').first().isVisible(), 'an error is marked in the gutter', 5000);
  const badLine = await page.locator('#gutter .bad').first().getAttribute('data-line');
  check(badLine === '4', `the error is at line 4 (got ${badLine})`);
  check(!(await page.locator('#ed-timeline').isVisible()), 'a broken program shows no timeline');
  await shot('editor-error');
  await yaml.fill('schema: treadmill-workout/1\nname: "Short"\nsteps:\n  - run: 1 min\n    speed: 8 km/h\n');
  await until(() => page.getByText('Valid', { exact: true }).isVisible(), 'the fixed program is valid', 5000);
  await until(async () => (await page.locator('#ed-timeline tbody tr').allTextContents()).join('|') === 'run1:000.13 km8.0 km/h0.0 %',
    'the expanded timeline shows the one step: run, 1:00, 0.13 km, 8.0 km/h, 0 %', 5000);
  await page.getByLabel('Save as').fill('browser-test');
  await button('Save').click();
  await until(() => fs.existsSync(path.join(dir, 'programs', 'browser-test.yaml')), 'Save wrote the program', 5000);
  const edStart = button('Start');
  await edStart.hover();
  await page.mouse.down();
  await sleep(1300);
  await page.mouse.up();
  await until(async () => ['countdown', 'running'].includes((await status()).state), 'the edited program starts');
  await button('Stop').click();
  await until(async () => (await status()).state === 'idle', 'and stops', 30000);

  // History: the 8 x 400 m just run is listed, its laps show, bests show, a FIT downloads.
  await button('History').click();
  const run400 = page.locator('#sessions button').filter({ hasText: '8 x 400 m' });
  await until(() => run400.isVisible(), 'the History screen lists the 8 x 400 m session');
  const facts = await run400.locator('.s-facts').textContent();
  check(/stopped/.test(facts) && /simulated/.test(facts) && /\d+\.\d\d km/.test(facts),
    `the session shows how it ended, the simulated flag and its distance (${facts})`);
  // Progress: 12 weekly bars; simulated sessions count once the box is ticked.
  await until(async () => (await page.locator('#weeks li.week').count()) === 12, 'the progress view shows 12 weeks');
  const thisWeek = page.locator('#weeks li.week').last();
  const barWidth = () => thisWeek.locator('.week-fill').evaluate((e) => e.getBoundingClientRect().width);
  check(await barWidth() === 0, 'without simulated sessions this week\'s bar is empty');
  await page.getByLabel('Include simulated sessions', { exact: true }).check();
  await until(async () => await barWidth() > 20, 'with them, this week\'s bar shows the recorded workouts');
  const weekFigures = await thisWeek.locator('.week-figures').textContent();
  check(/^\d+\.\d\d km · \d+:\d\d$/.test(weekFigures), `this week's distance and time show (${weekFigures})`);
  await until(async () => /^\d+:\d\d$/.test(await page.locator('#bests tr.mile .b-time').textContent()) ===
    await page.locator('#mile-chart').isVisible(), 'the mile trend shows a chart exactly when there is a mile best');
  const mileBest = await page.locator('#bests tr.mile .b-time').textContent();
  if (await page.locator('#mile-chart').isVisible())
    check((await page.locator('#mile-facts').textContent()).startsWith(`Best ${mileBest} `), `the mile trend names the mile best (${mileBest})`);
  else check(await page.locator('#mile-none').isVisible(), 'without a mile best the trend says so');
  await until(async () => /^\d+:\d\d$/.test(await page.locator('#bests tr[data-distance="400m"] .b-time').textContent()),
    'the 400 m best shows (simulated sessions included)');
  check((await page.locator('#bests tr.mile').count()) === 1, 'the mile row is highlighted');
  const noToast = () => page.evaluate(() => { document.getElementById('toast').hidden = true; });
  await noToast();  // the editor's "Saved as" of a moment ago, not part of this screen
  await shot('history');
  await page.locator('#history-progress').evaluate((e) => e.scrollIntoView({ block: 'start' }));
  await shot('history-progress');
  await page.evaluate(() => window.scrollTo(0, 0));
  await run400.focus();
  await page.keyboard.press('Enter');  // the keyboard opens it
  await until(async () => (await page.locator('#hd-laps tbody tr').count()) >= 2, 'the session\'s laps show');
  check((await page.locator('#hd-laps tbody tr td:nth-child(2)').first().textContent()) === 'warmup', 'the first lap is the warm-up');
  check(await page.locator('#hd-name').evaluate((e) => e === document.activeElement), 'the detail takes the focus');
  await noToast();
  await shot('history-detail');
  const downloaded = page.waitForEvent('download');
  await button('Export FIT').click();
  const fit = await downloaded;
  const fitPath = path.join(dir, 'download.fit');
  await fit.saveAs(fitPath);
  const fitBytes = fs.readFileSync(fitPath);
  check(/^treadmill-\d+-\d{8}-\d{4}\.fit$/.test(fit.suggestedFilename()), `the FIT download is named by the daemon (${fit.suggestedFilename()})`);
  check(fitBytes.length > 14 && fitBytes.subarray(8, 12).toString('latin1') === '.FIT',
    `the FIT download arrived (${fitBytes.length} bytes, ".FIT" at offset 8)`);
  await button('All sessions').click();
  check(await run400.evaluate((e) => e === document.activeElement), 'back to the list, the focus returns to the session');
  // A workout that ends while the list is on screen joins it by itself.
  const ran = await api({ cmd: 'start', program: 'browser-test' });
  check(ran && ran.ok, 'the saved program starts (through the API)');
  await until(() => page.locator('#sessions button').filter({ hasText: 'Short' }).filter({ hasText: 'completed' }).isVisible(),
    'a workout that completes while History is shown appears in the list', 30000);

  // The daemon killed, the Run screen shown: the banner (role=alert) and the figures grey out
  // as stale after 2 s; both go when it returns.
  await button('Run').click();
  const figuresStale = () => page.evaluate(() => {
    const run = document.getElementById('run-screen');
    const figure = run.querySelector('.value');
    return run.offsetParent !== null && run.classList.contains('stale') && Number(getComputedStyle(figure).opacity) < 1;
  });
  await until(async () => await page.locator('#run-screen').isVisible() && !(await figuresStale()),
    'the Run screen shows fresh figures while treadmilld runs');
  killDaemon();
  await until(() => page.getByRole('alert').filter({ hasText: 'disconnected' }).isVisible(), 'the disconnected banner shows', 8000);
  await until(figuresStale, 'the Run screen\'s figures grey out as stale', 5000);
  await shot('disconnected');
  startDaemon();
  await until(async () => !(await page.locator('#banner').isVisible()), 'the banner goes when treadmilld is back', 25000);
  await until(async () => !(await figuresStale()) && await page.locator('#run-screen').isVisible(),
    'the figures are fresh again once treadmilld is back', 5000);

  // Layouts: nothing overflows the viewport at 1280×800 and 390×844.
  for (const [w, h] of [[1280, 800], [390, 844]]) {
    await page.setViewportSize({ width: w, height: h });
    for (const tab of ['Run', 'Programs', 'Editor', 'History', 'History detail']) {
      if (tab === 'History detail') {
        await page.locator('#sessions button').first().click();
        await page.locator('#hd-laps tbody tr').first().waitFor();
      } else {
        await button(tab).click();
      }
      await sleep(300);
      check(await button('Stop').isVisible(), `Stop is visible on ${tab}`);
      const over = await layoutProblems(page);
      check(over.length === 0, `${tab} at ${w}×${h} fits (${over.join('; ')})`);
      await shot(`${tab.toLowerCase().replace(' ', '-')}-${w}x${h}`);
    }
  }

  // Over https (tls: in console.yaml, a throwaway self-signed certificate the browser is told
  // to accept): the page is a secure context (what the Wake Lock needs), pairs with a Secure
  // cookie and gets the daemon's status over wss.
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
    '-nodes', '-days', '2', '-subj', '/CN=treadmill-console test', '-addext', 'subjectAltName=IP:127.0.0.1',
    '-keyout', path.join(dir, 'console.key'), '-out', path.join(dir, 'console.crt')], { stdio: 'ignore' });
  fs.writeFileSync(path.join(dir, 'console-tls.yaml'), 'tls: {certificate: console.crt, key: console.key}\n');
  const httpsUrl = await startConsole(['--config', path.join(dir, 'console-tls.yaml')]);
  check(httpsUrl.startsWith('https://127.0.0.1:'), `the TLS console listens on ${httpsUrl}`);
  const tlsContext = await browser.newContext({ ignoreHTTPSErrors: true });
  const tlsPage = await tlsContext.newPage();
  tlsPage.on('pageerror', (e) => { console.log(`page error (https): ${e}`); process.exitCode = 1; });
  await tlsPage.goto(httpsUrl);
  await tlsPage.getByLabel('PIN').waitFor();
  check(await tlsPage.evaluate(() => location.protocol === 'https:' && window.isSecureContext && 'wakeLock' in navigator),
    'over https the page is a secure context with navigator.wakeLock');
  const tlsPin = execFileSync(process.env.TREADMILLCTL_BIN, ['pair', '--socket', sock]).toString().split('\n')[0].trim();
  await tlsPage.getByLabel('PIN').fill(tlsPin);
  await tlsPage.getByLabel('PIN').press('Enter');
  await until(() => tlsPage.getByRole('button', { name: 'Stop', exact: true }).isVisible(), 'paired over https: the Stop button shows');
  await until(async () => (await tlsPage.locator('#state-label').textContent()) === 'idle', 'the https page shows idle (status over wss)');
  const tlsCookie = (await tlsContext.cookies()).find((c) => c.name === 'treadmill_token');
  check(tlsCookie?.secure === true && tlsCookie?.httpOnly === true, 'the https page\'s token cookie is Secure and HttpOnly');
  await browser.close();
}

main().then(() => { console.log('browser test passed'); }, (e) => { console.log(e.message); process.exitCode = 1; })
  .finally(async () => {
    if (browser) await browser.close().catch(() => {});
    rig.cleanup();
  });
