// One monitoring round (绩效运行监控, SPEC §7) and its rectifications (整改, SPEC §10) through the
// browser, clicking like a person: finance issues a project task for 且末县教育局 → the preparer
// fills a report whose completion runs 30 points ahead of spending (the live figures show the
// deviation and its red warning while typing) → the approver submits → finance scores it 55 and
// approves: two red warnings draft two notices → finance edits and issues one (暂缓拨付资金) →
// the unit uploads a PDF and responds → finance reopens it once, the unit responds again, finance
// closes it → another unit is kept out (403) → a demo notice past its 2023 deadline is overdue.
//
// Run: cargo build -p jixiao && cd e2e && npm ci && node --test tests/monitoring.test.mjs
// A failing step leaves a screenshot of every page (one per user) in e2e/test-results/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDemoServer } from '../lib/server.mjs';
import { launchBrowser, withBrowser, login, tableRows } from '../lib/browser.mjs';

const UNIT = '且末县教育局';
const OTHER_UNIT = '且末县卫生健康委员会';
const RUBRIC = [
  ['填报及时性', '20', '10'],
  ['数据完整准确', '30', '15'],
  ['偏差分析合理性', '30', '15'],
  ['整改措施可行性', '20', '15'],
];

let server;
let browser;
let tmp;

