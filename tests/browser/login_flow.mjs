// End-to-end browser check of the Patron staff console login flow.
//
// Drives a real Chromium (no download: uses the system binary) through:
//   first login -> forced password change -> dashboard (zh-CN) ->
//   switch to English -> reload -> logout -> login again (English kept).
//
// Environment:
//   BASE_URL        e.g. http://127.0.0.1:12345   (required)
//   LOGIN           username                      (required)
//   PASSWORD        one-time password             (required)
//   NEW_PASSWORD    password to change to         (required)
//   SCREENSHOT_DIR  if set, a PNG is saved there after each step
//   CHROMIUM        browser binary (default /usr/bin/chromium)
//
// Prints `browser: login flow ok` and exits 0 on success; on any mismatch
// prints a message to stderr and exits 1.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const STEP_TIMEOUT_MS = 15_000;
const LAUNCH_TIMEOUT_MS = 30_000;

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
const NEW_PASSWORD = requireEnv('NEW_PASSWORD');
const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR || '';
const EXECUTABLE = process.env.CHROMIUM || '/usr/bin/chromium';

try {
  new URL(BASE_URL);
} catch {
  fail(`BASE_URL is not a valid URL: ${JSON.stringify(BASE_URL)}`);
}
if (SCREENSHOT_DIR) mkdirSync(SCREENSHOT_DIR, { recursive: true });

class StepError extends Error {}

let page = null;
let stepNo = 0;
let stepDeadline = 0;
const diagnostics = [];

async function screenshot(name) {
  if (!SCREENSHOT_DIR || !page) return;
  try {
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true, timeout: 5_000 });
  } catch (err) {
    process.stderr.write(`browser: warning: screenshot ${name} failed: ${err.message}\n`);
  }
}

// Time left for waits inside the current step, leaving a margin so that a
// specific expectation failure is reported before the step deadline fires.
function remaining() {
  return Math.max(stepDeadline - Date.now() - 500, 1);
}

// Runs one step of the flow with an overall deadline of STEP_TIMEOUT_MS.
async function step(label, fn) {
  stepNo += 1;
  const tag = `${String(stepNo).padStart(2, '0')}-${label}`;
  let timer;
  stepDeadline = Date.now() + STEP_TIMEOUT_MS;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(new StepError(`timed out after ${STEP_TIMEOUT_MS / 1000}s`)),
      STEP_TIMEOUT_MS,
    );
  });
  const work = fn();
  work.catch(() => {}); // if the deadline wins, a later rejection must not go unhandled
  try {
    await Promise.race([work, deadline]);
  } catch (err) {
    const where = page ? await withTimeout(describePage(), 5_000, `\n  url=${page.url()} (page unresponsive)`) : '';
    await screenshot(`${tag}-FAILED`);
    throw new StepError(`step ${tag}: ${err.message}${where}`);
  } finally {
    clearTimeout(timer);
  }
  await screenshot(tag);
}

