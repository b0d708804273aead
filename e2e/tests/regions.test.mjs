// Regions above the county (issue 14) through the browser, clicking like a person: the county's
// finance admin jxg has no 区划汇总 in the navigation → the prefecture's bz_jxk (巴音郭楞蒙古自治州
// 财政绩效管理员) opens 区划汇总 from the navigation: the roll-up #rollup has the prefecture's own
// row (…（本级）), a row for 且末县 with its projects and a 合计 row that sums them → 进入查看 on
// 且末县 lands on its /dashboard under the banner 正在以只读方式查看下级区划 且末县 → its 项目库 lists
// the county's projects as its leaders (ld) read them, without 新建项目, and the navigation has no 数据导入 → 返回本级 in the
// banner returns to /regions without the banner → on a phone (375 px) /regions, at home and while
// looking into 且末县, does not scroll sideways (the wide table scrolls inside its .table-wrap);
// a screenshot of each is left in e2e/test-results/regions-375*.png.
//
// Run: cargo build -p jixiao && cd e2e && npm ci && node --test tests/regions.test.mjs
// A failing step leaves a screenshot of every page (one per user) in e2e/test-results/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { startDemoServer } from '../lib/server.mjs';
import { launchBrowser, withBrowser, login, PHONE, RESULTS_DIR } from '../lib/browser.mjs';

const PREFECTURE = '巴音郭楞蒙古自治州';
const PREFECTURE_CODE = '652800000';
const COUNTY = '且末县';
const COUNTY_CODE = '652825000';
const UPPER = 'bz_jxk'; // the prefecture's 财政绩效管理员
const COUNTY_FINANCE = 'jxg'; // the county's 财政绩效管理员
const COUNTY_READER = 'ld'; // the county's 县领导/人大查询

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

// ------------------------------------------------------------------------------ helpers

/** Whitespace-collapsed inner text of a locator (the page body by default). */
async function text(page, selector = 'body') {
  return (await page.locator(selector).first().innerText()).replace(/\s+/g, ' ').trim();
}

const pathIs = (re) => (u) => re.test(u.pathname + u.search);

/**
 * Runs `act` (a click that posts a form) and waits for the page the server answers with at
 * `url`. Returns the status of the POST itself (303 for a redirect).
 */
async function submit(page, act, url) {
  await page.evaluate(() => {
    window.__e2eOld = true;
  });
  const [request] = await Promise.all([
    page.waitForRequest((r) => r.method() === 'POST' && r.isNavigationRequest()),
    act(),
  ]);
  await page.waitForFunction(() => !window.__e2eOld && document.readyState === 'complete');
  await page.waitForURL(url);
  await page.waitForLoadState('load');
  const response = await request.response();
  return response ? response.status() : 0;
}

/** Runs `act` (a click that loads a new document by GET) and waits for it at `url`. */
async function follow(page, act, url) {
  await page.evaluate(() => {
    window.__e2eOld = true;
  });
  await act();
  await page.waitForFunction(() => !window.__e2eOld && document.readyState === 'complete');
  await page.waitForURL(url);
  await page.waitForLoadState('load');
}

