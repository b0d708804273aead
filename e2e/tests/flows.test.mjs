// End-to-end flows of the Jixiao web app in headless Chromium against the demo county.
// Run: cargo build -p jixiao && cd e2e && npm ci && node --test tests/*.test.mjs
// A failing test leaves a screenshot of each of its pages in e2e/test-results/<test name>.png.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoServer } from '../lib/server.mjs';
import {
  launchBrowser,
  withBrowser,
  login,
  tableRows,
  projectRows,
  PHONE,
} from '../lib/browser.mjs';

const OWN_UNIT = '且末县教育局';

let server;
let browser;

before(async () => {
  server = await startDemoServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A test whose failure leaves screenshots under e2e/test-results/<name>.png. */
function flow(name, fn) {
  test(name, (t) => withBrowser(browser, server.baseUrl, name, (s) => fn(s, t)));
}

/** A project of another unit than 且末县教育局, seen by the finance admin: { id, name, unit }. */
async function otherUnitProject(session) {
  const page = await session.page();
  await login(page, 'jxg');
  await page.goto('/projects?q=' + encodeURIComponent('卫生健康委员会'));
  let rows = (await projectRows(page)).filter((r) => r.id && r.unit && !r.unit.includes('教育'));
  if (rows.length === 0) {
    await page.goto('/projects');
    rows = (await projectRows(page)).filter((r) => r.id && r.unit && !r.unit.includes('教育'));
  }
  assert.ok(rows.length > 0, 'finance admin sees a project of a unit other than 教育局');
  return rows[0];
}

flow('unit user: to-do, own project, 403 on another unit, logout', async (s) => {
  // The other unit's project, found by the finance admin in a separate context.
  const foreign = await otherUnitProject(s);
  assert.notEqual(foreign.unit, OWN_UNIT);

  const page = await s.page();
  await login(page, 'jyj_tb');
  assert.equal(new URL(page.url()).pathname, '/');
  await assert.doesNotReject(page.getByRole('heading', { name: '待办事项' }).waitFor());
  assert.match(await page.locator('header.topbar').innerText(), /阿依古丽|教育局/);

  // The project list through the side navigation.
  await page.locator('nav.sidenav').getByRole('link', { name: '项目库' }).click();
  await page.waitForURL('**/projects');
  await page.getByRole('heading', { name: '项目库' }).waitFor();
  const own = await projectRows(page);
  assert.ok(own.length > 0, 'the unit sees its projects');
  assert.ok(!own.some((r) => r.id === foreign.id), 'the foreign project is not in the unit list');
  // The unit user's search for the foreign project's name finds nothing of that id either.
  await page.goto('/projects?q=' + encodeURIComponent(foreign.name));
  assert.ok(!(await projectRows(page)).some((r) => r.id === foreign.id));

  // One of its projects with a performance target: 绩效目标 and indicator rows.
  await page.goto('/projects');
  let opened = null;
  for (const row of own.slice(0, 15)) {
    await page.goto('/projects');
    await page.locator(`table.data a[href="/projects/${row.id}"]`).first().click();
    await page.waitForURL(`**/projects/${row.id}`);
    await page.locator('h1').waitFor();
    if ((await page.locator('h2', { hasText: '绩效目标' }).count()) > 0) {
      opened = row;
      break;
    }
  }
  assert.ok(opened, 'one of the first projects of the unit has a performance target');
  assert.equal((await page.locator('h1').innerText()).trim(), opened.name);
  assert.match(await page.locator('dl.kv').first().innerText(), new RegExp(OWN_UNIT));
  const indicators = await tableRows(page);
  assert.ok(indicators.length > 0, 'the target has indicators');
  assert.ok(
    indicators.some((cells) => ['产出指标', '效益指标', '满意度指标', '成本指标'].includes(cells[0])),
    `indicator level-1 names: ${indicators.map((c) => c[0]).join(',')}`,
  );

  // Another unit's project by id: 403 page.
  const res = await page.goto(`/projects/${foreign.id}`);
  assert.equal(res.status(), 403);
  assert.match(await page.locator('body').innerText(), /没有权限/);
  assert.doesNotMatch(await page.locator('body').innerText(), new RegExp(foreign.name));

  // Log out with 退出 from a page with the top bar, land on the login page.
  await page.goto('/');
  await page.locator('header.topbar').getByRole('button', { name: '退出' }).click();
  await page.waitForURL('**/login**');
  await page.locator('input[name="password"]').waitFor();
  // The session is gone: the home page sends back to the login.
  await page.goto('/');
  assert.equal(new URL(page.url()).pathname, '/login');
});

flow('finance: annual report 2023 and audit log', async (s) => {
  const page = await s.page();
  await login(page, 'jxg');
  const res = await page.goto('/reports/annual/2023');
  assert.equal(res.status(), 200);
  const text = (await page.locator('body').innerText()).replace(/\s+/g, ' ');
  assert.ok(
    text.includes('完成对县级 57 家预算单位的部门整体支出绩效目标申报'),
    'the 2023 report carries the seed sentence',
  );

  await page.goto('/audit');
  await page.getByRole('heading', { name: '操作日志' }).waitFor();
  const rows = await tableRows(page);
  const logins = rows.filter((cells) => cells.includes('login.success'));
  assert.ok(logins.length > 0, `audit log has login.success rows (of ${rows.length})`);
  assert.ok(logins.some((cells) => cells.some((c) => c.includes('jxg') || c.includes('李明'))));
});

flow('finance: dashboard charts render (when /dashboard exists)', async (s, t) => {
  const page = await s.page();
  await login(page, 'jxg');
  const res = await page.goto('/dashboard');
  const charts = res && res.status() === 200 ? await page.locator('[data-chart]').count() : 0;
  if (charts === 0) {
    t.skip(`no /dashboard with [data-chart] yet (HTTP ${res ? res.status() : 'none'}): chart assertion skipped`);
    return;
  }
  for (let i = 0; i < charts; i++) {
    const chart = page.locator('[data-chart]').nth(i);
    const name = await chart.getAttribute('data-chart');
    try {
      await chart.locator('canvas').first().waitFor({ state: 'attached', timeout: 5000 });
    } catch {
      const shown = (await chart.innerText()).trim();
      assert.fail(`chart ${name || i} drew no <canvas> within 5 s${shown ? `: it shows “${shown}”` : ''}`);
    }
  }
});

flow('public portal: published projects, usable on a phone', async (s) => {
  const page = await s.page({ viewport: PHONE });
  const res = await page.goto('/public');
  assert.equal(res.status(), 200);
  assert.equal(new URL(page.url()).pathname, '/public', 'no redirect to the login');
  const rows = await tableRows(page);
  assert.ok(rows.length > 0, 'published projects are listed');
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.scrollingElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  assert.ok(
    scrollWidth <= innerWidth + 1,
    `no horizontal scroll at 375 px: scrollWidth ${scrollWidth} > innerWidth ${innerWidth}`,
  );
});

flow('login page: demo logins listed, wrong password refused in Chinese', async (s) => {
  const page = await s.page();
  await page.goto('/login');
  const demo = await tableRows(page, '.demo-logins table');
  const names = demo.map((cells) => cells[0]);
  for (const u of ['admin', 'jxg', 'jyj_tb', 'wjw_tb', 'pj_tianshan', 'ld']) {
    assert.ok(names.includes(u), `demo login ${u} listed (${names.join(',')})`);
  }
  assert.match(await page.locator('.demo-logins').innerText(), /Demo#2023/);

  await page.locator('input[name="username"]').fill('ld');
  await page.locator('input[name="password"]').fill('wrong-password');
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/login') && r.request().method() === 'POST'),
    page.getByRole('button', { name: '登录' }).click(),
  ]);
  assert.equal(response.status(), 401);
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.innerText(), /用户名或密码错误/);
  assert.equal(new URL(page.url()).pathname, '/login');
  assert.equal(await page.locator('input[name="username"]').inputValue(), 'ld');
});
