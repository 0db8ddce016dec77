// A cheque sale at the group-buy desk in a real Chromium, from reception to release: the clerk
// records an organisation buyer, types the serial range, sees the prepaid-card warning appear
// while the paying account is missing and disappear when it is filled in, records the sale
// (the vouchers are reserved), opens the two-part cheque deposit receipt, is told the cheque
// cannot be treated as cleared before its date, and releases the vouchers on a counter-deposit
// slip.
//
// Environment: BASE_URL, CLERK, PASSWORD, RANGE (required); SCREENSHOT_DIR (optional),
// CHROMIUM (default /usr/bin/chromium). Prints `browser: cheque flow ok` and exits 0 on success.

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
const CLERK = env('CLERK');
const PASSWORD = env('PASSWORD');
const RANGE = env('RANGE');
const SHOTS = process.env.SCREENSHOT_DIR || '';
if (SHOTS) mkdirSync(SHOTS, { recursive: true });

async function shot(page, name) {
  if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `cheque-${name}.png`), fullPage: true });
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
  const context = await browser.newContext({ locale: 'zh-CN' });
  // Anything the Content-Security-Policy refuses (an inline script, style or handler, eval)
  // fails the flow: Chromium reports each refusal on the console.
  const cspRefusals = [];
  context.on('console', (msg) => {
    if (msg.text().includes('Content Security Policy')) cspRefusals.push(msg.text());
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(`${BASE}/login`);
  await page.fill('#username', CLERK);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.click('button[type=submit]')]);

  await page.click('nav a[href="/groupbuy"]');
  await Promise.all([page.waitForURL((u) => u.pathname === '/groupbuy/sales/new'), page.click('a[href^="/groupbuy/sales/new"]')]);
  // Reception: the organisation first.
  await page.selectOption('#buyer-kind', 'organisation');
  await page.fill('[id="buyer.organisation"]', '北京某某科技有限公司');
  await page.fill('[id="buyer.contact"]', '王经理');
  await page.fill('[id="buyer.phone"]', '010-65001234');
  await page.selectOption('#payment', 'cheque');
  await page.fill('#cheque_no', '10203040');
  await page.fill('#line-0-range', RANGE);
  // The rule appears as the clerk types: a cheque records the paying account.
  await page.waitForSelector('#sale-check [data-rule="e12.paying_account"]');
  const warning = (await page.textContent('#sale-check [data-rule="e12.paying_account"]')) || '';
  if (!warning.includes('账户')) fail(`the warning is not in Chinese: ${warning}`);
  await shot(page, '1-warning');
  await page.fill('#bank', '工商银行王府井支行');
  await page.fill('#account_name', '北京某某科技有限公司');
  await page.fill('#account_no', '0200001009000123456');
  await page.waitForSelector('#sale-ok');
  const total = (await page.textContent('#sale-total')) || '';
  if (!total.includes('¥')) fail(`no total shown: ${total}`);
  await shot(page, '2-ok');
  await Promise.all([page.waitForURL((u) => /^\/groupbuy\/sales\/\d+$/.test(u.pathname)), page.click('#sell')]);
  const state = await page.getAttribute('#sale-state', 'data-state');
  if (state !== 'reserved') fail(`after the sale the vouchers are ${state}, not reserved`);
  await shot(page, '3-reserved');

  // The two-part cheque deposit receipt.
  const [receipt] = await Promise.all([context.waitForEvent('page'), page.click('#print-cheque')]);
  await receipt.waitForLoadState();
  // Laid out by print.css (the page has no inline style).
  const font = await receipt.evaluate(() => getComputedStyle(document.body).fontFamily);
  if (!font.includes('Serif')) fail(`the cheque receipt is not styled for paper: ${font}`);
  const paper = (await receipt.textContent('body')) || '';
  for (const needle of ['支票押金凭证', '第一联', '第二联', '10203040']) {
    if (!paper.includes(needle)) fail(`the cheque receipt lacks ${needle}`);
  }
  if (SHOTS) await receipt.screenshot({ path: path.join(SHOTS, 'cheque-4-receipt.png'), fullPage: true });
  await receipt.close();

  // Not cleared yet: the desk is told why, and nothing changes.
  await page.selectOption('#release-reason', 'cleared');
  await Promise.all([page.waitForLoadState(), page.click('#release')]);
  await page.waitForSelector('#form-error');
  if ((await page.getAttribute('#sale-state', 'data-state')) !== 'reserved') fail('a refused release changed the sale');
  await shot(page, '5-not-due');
  // Counter-deposit with the bank slip: the vouchers are handed over.
  await page.selectOption('#release-reason', 'counter_deposit');
  await page.fill('#counter_slip_no', 'YH-0001');
  await Promise.all([page.waitForURL((u) => u.search.includes('ok=')), page.click('#release')]);
  if ((await page.getAttribute('#sale-state', 'data-state')) !== 'sold') fail('the vouchers were not released');
  await shot(page, '6-released');
  if (cspRefusals.length) {
    throw new Error(`the Content-Security-Policy refused: ${cspRefusals.join(' | ')}`);
  }
  process.stdout.write('browser: cheque flow ok\n');
} catch (err) {
  fail(err.stack || String(err));
} finally {
  await browser?.close();
}