function withTimeout(promise, ms, fallback) {
  let timer;
  return Promise.race([
    promise,
    new Promise((resolve) => {
      timer = setTimeout(() => resolve(fallback), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

// Context appended to failure messages: where the browser actually is.
async function describePage() {
  const parts = [];
  try {
    parts.push(`url=${page.url()}`);
    const lang = await page.evaluate(() => document.documentElement.getAttribute('lang'));
    parts.push(`html[lang]=${JSON.stringify(lang)}`);
    const h1 = await page.evaluate(() => document.querySelector('h1')?.textContent?.trim() ?? null);
    parts.push(`h1=${JSON.stringify(h1)}`);
    const alerts = await page.evaluate(() =>
      Array.from(document.querySelectorAll('[role=alert], .error, .errors, .flash, .alert'))
        .map((e) => e.textContent.trim())
        .filter(Boolean)
        .slice(0, 3),
    );
    if (alerts.length) parts.push(`messages=${JSON.stringify(alerts)}`);
  } catch (err) {
    parts.push(`(page state unavailable: ${err.message.split('\n')[0]})`);
  }
  if (diagnostics.length) parts.push(`browser diagnostics:\n  ${diagnostics.slice(-10).join('\n  ')}`);
  return `\n  ${parts.join('\n  ')}`;
}

function currentPath() {
  return new URL(page.url()).pathname;
}

// Waits (within the step deadline) until the page's URL path is `expected`
// and that document has loaded.
async function expectPath(expected) {
  try {
    await page.waitForURL((u) => u.pathname === expected, { timeout: remaining() });
  } catch {
    throw new StepError(`expected URL path ${JSON.stringify(expected)}, got ${JSON.stringify(currentPath())}`);
  }
}

async function expectVisible(selector) {
  try {
    await page.locator(selector).first().waitFor({ state: 'visible', timeout: remaining() });
  } catch {
    const count = await page.locator(selector).count().catch(() => 0);
    throw new StepError(
      count ? `element ${selector} is present but not visible` : `element ${selector} not found`,
    );
  }
}

async function expectLang(expected) {
  try {
    await page
      .locator(`html[lang="${expected}"]`)
      .waitFor({ state: 'attached', timeout: remaining() });
  } catch {
    const got = await page.evaluate(() => document.documentElement.getAttribute('lang')).catch(() => '?');
    throw new StepError(`expected <html lang=${JSON.stringify(expected)}>, got ${JSON.stringify(got)}`);
  }
}

async function expectH1Contains(text) {
  try {
    await page.locator('h1', { hasText: text }).first().waitFor({ state: 'attached', timeout: remaining() });
  } catch {
    const got = await page.locator('h1').first().textContent({ timeout: 1_000 }).catch(() => null);
    throw new StepError(`expected an <h1> containing ${JSON.stringify(text)}, got ${JSON.stringify(got?.trim() ?? null)}`);
  }
}

async function fill(selector, value) {
  const el = page.locator(selector);
  const count = await el.count();
  if (count !== 1) throw new StepError(`expected exactly one ${selector}, found ${count}`);
  await el.fill(value);
}

async function click(selector) {
  const el = page.locator(selector);
  const count = await el.count();
  if (count !== 1) throw new StepError(`expected exactly one ${selector}, found ${count}`);
  await el.click();
}

async function submitLogin(password) {
  await fill('input[name=username]', LOGIN);
  await fill('input[name=password]', password);
  await click('main button[type=submit]');
}

let browser = null;
let ok = false;
try {
  try {
    browser = await chromium.launch({
      executablePath: EXECUTABLE,
      headless: true,
      timeout: LAUNCH_TIMEOUT_MS,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
      ],
    });
  } catch (err) {
    throw new StepError(`could not launch Chromium at ${EXECUTABLE}: ${err.message}`);
  }

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // Anything the Content-Security-Policy refuses (an inline script, style or handler, eval)
  // fails the flow: Chromium reports each refusal on the console.
  const cspRefusals = [];
  context.on('console', (msg) => {
    if (msg.text().includes('Content Security Policy')) cspRefusals.push(msg.text());
  });
  page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  page.setDefaultNavigationTimeout(STEP_TIMEOUT_MS);
  // Collected only to enrich failure messages; they do not fail the flow.
  page.on('pageerror', (err) => diagnostics.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    // Failed loads are reported with their URL by the response handler.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) {
      diagnostics.push(`console.error: ${msg.text()}`);
    }
  });
  page.on('response', (res) => {
    if (res.status() >= 400 && new URL(res.url()).pathname !== '/favicon.ico') {
      diagnostics.push(`HTTP ${res.status()} ${res.request().method()} ${res.url()}`);
    }
  });
  page.on('requestfailed', (req) => {
    diagnostics.push(`request failed: ${req.method()} ${req.url()} (${req.failure()?.errorText})`);
  });

  // a. Log in with the one-time password.
  await step('login', async () => {
    const res = await page.goto(`${BASE_URL}/login`);
    if (!res || !res.ok()) throw new StepError(`GET /login returned ${res ? res.status() : 'no response'}`);
    await submitLogin(PASSWORD);
  });

  // b. First login must change the password.
  await step('change-password', async () => {
    await expectPath('/account/password');
    await fill('input[name=current_password]', PASSWORD);
    await fill('input[name=new_password]', NEW_PASSWORD);
    await fill('input[name=confirm_password]', NEW_PASSWORD);
    await click('main button[type=submit]');
  });

  // c. Dashboard, Chinese by default.
  await step('dashboard-zh', async () => {
    await expectPath('/');
    await expectVisible('#dashboard');
    // The activity chart (ECharts, from app.js) is drawn, and its tooltip shows.
    if (await page.locator('.chart').count()) {
      await expectVisible('.chart svg');
      await page.hover('.chart svg');
    }
    const lang = await page.locator('html').getAttribute('lang');
    if (lang !== 'zh-CN') throw new StepError(`expected <html lang="zh-CN"> by default, got ${JSON.stringify(lang)}`);
  });

  // d. Switch to English (form POST, page reloads).
  await step('switch-en', async () => {
    await click('#lang-switch button[value=en]');
    await expectLang('en');
    await page.waitForLoadState('load');
    await expectVisible('#dashboard');
    await expectH1Contains('Dashboard');
  });

  // e. The choice survives a reload.
  await step('reload-en', async () => {
    await page.reload();
    await expectLang('en');
    await expectVisible('#dashboard');
  });

  // f. Log out; the dashboard then requires login again.
  await step('logout', async () => {
    await click('#logout button[type=submit]');
    await expectPath('/login');
    await page.goto(`${BASE_URL}/`);
    if (currentPath() !== '/login') {
      throw new StepError(`after logout, GET / should redirect to /login, ended at ${JSON.stringify(currentPath())}`);
    }
  });

  // g. Log in with the new password: English is remembered per user.
  await step('relogin-en', async () => {
    await submitLogin(NEW_PASSWORD);
    await expectPath('/');
    await expectLang('en');
    await expectVisible('#dashboard');
  });

  if (cspRefusals.length) {
    throw new Error(`the Content-Security-Policy refused: ${cspRefusals.join(' | ')}`);
  }
  ok = true;
} catch (err) {
  process.stderr.write(`browser: FAIL: ${err instanceof StepError ? err.message : err.stack || err}\n`);
  process.exitCode = 1;
} finally {
  if (browser) await browser.close().catch(() => {});
}

if (ok) {
  process.stdout.write('browser: login flow ok\n');
  process.exitCode = 0;
} else {
  process.exitCode = 1;
}
