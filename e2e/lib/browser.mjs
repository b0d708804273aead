// Headless Debian Chromium through playwright-core (no browser download: the system's
// /usr/bin/chromium, or CHROMIUM_PATH), plus the small helpers the flows share.

import { chromium } from 'playwright-core';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { E2E_DIR } from './server.mjs';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];

export const DESKTOP = { width: 1366, height: 768 };
export const PHONE = { width: 375, height: 667 };
export const PASSWORD = 'Demo#2023';

/** Where failure screenshots go. */
export const RESULTS_DIR = path.join(E2E_DIR, 'test-results');

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    // playwright-core adds its own --headless; ours is the same mode.
    headless: true,
    timeout: 60_000,
  });
}

/** A file-name-safe form of a test name. */
export function slug(name) {
  return name.replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 100) || 'test';
}

/**
 * Runs `fn(session)` with fresh browser contexts; on failure saves a full-page screenshot of
 * every page it opened to e2e/test-results/<name>.png (then -2, -3 … for further pages) and
 * rethrows. `session.page(opts)` opens a page in a new context (its own cookies).
 */
export async function withBrowser(browser, baseUrl, name, fn) {
  const contexts = [];
  const pages = [];
  const session = {
    async page({ viewport = DESKTOP } = {}) {
      const context = await browser.newContext({
        baseURL: baseUrl,
        viewport,
        locale: 'zh-CN',
        timezoneId: 'Asia/Shanghai',
      });
      context.setDefaultTimeout(15_000);
      contexts.push(context);
      const page = await context.newPage();
      pages.push(page);
      return page;
    },
  };
  try {
    return await fn(session);
  } catch (err) {
    await mkdir(RESULTS_DIR, { recursive: true });
    const base = slug(name);
    for (const [i, page] of pages.entries()) {
      const file = path.join(RESULTS_DIR, i === 0 ? `${base}.png` : `${base}-${i + 1}.png`);
      try {
        await page.screenshot({ path: file, fullPage: true, timeout: 10_000 });
        console.error(`failure screenshot: ${file} (${page.url()})`);
      } catch (e) {
        console.error(`could not take failure screenshot ${file}: ${e.message}`);
      }
    }
    throw err;
  } finally {
    for (const c of contexts) await c.close().catch(() => {});
  }
}

/** Logs in through the form and waits for the page after the redirect. */
export async function login(page, username, password = PASSWORD) {
  await page.goto('/login');
  await page.locator('input[name="username"]').fill(username);
  await page.locator('input[name="password"]').fill(password);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  await page.waitForLoadState('load');
}

/** The rows of the first `table.data` on the page as arrays of cell texts. */
export async function tableRows(page, selector = 'table.data') {
  return page.locator(`${selector} tbody tr`).evaluateAll((trs) =>
    trs.map((tr) => Array.from(tr.cells, (td) => td.innerText.trim())),
  );
}

/** Project links of the list page: [{ id, name, unit }]. */
export async function projectRows(page) {
  return page.locator('table.data tbody tr').evaluateAll((trs) =>
    trs.map((tr) => {
      const a = tr.querySelector('a[href^="/projects/"]');
      return {
        id: a ? a.getAttribute('href').split('/').pop() : null,
        name: a ? a.textContent.trim() : '',
        unit: tr.cells[3] ? tr.cells[3].innerText.trim() : '',
      };
    }),
  );
}
