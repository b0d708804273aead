// An upper level assesses its counties (issue 14, 下级区划考核) through the browser, clicking like a
// person: the county's jxg and ld have no 区划考核 in the navigation and, before the prefecture
// finalises, read 上级尚未定稿对本区划的考核。 → the prefecture's bz_jxk (巴音郭楞蒙古自治州
// 财政绩效管理员) opens 区划考核 from the navigation, goes to 2023 (not opened: the rubric
// #region-rubric and 开启 2023 年度下级区划考核) and opens it: a row per region below (且末县 among
// them) with its counts under the name, 基础工作 and 日常数据上报 待评, no rank, 定稿 disabled → in the
// mark form a typed score for an automatic item is refused (422, 自动计算, the typed values kept), 16
// of 15 for 基础工作 is refused (0 至 15), an adjustment without a reason is refused (理由) → both
// manual items scored for every region: ranks, the lists, 定稿 enabled → an automatic item of
// 且末县 adjusted by −1 with a reason: the cell drops by 1 and is marked 调 (the reason in its title),
// the total drops by 1 → 定稿 with a deadline inside 2023 is refused, with 2024-04-30 it is
// finalised: the lists #region-assessment-lists, the deadline, no mark form → jxg, from 部门考核's
// link 上级对本区划的考核结果 (#region-assessment-link), reads section#own-2023 “2023 年度 ·
// 巴音郭楞蒙古自治州考核” with 且末县's total and rank “r / N” and its item scores as the prefecture
// finalised them, and no other region's table; ld (the county's leader) reads the same → at 375 px
// /regions/assessment (the prefecture's finalised table, the county's own result) does not scroll
// sideways; screenshots in e2e/test-results/region-assessment-375*.png → the prefecture's 年度报告
// for 2023 (from /reports) is over its subtree: “本级及所辖地区” in the text, “各地区” in the first
// table's caption.
//
// Run: cargo build -p jixiao && cd e2e && npm ci && node --test tests/region_assessment.test.mjs
// A failing step leaves a screenshot of every page (one per user) in e2e/test-results/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { startDemoServer } from '../lib/server.mjs';
import { launchBrowser, withBrowser, login, tableRows, PHONE, RESULTS_DIR } from '../lib/browser.mjs';

const YEAR = '2023';
const PREFECTURE = '巴音郭楞蒙古自治州';
const COUNTY = '且末县';
const COUNTY_CODE = '652825000';
const UPPER = 'bz_jxk'; // the prefecture's 财政绩效管理员
const COUNTY_FINANCE = 'jxg'; // the county's 财政绩效管理员
const COUNTY_READER = 'ld'; // the county's 县领导/人大查询
const MANUAL = { basic: '14', reporting: '4.5' }; // the scores given to every region
const BASIC_MAX = '15';
const REASON = '抽查发现部分佐证材料不实';
const DEADLINE = '2024-04-30';

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
const yearUrl = (extra = '') => pathIs(new RegExp(`^/regions/assessment\\?year=${YEAR}${extra}$`));
const markUrl = pathIs(new RegExp(`^/regions/assessment/${YEAR}/mark$`));

/**
 * Runs `act` (a click that posts a form) and waits for the page the server answers with at
 * `url`. Returns the status of the POST itself (303 for a redirect, 4xx for a refusal rendered
 * in place).
 */
