// The member portal in a real Chromium: a member logs in, opens the exchange catalogue, picks a
// gift and a pick-up store and exchanges points; the balance and the stock shown go down and the
// exchange is in the member's history.
//
// Environment: BASE_URL, CARD, PASSWORD, GIFT, STORE, PRICE (required); SCREENSHOT_DIR
// (optional), CHROMIUM (default /usr/bin/chromium).
// Prints `browser: portal exchange ok` and exits 0 on success.

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
const CARD = env('CARD');
const PASSWORD = env('PASSWORD');
const GIFT = env('GIFT');
const STORE = env('STORE');
const PRICE = Number(env('PRICE'));
const SHOTS = process.env.SCREENSHOT_DIR || '';
if (SHOTS) mkdirSync(SHOTS, { recursive: true });

async function shot(page, name) {
  if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `exchange-${name}.png`), fullPage: true });
}
const num = async (page, sel) => Number(((await page.textContent(sel)) || '').replace(/[^0-9-]/g, ''));

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
  const context = await browser.newContext({ locale: 'zh-CN' });
  // Anything the Content-Security-Policy refuses (an inline script, style or handler, eval)
  // fails the flow: Chromium reports each refusal on the console.
  const cspRefusals = [];
  context.on('console', (msg) => {
    if (msg.text().includes('Content Security Policy')) cspRefusals.push(msg.text());
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(`${BASE}/portal/login`);
  await page.fill('#login', CARD);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForURL((u) => u.pathname === '/portal'), page.click('button[type=submit]')]);
  const homeBalance = await num(page, '#balance');
  await Promise.all([page.waitForURL((u) => u.pathname === '/portal/exchange'), page.click('#exchange-link')]);
  await Promise.all([page.waitForURL((u) => u.search.includes(`store=${STORE}`)), page.selectOption('#store-select', STORE)]);
  const before = await num(page, '#balance');
  if (before !== homeBalance) fail(`exchange page shows ${before}, home showed ${homeBalance}`);
  const stockBefore = await num(page, `#stock-${GIFT}`);
  await shot(page, '1-catalogue');
  await page.selectOption('#gift', GIFT);
  await page.fill('#qty', '1');
  await Promise.all([page.waitForURL((u) => u.search.includes('done=')), page.click('#exchange-submit')]);
  await page.waitForSelector('#exchange-done');
  const after = await num(page, '#balance');
  if (after !== before - PRICE) fail(`balance after is ${after}, expected ${before - PRICE}`);
  const stockAfter = await num(page, `#stock-${GIFT}`);
  if (stockAfter !== stockBefore - 1) fail(`stock after is ${stockAfter}, expected ${stockBefore - 1}`);
  const history = (await page.textContent('#exchange-history')) || '';
  if (!history.includes(String(PRICE))) fail('the exchange is not in the history');
  await shot(page, '2-exchanged');
  await page.goto(`${BASE}/portal`);
  const home = (await page.textContent('#history')) || '';
  if (!home.includes('积分兑换')) fail('the points statement does not show the exchange');
  if (cspRefusals.length) {
    throw new Error(`the Content-Security-Policy refused: ${cspRefusals.join(' | ')}`);
  }
  process.stdout.write(`browser: portal exchange ok (balance ${before} -> ${after}, stock ${stockBefore} -> ${stockAfter})\n`);
} catch (err) {
  fail(err.message);
} finally {
  await browser.close();
}
