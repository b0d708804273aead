// The annual assessment of the budget units (部门考核, SPEC §11) through the browser, clicking like a
// person: finance opens 部门考核 from the menu and goes back to 2022, which has no round yet
// (本年度考核尚未开启), and clicks 开启 2022 年度考核: the ranking lists every level-1 unit, its
// manual items 待评 → 教育局's preparer sees no 2022 ranking while it is not finalised → finance's
// 保存人工评分 with 9 of 5 for the first unit's 日常数据上报 is refused (422, “应在 0 至 5 分之间”,
// the typed values kept, nothing saved); then every 基础工作 14 and every 日常数据上报 5 are saved:
// 得分及排名 with a rank for every unit, the 通报表彰 and 约谈 lists → on the first unit's 得分表
// an adjustment of 档案管理 without a reason is refused (必须填写理由); with one (-1, 佐证材料归档不全)
// the row shows -1.00 and the reason, the item and the total drop by 1 (the item adjusted is
// 档案管理 when it scores at least 1, otherwise 基础工作, which was entered as 14, so that the
// clamp at 0 cannot hide the change) → a count of an automatic item opens the records it
// counted (#counted) → back on the year, the Word report downloads (a .docx, “PK”) and the
// printable version opens in a new tab → finance finalises with the interview deadline
// 2023-03-31: 考核已定稿, the manual form and the adjustments are gone → 教育局's preparer, on the
// finalised 2023 assessment, sees only 且末县教育局 under 本单位考核结果, opens its 得分表, and gets
// 403 on another unit's (its id read from finance's 2023 ranking).
//
// Run: cargo build -p jixiao && cd e2e && npm ci && node --test tests/assessment.test.mjs
// A failing step leaves a screenshot of every page (one per user) in e2e/test-results/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { startDemoServer } from '../lib/server.mjs';
import { launchBrowser, withBrowser, login, tableRows } from '../lib/browser.mjs';

const YEAR = '2022'; // no assessment round in the demo
const DONE_YEAR = '2023'; // the demo's finalised assessment
const OWN_UNIT = '且末县教育局'; // jyj_tb's unit
const REASON = '佐证材料归档不全';
const DEADLINE = '2023-03-31';
const ITEM_KEYS = ['basic', 'ex_ante', 'targets', 'monitoring', 'evaluation', 'rectification', 'archives', 'disclosure', 'reporting'];

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
 * Runs `act` (a click that posts a form) and waits for the page the server answers with; `url`
 * is what the address must turn into. Returns the status of the POST itself (303 for a redirect,
 * 4xx for a refusal rendered in place).
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

/**
 * The ranking rows: [{ id, rank, name, cells (the rubric items' scores), total, listed, sheet }],
 * `name` without the problems printed under it.
 */
async function ranking(page) {
  return page.locator('#assessment-ranking tbody tr').evaluateAll((trs) =>
    trs.map((tr) => {
      const td = Array.from(tr.cells);
      const clean = (el) => el.innerText.replace(/\s+/g, ' ').trim();
      const last = td[td.length - 1];
      return {
        id: tr.id.replace(/^unit-/, ''),
        rank: clean(td[0]),
        name: td[1].childNodes[0] ? td[1].childNodes[0].textContent.trim() : '',
        cells: td.slice(2, td.length - 3).map(clean),
        total: clean(td[td.length - 3]),
        listed: clean(td[td.length - 2]),
        sheet: last.querySelector('a') ? last.querySelector('a').getAttribute('href') : '',
        sheetText: clean(last),
      };
    }),
  );
}

/** A sheet row: { computed, adjustment, score, counts: [{ href, text }] }. */
async function sheetItem(page, key) {
  return page.locator(`#sheet tr#item-${key}`).evaluate((tr) => {
    const clean = (el) => el.innerText.replace(/\s+/g, ' ').trim();
    return {
      name: clean(tr.cells[0]),
      max: clean(tr.cells[1]),
      computed: clean(tr.cells[3]),
      adjustment: clean(tr.cells[4]),
      score: clean(tr.cells[5]),
      counts: Array.from(tr.cells[2].querySelectorAll('a'), (a) => ({
        href: a.getAttribute('href'),
        text: a.textContent.trim(),
      })),
    };
  });
}

/** 4.00 − 1 → "3.00": the two-decimal figures of the pages. */
const minusOne = (s) => (Math.round(Number(s) * 100 - 100) / 100).toFixed(2);

