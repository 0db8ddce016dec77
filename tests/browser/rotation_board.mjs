// Two screens watching one rotation board in a real Chromium: the counter's tablet records
// walk-ins through its form; the second screen, never reloaded, shows each assignment from the
// board's event stream within a couple of seconds.
//
// Environment: BASE_URL, USER, PASSWORD, TEAM (required); SCREENSHOT_DIR (optional),
// CHROMIUM (default /usr/bin/chromium).
// Prints `browser: rotation board ok` and exits 0 on success.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

function fail(message) {
  process.stderr.write(`browser: FAIL: ${message}\n`);
  process.exit(1);
}
function env(name) {
  const v = process.env[name];
  if (!v) fail(`environment variable ${name} is required`);
  return v;
}
const BASE = env('BASE_URL').replace(/\/+$/, '');
const USER = env('USER');
const PASSWORD = env('PASSWORD');
const TEAM = env('TEAM');
const SHOTS = process.env.SCREENSHOT_DIR || '';
if (SHOTS) mkdirSync(SHOTS, { recursive: true });

async function shot(page, name) {
  if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `rotation-${name}.png`), fullPage: true });
}

const cspRefusals = [];

async function login(browser) {
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1024, height: 768 } });
  context.on('console', (msg) => {
    if (msg.text().includes('Content Security Policy')) cspRefusals.push(msg.text());
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(`${BASE}/login`);
  await page.fill('#username', USER);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.click('button[type=submit]')]);
  await page.goto(`${BASE}/rotation/${TEAM}`);
  return page;
}

let browser;
try {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 30_000,
  });
} catch (err) {
  fail(`could not launch Chromium: ${err.message}`);
}

try {
  const counter = await login(browser);
  const screen = await login(browser);
  // The second screen's stream is open before anything arrives.
  await screen.waitForFunction(() => document.querySelector('#board')?.dataset.live === '1');
  await screen.waitForTimeout(300);
  for (const seq of [1, 2, 3]) {
    await Promise.all([counter.waitForURL((u) => u.searchParams.get('ok') !== null), counter.click('#walk-in')]);
    const sel = `#rotation-last[data-seq="${seq}"]`;
    await counter.waitForSelector(sel);
    const who = await counter.getAttribute(sel, 'data-username');
    const started = Date.now();
    await screen.waitForSelector(`#rotation-last[data-seq="${seq}"][data-username="${who}"]`, { timeout: 3_000 });
    const took = Date.now() - started;
    process.stdout.write(`browser: walk-in ${seq} to ${who} on the second screen after ${took} ms\n`);
    await counter.goto(`${BASE}/rotation/${TEAM}`);
  }
  const visits = await screen.$$eval('#rotation-visits tbody tr', (rows) => rows.length);
  if (visits !== 3) fail(`the second screen lists ${visits} visits`);
  await shot(screen, 'second-screen');
  if (cspRefusals.length) {
    throw new Error(`the Content-Security-Policy refused: ${cspRefusals.join(' | ')}`);
  }
  process.stdout.write('browser: rotation board ok\n');
} catch (err) {
  fail(err.message);
} finally {
  if (browser) await browser.close();
}
