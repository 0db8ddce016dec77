// The member portal at 390 px in a real Chromium: first sign-in by SMS code (the test writes the
// code the outbox holds into CODE_FILE), the reward slips, an SMS opt-out, an online complaint,
// the data download.
//
// Environment: BASE_URL, PHONE, CODE_FILE, NEW_PASSWORD, SLIP_NO (required); SCREENSHOT_DIR
// (optional), CHROMIUM (default /usr/bin/chromium).
// Prints `browser: portal self-service ok` and exits 0 on success.

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
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
const PHONE = env('PHONE');
const CODE_FILE = env('CODE_FILE');
const NEW_PASSWORD = env('NEW_PASSWORD');
const SLIP_NO = env('SLIP_NO');
const SHOTS = process.env.SCREENSHOT_DIR || '';
if (SHOTS) mkdirSync(SHOTS, { recursive: true });

async function shot(page, name) {
  if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `portal-${name}.png`), fullPage: true });
}
// Nothing may be wider than the 390 px screen.
async function fits(page, what) {
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  if (wide > 392) fail(`${what} is ${wide} px wide on a 390 px screen`);
}
async function waitForCode() {
  for (let i = 0; i < 150; i++) {
    if (existsSync(CODE_FILE)) {
      const code = readFileSync(CODE_FILE, 'utf8').trim();
      if (code.length === 6) return code;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  fail('no code arrived');
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
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 }, acceptDownloads: true });
  const cspRefusals = [];
  context.on('console', (msg) => {
    if (msg.text().includes('Content Security Policy')) cspRefusals.push(msg.text());
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(`${BASE}/portal/login`);
  await Promise.all([page.waitForURL((u) => u.pathname === '/portal/code'), page.click('#code-link')]);
  await fits(page, 'the code page');
  await page.fill('#phone', PHONE);
  await page.click('#ask-submit');
  await page.waitForSelector('#verify-form');
  await shot(page, '1-code-sent');
  const code = await waitForCode();
  await page.fill('#code', code);
  await page.fill('#new', NEW_PASSWORD);
  await page.fill('#confirm', NEW_PASSWORD);
  await Promise.all([page.waitForURL((u) => u.pathname === '/portal'), page.click('#verify-submit')]);
  await fits(page, 'the overview');
  await Promise.all([page.waitForURL((u) => u.pathname === '/portal/slips'), page.click('#slips-link')]);
  await page.waitForSelector(`#slip-${SLIP_NO}`);
  const next = (await page.textContent('#next-threshold')) || '';
  if (!next.includes('还差')) fail(`the next threshold does not say what is missing: ${next}`);
  await fits(page, 'the slips page');
  await shot(page, '2-slips');
  await Promise.all([page.waitForURL((u) => u.pathname === '/portal/privacy'), page.click('#privacy-link')]);
  await Promise.all([page.waitForURL((u) => u.search.includes('ok=consent')), page.click('#opt-out-sms')]);
  await page.waitForSelector('#opt-in-sms');
  await fits(page, 'the privacy page');
  await shot(page, '3-opted-out');
  // An online complaint: it is listed with its state in words.
  await page.goto(`${BASE}/portal`);
  await Promise.all([page.waitForURL((u) => u.pathname === '/portal/complaints'), page.click('#complaints-link')]);
  await fits(page, 'the complaints page');
  await page.selectOption('#c-category', 'service');
  await page.fill('#c-content', '服务台排队太久');
  await page.fill('#c-wants', '多开窗口');
  await Promise.all([page.waitForURL((u) => u.search.includes('ok=1')), page.click('#complaint-submit')]);
  const state = (await page.textContent('.complaint-state')) || '';
  if (state.trim() !== '待受理') fail(`the complaint's state reads ${state}`);
  await fits(page, 'the complaints list');
  await shot(page, '4-complaint');
  await Promise.all([page.waitForURL((u) => u.pathname === '/portal/privacy'), page.click('#privacy-link')]);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#data-download')]);
  const file = await download.path();
  const text = readFileSync(file, 'utf8');
  if (!text.includes(SLIP_NO)) fail('the download does not hold the slip');
  if (!text.includes('会员个人信息副本')) fail('the download is not in Chinese');
  if (!text.includes('服务台排队太久') || !text.includes('待受理')) fail('the download does not hold the complaint');
  if (cspRefusals.length) {
    throw new Error(`the Content-Security-Policy refused: ${cspRefusals.join(' | ')}`);
  }
  process.stdout.write(`browser: portal self-service ok (${text.length} characters downloaded)\n`);
} catch (err) {
  fail(err.message);
} finally {
  await browser.close();
}