async function submit(page, act, url) {
  // Mark the old document: a refusal may answer at the same address, so wait for a new one.
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

/** The flash message (role=status) of the page, or the alerts when there is none. */
async function flash(page) {
  const ok = page.locator('main [role="status"]');
  if (await ok.count()) return text(page, 'main [role="status"]');
  const alerts = await page.locator('main [role="alert"]').allInnerTexts();
  return `（没有成功提示；错误：${alerts.join(' | ') || '无'}）`;
}

/** The page's error alerts, joined. */
async function alerts(page) {
  return (await page.locator('main [role="alert"]').allInnerTexts()).join(' | ').replace(/\s+/g, ' ');
}

/** The hrefs of the side navigation. */
async function navHrefs(page) {
  return page.locator('nav.sidenav a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
}

/** The rubric items as the mark form offers them: [{ key, label, automatic }], in table order. */
async function items(page) {
  return page.locator('#region-mark-form select[name="item"] option').evaluateAll((os) =>
    os.map((o) => ({
      key: o.value,
      label: o.textContent.trim().replace(/（自动）$/, ''),
      automatic: o.textContent.trim().endsWith('（自动）'),
    })),
  );
}

/**
 * The score table's rows: [{ code, rank, name, counts, cells: [{ text, title }], total, listed }],
 * `name` without the lines printed under it, `counts` the small line of counts.
 */
async function subjects(page) {
  return page.locator('#region-assessment-table tbody tr').evaluateAll((trs) =>
    trs.map((tr) => {
      const td = Array.from(tr.cells);
      const clean = (el) => el.innerText.replace(/\s+/g, ' ').trim();
      const last = td.length - 1;
      return {
        code: tr.id.replace(/^subject-/, ''),
        rank: clean(td[0]),
        name: td[1].childNodes[0] ? td[1].childNodes[0].textContent.trim() : '',
        // The counts sit in a closed <details> (计数): read its text, not what is shown.
        counts: td[1].querySelector('details')
          ? td[1].querySelector('details').textContent.replace('计数', '').replace(/\s+/g, ' ').trim()
          : '',
        cells: td.slice(2, last - 1).map((c) => ({ text: clean(c), title: c.getAttribute('title') || '' })),
        total: clean(td[last - 1]),
        listed: clean(td[last]),
      };
    }),
  );
}

/** 4.00 − 1 → "3.00": the two-decimal figures of the pages. */
const minusOne = (s) => (Math.round(Number(s) * 100 - 100) / 100).toFixed(2);
const two = (s) => Number(s).toFixed(2);

/**
 * Whether the page scrolls sideways, and if so the outermost elements sticking out of the
 * viewport, described as tag#id.class (right edge, width). What sits inside a container that
 * scrolls or clips by itself (the navigation strip, a .table-wrap) is left out: only such a
 * container sticking out itself counts. (As in regions.test.mjs.)
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

const NAME = 'region assessment: the prefecture opens, scores, adjusts and finalises 2023; the county reads its own result';

test(NAME, { timeout: 240_000 }, async (t) =>
  withBrowser(browser, server.baseUrl, NAME, async (s) => {
    let failed = null;
    /** One numbered part: a subtest; after a failure the remaining parts are skipped. */
    const step = (name, fn, options = {}) =>
      t.test(name, options, async (st) => {
        if (failed) {
          st.skip(`after the failure of “${failed}”`);
          return;
        }
        try {
          await fn(st);
        } catch (e) {
          if (!options.todo) failed = name;
          throw e;
        }
      });

    const bz = await s.page();
    const county = await s.page();
    const leader = await s.page();

    await step(`1. the county's ${COUNTY_FINANCE} and ${COUNTY_READER}: no 区划考核, nothing finalised yet`, async () => {
      for (const [page, who] of [
        [county, COUNTY_FINANCE],
        [leader, COUNTY_READER],
      ]) {
        await login(page, who);
        const hrefs = await navHrefs(page);
        assert.ok(hrefs.length > 0, `${who}: the navigation is shown`);
        assert.ok(!hrefs.includes('/regions/assessment'), `${who}: no /regions/assessment link (${hrefs.join(' ')})`);
        assert.equal(await page.locator('nav.sidenav a', { hasText: '区划考核' }).count(), 0, `${who}: no 区划考核`);
      }
      const res = await county.goto('/regions/assessment');
      assert.equal(res.status(), 200, 'the county may read the page');
      const main = await text(county, 'main');
      assert.match(main, /上级对本区划的考核结果/, `the section for its own result (${main})`);
      assert.match(main, /上级尚未定稿对本区划的考核。/, 'not finalised yet');
      assert.equal(await county.locator('section[id^="own-"]').count(), 0, 'no result yet');
      for (const id of ['#region-rubric', '#region-assessment-open', '#region-assessment-table', '#region-mark-form']) {
        assert.equal(await county.locator(id).count(), 0, `no ${id} for a county without regions below`);
      }
    });

    let itemList = []; // [{ key, label, automatic }] in table order
    let regions = []; // the score table after opening

    await step(`2. ${UPPER} opens 区划考核 from the navigation and opens ${YEAR}`, async () => {
      await login(bz, UPPER);
      const link = bz.locator('nav.sidenav a[href="/regions/assessment"]');
      assert.equal(await link.count(), 1, `a /regions/assessment link (${(await navHrefs(bz)).join(' ')})`);
      assert.equal((await link.innerText()).trim(), '区划考核');
      await follow(bz, () => link.click(), (u) => u.pathname === '/regions/assessment');
      assert.equal(
        await bz.locator('nav.sidenav a[href="/regions/assessment"]').getAttribute('aria-current'),
        'page',
        'marked current',
      );
      assert.match(await text(bz, 'main h1'), /^\d{4} 年度下级区划预算绩效管理工作考核$/);

      // The default year is the last one (nothing opened yet); its year line links only the rounds
      // and the next year, so 2023 is typed in.
      await bz.goto(`/regions/assessment?year=${YEAR}`);
      assert.equal(await text(bz, 'main h1'), `${YEAR} 年度下级区划预算绩效管理工作考核`);
      assert.match(await text(bz, 'main'), /本年度下级区划考核尚未开启/);
      const rubric = await tableRows(bz, '#region-rubric');
      t.diagnostic(`rubric: ${rubric.map((r) => `${r[0]} ${r[1]}`).join('；')}`);
      assert.ok(rubric.length >= 2, `the rubric is listed (${rubric.length} items)`);
      assert.deepEqual(
        rubric.find((r) => r[0] === '基础工作（制度、组织）'),
        ['基础工作（制度、组织）', BASIC_MAX, '人工评分'],
        '基础工作: 15, 人工评分',
      );
      assert.equal(rubric.find((r) => r[0] === '日常数据上报')?.[2], '人工评分', '日常数据上报: 人工评分');
      assert.equal(await bz.locator('#region-assessment-table').count(), 0, 'no table before opening');

      const open = bz.locator('form#region-assessment-open');
      const status = await submit(
        bz,
        () => open.getByRole('button', { name: `开启 ${YEAR} 年度下级区划考核` }).click(),
        yearUrl('&done=opened'),
      );
      assert.equal(status, 303, '开启 redirects');
      assert.match(await flash(bz), /^已开启本年度下级区划考核/);
      assert.equal(await bz.locator('form#region-assessment-open').count(), 0, 'opened once');
      assert.equal((await bz.locator('#ranking').innerText()).trim(), '当前得分', 'no ranking yet: 当前得分');

      itemList = await items(bz);
      t.diagnostic(`items: ${itemList.map((i) => `${i.key}${i.automatic ? '（自动）' : ''}`).join(' ')}`);
      assert.deepEqual(
        itemList.filter((i) => !i.automatic).map((i) => i.key),
        ['basic', 'reporting'],
        'the manual items are 基础工作 and 日常数据上报',
      );
      assert.deepEqual(
        itemList.map((i) => i.label),
        rubric.map((r) => r[0]),
        'the form offers the rubric’s items in its order',
      );
      const head = await bz.locator('#region-assessment-table thead th').evaluateAll((ths) =>
        ths.map((th) => (th.childNodes[0] ? th.childNodes[0].textContent.trim() : '')),
      );
      assert.deepEqual(head, ['排名', '地区', ...itemList.map((i) => i.label), '总分', '名单'], 'the table’s columns');

      regions = await subjects(bz);
      for (const r of regions) t.diagnostic(`${r.code} ${r.name}: ${r.cells.map((c) => c.text).join(' | ')} = ${r.total}; ${r.counts}`);
      assert.ok(regions.length >= 1, 'a row per region below');
      assert.ok(regions.some((r) => r.code === COUNTY_CODE && r.name === COUNTY), `${COUNTY} is row #subject-${COUNTY_CODE}`);
      assert.equal(new Set(regions.map((r) => r.code)).size, regions.length, 'one row per region');
      assert.ok(regions.every((r) => r.code !== '652800000'), 'not the prefecture itself');
      const options = await bz.locator('#region-mark-form select[name="region"] option').evaluateAll((os) => os.map((o) => o.value));
      assert.deepEqual(options.sort(), regions.map((r) => r.code).sort(), 'the form offers every region of the table');
      for (const r of regions) {
        assert.equal(r.rank, '', `${r.name}: no rank while items are 待评`);
        assert.equal(r.cells.length, itemList.length, `${r.name}: a cell per item`);
        itemList.forEach((item, i) => {
          if (item.automatic) assert.match(r.cells[i].text, /^\d+\.\d\d$/, `${r.name} ${item.label}: computed (${r.cells[i].text})`);
          else assert.equal(r.cells[i].text, '待评', `${r.name} ${item.label}: 待评`);
        });
        assert.match(r.counts, /事前评估 \d+\/\d+/, `${r.name}: the counts under the name (${r.counts})`);
        assert.match(r.total, /^\d+\.\d\d$/, `${r.name}: a provisional total (${r.total})`);
      }
      assert.match(await text(bz, 'main'), new RegExp(`还有 ${regions.length} 个地区的人工评分项未评分`), 'every region still to score');
      assert.equal(await bz.locator('#region-assessment-lists').count(), 0, 'no lists yet');
      assert.ok(await bz.locator('#region-finalize-form button[type="submit"]').isDisabled(), '定稿 is disabled while items are 待评');
    });

    const form = () => bz.locator('form#region-mark-form');
    /** Fills the mark form (every field, blanks included) and clicks 保存. */
    const mark = async ({ region = COUNTY_CODE, item, score = '', adjust = '', reason = '' }, url) => {
      const f = form();
      await f.locator('select[name="region"]').selectOption(region);
      await f.locator('select[name="item"]').selectOption(item);
      await f.locator('input[name="score"]').fill(score);
      await f.locator('input[name="adjust"]').fill(adjust);
      await f.locator('input[name="reason"]').fill(reason);
      return submit(bz, () => f.getByRole('button', { name: '保存' }).click(), url);
    };
    const row = async (code = COUNTY_CODE) => (await subjects(bz)).find((r) => r.code === code);

    await step('3. refused entries: a typed automatic score, 16 of 15, an adjustment without a reason', async () => {
      const auto = itemList.find((i) => i.automatic);
      const before = await row();
      let status = await mark({ item: auto.key, score: '8' }, markUrl);
      assert.equal(status, 422, `a score typed for ${auto.label} is refused`);
      let err = await alerts(bz);
      assert.match(err, /自动计算/, `the refusal says it is computed (${err})`);
      assert.ok(err.includes(COUNTY) && err.includes(auto.label), `and names the region and item (${err})`);
      assert.equal(await form().locator('select[name="region"]').inputValue(), COUNTY_CODE, 'the region kept');
      assert.equal(await form().locator('select[name="item"]').inputValue(), auto.key, 'the item kept');
      assert.equal(await form().locator('input[name="score"]').inputValue(), '8', 'the typed score kept');
      assert.deepEqual(await row(), before, 'nothing changed in the table');

      status = await mark({ item: 'basic', score: '16' }, markUrl);
      assert.equal(status, 422, '16 of 15 is refused');
      err = await alerts(bz);
      assert.match(err, new RegExp(`0 至 ${BASIC_MAX}`), `the refusal gives the range (${err})`);
      assert.equal(await form().locator('select[name="item"]').inputValue(), 'basic', 'the item kept');
      assert.equal(await form().locator('input[name="score"]').inputValue(), '16', 'the typed 16 kept');
      assert.equal((await row()).cells[itemList.findIndex((i) => i.key === 'basic')].text, '待评', '基础工作 still 待评');

      status = await mark({ item: auto.key, adjust: '-1' }, markUrl);
      assert.equal(status, 422, 'an adjustment without a reason is refused');
      err = await alerts(bz);
      assert.match(err, /理由/, `the refusal asks for a reason (${err})`);
      assert.equal(await form().locator('input[name="adjust"]').inputValue(), '-1', 'the typed adjustment kept');
      assert.deepEqual(await row(), before, 'nothing changed in the table');
    });

    await step('4. both manual items scored for every region: ranks, the lists, 定稿 enabled', async () => {
      const iBasic = itemList.findIndex((i) => i.key === 'basic');
      const iReporting = itemList.findIndex((i) => i.key === 'reporting');
      for (const r of regions) {
        for (const [item, score] of Object.entries(MANUAL)) {
          const status = await mark({ region: r.code, item, score }, yearUrl('&done=marked'));
          assert.equal(status, 303, `${r.name} ${item} ${score}: 保存 redirects (${await alerts(bz)})`);
          assert.equal(await flash(bz), '评分已保存。');
        }
      }
      assert.equal((await bz.locator('#ranking').innerText()).trim(), '得分及排名', 'all scored: 得分及排名');
      const now = await subjects(bz);
      for (const r of now) t.diagnostic(`${r.rank}. ${r.name}: ${r.cells.map((c) => c.text).join(' | ')} = ${r.total} ${r.listed}`);
      assert.equal(now.length, regions.length, 'the same regions');
      for (const r of now) {
        assert.match(r.rank, /^\d+$/, `${r.name} is ranked (${r.rank})`);
        assert.ok(Number(r.rank) <= now.length, `${r.name}: rank within 1..${now.length}`);
        assert.deepEqual(
          [r.cells[iBasic].text, r.cells[iReporting].text],
          [two(MANUAL.basic), two(MANUAL.reporting)],
          `${r.name}: the manual scores saved`,
        );
        assert.ok(!r.cells.some((c) => c.text === '待评'), `${r.name}: nothing 待评`);
        const was = regions.find((x) => x.code === r.code);
        const added = Math.round((Number(MANUAL.basic) + Number(MANUAL.reporting)) * 100);
        assert.equal(Math.round(Number(r.total) * 100), Math.round(Number(was.total) * 100) + added, `${r.name}: the total rose by the manual scores`);
      }
      assert.equal(now[0].rank, '1', 'the first row is ranked 1');
      const totals = now.map((r) => Number(r.total));
      assert.deepEqual(totals, [...totals].sort((a, b) => b - a), 'ranked by total, highest first');
      const lists = await text(bz, '#region-assessment-lists');
      t.diagnostic(`lists: ${lists}`);
      assert.match(lists, /通报表彰：\S+/, `通报表彰 (${lists})`);
      assert.match(lists, /约谈：\S+/, `约谈 (${lists})`);
      for (const r of now) {
        if (r.listed === '约谈') assert.match(lists, new RegExp(`约谈：.*${r.name}`), `${r.name} on the 约谈 list`);
        if (r.listed === '通报表彰') assert.match(lists, new RegExp(`通报表彰：.*${r.name}.*约谈`), `${r.name} on the 通报表彰 list`);
      }
      assert.ok(await bz.locator('#region-finalize-form button[type="submit"]').isEnabled(), '定稿 enabled');
      regions = now;
    });

    let adjusted = null; // { key, index, before: the row before }

    await step(`5. an automatic item of ${COUNTY} adjusted by −1 with a reason: marked 调, the total drops by 1`, async () => {
      const before = await row();
      // An automatic item scoring at least 1, so that the clamp at 0 cannot hide the change.
      const index = itemList.findIndex((item, i) => item.automatic && Number(before.cells[i].text) >= 1);
      assert.ok(index >= 0, `an automatic item of ${COUNTY} scores at least 1 (${before.cells.map((c) => c.text).join(' | ')})`);
      const item = itemList[index];
      t.diagnostic(`adjusting ${item.label} (${before.cells[index].text})`);
      const status = await mark({ item: item.key, adjust: '-1', reason: REASON }, yearUrl('&done=marked'));
      assert.equal(status, 303, `保存 redirects (${await alerts(bz)})`);
      assert.equal(await flash(bz), '评分已保存。');
      const after = await row();
      const cell = after.cells[index];
      assert.equal(cell.text, `${minusOne(before.cells[index].text)}调`, `the cell drops by 1 and is marked 调 (${cell.text})`);
      assert.equal(await bz.locator(`#subject-${COUNTY_CODE} sup`, { hasText: '调' }).count(), 1, 'one 调 mark in the row');
      assert.ok(cell.title.includes(REASON), `its title gives the reason (${cell.title})`);
      assert.ok(cell.title.includes('调整 -1'), `and the adjustment (${cell.title})`);
      assert.equal(after.total, minusOne(before.total), `the total drops by 1 (${before.total} → ${after.total})`);
      after.cells.forEach((c, i) => {
        if (i !== index) assert.equal(c.text, before.cells[i].text, `${itemList[i].label} unchanged`);
      });
      adjusted = { key: item.key, index, before };
      regions = await subjects(bz);
    });

    await step(`6. 定稿: a deadline inside ${YEAR} refused; with ${DEADLINE} the year is finalised`, async () => {
      let f = bz.locator('form#region-finalize-form');
      await f.locator('input[name="interview_deadline"]').fill(`${YEAR}-12-31`);
      let status = await submit(bz, () => f.getByRole('button', { name: '定稿' }).click(), pathIs(new RegExp(`^/regions/assessment/${YEAR}/finalize$`)));
      assert.equal(status, 422, `a deadline on ${YEAR}-12-31 is refused`);
      const err = await alerts(bz);
      assert.match(err, new RegExp(`晚于 ${YEAR} 年末`), `the refusal says why (${err})`);
      assert.equal(await bz.locator('#region-mark-form').count(), 1, 'still open');

      f = bz.locator('form#region-finalize-form');
      await f.locator('input[name="interview_deadline"]').fill(DEADLINE);
      status = await submit(bz, () => f.getByRole('button', { name: '定稿' }).click(), yearUrl('&done=finalized'));
      assert.equal(status, 303, '定稿 redirects');
      assert.match(await flash(bz), /^考核已定稿/);
      assert.equal(await bz.locator('form#region-mark-form').count(), 0, 'the mark form is gone');
      assert.equal(await bz.locator('form#region-finalize-form').count(), 0, 'finalised once');
      assert.match(await text(bz, 'main'), new RegExp(`定稿；约谈整改期限 ${DEADLINE}。`), 'the deadline shown');
      const lists = await text(bz, '#region-assessment-lists');
      assert.match(lists, /通报表彰：\S+ 约谈：\S+/, `the lists (${lists})`);
      const now = await subjects(bz);
      assert.deepEqual(
        now.map((r) => [r.code, r.rank, r.total, r.listed]),
        regions.map((r) => [r.code, r.rank, r.total, r.listed]),
        'ranks, totals and lists as scored',
      );
      const county = now.find((r) => r.code === COUNTY_CODE);
      assert.ok(county.cells[adjusted.index].text.endsWith('调'), `the adjustment kept (${county.cells[adjusted.index].text})`);
      regions = now;
    });

    const own = regions.find((r) => r.code === COUNTY_CODE);
    /** What the county reads of its finalised result, checked against the prefecture's row. */
    const readsOwn = async (page, who) => {
      const section = page.locator(`section#own-${YEAR}`);
      assert.equal(await section.count(), 1, `${who}: section#own-${YEAR}`);
      assert.equal(await text(page, `section#own-${YEAR} h3`), `${YEAR} 年度 · ${PREFECTURE}考核`);
      const said = await text(page, `section#own-${YEAR}`);
      t.diagnostic(`${who}: ${said.slice(0, 120)}…`);
      assert.ok(said.includes(`总分 ${own.total}`), `${who}: the total ${own.total} (${said})`);
      assert.ok(said.includes(`排名 ${own.rank} / ${regions.length}`), `${who}: the rank ${own.rank} / ${regions.length} (${said})`);
      if (own.listed) assert.ok(said.includes(`列入${own.listed}名单`), `${who}: listed ${own.listed} (${said})`);
      if (own.listed === '约谈') assert.ok(said.includes(`整改期限 ${DEADLINE}`), `${who}: the deadline (${said})`);
      const rows = await tableRows(page, `section#own-${YEAR} table.data`);
      assert.deepEqual(
        rows.map((r) => [r[0], r[1]]),
        itemList.map((item, i) => [item.label, own.cells[i].text.replace(/调$/, '')]),
        `${who}: the item scores as finalised`,
      );
      assert.doesNotMatch(await text(page, 'main'), /上级尚未定稿对本区划的考核/, `${who}: no longer “not finalised”`);
      for (const id of ['#region-assessment-table', '#region-mark-form', '#region-finalize-form', '#region-assessment-lists']) {
        assert.equal(await page.locator(id).count(), 0, `${who}: no ${id}`);
      }
      for (const r of regions.filter((x) => x.code !== COUNTY_CODE)) {
        assert.ok(!(await text(page, 'main')).includes(r.name), `${who}: ${r.name} is not shown`);
      }
    };

    await step(`7. ${COUNTY_FINANCE}, from 部门考核, reads ${COUNTY}'s own result`, async () => {
      await follow(county, () => county.locator('nav.sidenav a', { hasText: /^部门考核$/ }).click(), (u) => u.pathname === '/assessments');
      const link = county.locator('#region-assessment-link');
      assert.equal(await link.count(), 1, 'the link on /assessments');
      assert.equal((await link.innerText()).trim(), '上级对本区划的考核结果');
      await follow(county, () => link.click(), (u) => u.pathname === '/regions/assessment');
      await readsOwn(county, COUNTY_FINANCE);
    });

    await step(`8. ${COUNTY_FINANCE}'s 部门考核 links 上级对本区划的考核结果 (#region-assessment-link)`, async () => {
      await county.goto('/assessments');
      const link = county.locator('#region-assessment-link');
      assert.equal(await link.count(), 1, 'the link on /assessments');
      assert.equal(await link.getAttribute('href'), '/regions/assessment');
    });

    await step(`9. ${COUNTY_READER} (${COUNTY}'s leader) reads the same result`, async () => {
      await leader.goto('/regions/assessment');
      await readsOwn(leader, COUNTY_READER);
    });

    await step('10. on a phone (375 px) /regions/assessment does not scroll sideways', async () => {
      await mkdir(RESULTS_DIR, { recursive: true });
      const problems = [];
      const check = async (page, label, file) => {
        await page.screenshot({ path: path.join(RESULTS_DIR, file), fullPage: true });
        const o = await overflow(page);
        t.diagnostic(
          `${label}: page scrollWidth ${o.scrollWidth} / ${o.width}` +
            (o.wrap ? `; .table-wrap ${o.wrap.scrollWidth} in ${o.wrap.clientWidth}` : '') +
            `; screenshot e2e/test-results/${file}`,
        );
        if (o.scrollWidth > PHONE.width + 1) {
          problems.push(`${label}: document.documentElement.scrollWidth ${o.scrollWidth} > ${PHONE.width}; sticking out: ${o.culprits.join('; ') || '(none found)'}`);
        }
      };
      const upper = await s.page({ viewport: PHONE });
      await login(upper, UPPER);
      await upper.goto(`/regions/assessment?year=${YEAR}`);
      await upper.locator('#region-assessment-table').waitFor();
      await check(upper, `${UPPER} /regions/assessment?year=${YEAR} (finalised)`, 'region-assessment-375.png');
      const phone = await s.page({ viewport: PHONE });
      await login(phone, COUNTY_FINANCE);
      await phone.goto('/regions/assessment');
      await phone.locator(`section#own-${YEAR}`).waitFor();
      await check(phone, `${COUNTY_FINANCE} /regions/assessment (own result)`, 'region-assessment-375-county.png');
      assert.deepEqual(problems, [], 'no horizontal overflow of the page');
    });

    await step(`11. the prefecture's ${YEAR} 年度报告 is over its subtree (本级及所辖地区, 各地区)`, async () => {
      await follow(bz, () => bz.locator('nav.sidenav a', { hasText: /^年度报告$/ }).click(), (u) => u.pathname === '/reports');
      const link = bz.locator(`main a[href="/reports/annual/${YEAR}"]`);
      assert.equal(await link.count(), 1, `a link to the ${YEAR} report`);
      await follow(bz, () => link.click(), pathIs(new RegExp(`^/reports/annual/${YEAR}$`)));
      const body = await text(bz);
      assert.ok(body.includes(PREFECTURE), 'the report names the prefecture');
      assert.ok(body.includes('本级及所辖地区'), 'the text speaks of 本级及所辖地区');
      const caption = await text(bz, 'caption');
      t.diagnostic(`first caption: ${caption}`);
      assert.ok(caption.includes('各地区'), `the first table's caption has 各地区 (${caption})`);
      const first = await bz
        .locator('table:has(caption)')
        .first()
        .locator('tr')
        .evaluateAll((trs) => trs.map((tr) => Array.from(tr.cells, (c) => c.innerText.trim())));
      assert.ok(first.some((r) => r[0] === COUNTY), `the first table has a row for ${COUNTY} (${JSON.stringify(first)})`);
    });

    if (failed) throw new Error(`step “${failed}” failed (see its subtest)`);
  }),
);
