// The member desk in a real Chromium: a clerk finds a member by phone, opens the member page and
// asks for a points adjustment; a supervisor approves it in the approvals inbox; the clerk sees
// the new balance and the ledger line.
//
// Environment: BASE_URL, CLERK, SUPERVISOR, PASSWORD, PHONE, NAME (required);
// SCREENSHOT_DIR (optional), CHROMIUM (default /usr/bin/chromium).
// Prints `browser: member flow ok` and exits 0 on success.

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
const SUPERVISOR = env('SUPERVISOR');
const PASSWORD = env('PASSWORD');
const PHONE = env('PHONE');
const NAME = env('NAME');
const SHOTS = process.env.SCREENSHOT_DIR || '';
if (SHOTS) mkdirSync(SHOTS, { recursive: true });

async function shot(page, name) {
  if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `member-${name}.png`), fullPage: true });
}

// Anything the Content-Security-Policy refuses (an inline script, style or handler, eval)
// fails the flow: Chromium reports each refusal on the console.
const cspRefusals = [];

async function login(browser, user) {
  const context = await browser.newContext({ locale: 'zh-CN' });
  context.on('console', (msg) => {
    if (msg.text().includes('Content Security Policy')) cspRefusals.push(msg.text());
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(`${BASE}/login`);
  await page.fill('#username', user);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.click('button[type=submit]')]);
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
  const clerk = await login(browser, CLERK);
  await clerk.click('nav a[href="/members"]');
  await clerk.fill('#q', PHONE);
  await Promise.all([clerk.waitForURL((u) => u.pathname === '/members' && u.search.includes('q=')), clerk.click('#search')]);
  const link = clerk.locator('#results a', { hasText: NAME });
  if ((await link.count()) !== 1) fail(`search for the phone did not find exactly ${NAME}`);
  await shot(clerk, '1-search');
  await Promise.all([clerk.waitForURL((u) => /^\/members\/\d+$/.test(u.pathname)), link.click()]);
  const memberPath = new URL(clerk.url()).pathname;
  const title = (await clerk.textContent('#member-name')) || '';
  if (!title.includes(NAME)) fail(`member page shows ${JSON.stringify(title)}`);
  const phone = (await clerk.textContent('#phone')) || '';
  if (phone.includes(PHONE) || !phone.includes('****')) fail(`the phone is not masked: ${phone}`);
  await clerk.fill('#adj-points', '300');
  await clerk.fill('#adj-reason', '会员日活动补偿');
  await Promise.all([clerk.waitForURL((u) => u.search.includes('ok=flash.submitted')), clerk.click('#adjust-submit')]);
  if (((await clerk.textContent('#balance')) || '').trim() !== '0') fail('the balance changed before approval');
  await shot(clerk, '2-submitted');

  const boss = await login(browser, SUPERVISOR);
  await boss.click('nav a[href="/approvals"]');
  const row = boss.locator('#pending tr', { hasText: '会员日活动补偿' });
  if ((await row.count()) !== 1) fail('the request is not in the supervisor\'s inbox');
  await shot(boss, '3-inbox');
  await Promise.all([boss.waitForURL((u) => u.search.includes('ok=flash.approved')), row.locator('button[value=approve]').click()]);
  await shot(boss, '4-approved');

  await clerk.goto(`${BASE}${memberPath}`);
  const balance = ((await clerk.textContent('#balance')) || '').trim();
  if (balance !== '300') fail(`balance after approval is ${balance}, expected 300`);
  const ledger = (await clerk.textContent('#ledger')) || '';
  if (!ledger.includes('人工调整') || !ledger.includes('会员日活动补偿')) fail('the ledger does not show the adjustment');
  await shot(clerk, '5-balance');
  if (cspRefusals.length) {
    throw new Error(`the Content-Security-Policy refused: ${cspRefusals.join(' | ')}`);
  }
  process.stdout.write('browser: member flow ok\n');
} catch (err) {
  fail(err.message);
} finally {
  await browser.close();
}