before(async () => {
  server = await startDemoServer();
  browser = await launchBrowser();
  tmp = await mkdtemp(path.join(tmpdir(), 'jixiao-e2e-evidence-'));
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
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

/** The state badge's text. */
async function badge(page, id) {
  return (await page.locator(id).innerText()).trim();
}

/** The flash message (role=status) of the page, or the alerts when there is none. */
async function flash(page) {
  const ok = page.locator('main [role="status"]');
  if (await ok.count()) return text(page, 'main [role="status"]');
  const alerts = await page.locator('main [role="alert"]').allInnerTexts();
  return `（没有成功提示；错误：${alerts.join(' | ') || '无'}）`;
}

/** A date `days` from today as YYYY-MM-DD (far enough ahead that time zones do not matter). */
function isoDate(days) {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** The first number of a 年度指标值 such as "≥5211人", "≤190.23万元", "≥100%"; null if none. */
function targetNumber(s) {
  const m = /^[≥≤=＝<>]?\s*(\d+(?:\.\d+)?)/.exec(s.trim());
  return m ? Number(m[1]) : null;
}

/** Waits until the text of `selector` satisfies `pred`, returning the text. */
async function textUntil(page, selector, pred, what) {
  const deadline = Date.now() + 10_000;
  let last = '';
  while (Date.now() < deadline) {
    last = (await page.locator(selector).count()) ? await text(page, selector) : '';
    if (pred(last)) return last;
    await page.waitForTimeout(100);
  }
  assert.fail(`${selector} never ${what}; it shows “${last}”`);
}

/** The items of the report's 预警 list: [{ level, label, text, link, linkText }]. */
async function reportWarnings(page) {
  return page.locator('#report-warnings li').evaluateAll((lis) =>
    lis.map((li) => {
      const b = li.querySelector('.badge');
      const a = li.querySelector('a[href^="/rectifications/"]');
      return {
        level: b ? Array.from(b.classList).find((c) => c.startsWith('w-')) : '',
        label: b ? b.textContent.trim() : '',
        text: li.innerText.replace(/\s+/g, ' ').trim(),
        link: a ? a.getAttribute('href') : null,
        linkText: a ? a.textContent.trim() : '',
      };
    }),
  );
}

/** The actions of the notice's 办理记录, in order ("… 李明 核查不通过（→ 重新整改）：…"). */
async function noticeSteps(page) {
  const lines = await page.locator('ol.timeline li').allInnerTexts();
  return lines.map((l) => {
    const m = /\s(\S+)（→/.exec(l.replace(/\s+/g, ' '));
    return m ? m[1] : l;
  });
}

// --------------------------------------------------------------------------------- test

const NAME = 'monitoring: a round from task to review, two red warnings, a notice reopened and closed, overdue';

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

    const fin = await s.page(); // 财政绩效管理员
    const tb = await s.page(); // 教育局填报员
    const sh = await s.page(); // 教育局负责人
    const other = await s.page(); // 卫健委填报员

    const taskDeadline = isoDate(30);
    const noticeDeadline = isoDate(45);
    let taskId = null;
    let taskName = '';
    let drafts = 0;
    let reportId = null;
    let objectName = '';
    let noticeId = null; // the 双监控偏差 notice, issued and worked through
    let otherNoticeId = null; // the 监控审核得分偏低 notice, left 待确认
    let evidenceHref = null;
    let typedExecuted = null; // 1-N月执行数 as typed, in 万元 with three decimals

    await step('1. finance issues a project task for 且末县教育局; drafts and a progress table', async () => {
      await login(fin, 'jxg');
      await fin.goto('/monitoring/tasks');
      const form = fin.locator('#task-form');
      await form.getByLabel('监控类型').selectOption('project');
      await form.getByLabel('年度', { exact: true }).fill('2023');
      await form.getByLabel('数据截至').selectOption({ label: '1-10月' });
      await form.getByLabel('报送截止日期').fill(taskDeadline);
      const unitOption = await form
        .locator('select[name="units"] option')
        .evaluateAll((os, unit) => os.find((o) => o.textContent.trim().endsWith(` ${unit}`))?.value, UNIT);
      assert.ok(unitOption, `the units multi-select offers ${UNIT}`);
      await form.getByLabel('单位（可多选）').selectOption([unitOption]);
      const status = await submit(fin, form.getByRole('button', { name: '下达任务' }), pathIs(/^\/monitoring\/tasks\/\d+\?/));
      assert.equal(status, 303, '下达任务 redirects');
      taskId = new URL(fin.url()).pathname.split('/')[3];
      taskName = (await fin.locator('main h1').innerText()).trim();
      assert.match(taskName, /2023年1-10月.*项目/, `the generated task name (${taskName})`);

      const message = await flash(fin);
      assert.match(message, /监控任务已下达/, `flash 监控任务已下达 (got “${message}”)`);
      const m = /已为 (\d+) 个监控对象生成报告草稿/.exec(message);
      assert.ok(m, `the flash counts the drafts (“${message}”)`);
      drafts = Number(m[1]);
      assert.ok(drafts > 0, `at least one draft (${drafts})`);

      const kv = await text(fin, 'dl.kv');
      assert.match(kv, /2023-10-31/, `数据截至 2023-10-31 (${kv})`);
      assert.ok(kv.includes(taskDeadline), `报送截止 ${taskDeadline} (${kv})`);

      // 报送进度: only 教育局, every draft still missing.
      const progress = await tableRows(fin, '#progress');
      const units = progress.filter((r) => r[0] !== '合计');
      assert.deepEqual(units.map((r) => r[0]), [UNIT], `报送进度 has only ${UNIT} (rows: ${JSON.stringify(progress)})`);
      const [, reports, submitted, , , missing] = units[0];
      assert.equal(Number(reports), drafts, '应报 = the drafts');
      assert.equal(Number(submitted), 0, '已提交 0');
      assert.equal(Number(missing), drafts, '未提交 = the drafts');
      const listed = await tableRows(fin, '#task-reports');
      assert.equal(listed.length, drafts, `监控报告 lists the ${drafts} drafts`);
      assert.ok(listed.every((r) => r[0] === UNIT && r[2] === '草稿'), `all 教育局 drafts (${JSON.stringify(listed)})`);

      await fin.goto('/monitoring/tasks?year=2023');
      assert.ok(
        await fin.locator('#task-list').getByRole('link', { name: taskName }).count(),
        'the task list shows the new task',
      );
    });

    await step('2. the preparer fills the report from the to-do: live figures show a 30-point red deviation; saves', async () => {
      await login(tb, 'jyj_tb');
      assert.equal(new URL(tb.url()).pathname, '/', 'the preparer lands on the to-do page');
      const todos = tb.locator('main table.data a').filter({ hasText: '填报并提交监控报告：' }).filter({ hasText: taskName });
      assert.equal(await todos.count(), drafts, `one to-do per draft of “${taskName}”`);
      const todo = todos.first();
      objectName = /填报并提交监控报告：(.*)（[^（]*）$/.exec((await todo.innerText()).trim())?.[1] ?? '';
      await Promise.all([tb.waitForURL(pathIs(/^\/monitoring\/\d+$/)), todo.click()]);
      await tb.waitForLoadState('load');
      reportId = new URL(tb.url()).pathname.split('/')[2];
      const h1 = (await tb.locator('main h1').innerText()).trim();
      if (objectName) assert.ok(h1.startsWith(objectName.replace(/…$/, '')), `the report of the to-do (${h1})`);
      objectName = h1.replace(/ · 绩效目标执行监控表$/, '');
      assert.equal(await badge(tb, '#report-state'), '草稿', 'a draft');

      // 项目资金: spend a tenth of the year's money, report 40% done.
      const budgetRows = await tableRows(tb, '#report-form table.data');
      const total = budgetRows.find((r) => r[0] === '年度资金总额');
      assert.ok(total, `项目资金 has 年度资金总额 (${JSON.stringify(budgetRows)})`);
      const budgetHundredths = Math.round(Number(total[1].replace(/,/g, '')) * 100);
      assert.ok(budgetHundredths > 0, `年度资金总额 ${total[1]}`);
      const executed = (budgetHundredths / 1000).toFixed(3); // exactly 10% of the budget
      const reported = '40';

      const checked = tb.waitForResponse(
        (r) => r.url().endsWith(`/monitoring/${reportId}/check`) && r.request().method() === 'POST',
      );
      await tb.getByLabel('1-N月执行数（万元）').fill(executed);
      assert.equal((await checked).status(), 200, 'the live check answers 200');
      await tb.getByLabel('全年预计执行数（万元）').fill(total[1].replace(/,/g, ''));
      await tb.getByLabel('总体目标执行情况').fill('已完成部分学校薄弱环节改造，设备采购正在招标。');
      await tb.getByLabel('全年预计完成情况').fill('预计年底前完成全部建设内容。');
      await tb.getByLabel('总体完成率（%）').fill(reported);

      const rows = await tb.locator('#report-rows tbody tr.ind-row').evaluateAll((trs) =>
        trs.map((tr) => ({
          seq: tr.querySelector('input[name$=".to_date"]').name.split('.')[1],
          target: tr.cells[3].innerText.trim(),
        })),
      );
      assert.ok(rows.length > 0, 'the form is pre-filled with the target’s indicators');
      for (const row of rows) {
        const f = (name) => tb.locator(`[name="ind.${row.seq}.${name}"]`);
        const n = targetNumber(row.target);
        if (n !== null) {
          await f('to_date').fill(String(Math.round(n * 40) / 100));
          await f('expected').fill(String(n));
        } else {
          await f('to_date').fill('按计划推进');
          await f('expected').fill(row.target);
        }
        await f('likelihood').selectOption({ label: '确定能' });
      }

      await textUntil(tb, '#fig-deviation', (v) => v === '30.00 个百分点', 'showed 偏差 “30.00 个百分点” while typing');
      assert.match(await text(tb, '#fig-rate'), /^10\.00%/, 'execution rate 10.00%');
      assert.equal(await text(tb, '#fig-reported'), '40.00%', 'reported 40.00%');
      assert.ok(await tb.locator('#fig-deviation.w-red').count(), 'the deviation is shown in red');
      const live = await textUntil(
        tb,
        '#fig-warnings',
        (v) => v.includes('红色预警·双监控偏差'),
        'listed 红色预警·双监控偏差 while typing',
      );
      assert.match(live, /偏差 30 个百分点/, `the warning gives the numbers (${live})`);
      assert.equal(await tb.locator('#figures [role="alert"]').count(), 0, 'no problems in the figures');

      const status = await submit(tb, tb.locator('#report-save'), pathIs(/^\/monitoring\/\d+\?done=saved$/));
      assert.equal(status, 303, '保存 redirects');
      assert.match(await flash(tb), /监控报告已保存/, '监控报告已保存');
      // (That the field shows the amount to the 分 as typed is checked in the last step.)
      typedExecuted = executed;
      assert.equal(await tb.getByLabel('总体完成率（%）').inputValue(), reported, 'the reported rate was saved');
      assert.equal(await text(tb, '#fig-deviation'), '30.00 个百分点', 'the saved figures keep the deviation');
      assert.equal(
        await tb.getByRole('button', { name: '提交监控报告' }).count(),
        0,
        'a preparer sees no 提交监控报告 button',
      );
    });

    await step('3. the approver submits the report', async () => {
      await login(sh, 'jyj_sh');
      await sh.goto(`/monitoring/${reportId}`);
      const form = sh.locator('form#report-submit');
      const status = await submit(sh, form.getByRole('button', { name: '提交监控报告' }), pathIs(/^\/monitoring\/\d+\?/));
      assert.equal(status, 303, '提交 redirects');
      assert.equal(await badge(sh, '#report-state'), '单位已提交', 'state 单位已提交');
      assert.equal(await sh.locator('#report-save').count(), 0, 'a submitted report is no longer editable');
    });

    await step('4. finance scores it 55 and approves: two red warnings draft two notices', async () => {
      await fin.goto(`/monitoring/${reportId}`);
      const form = fin.locator('form#report-review-form');
      for (const [i, [item, max, score]] of RUBRIC.entries()) {
        const input = form.locator(`[name="score.${i}"]`);
        assert.equal(await input.getAttribute('aria-label'), item, `score.${i} is ${item}`);
        const label = (await form.locator('label').filter({ has: fin.locator(`[name="score.${i}"]`) }).innerText()).trim();
        assert.ok(label.includes(`满分 ${max}`), `${item} 满分 ${max} (“${label}”)`);
        await input.fill(score);
      }
      await form.getByLabel(/审核意见/).fill('偏差分析不够深入，整改措施不具体。');
      const status = await submit(fin, form.getByRole('button', { name: '评分并审核通过' }), pathIs(/^\/monitoring\/\d+\?/));
      assert.equal(status, 303, '评分并审核通过 redirects');
      assert.equal(await badge(fin, '#report-state'), '已通过', 'state 已通过');
      assert.match(await text(fin, '#report-review'), /^55\.00 分/, '审核得分 55.00');

      const warnings = await reportWarnings(fin);
      const red = warnings.filter((w) => w.level === 'w-red');
      assert.equal(red.length, 2, `two red warnings (${JSON.stringify(warnings)})`);
      const deviation = red.find((w) => w.label === '红色预警·双监控偏差');
      const review = red.find((w) => w.label === '红色预警·监控审核得分偏低');
      assert.ok(deviation, `a 双监控偏差 warning (${JSON.stringify(red)})`);
      assert.ok(review, `a 监控审核得分偏低 warning (${JSON.stringify(red)})`);
      assert.match(deviation.text, /偏差 30 个百分点/, deviation.text);
      assert.match(review.text, /55 分，低于 60 分/, review.text);
      for (const w of [deviation, review]) {
        assert.ok(w.link, `${w.label} links its notice`);
        assert.equal(w.linkText, '整改通知：待确认', `${w.label}: 整改通知：待确认`);
      }
      noticeId = deviation.link.split('/')[2];
      otherNoticeId = review.link.split('/')[2];
      assert.notEqual(noticeId, otherNoticeId, 'two notices');
      for (const w of warnings.filter((w) => w.level !== 'w-red')) {
        assert.equal(w.link, null, `a yellow warning drafts no notice (${w.text})`);
      }

      // The task page counts it: submitted, approved, two red warnings.
      await fin.goto(`/monitoring/tasks/${taskId}`);
      const [row] = (await tableRows(fin, '#progress')).filter((r) => r[0] === UNIT);
      assert.equal(Number(row[2]), 1, `已提交 1 (${row})`);
      assert.equal(Number(row[3]), 1, `按时 1 (${row})`);
      assert.equal(Number(row[6]), 1, `已审核 1 (${row})`);
      assert.equal(Number(row[7]), 2, `红色预警 2 (${row})`);
      const listed = (await tableRows(fin, '#task-warnings')).filter((r) => r[1] === objectName);
      assert.equal(
        listed.filter((r) => r[2].startsWith('红色预警') && r[4] === '待确认').length,
        2,
        `预警明细 lists both red warnings with notices 待确认 (${JSON.stringify(listed)})`,
      );
    });

    await step('5. finance edits the deviation notice (deadline, 暂缓拨付资金) and issues it', async () => {
      await fin.goto(`/monitoring/${reportId}`);
      await Promise.all([
        fin.waitForURL(pathIs(new RegExp(`^/rectifications/${noticeId}$`))),
        fin.locator('#report-warnings').getByRole('link', { name: '整改通知：待确认' }).first().click(),
      ]);
      if (new URL(fin.url()).pathname !== `/rectifications/${noticeId}`) await fin.goto(`/rectifications/${noticeId}`);
      assert.equal(await badge(fin, '#notice-state'), '待确认', 'the notice is a draft');
      const kv = await text(fin, 'dl.kv');
      assert.match(kv, /绩效运行监控/, `来源 绩效运行监控 (${kv})`);
      const form = fin.locator('form#notice-form');
      assert.match(await form.getByLabel('存在问题').inputValue(), /偏差 30 个百分点/, 'the problem is drafted from the warning');
      await form.getByLabel('整改期限').fill(noticeDeadline);
      await form.getByLabel('资金处理').selectOption({ label: '暂缓拨付资金' });
      const status = await submit(fin, form.getByRole('button', { name: '确认并下发' }), pathIs(/^\/rectifications\/\d+\?/));
      assert.equal(status, 303, '确认并下发 redirects');
      assert.equal(await badge(fin, '#notice-state'), '已下发', 'state 已下发');
      const after = await text(fin, 'dl.kv');
      assert.ok(after.includes(noticeDeadline), `整改期限 ${noticeDeadline} (${after})`);
      assert.match(after, /资金处理 暂缓拨付资金/, `资金处理 暂缓拨付资金 (${after})`);
      assert.equal(await fin.locator('form#notice-form').count(), 0, 'an issued notice is no longer editable');
    });

    await step('6. the preparer sees the notice in the to-dos, uploads a PDF and responds', async () => {
      await tb.goto('/');
      const todo = tb.locator(`main table.data a[href="/rectifications/${noticeId}"]`);
      assert.equal(await todo.count(), 1, 'a to-do links the issued notice');
      assert.match((await todo.innerText()).trim(), /^反馈整改情况：/, 'to-do 反馈整改情况');
      assert.equal(
        await tb.locator(`main table.data a[href="/rectifications/${otherNoticeId}"]`).count(),
        0,
        'the notice still 待确认 is not in the unit’s to-dos',
      );
      // The report shows the unit its issued notice only.
      await tb.goto(`/monitoring/${reportId}`);
      const seen = await reportWarnings(tb);
      assert.ok(
        seen.some((w) => w.link === `/rectifications/${noticeId}` && w.linkText === '整改通知：已下发'),
        `the unit sees 整改通知：已下发 on its report (${JSON.stringify(seen)})`,
      );
      assert.ok(!seen.some((w) => w.link === `/rectifications/${otherNoticeId}`), 'but not the draft notice');
      const draft = await tb.goto(`/rectifications/${otherNoticeId}`);
      assert.equal(draft.status(), 403, 'the unit cannot open a notice still 待确认');

      await tb.goto('/');
      await Promise.all([
        tb.waitForURL(pathIs(new RegExp(`^/rectifications/${noticeId}$`))),
        tb.locator(`main table.data a[href="/rectifications/${noticeId}"]`).click(),
      ]);
      assert.equal(await badge(tb, '#notice-state'), '已下发', 'the unit sees 已下发');
      assert.match(await text(tb, '#notice-problem'), /偏差 30 个百分点/, 'the problem is shown');

      const pdf = path.join(tmp, '整改佐证材料.pdf');
      await writeFile(
        pdf,
        '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
      );
      const evidence = tb.locator('form#evidence-form');
      await evidence.locator('input[type="file"]').setInputFiles(pdf);
      let status = await submit(tb, evidence.getByRole('button', { name: '上传', exact: true }), pathIs(/^\/rectifications\/\d+\?/));
      assert.equal(status, 303, '上传 redirects');
      assert.match(await flash(tb), /佐证材料已上传/, '佐证材料已上传');
      const link = tb.locator('#evidence a', { hasText: '整改佐证材料.pdf' });
      assert.equal(await link.count(), 1, 'the evidence is listed');
      evidenceHref = await link.getAttribute('href');
      const download = await tb.request.get(evidenceHref);
      assert.equal(download.status(), 200, 'the evidence downloads');
      assert.ok((await download.body()).subarray(0, 5).toString() === '%PDF-', 'the same PDF comes back');

      const respond = tb.locator('form#respond-form');
      await respond.getByLabel('整改情况说明').fill('已加快资金支付进度，10 月底前完成设备采购合同支付。');
      status = await submit(tb, respond.getByRole('button', { name: '提交整改情况' }), pathIs(/^\/rectifications\/\d+\?/));
      assert.equal(status, 303, '提交整改情况 redirects');
      assert.equal(await badge(tb, '#notice-state'), '单位已反馈', 'state 单位已反馈');
      assert.match(await text(tb, '#notice-response'), /加快资金支付进度/, 'the response is shown');
    });

    await step('7. finance reopens it once, the unit responds again, finance closes it', async () => {
      await fin.goto(`/rectifications/${noticeId}`);
      let verify = fin.locator('form#verify-form');
      await verify.getByLabel(/核查意见/).fill('佐证材料未体现支付凭证，请补充。');
      let status = await submit(fin, verify.getByRole('button', { name: '不予销号，重新整改' }), pathIs(/^\/rectifications\/\d+\?/));
      assert.equal(status, 303, '不予销号 redirects');
      assert.equal(await badge(fin, '#notice-state'), '重新整改', 'state 重新整改');
      assert.match(await text(fin, 'dl.kv'), /已退回重新整改 1 次/, 'the reopen is counted');

      await tb.goto('/');
      assert.match(
        await text(tb, `main table.data a[href="/rectifications/${noticeId}"]`),
        /^反馈整改情况：/,
        'the reopened notice is back in the unit’s to-dos',
      );
      await tb.goto(`/rectifications/${noticeId}`);
      const respond = tb.locator('form#respond-form');
      await respond.getByLabel('整改情况说明').fill('已补充支付凭证，资金已按进度拨付。');
      status = await submit(tb, respond.getByRole('button', { name: '提交整改情况' }), pathIs(/^\/rectifications\/\d+\?/));
      assert.equal(status, 303, 'the second response redirects');
      assert.equal(await badge(tb, '#notice-state'), '单位已反馈', 'state 单位已反馈 again');

      await fin.goto(`/rectifications/${noticeId}`);
      verify = fin.locator('form#verify-form');
      await verify.getByLabel(/核查意见/).fill('整改到位。');
      status = await submit(fin, verify.getByRole('button', { name: '核查通过，销号' }), pathIs(/^\/rectifications\/\d+\?/));
      assert.equal(status, 303, '销号 redirects');
      assert.equal(await badge(fin, '#notice-state'), '已销号', 'state 已销号');
      assert.equal(await fin.locator('form#verify-form').count(), 0, 'nothing left to verify');
      const steps = await noticeSteps(fin);
      assert.deepEqual(
        steps,
        ['下发', '反馈整改情况', '核查不通过', '反馈整改情况', '核查通过'],
        `办理记录 (${(await fin.locator('ol.timeline li').allInnerTexts()).join(' | ')})`,
      );
      assert.match(await text(fin, 'ol.timeline'), /佐证材料未体现支付凭证/, 'the reopen reason is recorded');

      await tb.goto(`/rectifications/${noticeId}`);
      assert.equal(await tb.locator('form#respond-form').count(), 0, 'a closed notice takes no response');
    });

    await step('8. another unit gets 403 on the report, the notice and its evidence', async () => {
      await login(other, 'wjw_tb');
      for (const url of [`/monitoring/${reportId}`, `/rectifications/${noticeId}`, evidenceHref]) {
        const res = await other.goto(url);
        assert.equal(res.status(), 403, `${url} is forbidden for wjw_tb`);
        const body = await text(other);
        assert.match(body, /没有权限/, `${url}: the 403 page`);
        assert.ok(!body.includes(objectName), `${url}: the 403 page does not leak the project name`);
      }
    });

    await step('9. a demo notice past its 2023 deadline shows 已逾期 (notice, unit to-do, list)', async () => {
      // The demo's 1-7月 round issued notices due in September 2023; one is still 已下发.
      await fin.goto('/monitoring/tasks?year=2023');
      await Promise.all([
        fin.waitForURL(pathIs(/^\/monitoring\/tasks\/\d+$/)),
        fin.locator('#task-list').getByRole('link', { name: '2023年1-7月项目绩效运行监控' }).click(),
      ]);
      const issued = fin.locator('#task-warnings tbody tr').filter({
        has: fin.locator('a[href^="/rectifications/"]', { hasText: /^已下发$/ }),
      });
      assert.ok((await issued.count()) > 0, 'the 1-7月 round has a notice still 已下发');
      // 卫健委's when it has one, so its preparer's to-do can be checked too.
      const ofOther = issued.filter({ has: fin.locator('td:first-child', { hasText: OTHER_UNIT }) });
      const pick = (await ofOther.count()) > 0 ? ofOther.first() : issued.first();
      const [unit, object] = await pick.evaluate((tr) => [tr.cells[0].innerText.trim(), tr.cells[1].innerText.trim()]);
      const href = await pick.locator('a[href^="/rectifications/"]').getAttribute('href');
      const overdueId = href.split('/')[2];
      await fin.goto(href);
      const state = await badge(fin, '#notice-state');
      assert.equal(state, '已下发·已逾期', `the notice is overdue (“${state}”)`);
      assert.ok(await fin.locator('#notice-state.w-red').count(), 'the overdue badge is red');
      const deadline = /整改期限 (\d{4}-\d{2}-\d{2})/.exec(await text(fin, 'dl.kv'))?.[1];
      assert.ok(deadline && deadline < isoDate(0), `the deadline ${deadline} has passed`);

      // The unit's to-do is marked 已逾期 (卫健委's own overdue notice, when it has one).
      if (unit === OTHER_UNIT) {
        await other.goto('/');
        const row = other.locator('main table.data tbody tr').filter({
          has: other.locator(`a[href="/rectifications/${overdueId}"]`),
        });
        assert.equal(await row.count(), 1, 'the overdue notice is in 卫健委’s to-dos');
        assert.match(await text(other, `main table.data tbody tr:has(a[href="/rectifications/${overdueId}"])`), /（已逾期）/, 'marked 已逾期');
      }

      // The list of notices shows it overdue and leads to it.
      await fin.goto('/rectifications?year=2023');
      const rows = fin.locator('main table.data tbody tr').filter({ hasText: object }).filter({ hasText: deadline });
      assert.ok((await rows.count()) > 0, `the list has the notice of ${object} due ${deadline}`);
      const row = rows.filter({ has: fin.locator('td.overdue') }).first();
      assert.equal(await row.count(), 1, 'its 整改期限 is marked overdue (red) in the list');
      assert.equal(
        await fin.locator(`main table.data a[href="/rectifications/${overdueId}"]`).count(),
        1,
        `the list links to the notice page /rectifications/${overdueId} (links in its row: ${JSON.stringify(
          await row.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href'))),
        )})`,
      );
    });

    await step('10. the saved report shows 1-N月执行数 as typed, to the 分', async () => {
      // A re-save must not change the amount: the field shows what was stored, not a rounding.
      await tb.goto(`/monitoring/${reportId}`);
      const shown = await tb.getByLabel('1-N月执行数（万元）').inputValue();
      assert.equal(
        Number(shown),
        Number(typedExecuted),
        `1-N月执行数 typed ${typedExecuted} 万元, shown ${shown} 万元 after saving`,
      );
    });

    if (failed) throw new Error(`step “${failed}” failed (see its subtest)`);
  }),
);