/** The hrefs of the side navigation. */
async function navHrefs(page) {
  return page.locator('nav.sidenav a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
}

/**
 * The roll-up: { head: [column names], rows: [{ code, cells }], total: [cells] }, the numbers
 * as the page prints them.
 */
async function rollup(page) {
  return page.locator('table#rollup').evaluate((table) => {
    const clean = (el) => el.innerText.replace(/\s+/g, ' ').trim();
    return {
      head: Array.from(table.tHead.rows[0].cells, clean),
      rows: Array.from(table.tBodies[0].rows, (tr) => ({
        code: tr.dataset.region,
        cells: Array.from(tr.cells, clean),
      })),
      total: table.tFoot ? Array.from(table.tFoot.rows[0].cells, clean) : [],
    };
  });
}

/**
 * Whether the page scrolls sideways, and if so the outermost elements sticking out of the
 * viewport, described as tag#id.class (right edge, width). What sits inside a container that
 * scrolls or clips by itself (the navigation strip, a .table-wrap) is left out: only such a
 * container sticking out itself counts.
 */
async function overflow(page) {
  return page.evaluate(() => {
    const width = window.innerWidth;
    const scrollWidth = document.documentElement.scrollWidth;
    const describe = (el) =>
      `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${
        typeof el.className === 'string' && el.className.trim() ? `.${el.className.trim().split(/\s+/).join('.')}` : ''
      }`;
    const sticksOut = (el) => el.getBoundingClientRect().right > width + 1;
    const contained = (el) => {
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        if (getComputedStyle(a).overflowX !== 'visible') return true;
      }
      return false;
    };
    const culprits = [];
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || !sticksOut(el) || contained(el)) continue;
      const parent = el.parentElement;
      if (parent && parent !== document.body && sticksOut(parent)) continue; // only the outermost
      culprits.push(`${describe(el)} (right edge ${Math.round(r.right)} px, width ${Math.round(r.width)} px)`);
    }
    const wrap = document.querySelector('.table-wrap');
    return {
      width,
      scrollWidth,
      culprits,
      wrap: wrap ? { clientWidth: wrap.clientWidth, scrollWidth: wrap.scrollWidth } : null,
    };
  });
}

// --------------------------------------------------------------------------------- test

const NAME = 'regions: a prefecture reads its counties’ roll-up, looks into 且末县 read-only and returns';

