// A complaint from intake to its callback in a real Chromium: the service desk takes it on the
// board's form, lands on the case, acknowledges it, routes it to a department, enters the
// department's plan and the result, and records a satisfied callback, which closes the case.
//
// Environment: BASE_URL, USER, PASSWORD (required); SCREENSHOT_DIR (optional), CHROMIUM
// (default /usr/bin/chromium). Prints `browser: complaint flow ok` and exits 0 on success.

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
const SHOTS = process.env.SCREENSHOT_DIR || '';
if (SHOTS) mkdirSync(SHOTS, { recursive: true });

async function shot(page, name) {
  if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `complaint-${name}.png`), fullPage: true });
}

const cspRefusals = [];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const context = await browser.newContext({ locale: 'zh-CN' });
  context.on('console', (msg) => {
    if (msg.text().includes('Content Security Policy')) cspRefusals.push(msg.text());
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(`${BASE}/login`);
  await page.fill('#username', USER);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.click('button[type=submit]')]);

  await page.click('nav a[href="/complaints"]');
  await page.waitForSelector('#take-form');
  await page.selectOption('#t-channel', 'hotline');
  await page.fill('#t-complainant', '浏览器顾客');
  await page.selectOption('#t-category', 'product_quality');
  await page.fill('#t-content', '新买的保温杯漏水');
  await page.fill('#t-wants', '换新');
  await shot(page, '1-intake');
  await Promise.all([
    page.waitForURL((u) => /^\/complaints\/\d+$/.test(u.pathname)),
    page.click('#take-form button.primary'),
  ]);
  const caseUrl = new URL(page.url()).pathname;
  const state = async () => (await page.textContent('#case-state')).trim();
  if ((await state()) !== '待受理') fail(`a new case should be received, is ${await state()}`);

  // The board lists it and refreshes itself.
  await page.goto(`${BASE}/complaints`);
  const id = caseUrl.split('/').pop();
  await page.waitForSelector(`#board-rows tr[data-id="${id}"]`);
  await page.waitForResponse((r) => r.url().endsWith('/complaints/board'), { timeout: 12_000 });
  await shot(page, '2-board');
  await page.goto(`${BASE}${caseUrl}`);

  const submit = async (form) => {
    await Promise.all([page.waitForURL((u) => u.pathname === caseUrl), page.click(`${form} button`)]);
  };
  await submit('#acknowledge-form');
  if ((await state()) !== '已受理') fail('acknowledged');
  await page.selectOption('#f-dept', 'quality');
  await submit('#route-form');
  if ((await state()) !== '已分流') fail('routed');
  await page.fill('#f-plan', '质检部今日检测，确认后换新');
  await submit('#answer-form');
  await page.fill('#f-result', '已为顾客换新');
  await submit('#resolve-form');
  if ((await state()) !== '已处理待回访') fail('resolved');
  await page.check('#callback-form input[value="yes"]');
  await page.fill('#f-remarks', '顾客满意');
  await submit('#callback-form');
  await shot(page, '3-closed');
  if ((await state()) !== '已结案') fail(`closed, is ${await state()}`);
  if (cspRefusals.length) fail(`the Content-Security-Policy refused: ${cspRefusals.join('; ')}`);
  process.stdout.write('browser: complaint flow ok\n');
} finally {
  await browser.close();
}
