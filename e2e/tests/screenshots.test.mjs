// Screenshots of the main pages at 1366×768 (the portal at 375×667), for people to look at.
// They go to e2e/test-results/screenshots/ unless E2E_SCREENSHOT_DIR says otherwise;
// `npm run screenshots` refreshes the committed ones in docs/screenshots/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { startDemoServer, E2E_DIR } from '../lib/server.mjs';
import { launchBrowser, withBrowser, login, projectRows, PHONE, RESULTS_DIR } from '../lib/browser.mjs';

const OUT = process.env.E2E_SCREENSHOT_DIR
  ? path.resolve(E2E_DIR, process.env.E2E_SCREENSHOT_DIR)
  : path.join(RESULTS_DIR, 'screenshots');

let server;
let browser;

before(async () => {
  server = await startDemoServer();
  browser = await launchBrowser();
  await mkdir(OUT, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A viewport-sized screenshot (what a person sees first) after fonts and styles are in. */
async function shoot(page, file) {
  await page.waitForLoadState('load');
  await page.evaluate(() => document.fonts.ready);
  const sheets = await page.evaluate(() => document.styleSheets.length);
  assert.ok(sheets > 0, `${file}: the page has its style sheets`);
  await page.screenshot({ path: path.join(OUT, file), fullPage: false });
}

const NAME = 'screenshots of the main pages';

test(NAME, () =>
  withBrowser(browser, server.baseUrl, NAME, async (s) => {
    const page = await s.page();
    await page.goto('/login');
    await shoot(page, 'web-login.png');

    await login(page, 'jxg');
    await page.getByRole('heading', { name: '待办事项' }).waitFor();
    await shoot(page, 'web-home-jxg.png');

    await page.goto('/projects');
    await page.getByRole('heading', { name: '项目库' }).waitFor();
    await shoot(page, 'web-projects.png');

    // A project with a target, its indicators and (if any) evaluations.
    const rows = await projectRows(page);
    let detail = null;
    let foreign = null;
    for (const row of rows) {
      if (!foreign && row.unit && !row.unit.includes('教育')) foreign = row;
      if (detail) continue;
      await page.goto(`/projects/${row.id}`);
      if ((await page.locator('h2', { hasText: '绩效目标' }).count()) > 0) detail = row;
    }
    assert.ok(detail, 'a project with a performance target on the first page');
    assert.ok(foreign, 'a project of a unit other than 教育局 on the first page');
    await page.goto(`/projects/${detail.id}`);
    await shoot(page, 'web-project-detail.png');

    const unit = await s.page();
    await login(unit, 'jyj_tb');
    const res = await unit.goto(`/projects/${foreign.id}`);
    assert.equal(res.status(), 403);
    await shoot(unit, 'web-403.png');

    const phone = await s.page({ viewport: PHONE });
    await phone.goto('/public');
    await shoot(phone, 'web-public-phone.png');
  }),
);
