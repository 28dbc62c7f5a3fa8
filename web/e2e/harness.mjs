// Runs the real `sundial` binary and a headless Chromium for the console's browser tests.
//
// SUNDIAL_BIN names the binary. Each test file gets its own server: a fresh data directory,
// a free port on 127.0.0.1 and a random JWT secret, so tests never share state.

import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const WEB_DIR = path.resolve(here, '..');
export const RESULTS_DIR = path.join(WEB_DIR, 'test-results');
export const API = '/api/tree-root/scheduled-tasks';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// --headless and a fresh --user-data-dir are given by launchPersistentContext itself
// (Playwright refuses them in `args`); the rest keeps Chromium from reaching the network.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForHealth(base, child, deadlineMs = 60_000) {
  const started = Date.now();
  while (Date.now() - started < deadlineMs) {
    if (child.exitCode !== null) throw new Error(`sundial exited with ${child.exitCode} before /healthz answered`);
    try {
      const response = await fetch(`${base}/healthz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`sundial did not answer /healthz within ${deadlineMs} ms`);
}

/**
 * Starts `sundial serve`; returns its address, a token minter and stop(). `settings` are extra
 * `SUNDIAL_*` variables for this server alone (e.g. a low rate limit).
 */
export async function startSundial(name, settings = {}) {
  const bin = process.env.SUNDIAL_BIN;
  if (!bin) throw new Error('SUNDIAL_BIN must name the built sundial binary (e.g. target/debug/sundial)');
  mkdirSync(RESULTS_DIR, { recursive: true });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sundial-e2e-'));
  const port = await freePort();
  // Only the settings below reach the server: Sundial reads every SUNDIAL_* variable as
  // configuration (and refuses unknown ones such as SUNDIAL_BIN), and the developer's own
  // settings must not leak into the test server.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('SUNDIAL_')));
  const env = {
    ...inherited,
    SUNDIAL_DATA_DIR: dataDir,
    SUNDIAL_LISTEN: `127.0.0.1:${port}`,
    SUNDIAL_JWT_SECRET: randomBytes(36).toString('base64url').slice(0, 48),
    ...settings,
  };
  const logPath = path.join(RESULTS_DIR, `${name}.server.log`);
  const log = createWriteStream(logPath);
  const child = spawn(bin, ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const closed = new Promise((resolve) => child.once('close', resolve));
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(base, child);
  } catch (error) {
    child.kill('SIGKILL');
    await closed;
    await new Promise((resolve) => log.end(resolve));
    throw new Error(`${error.message}; its output:\n${readFileSync(logPath, 'utf8')}`);
  }
  return {
    base,
    logPath,
    /** A token minted by the binary itself with the same secret (`ttl` as `sundial token --ttl` takes it). */
    token({ tenant = 1, role, sub, ttl } = {}) {
      const args = ['token', '--tenant', String(tenant)];
      if (role) args.push('--role', role);
      if (sub) args.push('--sub', sub);
      if (ttl) args.push('--ttl', ttl);
      return execFileSync(bin, args, { env, encoding: 'utf8' }).trim();
    },
    serverLog: () => readFileSync(logPath, 'utf8'),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, sleep(5000)]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      log.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Whether the binary serves the console itself at `/` (rather than only the API). */
export async function servesConsole(base) {
  try {
    const response = await fetch(`${base}/`);
    const text = await response.text();
    return response.ok && text.includes('<div id="root">');
  } catch {
    return false;
  }
}

/** A fresh Chromium profile (its own storage), in the reader's zone Asia/Shanghai. */
export async function launchBrowser({ width = 1280, height = 860, timezoneId = 'Asia/Shanghai', locale = 'en-US' } = {}) {
  const profile = mkdtempSync(path.join(tmpdir(), 'sundial-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width, height },
    timezoneId,
    locale,
  });
  context.setDefaultTimeout(15_000);
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Calls the API directly (setting up data for a test), as the token's tenant. */
export async function api(base, token, method, route, body) {
  const response = await fetch(`${base}${API}${route}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** Creates a task through the API (a daily cron calling an HTTP endpoint, unless `task` says otherwise). */
export async function createTask(base, token, task) {
  const created = await api(base, token, 'POST', '/', {
    type: 'api_call',
    task_config: { url: 'https://example.com/hook', method: 'POST' },
    trigger_type: 'cron',
    trigger_config: { cron: '0 0 * * *', timezone: 'UTC' },
    ...task,
  });
  if (created.status !== 201) throw new Error(`creating ${task.code}: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body;
}

/** Polls `check` until it holds, at most `ms`; says what it waited for when it does not. */
export async function until(check, ms, what) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(200);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

/**
 * A new page that records what the server's Content-Security-Policy blocked into `blocked`
 * (a test file asserts it stays empty).
 */
export async function watchedPage(context, blocked, viewport) {
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
      blocked.push(`${page.url()}: ${message.text()}`);
    }
  });
  if (viewport) await page.setViewportSize(viewport);
  return page;
}

export async function screenshot(page, name) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** The open modal from its top, in a viewport tall enough to hold most of it. */
export async function screenshotModal(page, name, height = 1500) {
  const size = page.viewportSize();
  await page.setViewportSize({ width: size.width, height });
  await page.locator('.ant-modal-wrap').evaluate((wrap) => wrap.scrollTo(0, 0));
  await page.waitForTimeout(450);
  const file = await screenshot(page, name);
  await page.setViewportSize(size);
  return file;
}
