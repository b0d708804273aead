// The whole path of a new major project through the browser, clicking like a person:
// a unit proposes it → the library refuses it without an ex-ante assessment → finance commissions
// a third-party agency → the agency scores it → finance approves the assessment → the project
// enters the library → the unit declares performance targets (live §6.3 checks) → the unit
// approver submits → finance returns, then approves → budget approved → the unit adjusts the
// targets (a second version, compared side by side) → another unit is kept out (403).
//
// Run: cargo build -p jixiao && cd e2e && npm ci && node --test tests/workflow.test.mjs
// SCREENSHOTS=1 also writes docs/screenshots/web-project-workflow.png, web-ex-ante.png,
// web-target-form.png and web-target-compare.png (full page, 1366 wide; E2E_SCREENSHOT_DIR
// overrides the directory).
// A failing step leaves a screenshot of every page (one per user) in e2e/test-results/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { startDemoServer, E2E_DIR } from '../lib/server.mjs';
import { launchBrowser, withBrowser, login } from '../lib/browser.mjs';

const SHOTS = process.env.SCREENSHOTS === '1' || process.env.SCREENSHOTS === 'true';
const SHOT_DIR = path.resolve(E2E_DIR, process.env.E2E_SCREENSHOT_DIR || '../docs/screenshots');

const AGENCY = '新疆天山绩效评价咨询有限公司';

let server;
let browser;

before(async () => {
  server = await startDemoServer();
  browser = await launchBrowser();
  if (SHOTS) await mkdir(SHOT_DIR, { recursive: true });
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

/**
 * Clicks a submit button and waits for the page the server answers with. `url` is what the
 * address must turn into (a RegExp or predicate on URL). Returns the status of the POST itself
 * (303 for a redirect, 409/422 for a refusal rendered in place).
 */
async function submit(page, button, url) {
  const [request] = await Promise.all([
    page.waitForRequest((r) => r.method() === 'POST' && r.isNavigationRequest()),
    button.click(),
  ]);
  await page.waitForURL(url);
  await page.waitForLoadState('load');
  const response = await request.response();
  return response ? response.status() : 0;
}

const pathIs = (re) => (u) => re.test(u.pathname + u.search);

/** The state badge's text (`#id` when the page has one, else the kv list's badge). */
async function badge(page, id) {
  return (await page.locator(id).innerText()).trim();
}

/** The display name in the top bar without the role in brackets. */
async function displayName(page) {
  const t = (await page.locator('header.topbar .user').innerText()).trim();
  return t.replace(/（.*）$/, '').trim();
}

/** A full-page screenshot for people to look at, when SCREENSHOTS=1. */
async function shoot(page, file) {
  if (!SHOTS) return;
  await page.waitForLoadState('load');
  await page.evaluate(() => document.fonts.ready);
  // The side navigation is sticky and as tall as the viewport: make the viewport as tall as
  // the page so it reaches the bottom of the picture, then put the viewport back.
  const size = page.viewportSize();
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: size.width, height: Math.max(size.height, height) });
  await page.screenshot({ path: path.join(SHOT_DIR, file), fullPage: true });
  await page.setViewportSize(size);
}

/** Fills one indicator row `n` of the target form by its name= fields. */
async function fillIndicator(page, n, row) {
  const f = (name) => page.locator(`[name="ind.${n}.${name}"]`);
  if (row.level1 !== undefined) await f('level1').selectOption({ label: row.level1 });
  if (row.level2 !== undefined) await f('level2').fill(row.level2);
  if (row.name !== undefined) await f('name').fill(row.name);
  if (row.sign !== undefined) await f('sign').selectOption({ label: row.sign });
  if (row.value !== undefined) await f('target_value').fill(row.value);
  if (row.unit !== undefined) await f('unit_of_measure').fill(row.unit);
  if (row.weight !== undefined) await f('weight').fill(row.weight);
}

/** The index N of the indicator rows present in the form, in page order. */
async function indicatorIndexes(page) {
  return page
    .locator('#indicator-rows tbody tr select[name$=".level1"]')
    .evaluateAll((els) => els.map((e) => Number(e.name.split('.')[1])));
}

/** Waits until #findings' text satisfies `pred`, returning the text. */
async function findingsUntil(page, pred, what) {
  const deadline = Date.now() + 10_000;
  let last = '';
  while (Date.now() < deadline) {
    last = await text(page, '#findings');
    if (pred(last)) return last;
    await page.waitForTimeout(100);
  }
  assert.fail(`#findings never ${what}; it shows “${last}”`);
}

