// Browser check of the reward desk: a reward-desk user logs in, opens 领奖处, claims a slip by
// its number after checking the member and their ID, sees it claimed, and sees a second claim refused.
//
// Environment: BASE_URL, LOGIN, PASSWORD, SLIP_NO (required); SCREENSHOT_DIR, CHROMIUM.
// Prints `browser: slip claim ok` and exits 0 on success; otherwise a message and exit 1.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const TIMEOUT_MS = 15_000;

function fail(message) {
  process.stderr.write(`browser: FAIL: ${message}\n`);
  process.exit(1);
}

function requireEnv(name) {
  const value = process.env[name];
  if (value === undefined || value === '') fail(`environment variable ${name} is required`);
  return value;
}

const BASE_URL = requireEnv('BASE_URL').replace(/\/+$/, '');
const LOGIN = requireEnv('LOGIN');
const PASSWORD = requireEnv('PASSWORD');
const SLIP_NO = requireEnv('SLIP_NO');
const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR || '';
const EXECUTABLE = process.env.CHROMIUM || '/usr/bin/chromium';
if (SCREENSHOT_DIR) mkdirSync(SCREENSHOT_DIR, { recursive: true });

let browser = null;
let page = null;

async function shot(name) {
  if (SCREENSHOT_DIR && page) {
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, `slip-claim-${name}.png`), fullPage: true }).catch(() => {});
  }
}

async function text(selector) {
  const el = page.locator(selector).first();
  await el.waitFor({ state: 'visible', timeout: TIMEOUT_MS });
  return (await el.textContent()).trim();
}

try {
  browser = await chromium.launch({
    executablePath: EXECUTABLE,
    headless: true,
    timeout: 30_000,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // Anything the Content-Security-Policy refuses (an inline script, style or handler, eval)
  // fails the flow: Chromium reports each refusal on the console.
  const cspRefusals = [];
  context.on('console', (msg) => {
    if (msg.text().includes('Content Security Policy')) cspRefusals.push(msg.text());
  });
  page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT_MS);

  // Log in.
  await page.goto(`${BASE_URL}/login`);
  await page.fill('input[name=username]', LOGIN);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('main button[type=submit]');
  await page.waitForURL((u) => u.pathname === '/', { timeout: TIMEOUT_MS });
  await shot('01-dashboard');

  // The reward desk from the navigation.
  await page.click('nav.mainnav a[href="/rewards"]');
  await page.waitForURL((u) => u.pathname === '/rewards', { timeout: TIMEOUT_MS });
  await page.click('main a[href^="/rewards/claim"]');
  await page.waitForURL((u) => u.pathname === '/rewards/claim', { timeout: TIMEOUT_MS });
  await shot('02-claim-form');

  // Look the slip up by number: member, gift, validity and the ID to check are shown first.
  await page.fill('#slip_no', SLIP_NO);
  await page.click('#look-up-button');
  const pending = await text('#pending');
  if (!pending.includes(SLIP_NO) || !pending.includes('****')) {
    fail(`the slip is not shown for checking before the hand-over: ${JSON.stringify(pending)}`);
  }
  await shot('03-check');
  // Without ticking the ID check: refused, nothing handed over.
  await page.click('#claim-button');
  const unchecked = await text('#pending');
  if (!unchecked.includes('请先核对会员本人证件')) fail(`no ID check asked for: ${JSON.stringify(unchecked)}`);
  // Checked and confirmed: handed over.
  await page.check('#id_checked');
  await page.click('#claim-button');
  const claimed = await text('#claimed');
  if (!claimed.includes(SLIP_NO)) fail(`the claim answer does not name the slip: ${JSON.stringify(claimed)}`);
  await shot('04-claimed');

  // The same slip again: the look-up says it was claimed, in Chinese, and offers no hand-over.
  await page.fill('#slip_no', SLIP_NO);
  await page.click('#look-up-button');
  const refused = await text('#why-not');
  if (!refused.includes('已于') || !refused.includes('领取')) fail(`a second claim was not refused visibly: ${JSON.stringify(refused)}`);
  if (await page.locator('#claim-button').count()) fail('a claimed slip still offers the hand-over');
  await shot('05-refused');

  // The slip's own page shows it claimed.
  await page.goto(`${BASE_URL}/rewards/slips/${SLIP_NO}`);
  const state = await text('#slip-state');
  if (!(state.includes('已领') || state.includes('Claimed'))) fail(`the slip page shows ${JSON.stringify(state)}`);
  await shot('06-slip');

  if (cspRefusals.length) {
    throw new Error(`the Content-Security-Policy refused: ${cspRefusals.join(' | ')}`);
  }
  process.stdout.write('browser: slip claim ok\n');
  await browser.close();
  process.exit(0);
} catch (err) {
  await shot('FAILED');
  if (browser) await browser.close().catch(() => {});
  fail(`${err.message}${page ? `\n  url=${page.url()}` : ''}`);
}
