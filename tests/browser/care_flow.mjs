// An advisor completing a care call in a real Chromium: from the menu to today's and overdue
// calls, into the call, a form without an outcome is refused and re-shown with what was typed,
// then the call is recorded done and leaves the list.
//
// Environment: BASE_URL, ADVISOR, PASSWORD, MEMBER (required);
// SCREENSHOT_DIR (optional), CHROMIUM (default /usr/bin/chromium).
// Prints `browser: care flow ok` and exits 0 on success.

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
const ADVISOR = env('ADVISOR');
const PASSWORD = env('PASSWORD');
const MEMBER = env('MEMBER');
const SHOTS = process.env.SCREENSHOT_DIR || '';
if (SHOTS) mkdirSync(SHOTS, { recursive: true });

async function shot(page, name) {
  if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `care-${name}.png`), fullPage: true });
}

const cspRefusals = [];
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
  context.on('console', (msg) => {
    if (msg.text().includes('Content Security Policy')) cspRefusals.push(msg.text());
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(`${BASE}/login`);
  await page.fill('#username', ADVISOR);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.click('button[type=submit]')]);
  await Promise.all([page.waitForURL((u) => u.pathname === '/care'), page.click('nav a[href="/care"]')]);
  const list = (await page.textContent('main')) || '';
  if (!list.includes(MEMBER)) fail(`the call list does not name the member: ${list.slice(0, 300)}`);
  await shot(page, '1-list');
  await Promise.all([page.waitForURL((u) => /^\/care\/tasks\/\d+$/.test(u.pathname)), page.click('a[href^="/care/tasks/"]')]);
  await page.fill('#c-remarks', '告知秋季新款到店');
  await page.click('#complete');
  await page.waitForLoadState('domcontentloaded');
  const refusal = (await page.textContent('#complete-form')) || '';
  if (!/必填|请选择/.test(refusal)) fail(`a call without an outcome was not refused: ${refusal.slice(0, 300)}`);
  const kept = await page.inputValue('#c-remarks');
  if (!kept.includes('告知秋季新款到店')) fail(`the form lost the remarks: ${JSON.stringify(kept)}`);
  await shot(page, '2-refused');
  await page.check('#outcome-reached');
  await Promise.all([page.waitForURL((u) => u.pathname === '/care'), page.click('#complete')]);
  const after = (await page.textContent('main')) || '';
  if (after.includes(MEMBER)) fail(`the call is still listed: ${after.slice(0, 300)}`);
  await shot(page, '3-done');
  if (cspRefusals.length) {
    throw new Error(`the Content-Security-Policy refused: ${cspRefusals.join(' | ')}`);
  }
  process.stdout.write('browser: care flow ok\n');
} catch (err) {
  fail(err.message);
} finally {
  await browser.close();
}
