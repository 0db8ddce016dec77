// Recording an organisation customer in a real Chromium: the first salesperson records it
// through the form from the customer list and lands on its file as its owner; the second records
// the same organisation and is refused, the form naming the owner and keeping what was typed.
//
// Environment: BASE_URL, FIRST, SECOND, PASSWORD, NAME, OWNER (required);
// SCREENSHOT_DIR (optional), CHROMIUM (default /usr/bin/chromium).
// Prints `browser: customer flow ok` and exits 0 on success.

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
const FIRST = env('FIRST');
const SECOND = env('SECOND');
const PASSWORD = env('PASSWORD');
const NAME = env('NAME');
const OWNER = env('OWNER');
const SHOTS = process.env.SCREENSHOT_DIR || '';
if (SHOTS) mkdirSync(SHOTS, { recursive: true });

async function shot(page, name) {
  if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `customer-${name}.png`), fullPage: true });
}

// Anything the Content-Security-Policy refuses fails the flow.
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

async function record(page, name) {
  await page.click('nav a[href="/customers"]');
  await Promise.all([page.waitForURL((u) => u.pathname === '/customers/new'), page.click('#new-customer')]);
  await page.fill('#c-name', name);
  await page.selectOption('#c-kind', 'enterprise');
  await page.selectOption('#c-grade', 'A');
  await page.fill('#c-contact_name', '周经理');
  await page.fill('#c-contact_phone', '13566667777');
  await page.click('#record');
  await page.waitForLoadState('domcontentloaded');
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
  const first = await login(browser, FIRST);
  await record(first, NAME);
  await first.waitForURL((u) => /^\/customers\/\d+$/.test(u.pathname));
  const title = (await first.textContent('#customer-name')) || '';
  if (!title.includes(NAME)) fail(`the file shows ${JSON.stringify(title)}`);
  const owner = (await first.textContent('#owner')) || '';
  if (!owner.includes(OWNER)) fail(`the owner is ${JSON.stringify(owner)}`);
  const phones = (await first.textContent('#contacts')) || '';
  if (phones.includes('13566667777') || !phones.includes('135****7777')) fail(`the phone is not masked: ${phones}`);
  await shot(first, '1-recorded');

  // Logging a callback from the file: a form without a summary is refused and re-shown, then
  // the callback is in the log book and on the file, and the customer has a last contact.
  const fileUrl = first.url();
  await Promise.all([first.waitForURL((u) => u.pathname.endsWith('/callbacks')), first.click('#callbacks-link')]);
  await first.selectOption('#cb-way', 'phone');
  await first.click('#callback-form button.primary');
  await first.waitForLoadState('domcontentloaded');
  const missing = (await first.textContent('#callback-form')) || '';
  if (!/必填|请填写|不能为空/.test(missing)) fail(`an empty summary was not refused beside the field: ${missing.slice(0, 300)}`);
  await first.fill('#cb-summary', '询问中秋节前职工福利安排');
  await first.fill('#cb-outcome', '节前发放购物卡，约五万元');
  await first.fill('#cb-next_step', '九月五日前送报价');
  await first.click('#callback-form button.primary');
  await first.waitForLoadState('domcontentloaded');
  const book = (await first.textContent('#log')) || '';
  if (!book.includes('询问中秋节前职工福利安排')) fail(`the log book does not show the callback: ${book.slice(0, 300)}`);
  await shot(first, '1b-callback');
  await first.goto(fileUrl);
  const onFile = (await first.textContent('#callbacks')) || '';
  if (!onFile.includes('询问中秋节前职工福利安排')) fail(`the file does not show the callback: ${onFile.slice(0, 300)}`);

  const second = await login(browser, SECOND);
  await record(second, ` ${NAME}（ ）`);
  if (new URL(second.url()).pathname !== '/customers/new') fail(`the duplicate went to ${second.url()}`);
  const refusal = (await second.textContent('#form-error')) || '';
  if (!refusal.includes(OWNER)) fail(`the refusal does not name the owner: ${JSON.stringify(refusal)}`);
  const typed = await second.inputValue('#c-name');
  if (!typed.includes(NAME)) fail(`the form lost what was typed: ${JSON.stringify(typed)}`);
  await shot(second, '2-refused');
  if (cspRefusals.length) {
    throw new Error(`the Content-Security-Policy refused: ${cspRefusals.join(' | ')}`);
  }
  process.stdout.write('browser: customer flow ok\n');
} catch (err) {
  fail(err.message);
} finally {
  await browser.close();
}