test(NAME, { timeout: 180_000 }, async (t) =>
  withBrowser(browser, server.baseUrl, NAME, async (s) => {
    let failed = null;
    /** One numbered part: a subtest; after a failure the remaining parts are skipped. */
    const step = (name, fn) =>
      t.test(name, async (st) => {
        if (failed) {
          st.skip(`after the failure of “${failed}”`);
          return;
        }
        try {
          await fn(st);
        } catch (e) {
          failed = name;
          throw e;
        }
      });

    const county = await s.page();
    const bz = await s.page();

    await step(`1. the county's ${COUNTY_FINANCE} has no 区划汇总 in the navigation`, async () => {
      await login(county, COUNTY_FINANCE);
      const hrefs = await navHrefs(county);
      assert.ok(hrefs.length > 0, 'the navigation is shown');
      assert.ok(!hrefs.includes('/regions'), `no /regions link (${hrefs.join(' ')})`);
      assert.equal(await county.locator('nav.sidenav a', { hasText: '区划汇总' }).count(), 0, 'no 区划汇总');
    });

    let countyRow = null;
    let countyProjects = ''; // 且末县's 项目数 in the roll-up
    let year = ''; // the roll-up's year

    await step(`2. ${UPPER} opens 区划汇总: its own level, ${COUNTY} with projects and the 合计`, async () => {
      await login(bz, UPPER);
      assert.match(await text(bz, 'header.topbar'), new RegExp(PREFECTURE), 'the header names the prefecture');
      assert.equal(await bz.locator('#viewing-banner').count(), 0, 'no banner at home');
      const link = bz.locator('nav.sidenav a[href="/regions"]');
      assert.equal(await link.count(), 1, `a /regions link (${(await navHrefs(bz)).join(' ')})`);
      assert.equal((await link.innerText()).trim(), '区划汇总');
      await follow(bz, () => link.click(), pathIs(/^\/regions$/));
      assert.equal(await bz.locator('nav.sidenav a[href="/regions"]').getAttribute('aria-current'), 'page', 'marked current');
      const h1 = await text(bz, 'main h1');
      assert.match(h1, new RegExp(`^${PREFECTURE} \\d{4} 年度下级区划汇总$`));
      year = h1.match(/\d{4}/)[0];

      const r = await rollup(bz);
      t.diagnostic(`columns: ${r.head.join(' | ')}`);
      for (const row of r.rows) t.diagnostic(`row ${row.code}: ${row.cells.join(' | ')}`);
      t.diagnostic(`total: ${r.total.join(' | ')}`);
      const col = (name) => {
        const i = r.head.indexOf(name);
        assert.ok(i >= 0, `a column ${name} (${r.head.join(' | ')})`);
        return i;
      };
      const [iName, iUnits, iProjects, iAmount] = [col('区划'), col('预算单位'), col('项目数'), col('项目金额（万元）')];

      const own = r.rows.find((row) => row.code === PREFECTURE_CODE);
      assert.ok(own, `a row for the prefecture's own level (${r.rows.map((x) => x.code).join(' ')})`);
      assert.equal(own.cells[iName], `${PREFECTURE}（本级）`, 'its name ends with （本级）');
      assert.equal(r.rows[0].code, PREFECTURE_CODE, '本级 first');
      assert.equal(await bz.locator(`#view-${PREFECTURE_CODE}`).count(), 0, 'no 进入查看 on its own level');

      countyRow = r.rows.find((row) => row.code === COUNTY_CODE);
      assert.ok(countyRow, `a row tr[data-region="${COUNTY_CODE}"]`);
      assert.equal(countyRow.cells[iName], COUNTY);
      assert.ok(Number(countyRow.cells[iUnits]) > 0, `${COUNTY} has budget units (${countyRow.cells[iUnits]})`);
      assert.ok(Number(countyRow.cells[iProjects]) > 0, `${COUNTY} has projects (${countyRow.cells[iProjects]})`);
      countyProjects = countyRow.cells[iProjects];
      assert.ok(Number(countyRow.cells[iAmount].replace(/,/g, '')) > 0, `and an amount (${countyRow.cells[iAmount]})`);
      assert.equal((await bz.locator(`#view-${COUNTY_CODE}`).innerText()).trim(), '进入查看');

      assert.equal(r.total[iName], `${PREFECTURE}合计`, 'the tfoot total row');
      for (const i of [iUnits, iProjects]) {
        const sum = r.rows.reduce((acc, row) => acc + Number(row.cells[i]), 0);
        assert.equal(Number(r.total[i]), sum, `${r.head[i]}: the total is the sum of the rows`);
      }
      const cents = (s) => Math.round(Number(s.replace(/,/g, '')) * 100);
      const sumAmount = r.rows.reduce((acc, row) => acc + cents(row.cells[iAmount]), 0);
      assert.equal(cents(r.total[iAmount]), sumAmount, `项目金额: the total is the sum of the rows (${r.total[iAmount]})`);
    });

    await step(`3. 进入查看 ${COUNTY}: its dashboard under the banner with 返回本级`, async () => {
      const status = await submit(bz, () => bz.locator(`#view-${COUNTY_CODE}`).click(), pathIs(/^\/dashboard$/));
      assert.equal(status, 303, '进入查看 redirects');
      const banner = bz.locator('#viewing-banner');
      assert.equal(await banner.count(), 1, 'the banner is shown');
      const said = await text(bz, '#viewing-banner');
      assert.ok(said.includes(COUNTY), `the banner names ${COUNTY} (${said})`);
      assert.equal(await banner.getByRole('button', { name: '返回本级' }).count(), 1, `a 返回本级 button (${said})`);
      assert.match(await text(bz, 'header.topbar'), new RegExp(COUNTY), `the header shows ${COUNTY}`);
    });

    await step(`4. looking into ${COUNTY}: 项目库 lists its projects, read-only; no 数据导入`, async () => {
      const hrefs = await navHrefs(bz);
      assert.ok(!hrefs.includes('/imports'), `no /imports link (${hrefs.join(' ')})`);
      assert.equal(await bz.locator('nav.sidenav a', { hasText: '数据导入' }).count(), 0, 'no 数据导入');
      assert.ok(hrefs.includes('/projects'), `a 项目库 link (${hrefs.join(' ')})`);
      await follow(bz, () => bz.locator('nav.sidenav a[href="/projects"]').click(), pathIs(/^\/projects$/));
      assert.equal(await bz.locator('#viewing-banner').count(), 1, 'still under the banner');
      assert.ok((await text(bz, '#viewing-banner')).includes(COUNTY), 'still 且末县');
      const projects = (page) =>
        page.locator('table.data tbody tr a[href^="/projects/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      const rows = await projects(bz);
      assert.ok(rows.length > 0, `${COUNTY}'s projects are listed`);
      const summary = await text(bz, 'main p.summary');
      t.diagnostic(`项目库: ${summary}`);
      assert.match(summary, /^共 [1-9]\d* 个项目/);
      // The same list as the county's own leaders read it.
      const leader = await s.page();
      await login(leader, COUNTY_READER);
      await leader.goto('/projects');
      assert.equal(await text(leader, 'main p.summary'), summary, `the same count as ${COUNTY_READER} (${COUNTY}'s 县领导/人大查询) sees`);
      assert.deepEqual(rows, await projects(leader), `the same projects as ${COUNTY_READER} sees on the first page`);
      // The roll-up's year, as the roll-up counts it.
      await bz.goto(`/projects?year=${year}`);
      const ofYear = await text(bz, 'main p.summary');
      assert.ok(ofYear.startsWith(`共 ${countyProjects} 个项目`), `${year}: the roll-up's ${countyProjects} projects (${ofYear})`);
      await bz.goto('/projects');
      assert.equal(await bz.locator('main a[href="/projects/new"]').count(), 0, 'no /projects/new link');
      assert.equal(await bz.getByRole('button', { name: /新建项目|新增|申报项目/ }).count(), 0, 'no 新建/申报 button');
      assert.equal(await bz.getByRole('link', { name: /新建项目|新增|申报项目/ }).count(), 0, 'no 新建/申报 link');
      // Typed in by hand, the pages that write are refused too (and the drill-down kept).
      for (const url of ['/projects/new', '/imports']) {
        const res = await bz.goto(url);
        assert.equal(res.status(), 403, `${url} while looking into ${COUNTY}`);
      }
      await bz.goto('/projects');
      assert.equal(await bz.locator('#viewing-banner').count(), 1, 'still looking into the county');
    });

    await step('5. 返回本级 in the banner: back on /regions, without the banner', async () => {
      const status = await submit(
        bz,
        () => bz.locator('#viewing-banner').getByRole('button', { name: '返回本级' }).click(),
        pathIs(/^\/regions$/),
      );
      assert.equal(status, 303, '返回本级 redirects');
      assert.equal(await bz.locator('#viewing-banner').count(), 0, 'the banner is gone');
      assert.match(await text(bz, 'header.topbar'), new RegExp(PREFECTURE), 'the header names the prefecture again');
      assert.equal(await bz.locator(`#view-${COUNTY_CODE}`).count(), 1, '进入查看 offered again');
      // The choice is gone from the session too: another page has no banner either.
      await bz.goto('/dashboard');
      assert.equal(await bz.locator('#viewing-banner').count(), 0, 'no banner on the next page');
    });

    await step('6. on a phone (375 px) /regions does not scroll sideways, at home and looking into 且末县', async () => {
      const phone = await s.page({ viewport: PHONE });
      await login(phone, UPPER);
      await mkdir(RESULTS_DIR, { recursive: true });
      const problems = [];
      const check = async (label, file) => {
        await phone.goto('/regions');
        await phone.locator('table#rollup').waitFor();
        await phone.screenshot({ path: path.join(RESULTS_DIR, file), fullPage: true });
        const o = await overflow(phone);
        t.diagnostic(
          `${label}: page scrollWidth ${o.scrollWidth} / ${o.width}` +
            (o.wrap ? `; .table-wrap ${o.wrap.scrollWidth} in ${o.wrap.clientWidth}` : '') +
            `; screenshot e2e/test-results/${file}`,
        );
        if (o.scrollWidth > PHONE.width + 1) {
          problems.push(`${label}: document.documentElement.scrollWidth ${o.scrollWidth} > ${PHONE.width}; sticking out: ${o.culprits.join('; ') || '(none found)'}`);
        }
      };
      await check('/regions at home', 'regions-375.png');
      await submit(phone, () => phone.locator(`#view-${COUNTY_CODE}`).click(), pathIs(/^\/dashboard$/));
      assert.equal(await phone.locator('#viewing-banner').count(), 1, 'the banner on the phone');
      await check(`/regions looking into ${COUNTY} (with the banner)`, 'regions-375-viewing.png');
      assert.deepEqual(problems, [], 'no horizontal overflow of the page');
    });

    if (failed) throw new Error(`step “${failed}” failed (see its subtest)`);
  }),
);