// --------------------------------------------------------------------------------- test

const NAME = 'assessment: a year opened, scored, adjusted, reported and finalised; a unit sees only its own sheet';

test(NAME, { timeout: 180_000 }, async (t) =>
  withBrowser(browser, server.baseUrl, NAME, async (s) => {
    let failed = null;
    /** One numbered part: a subtest; after a failure the remaining parts are skipped. */
    const step = (name, fn) =>
      t.test(name, async (st) => {
        if (failed) {
          st.skip(`skipped: “${failed}” failed`);
          return;
        }
        try {
          await fn(st);
        } catch (e) {
          failed = name;
          throw e;
        }
      });

    const fin = await s.page(); // 财政绩效管理员
    const tb = await s.page(); // 教育局填报员

    let units = []; // the 2022 ranking after opening
    let first = null; // { id, name } the first unit of the manual form
    let sheetUnit = null; // { id, name, href } the unit whose 得分表 is adjusted
    const yearUrl = (extra = '') => pathIs(new RegExp(`^/assessments\\?year=${YEAR}${extra}$`));

    await step(`1. finance opens 部门考核 for ${YEAR} (not yet opened) and clicks 开启 ${YEAR} 年度考核`, async () => {
      await login(fin, 'jxg');
      await follow(fin, () => fin.locator('nav.sidenav a', { hasText: /^部门考核$/ }).click(), (u) => u.pathname === '/assessments');
      // From the default year back to 2022 through the 上一年度 links.
      for (let i = 0; i < 10; i++) {
        const h1 = (await fin.locator('main h1').innerText()).trim();
        const shown = Number(h1.slice(0, 4));
        assert.match(h1, /^\d{4} 年度部门预算绩效管理工作考核$/, `the heading names the year (${h1})`);
        if (shown === Number(YEAR)) break;
        assert.ok(shown > Number(YEAR), `the default year ${shown} is after ${YEAR}`);
        await follow(
          fin,
          () => fin.locator(`main a[href="/assessments?year=${shown - 1}"]`).click(),
          (u) => u.searchParams.get('year') === String(shown - 1),
        );
      }
      assert.equal((await fin.locator('main h1').innerText()).trim(), `${YEAR} 年度部门预算绩效管理工作考核`);
      assert.match(await text(fin, 'main'), /本年度考核尚未开启/, 'no round yet');
      assert.equal(await fin.locator('#assessment-ranking').count(), 0, 'no ranking before opening');
      assert.equal(await fin.locator('#assessment-report-docx').count(), 0, 'no report before opening');

      const open = fin.locator('form#assessment-open');
      const status = await submit(fin, () => open.getByRole('button', { name: `开启 ${YEAR} 年度考核` }).click(), yearUrl('&done=opened'));
      assert.equal(status, 303, '开启 redirects');
      assert.match(await flash(fin), /^已开启本年度考核/);
      assert.equal(await fin.locator('form#assessment-open').count(), 0, 'opened once');
      assert.equal(await fin.locator('form#rubric-form').count(), 1, 'the rubric is editable while open');
      assert.equal((await fin.locator('#ranking').innerText()).trim(), '当前得分', 'no ranking yet: 当前得分');

      units = await ranking(fin);
      assert.ok(units.length >= 10, `a row per level-1 unit (${units.length})`);
      assert.ok(units.every((u) => /^\d+$/.test(u.id)), 'each row is unit-{id}');
      assert.ok(units.some((u) => u.name === OWN_UNIT), `${OWN_UNIT} is listed`);
      assert.equal(new Set(units.map((u) => u.id)).size, units.length, 'one row per unit');
      for (const u of units) {
        assert.equal(u.sheet, `/assessments/${YEAR}/units/${u.id}`, `${u.name}: 得分表 links to its sheet`);
        assert.equal(u.sheetText, '得分表');
        assert.equal(u.rank, '', `${u.name}: no rank while items are 待评`);
        assert.equal(u.cells.length, ITEM_KEYS.length, `${u.name}: a cell per rubric item`);
        assert.equal(u.cells[0], '待评', `${u.name}: 基础工作 待评 (${u.cells})`);
        assert.equal(u.cells[8], '待评', `${u.name}: 日常数据上报 待评 (${u.cells})`);
      }
      assert.match(await text(fin, 'main'), new RegExp(`还有 ${units.length} 个单位的人工评分项未评分`), 'every unit still to score');
      assert.equal(await fin.locator('#assessment-lists').count(), 0, 'no lists before the scores');
      assert.ok(await fin.locator('#finalize-form button[type="submit"]').isDisabled(), '定稿 is disabled while items are 待评');
    });

    await step(`2. ${OWN_UNIT}'s preparer sees no ${YEAR} ranking while it is not finalised`, async () => {
      await login(tb, 'jyj_tb');
      const res = await tb.goto(`/assessments?year=${YEAR}`);
      assert.equal(res.status(), 200);
      assert.match(await text(tb, 'main'), /本年度考核尚未定稿/, 'told it is not finalised');
      assert.equal(await tb.locator('#assessment-ranking').count(), 0, 'no ranking');
      assert.equal(await tb.locator('#own-results').count(), 0, 'no own results');
      assert.equal(await tb.locator('#manual-form').count(), 0, 'no manual scores');
      assert.equal(await tb.locator('#assessment-report-docx').count(), 0, 'no report');
    });

    await step('3. 保存人工评分: 9 of 5 refused (422, nothing saved); then 14 and 5 for every unit: 得分及排名', async () => {
      const form = fin.locator('form#manual-form');
      const basics = form.locator('input[name^="m_"][name$="_basic"]');
      const reports = form.locator('input[name^="m_"][name$="_reporting"]');
      assert.equal(await basics.count(), units.length, 'a 基础工作 input per unit');
      assert.equal(await reports.count(), units.length, 'a 日常数据上报 input per unit');
      const firstName = await reports.first().getAttribute('name');
      const id = /^m_(\d+)_reporting$/.exec(firstName)[1];
      first = { id, name: (await form.locator('tbody tr').first().locator('td').first().innerText()).trim() };
      assert.ok(units.some((u) => u.id === id && u.name === first.name), `the first input is ${first.name}'s (${firstName})`);

      await form.locator(`input[name="m_${id}_basic"]`).fill('14');
      await form.locator(`input[name="m_${id}_reporting"]`).fill('9');
      let status = await submit(fin, () => form.getByRole('button', { name: '保存人工评分' }).click(), pathIs(new RegExp(`^/assessments/${YEAR}/manual$`)));
      assert.equal(status, 422, '9 of 5 is refused');
      const err = await alerts(fin);
      assert.match(err, /应在 0 至 5 分之间/, `the refusal gives the range (${err})`);
      assert.ok(err.includes(first.name), `and names the unit (${err})`);
      assert.equal(await fin.locator(`input[name="m_${id}_basic"]`).inputValue(), '14', 'the typed 基础工作 is kept');
      assert.equal(await fin.locator(`input[name="m_${id}_reporting"]`).inputValue(), '9', 'the typed 日常数据上报 is kept');
      const row = (await ranking(fin)).find((u) => u.id === id);
      assert.deepEqual([row.cells[0], row.cells[8]], ['待评', '待评'], `nothing saved, not even the valid 14 (${row.cells})`);

      // The page now at /assessments/2022/manual: the same form, re-rendered.
      for (const input of await fin.locator('form#manual-form input[name^="m_"][name$="_basic"]').all()) await input.fill('14');
      for (const input of await fin.locator('form#manual-form input[name^="m_"][name$="_reporting"]').all()) await input.fill('5');
      status = await submit(
        fin,
        () => fin.locator('form#manual-form').getByRole('button', { name: '保存人工评分' }).click(),
        yearUrl('&done=manual'),
      );
      assert.equal(status, 303, '保存人工评分 redirects');
      assert.equal(new URL(fin.url()).hash, '#ranking', 'to the ranking');
      assert.equal(await flash(fin), '人工评分已保存。');
      assert.equal((await fin.locator('#ranking').innerText()).trim(), '得分及排名', 'all scored: 得分及排名');

      units = await ranking(fin);
      for (const u of units) {
        assert.match(u.rank, /^\d+$/, `${u.name} is ranked (${u.rank})`);
        assert.deepEqual([u.cells[0], u.cells[8]], ['14.00', '5.00'], `${u.name}: the manual scores saved (${u.cells})`);
        assert.ok(!u.cells.includes('待评'), `${u.name}: nothing 待评`);
      }
      assert.equal(units[0].rank, '1', 'the first row is ranked 1');
      const totals = units.map((u) => Number(u.total));
      assert.deepEqual(totals, [...totals].sort((a, b) => b - a), 'ranked by total, highest first');
      assert.ok(units.every((u, i) => i === 0 || Number(u.rank) >= Number(units[i - 1].rank)), 'ranks never decrease down the table');
      const lists = await text(fin, '#assessment-lists');
      assert.match(lists, /通报表彰：\S+/, `通报表彰 (${lists})`);
      assert.match(lists, /约谈：\S+/, `约谈 (${lists})`);
      const commended = units.filter((u) => u.listed === '通报表彰').map((u) => u.name);
      assert.ok(commended.length > 0, 'some units commended in the ranking');
      assert.ok(lists.includes(`通报表彰：${commended.join('、')}`), `the list names the ranking's commended units (${lists})`);
      assert.equal(await fin.locator('#assessment-report-docx').count(), 1, 'the report is offered once complete');
      assert.ok(await fin.locator('#finalize-form button[type="submit"]').isEnabled(), '定稿 enabled');
    });

    let item = ''; // the item adjusted
    let before = null; // its sheet row before
    let totalBefore = '';

    await step('4. on the first unit’s 得分表: an adjustment without a reason is refused; with one the item and total drop by 1', async () => {
      const row = units[0];
      sheetUnit = { id: row.id, name: row.name, href: row.sheet };
      await follow(fin, () => fin.locator(`#unit-${row.id} a`, { hasText: '得分表' }).click(), pathIs(new RegExp(`^/assessments/${YEAR}/units/${row.id}$`)));
      assert.equal((await fin.locator('main h1').innerText()).trim(), `${row.name} ${YEAR} 年度预算绩效管理工作考核得分表`);
      const keys = await fin.locator('#sheet tbody tr[id^="item-"]').evaluateAll((trs) => trs.map((tr) => tr.id.slice(5)));
      assert.deepEqual(keys, ITEM_KEYS, 'a row per rubric item');
      totalBefore = await text(fin, '#sheet-total');
      assert.equal(totalBefore, row.total, 'the sheet total is the ranking’s');
      assert.match(await text(fin, '#sheet-summary'), new RegExp(`第 ${row.rank} 名（共 ${units.length} 个单位）`), 'and the rank');
      assert.equal((await sheetItem(fin, 'basic')).score, '14.00', '基础工作 as entered');

      // 档案管理 without a reason.
      let form = fin.locator('form#adjust-archives');
      await form.locator('input[name="points"]').fill('-1');
      await form.locator('input[name="reason"]').fill('');
      let status = await submit(fin, () => form.getByRole('button', { name: '保存调整' }).click(), pathIs(new RegExp(`^/assessments/${YEAR}/units/${row.id}/adjust$`)));
      assert.equal(status, 422, 'an adjustment without a reason is refused');
      const err = await alerts(fin);
      assert.match(err, /必须填写理由/, `the refusal asks for the reason (${err})`);
      assert.equal(await fin.locator('form#adjust-archives input[name="points"]').inputValue(), '-1', 'the typed points are kept');
      assert.equal(await text(fin, '#sheet-total'), totalBefore, 'the total unchanged');
      assert.equal((await sheetItem(fin, 'archives')).adjustment, '', 'no adjustment recorded');

      // An item that can lose a whole point: 档案管理 when it has one, else 基础工作 (14).
      const archives = await sheetItem(fin, 'archives');
      item = Number(archives.score) >= 1 ? 'archives' : 'basic';
      t.diagnostic(`档案管理 scores ${archives.score}: adjusting ${item}`);
      before = await sheetItem(fin, item);
      form = fin.locator(`form#adjust-${item}`);
      await form.locator('input[name="points"]').fill('-1');
      await form.locator('input[name="reason"]').fill(REASON);
      status = await submit(
        fin,
        () => form.getByRole('button', { name: '保存调整' }).click(),
        pathIs(new RegExp(`^/assessments/${YEAR}/units/${row.id}\\?done=adjusted$`)),
      );
      assert.equal(status, 303, '保存调整 redirects');
      assert.equal(new URL(fin.url()).hash, `#item-${item}`, 'back to the item');
      assert.equal(await flash(fin), '调整已保存。');
      const after = await sheetItem(fin, item);
      assert.ok(after.adjustment.startsWith('-1.00'), `the row shows -1.00 (${after.adjustment})`);
      assert.ok(after.adjustment.includes(`理由：${REASON}`), `and the reason (${after.adjustment})`);
      assert.equal(after.computed, before.computed, 'the computed score unchanged');
      assert.equal(after.score, minusOne(before.score), `the item’s score drops by 1 (${before.score} → ${after.score})`);
      const totalAfter = await text(fin, '#sheet-total');
      assert.equal(totalAfter, minusOne(totalBefore), `the total drops by 1 (${totalBefore} → ${totalAfter})`);
      assert.equal(await fin.locator(`form#adjust-${item} input[name="reason"]`).inputValue(), REASON, 'the form shows the saved reason');
    });

    await step('5. a count of an automatic item opens the records it counted', async () => {
      const counts = [];
      for (const key of ITEM_KEYS) counts.push(...(await sheetItem(fin, key)).counts);
      assert.ok(counts.length > 0, 'the automatic items show counts');
      for (const c of counts) {
        assert.match(c.text, /^\d+ \/ \d+$/, `a count reads “done / total” (${c.text})`);
        assert.match(c.href, new RegExp(`^/assessments/${YEAR}/units/${sheetUnit.id}/records/\\w+$`), c.href);
      }
      // One with records when there is one.
      const pick = counts.find((c) => !c.text.endsWith('/ 0')) ?? counts[0];
      const [done, total] = pick.text.split(' / ').map(Number);
      await follow(fin, () => fin.locator(`#sheet a[href="${pick.href}"]`).click(), pathIs(new RegExp(`^${pick.href}$`)));
      assert.match((await fin.locator('main h1').innerText()).trim(), new RegExp(`^${YEAR} 年度考核计数：`));
      const head = await fin.locator('#counted thead th').allInnerTexts();
      assert.deepEqual(head.map((h) => h.trim()), ['记录', '是否计入完成', '说明'], 'the columns');
      const rows = await tableRows(fin, '#counted');
      assert.equal(rows.length, total, `a row per counted record (${pick.text})`);
      assert.equal(rows.filter((r) => r[1] === '是').length, done, `${done} counted as done`);
      assert.ok(rows.every((r) => r[1] === '是' || r[1] === '否'), 'each 是 or 否');
      assert.match(await text(fin, 'main'), new RegExp(`共 ${total} 条，计入完成 ${done} 条`));
      await follow(fin, () => fin.getByRole('link', { name: '返回得分表' }).click(), pathIs(new RegExp(`^/assessments/${YEAR}/units/${sheetUnit.id}$`)));
    });

    await step('6. back on the year: the Word report downloads and the printable version opens', async () => {
      await follow(fin, () => fin.getByRole('link', { name: '返回考核' }).click(), yearUrl());
      const row = (await ranking(fin)).find((u) => u.id === sheetUnit.id);
      assert.equal(row.total, minusOne(totalBefore), 'the ranking shows the adjusted total');
      assert.ok(row.cells[ITEM_KEYS.indexOf(item)].endsWith('调'), `the adjusted cell is marked 调 (${row.cells})`);

      const [download] = await Promise.all([fin.waitForEvent('download'), fin.locator('#assessment-report-docx').click()]);
      assert.match(download.suggestedFilename(), /\.docx$/, `a .docx (${download.suggestedFilename()})`);
      assert.equal(await download.failure(), null, 'downloaded');
      const bytes = await readFile(await download.path());
      assert.ok(bytes.length > 1000, `not empty (${bytes.length} bytes)`);
      assert.equal(bytes.subarray(0, 2).toString('latin1'), 'PK', 'a zip (Office Open XML)');
      assert.ok(bytes.includes(Buffer.from('word/document.xml')), 'with word/document.xml');

      const [printable] = await Promise.all([
        fin.context().waitForEvent('page'),
        fin.getByRole('link', { name: '打印版' }).click(),
      ]);
      await printable.waitForLoadState('load');
      assert.equal(new URL(printable.url()).pathname, `/assessments/${YEAR}/report.html`);
      const title = await printable.title();
      assert.ok(title.includes('年度部门预算绩效管理工作考核情况报告'), `the printable title (${title})`);
      assert.ok(title.includes(YEAR), `of ${YEAR} (${title})`);
      const body = await text(printable);
      assert.ok(body.includes(sheetUnit.name), 'the report names the first unit');
      await printable.close();
    });

    await step(`7. finance finalises with the interview deadline ${DEADLINE}: 考核已定稿`, async () => {
      const form = fin.locator('form#finalize-form');
      await form.locator('input[name="interview_deadline"]').fill(DEADLINE);
      const status = await submit(fin, () => form.getByRole('button', { name: '定稿并下达约谈整改通知' }).click(), yearUrl('&done=finalized'));
      assert.equal(status, 303, '定稿 redirects');
      assert.match(await flash(fin), /^考核已定稿/);
      assert.equal(await fin.locator('form#manual-form').count(), 0, 'the manual form is gone');
      assert.equal(await fin.locator('form#finalize-form').count(), 0, 'finalised once');
      assert.equal(await fin.locator('form#rubric-form').count(), 0, 'the rubric is fixed');
      assert.match(await text(fin, 'main'), new RegExp(`定稿；约谈整改期限 ${DEADLINE}。`), 'the deadline shown');
      const now = await ranking(fin);
      const expected = units.map((u) => [u.id, u.id === sheetUnit.id ? minusOne(u.total) : u.total]);
      assert.deepEqual(now.map((u) => [u.id, u.total]).sort(), expected.sort(), 'the totals as scored and adjusted');
      assert.ok(now.every((u) => /^\d+$/.test(u.rank)), 'every unit ranked');
      const interviewed = now.filter((u) => u.listed.startsWith('约谈'));
      assert.ok(interviewed.length > 0, 'some units interviewed');
      for (const u of interviewed) {
        assert.equal(await fin.locator(`#unit-${u.id} a[href^="/rectifications/"]`).count(), 1, `${u.name}: its 整改通知 linked`);
      }
      await fin.goto(sheetUnit.href);
      assert.equal(await fin.locator('form[id^="adjust-"]').count(), 0, 'no adjustments once finalised');
      assert.ok((await sheetItem(fin, item)).adjustment.includes(REASON), 'the adjustment kept');
    });

    let otherId = '';

    await step(`8. ${OWN_UNIT}'s preparer sees only its own ${DONE_YEAR} result and sheet; another unit's sheet is 403`, async () => {
      await fin.goto(`/assessments?year=${DONE_YEAR}`);
      const all = await ranking(fin);
      assert.ok(all.length > 1, `finance sees the ${DONE_YEAR} ranking`);
      const own = all.find((u) => u.name === OWN_UNIT);
      assert.ok(own, `${OWN_UNIT} is ranked in ${DONE_YEAR}`);
      const other = all.find((u) => u.name !== OWN_UNIT);
      otherId = other.id;

      await follow(tb, () => tb.locator('nav.sidenav a', { hasText: /^部门考核$/ }).click(), (u) => u.pathname === '/assessments');
      if (new URL(tb.url()).searchParams.get('year') !== DONE_YEAR) await tb.goto(`/assessments?year=${DONE_YEAR}`);
      assert.equal(await tb.locator('#assessment-ranking').count(), 0, 'no county ranking for a unit');
      assert.equal(await tb.locator('#manual-form').count(), 0, 'no manual scores');
      assert.equal(await tb.locator('#finalize-form').count(), 0, 'no finalising');
      const rows = await tableRows(tb, '#own-results');
      assert.equal(rows.length, 1, `one row (${JSON.stringify(rows)})`);
      assert.deepEqual(rows[0], [OWN_UNIT, own.total, own.rank, '得分表'], 'its total and rank, as finance sees them');
      const shown = await text(tb, '#own-results');
      for (const u of all.filter((x) => x.name !== OWN_UNIT)) {
        assert.ok(!shown.includes(u.name), `${u.name} is not shown`);
      }

      await follow(tb, () => tb.locator('#own-results a', { hasText: '得分表' }).click(), pathIs(new RegExp(`^/assessments/${DONE_YEAR}/units/${own.id}$`)));
      assert.equal(await tb.locator('#sheet').count(), 1, 'its 得分表');
      assert.equal((await tb.locator('main h1').innerText()).trim(), `${OWN_UNIT} ${DONE_YEAR} 年度预算绩效管理工作考核得分表`);
      assert.equal(await text(tb, '#sheet-total'), own.total, 'the total');
      assert.equal(await tb.locator('form[id^="adjust-"]').count(), 0, 'no adjusting');

      const res = await tb.goto(`/assessments/${DONE_YEAR}/units/${otherId}`);
      assert.equal(res.status(), 403, `another unit’s sheet (${other.name}) is 403`);
      assert.equal(await tb.locator('#sheet').count(), 0, 'and not shown');
    });

    if (failed) throw new Error(`step “${failed}” failed (see its subtest)`);
  }),
);