// --------------------------------------------------------------------------------- test

const NAME = 'workflow: major project from proposal to budget, ex-ante assessment, targets, adjustment';

test(NAME, { timeout: 240_000 }, async (t) =>
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
          await fn();
        } catch (e) {
          failed = name;
          throw e;
        }
      });

    const tb = await s.page(); // 教育局填报员
    const fin = await s.page(); // 财政绩效管理员
    const pj = await s.page(); // 第三方机构评估人员
    const sh = await s.page(); // 教育局负责人
    const other = await s.page(); // 卫健委填报员
    const names = {};

    const projectName = `E2E教学楼改扩建项目${Date.now()}`;
    let projectId = null;
    let exAnteId = null;
    let targetId = null;

    await step('1. unit preparer proposes a new major project', async () => {
      await login(tb, 'jyj_tb');
      names.tb = await displayName(tb);
      await tb.locator('nav.sidenav').getByRole('link', { name: '项目库' }).click();
      await tb.waitForURL(pathIs(/^\/projects$/));
      await tb.getByRole('button', { name: '新建项目' }).click();
      await tb.waitForURL(pathIs(/^\/projects\/new$/));
      await tb.getByRole('heading', { name: '新建项目' }).waitFor();
      const year = await tb.getByLabel('预算年度').inputValue();
      assert.match(year, /^20\d\d$/, `预算年度 has a default year (got “${year}”)`);
      await tb.getByLabel('项目名称').fill(projectName);
      await tb.getByLabel('预算类型').selectOption({ label: '一般公共预算' });
      await tb.getByLabel('项目类别').selectOption({ label: '特定目标类' });
      await tb.getByLabel('新增/延续').selectOption({ label: '新增' });
      await tb.getByLabel('当年财政拨款（万元）').fill('600');
      await tb.getByLabel('其他资金（万元）').fill('20');
      const status = await submit(
        tb,
        tb.getByRole('button', { name: '保存' }),
        pathIs(/^\/projects\/\d+(\?|$)/),
      );
      assert.equal(status, 303, 'saving the new project redirects to it');
      projectId = new URL(tb.url()).pathname.split('/').pop();
      assert.equal((await tb.locator('h1').innerText()).trim(), projectName, 'the page is the new project');
      assert.match(await text(tb, '[role="status"]'), /项目已创建/, 'flash “项目已创建”');
      const body = await text(tb);
      assert.ok(body.includes('须评估'), 'the project is marked 须评估 (ex-ante assessment required)');
      assert.ok(body.includes('（重大项目）'), 'the project is marked （重大项目） (620 万元)');
      assert.match(await text(tb, 'dl.kv .badge'), /储备/, 'library state is 储备');
      assert.match(await text(tb, 'dl.kv'), /620(\.00)?/, 'amount 620 万元 shown');
    });

    await step('2. finance cannot enter it into the library without an ex-ante assessment', async () => {
      await login(fin, 'jxg');
      names.fin = await displayName(fin);
      await fin.goto(`/projects/${projectId}`);
      const status = await submit(
        fin,
        fin.getByRole('button', { name: '入库', exact: true }),
        pathIs(/\/action$/),
      );
      assert.equal(status, 409, '入库 is refused with 409 Conflict');
      assert.equal((await fin.locator('h1').innerText()).trim(), projectName, 'the project page is still rendered');
      const alert = await text(fin, '[role="alert"]');
      assert.ok(alert.includes('须开展事前绩效评估'), `the refusal explains the ex-ante gate (got “${alert}”)`);
      assert.match(await text(fin, 'dl.kv .badge'), /储备/, 'still 储备');
    });

    await step('3. finance commissions a third-party ex-ante assessment', async () => {
      const form = fin.locator('form#ex-ante-new');
      await form.getByLabel('事前绩效评估主体').selectOption({ label: '委托第三方机构' });
      await form.getByLabel(/^第三方机构（委托时选择）/).selectOption({ label: AGENCY });
      await submit(fin, form.getByRole('button', { name: '发起事前绩效评估' }), pathIs(/^\/ex-ante\/\d+(\?|$)/));
      exAnteId = new URL(fin.url()).pathname.split('/').pop();
      assert.match(await text(fin, 'h1'), new RegExp(projectName), 'the assessment page names the project');
      assert.ok((await text(fin, 'dl.kv')).includes(AGENCY), 'the assessor is the agency');
    });

    await step('4. the agency scores the sheet (over-weight refused) and submits', async () => {
      await login(pj, 'pj_tianshan');
      names.pj = await displayName(pj);
      const res = await pj.goto(`/ex-ante/${exAnteId}`);
      assert.equal(res.status(), 200, 'the agency may open the commissioned assessment');
      const scores = pj.locator('input[name^="score."]');
      const opinions = pj.locator('input[name^="opinion."]');
      assert.equal(await scores.count(), 10, 'ten score inputs');
      assert.equal(await opinions.count(), 10, 'ten opinion inputs');
      const weights = await pj
        .locator('#ex-ante-sheet tbody tr td.num:not(:has(input))')
        .allInnerTexts();
      assert.deepEqual(
        weights.map((w) => w.trim()),
        Array(10).fill('10.00'),
        'every sub-item weighs 10.00',
      );

      await scores.first().fill('12');
      let status = await submit(pj, pj.getByRole('button', { name: '保存评分' }), pathIs(/^\/ex-ante\/\d+/));
      assert.ok(status >= 400, `a score over the weight is refused (status ${status})`);
      const err = await text(pj, '[role="alert"]');
      assert.ok(err.includes('超过该项分值'), `the error says the score exceeds the weight (got “${err}”)`);

      const n = await scores.count();
      for (let i = 0; i < n; i++) {
        await scores.nth(i).fill('9.5');
        await opinions.nth(i).fill(`第${i + 1}项：论证充分，略有不足`);
      }
      await pj.getByLabel('相关建议').fill('建议细化分年度实施计划，压实资金监管责任。');
      status = await submit(pj, pj.getByRole('button', { name: '保存评分' }), pathIs(/^\/ex-ante\/\d+\?/));
      assert.equal(status, 303, 'the full sheet is saved');
      assert.equal(await badge(pj, '#ex-ante-total'), '95.00', '总分 95.00');
      assert.equal(await badge(pj, '#ex-ante-conclusion'), '予以支持', '结论 予以支持');

      await submit(pj, pj.getByRole('button', { name: '提交', exact: true }), pathIs(/^\/ex-ante\/\d+\?/));
      const state = await badge(pj, '#ex-ante-state');
      assert.ok(state && state !== '草稿', `submitted (state “${state}”)`);
      assert.equal(await pj.getByRole('button', { name: '提交', exact: true }).count(), 0, 'no 提交 after submitting');
    });

    await step('5. finance approves the assessment; the report downloads as .docx', async () => {
      await fin.goto(`/ex-ante/${exAnteId}`);
      await fin.getByLabel('审核意见').fill('评估程序规范，结论可信，同意。');
      // The 退回 button asks window.confirm; accept any dialog so a stray one cannot hang.
      fin.on('dialog', (d) => d.accept());
      await submit(fin, fin.getByRole('button', { name: '审核通过' }), pathIs(/^\/ex-ante\/\d+\?/));
      assert.equal(await badge(fin, '#ex-ante-state'), '已通过', 'assessment state 已通过');
      const timeline = await fin.locator('ol.timeline li').allInnerTexts();
      const line = (action) => timeline.find((l) => l.includes(` ${action}：`) || l.includes(`${action}：`));
      for (const [action, who] of [
        ['提交', names.pj],
        ['受理审核', names.fin],
        ['审核通过', names.fin],
      ]) {
        const l = line(action);
        assert.ok(l, `流程记录 has a “${action}” line (lines: ${timeline.join(' | ')})`);
        assert.ok(l.includes(who), `the “${action}” line names ${who}: “${l}”`);
      }
      const [download] = await Promise.all([
        fin.waitForEvent('download'),
        fin.getByRole('link', { name: '生成评估报告（Word）' }).click(),
      ]);
      assert.match(download.suggestedFilename(), /\.docx$/, `report file name ${download.suggestedFilename()}`);
      const file = await download.path();
      assert.ok(file, 'the report was downloaded');
      await shoot(fin, 'web-ex-ante.png');
    });

    await step('6. the project enters the library; budget is refused without approved targets', async () => {
      await fin.goto(`/projects/${projectId}`);
      assert.ok((await text(fin)).includes('予以支持'), 'the project shows the approved conclusion');
      let status = await submit(
        fin,
        fin.getByRole('button', { name: '入库', exact: true }),
        pathIs(/^\/projects\/\d+\?/),
      );
      assert.equal(status, 303, '入库 succeeds');
      assert.match(await text(fin, 'dl.kv .badge'), /已入库/, 'library state 已入库');
      status = await submit(
        fin,
        fin.getByRole('button', { name: '批复预算' }),
        pathIs(/\/action$/),
      );
      assert.equal(status, 409, '批复预算 is refused');
      const alert = await text(fin, '[role="alert"]');
      assert.ok(alert.includes('没有审核通过的绩效目标'), `refusal names the missing targets (got “${alert}”)`);
    });

    await step('7. the preparer declares targets; the §6.3 check runs live and after saving', async () => {
      await tb.goto(`/projects/${projectId}`);
      await submit(tb, tb.getByRole('button', { name: '申报绩效目标' }), pathIs(/^\/targets\/\d+/));
      targetId = new URL(tb.url()).pathname.split('/')[2];
      assert.equal(await tb.getByLabel('资金总额（万元）').inputValue(), '620.00', '资金总额 prefilled');
      assert.equal(await tb.getByLabel('其中：财政拨款（万元）').inputValue(), '600.00', '财政拨款 prefilled');
      assert.equal(await tb.getByLabel('其他资金（万元）').inputValue(), '20.00', '其他资金 prefilled');
      const rows = await indicatorIndexes(tb);
      assert.equal(rows.length, 3, `three blank indicator rows (got ${rows.length})`);
      const before = await text(tb, '#findings');

      // Live check: typing in a field posts the form to /targets/{id}/check (htmx) and swaps
      // #findings.
      const checked = tb.waitForResponse(
        (r) => r.url().endsWith(`/targets/${targetId}/check`) && r.request().method() === 'POST',
      );
      await tb.getByLabel('年度总体目标').fill('完成教学楼改扩建，新增学位 600 个，改善办学条件。');
      const checkResponse = await checked;
      assert.equal(checkResponse.status(), 200, 'the live check answers 200');

      const [r0, r1] = rows;
      // The indicator library picker (GET /indicators/search) when this build has it.
      const probe = await tb.request.get('/indicators/search?q=' + encodeURIComponent('面积'));
      if (probe.status() === 404) {
        // TODO: /indicators/search is not in this build (the indicator library is being added);
        // once it is, type a few characters into ind.0.name, pick a datalist entry and assert
        // that 一级指标 and 计量单位 of the row were filled from it.
        await fillIndicator(tb, r0, {
          level1: '产出指标',
          level2: '数量指标',
          name: '新建教学楼面积',
          sign: '≥',
          value: '3000',
          unit: '平方米',
          weight: '40',
        });
      } else {
        assert.equal(probe.status(), 200, '/indicators/search answers');
        const hits = await probe.json();
        const hit = hits.find((h) => h.level1 === '产出指标' && h.unit_of_measure) || hits[0];
        assert.ok(hit, '/indicators/search?q=面积 finds library indicators');
        const name = tb.locator(`[name="ind.${r0}.name"]`);
        const searched = tb.waitForResponse((r) => r.url().includes('/indicators/search?q='));
        await name.pressSequentially(hit.name.slice(0, 2), { delay: 50 });
        await searched;
        await tb.locator('#indicator-library option').first().waitFor({ state: 'attached' });
        // Choosing a datalist entry sets the value and fires input, as a person's pick does.
        await name.fill(hit.name);
        await tb.waitForFunction(
          (n) => document.querySelector(`[name="ind.${n}.level1"]`).value !== '',
          r0,
        );
        assert.equal(
          await tb.locator(`[name="ind.${r0}.level1"]`).inputValue(),
          hit.level1,
          '一级指标 filled from the library entry',
        );
        assert.equal(
          await tb.locator(`[name="ind.${r0}.unit_of_measure"]`).inputValue(),
          hit.unit_of_measure,
          '计量单位 filled from the library entry',
        );
        await fillIndicator(tb, r0, { level1: '产出指标', value: '3000', weight: '40' });
        if (!(await tb.locator(`[name="ind.${r0}.sign"]`).inputValue())) {
          await fillIndicator(tb, r0, { sign: '≥' });
        }
      }
      await fillIndicator(tb, r1, {
        level1: '成本指标',
        level2: '经济成本指标',
        name: '项目总成本',
        sign: '≤',
        value: '620',
        unit: '万元',
        weight: '30',
      });
      const live = await findingsUntil(
        tb,
        (t) => t.includes('没有效益指标') && !t.includes('没有产出指标') && t !== before,
        'showed “没有效益指标” without “没有产出指标” after typing',
      );
      assert.notEqual(live, before, '#findings changed while typing');

      const status = await submit(tb, tb.locator('#target-save'), pathIs(/^\/targets\/\d+/));
      assert.ok(status === 303 || status === 200, `保存 answers (status ${status})`);
      const saved = await text(tb, '#findings');
      assert.ok(saved.includes('没有效益指标'), `after saving, 质量检查 shows 没有效益指标 (got “${saved}”)`);
      assert.equal(await tb.locator(`[name="ind.${r1}.name"]`).inputValue(), '项目总成本', 'the rows were saved');
      await shoot(tb, 'web-target-form.png');
    });

    await step('8. the approver cannot submit failing targets; after a 效益指标 row they go in', async () => {
      await tb.locator('header.topbar').getByRole('button', { name: '退出' }).click();
      await tb.waitForURL('**/login**');

      await login(sh, 'jyj_sh');
      names.sh = await displayName(sh);
      await sh.goto(`/targets/${targetId}`);
      let status = await submit(sh, sh.getByRole('button', { name: '提交', exact: true }), pathIs(/^\/targets\/\d+/));
      assert.ok(status >= 400, `提交 is refused (status ${status})`);
      const alert = await text(sh, '[role="alert"]');
      assert.ok(alert.includes('未通过质量检查'), `refusal: 未通过质量检查 (got “${alert}”)`);
      assert.ok(alert.includes('没有效益指标'), `refusal: 没有效益指标 (got “${alert}”)`);

      await login(tb, 'jyj_tb');
      await tb.goto(`/targets/${targetId}`);
      assert.equal(
        await tb.getByRole('button', { name: '提交', exact: true }).count(),
        0,
        'a preparer sees no 提交 button',
      );
      const beforeRows = await indicatorIndexes(tb);
      await tb.getByRole('button', { name: '添加指标行' }).click();
      const afterRows = await indicatorIndexes(tb);
      assert.equal(afterRows.length, beforeRows.length + 1, '添加指标行 adds one row');
      const n = afterRows[afterRows.length - 1];
      assert.ok(!beforeRows.includes(n), `the new row has a fresh index (ind.${n})`);
      await fillIndicator(tb, n, {
        level1: '效益指标',
        level2: '社会效益指标',
        name: '新增学位数',
        sign: '≥',
        value: '600',
        unit: '个',
        // 40 + 30 + 20 = 90: the 分值 add up to 100 less the execution rate's 10 (SPEC §6.3).
        weight: '20',
      });
      await findingsUntil(tb, (t) => !t.includes('没有效益指标'), 'dropped “没有效益指标” after the 效益指标 row');
      status = await submit(tb, tb.locator('#target-save'), pathIs(/^\/targets\/\d+/));
      assert.ok(status === 303 || status === 200, `保存 answers (status ${status})`);
      assert.ok(!(await text(tb, '#findings')).includes('没有效益指标'), 'saved with a 效益指标');
      assert.ok(
        (await tb.locator('input[name$=".name"]').evaluateAll((els) => els.map((e) => e.value))).includes('新增学位数'),
        'the 效益指标 row was saved',
      );

      await sh.goto(`/targets/${targetId}`);
      status = await submit(sh, sh.getByRole('button', { name: '提交', exact: true }), pathIs(/^\/targets\/\d+\?/));
      assert.equal(status, 303, '提交 succeeds');
      assert.equal(await badge(sh, '#target-state'), '单位已提交', 'target state 单位已提交');
    });

    await step('9. finance returns (中), the unit edits and resubmits, finance approves (优)', async () => {
      await fin.goto(`/targets/${targetId}`);
      let review = fin.locator('form#target-review');
      await review.getByLabel('审核评级').selectOption({ label: '中' });
      await review.getByLabel('审核意见').fill('效益指标需细化');
      await submit(fin, review.getByRole('button', { name: '提交审核结论' }), pathIs(/^\/targets\/\d+\?/));
      assert.equal(await badge(fin, '#target-state'), '已退回', 'target state 已退回 after 中');
      assert.match(await text(fin, '#target-rating'), /中.*效益指标需细化/, 'rating and opinion shown');

      await tb.goto(`/targets/${targetId}`);
      const benefit = await tb
        .locator('input[name$=".name"]')
        .evaluateAll((els) => els.find((e) => e.value === '新增学位数')?.name.split('.')[1]);
      assert.ok(benefit !== undefined, 'the returned target is editable with its 效益指标 row');
      await tb.locator(`[name="ind.${benefit}.target_value"]`).fill('620');
      await submit(tb, tb.locator('#target-save'), pathIs(/^\/targets\/\d+/));
      assert.equal(await tb.locator(`[name="ind.${benefit}.target_value"]`).inputValue(), '620', 'the change was saved');

      await sh.goto(`/targets/${targetId}`);
      await submit(sh, sh.getByRole('button', { name: '重新提交' }), pathIs(/^\/targets\/\d+\?/));
      assert.equal(await badge(sh, '#target-state'), '单位已提交', 'resubmitted');

      await fin.goto(`/targets/${targetId}`);
      review = fin.locator('form#target-review');
      await review.getByLabel('审核评级').selectOption({ label: '优' });
      await submit(fin, review.getByRole('button', { name: '提交审核结论' }), pathIs(/^\/targets\/\d+\?/));
      assert.equal(await badge(fin, '#target-state'), '已通过', 'target state 已通过 after 优');
    });

    await step('10. finance approves the budget', async () => {
      await fin.goto(`/projects/${projectId}`);
      const status = await submit(
        fin,
        fin.getByRole('button', { name: '批复预算' }),
        pathIs(/^\/projects\/\d+\?/),
      );
      assert.equal(status, 303, '批复预算 succeeds');
      assert.match(await text(fin, 'dl.kv .badge'), /已批复/, 'library state 已批复');
      await shoot(fin, 'web-project-workflow.png');
    });

    await step('11. the preparer adjusts the approved targets; versions side by side', async () => {
      await tb.goto(`/targets/${targetId}`);
      const adjust = tb.locator('form#target-adjust');
      await adjust.getByLabel('调整原因').fill('建设内容调整，增加附属设施');
      await submit(tb, adjust.getByRole('button', { name: '发起调整申请' }), pathIs(/^\/targets\/\d+/));
      const newId = new URL(tb.url()).pathname.split('/')[2];
      assert.notEqual(newId, targetId, `a new version opens (/targets/${newId})`);
      const kv = await text(tb, 'dl.kv');
      assert.match(kv, /第 2 版/, `version 2 (${kv})`);
      assert.match(kv, /建设内容调整/, 'the adjustment reason is shown');
      assert.equal(await badge(tb, '#target-state'), '草稿', 'the new version is a draft');
      // Change one value in the draft so the comparison has something to show.
      const benefit = await tb
        .locator('input[name$=".name"]')
        .evaluateAll((els) => els.find((e) => e.value === '新增学位数')?.name.split('.')[1]);
      assert.ok(benefit !== undefined, 'the draft carries the indicators over');
      await tb.locator(`[name="ind.${benefit}.target_value"]`).fill('650');
      await submit(tb, tb.locator('#target-save'), pathIs(/^\/targets\/\d+/));
      assert.equal(new URL(tb.url()).pathname, `/targets/${newId}`, 'still on the draft');
      await Promise.all([
        tb.waitForURL(pathIs(/^\/targets\/\d+\/compare$/)),
        tb.getByRole('link', { name: '与上一版本对比' }).click(),
      ]);
      const head = await tb.locator('table.compare thead').innerText();
      assert.match(head, /第 1 版/, 'the compare table has version 1');
      assert.match(head, /第 2 版/, 'the compare table has version 2');
      assert.match(await text(tb, 'table.compare'), /建设内容调整/, 'the reason is compared');
      const changed = await tb.locator('table.compare tr.diff-changed').allInnerTexts();
      const row = changed.find((r) => r.includes('新增学位数'));
      assert.ok(row, `the changed indicator is marked (changed rows: ${changed.join(' | ')})`);
      assert.match(row, /（修改）/, 'marked （修改）');
      assert.match(row, /620[\s\S]*650/, `old value 620 left, new value 650 right: “${row}”`);
      await shoot(tb, 'web-target-compare.png');
    });

    await step('12. another unit gets 403 on the project and the assessment', async () => {
      await login(other, 'wjw_tb');
      for (const url of [`/projects/${projectId}`, `/ex-ante/${exAnteId}`]) {
        const res = await other.goto(url);
        assert.equal(res.status(), 403, `${url} is forbidden for wjw_tb`);
        const body = await text(other);
        assert.match(body, /没有权限/, `${url}: the 403 page`);
        assert.ok(!body.includes(projectName), `${url}: the 403 page does not leak the project name`);
      }
    });

    if (failed) throw new Error(`step “${failed}” failed (see its subtest)`);
  }),
);
