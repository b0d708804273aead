// Third-party agencies and 财政重点评价 (SPEC §9) through the browser, clicking like a person:
// finance registers an agency (a wrong 统一社会信用代码 check character refused first, nothing
// created) → blacklists it (refused without a reason, then with one: the 委托 form is gone) →
// engages 新疆天山绩效评价咨询有限公司 for the key evaluation of one 2023 project: the engagement
// page shows the 回避声明 尚未签署 and the evaluation; the evaluator cannot fill it yet → the
// agency's evaluator signs the pre-filled 回避声明, fills the framework (决策/过程/产出/效益; every
// rate 100 and tier 达成 but 实际完成率 at 85 with a note): the live score (htmx) shows 98.50 and
// 优秀 → saves and submits → finance approves it (已通过, the budget recommendation), rates the
// agency's work (an out-of-range score refused, then 90.50 / 优秀), and the agency page lists the
// engagement with its rating → a unit user gets 403 on the engagement → a second engagement for
// another project of the same unit (an unknown code refused first) shows the 回避提示 naming the
// first; its evaluation is submitted, finance's 退回 without a reason is refused (TODO: the
// refusal renders the self-evaluation page), then returned with one and resubmitted.
//
// Run: cargo build -p jixiao && cd e2e && npm ci && node --test tests/agency.test.mjs
// A failing step leaves a screenshot of every page (one per user) in e2e/test-results/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoServer } from '../lib/server.mjs';
import { launchBrowser, withBrowser, login, tableRows } from '../lib/browser.mjs';

const YEAR = '2023';
const ENGAGED = '新疆天山绩效评价咨询有限公司';
const EVALUATOR_NAME = '刘洋'; // pj_tianshan
const DEMO_CODES = ['91650100MA77XK3T22', '91652800MA78A1LQ54', '91650102MA7758NR0A'];
/** The first 17 characters of a demo code with a wrong 18th character (its check is “2”). */
const WRONG_CODE = '91650100MA77XK3T2B';
const NEW_AGENCY = '且末县明鉴绩效评价事务所有限公司';
const LEVEL1 = ['决策', '过程', '产出', '效益'];
const QUALITY = ['18', '17.5', '36', '9', '10']; // 方案质量 20 · 工作底稿 20 · 报告质量 40 · 时效 10 · 廉洁与保密 10

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

const CODE_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CODE_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** A 统一社会信用代码 with its GB 32100 check character appended to the first 17. */
function withCheck(first17) {
  const sum = [...first17].reduce((n, c, i) => n + CODE_CHARS.indexOf(c) * CODE_WEIGHTS[i], 0);
  return first17 + CODE_CHARS[(31 - (sum % 31)) % 31];
}

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
  // Mark the old document: a refusal may answer at the same address, so wait for a new one.
  await page.evaluate(() => {
    window.__e2eOld = true;
  });
  const [request] = await Promise.all([
    page.waitForRequest((r) => r.method() === 'POST' && r.isNavigationRequest()),
    button.click(),
  ]);
  await page.waitForFunction(() => !window.__e2eOld && document.readyState === 'complete');
  await page.waitForURL(url);
  await page.waitForLoadState('load');
  const response = await request.response();
  return response ? response.status() : 0;
}

const pathIs = (re) => (u) => re.test(u.pathname + u.search);

/** Clicks a link and waits for the page at `url`. */
async function follow(page, link, url) {
  await Promise.all([page.waitForURL(url), link.click()]);
  await page.waitForLoadState('load');
}

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

/** The page's error alerts, joined. */
async function alerts(page) {
  return (await page.locator('main [role="alert"]').allInnerTexts()).join(' | ').replace(/\s+/g, ' ');
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

/** The live score panel of a framework evaluation: groups, total, grade, rules, findings. */
async function scorePanel(page) {
  return page.locator('#score').evaluate((el) => {
    const t = (n) => n?.textContent.replace(/\s+/g, ' ').trim() ?? '';
    const groups = {};
    for (const dt of el.querySelectorAll('dl.figures dt')) {
      const m = /^(决策|过程|产出|效益)（/.exec(t(dt));
      if (m) groups[m[1]] = t(dt.nextElementSibling);
    }
    return {
      groups,
      total: t(el.querySelector('#fig-total')),
      grade: t(el.querySelector('#fig-grade')),
      rows: Array.from(el.querySelectorAll('#fig-rows li'), (li) => ({
        text: t(li),
        points: li.querySelector('strong')?.textContent.trim() ?? '',
      })),
      errors: Array.from(el.querySelectorAll('#fig-findings li.finding-error'), t),
      problems: Array.from(el.querySelectorAll('[role="alert"]'), t),
    };
  });
}

/** The framework rows of the form that carry an item: [{ n, level1, name, kind, weight, points }]. */
async function frameworkRows(page) {
  return page.locator('#evaluation-rows tbody tr.ind-row').evaluateAll((trs) =>
    trs
      .map((tr) => {
        const v = (f) => tr.querySelector(`[name$=".${f}"]`)?.value ?? '';
        return {
          n: tr.querySelector('[name$=".name"]').name.split('.')[1],
          level1: v('level1'),
          name: v('name').trim(),
          kind: v('kind'),
          weight: v('weight'),
          rate: v('rate'),
          tier: v('tier'),
          note: v('note'),
          disabled: tr.querySelector('[name$=".name"]').disabled,
          points: tr.cells[8].innerText.trim(),
        };
      })
      .filter((r) => r.name),
  );
}

/** Fills every rate item with 100 (`short` with 85 and `note`) and every judged item 达成. */
async function fillFramework(page, rows, short, note) {
  for (const r of rows) {
    if (r.kind === 'rate') {
      await page.locator(`[name="item.${r.n}.rate"]`).fill(r.n === short.n ? '85' : '100');
    } else {
      await page.locator(`[name="item.${r.n}.tier"]`).selectOption('0'); // 达成年度指标
    }
  }
  await page.locator(`[name="item.${short.n}.note"]`).fill(note);
}

/** Fills the 委托财政重点评价 form of an agency page (the fields a person would type). */
async function fillEngagement(page, { title, codes, fee = '8.5' }) {
  const form = page.locator('#engagement-form');
  await form.getByLabel('评价年度').fill(YEAR);
  await form.getByLabel('业务名称').fill(title);
  await form.getByLabel('采购方式').fill('竞争性磋商');
  await form.getByLabel('合同编号').fill('QMCZ-2024-017');
  await form.getByLabel('开始日期').fill('2024-03-01');
  await form.getByLabel('结束日期').fill('2024-06-30');
  await form.getByLabel('委托费用（万元）').fill(fee);
  await form.getByLabel('评价团队').fill('刘洋（组长）、王芳');
  await form.getByLabel(/评价项目编码/).fill(codes);
  return form;
}

// --------------------------------------------------------------------------------- test

const NAME = 'agency: registration, blacklist, a 财政重点评价 from engagement to the quality rating';

test(NAME, { timeout: 120_000 }, async (t) =>
  withBrowser(browser, server.baseUrl, NAME, async (s) => {
    let failed = null;
    /**
     * One numbered part: a subtest; after a failure the remaining parts are skipped. A part with
     * `todo` (a known app bug) runs and reports its failure as TODO without skipping the rest.
     */
    const step = (name, fn, { todo } = {}) =>
      t.test(name, { todo }, async (st) => {
        if (failed) {
          st.skip(`skipped: “${failed}” failed`);
          return;
        }
        try {
          await fn();
        } catch (e) {
          if (!todo) failed = name;
          throw e;
        }
      });

    const fin = await s.page(); // 财政绩效管理员
    const pj = await s.page(); // 新疆天山绩效评价咨询有限公司's evaluator
    const tb = await s.page(); // 教育局填报员

    const newCode = withCheck('91652825MA7AGX8Q1');
    let newAgencyId = null;
    let agencyId = null; // 新疆天山
    let engagementId = null;
    let evalId = null;
    let project = null; // { code, name, unit }
    const title = `${YEAR}年度财政重点评价（e2e）`;

    await step('1. finance registers an agency: a wrong check character refused, nothing created; a valid code lands on its page', async () => {
      assert.ok(!DEMO_CODES.includes(newCode), `${newCode} is not a demo agency's code`);
      assert.notEqual(newCode, WRONG_CODE);
      await login(fin, 'jxg');
      await fin.goto('/agencies');
      const before = await tableRows(fin);
      assert.equal(before.length, 3, `the demo county's three agencies (${JSON.stringify(before)})`);
      assert.ok(before.some((r) => r[0] === ENGAGED), `${ENGAGED} is listed`);
      await follow(fin, fin.locator('#agency-new-link'), pathIs(/^\/agencies\/new$/));
      assert.equal((await fin.locator('main h1').innerText()).trim(), '登记第三方机构');

      let form = fin.locator('#agency-form');
      await form.getByLabel('机构名称').fill(NEW_AGENCY);
      await form.getByLabel('统一社会信用代码').fill(WRONG_CODE);
      await form.getByLabel('机构类型').selectOption({ label: '咨询机构' });
      await form.getByLabel('资质').fill('预算绩效管理第三方服务机构');
      await form.getByLabel('从业人员（人）').fill('12');
      await form.getByLabel('联系方式').fill('0996-7621234');
      let status = await submit(fin, fin.locator('#agency-save'), pathIs(/^\/agencies$/));
      assert.ok(status >= 400 && status < 500, `a wrong check character is refused (${status})`);
      const refused = await alerts(fin);
      assert.match(refused, /校验位错误/, `the refusal names the check character (${refused})`);
      assert.ok(refused.includes('应为“2”'), `and the expected one, 2 (${refused})`);
      form = fin.locator('#agency-form');
      assert.equal(await form.getByLabel('机构名称').inputValue(), NEW_AGENCY, 'the typed name is kept');
      assert.equal(await form.getByLabel('统一社会信用代码').inputValue(), WRONG_CODE, 'and the typed code');

      // Nothing was created (asked in the same session, the refused form left as it is).
      const list = await (await fin.request.get('/agencies')).text();
      assert.match(list, /共 3 条/, 'still three agencies');
      assert.ok(!list.includes(NEW_AGENCY), 'the refused agency is not listed');

      await form.getByLabel('统一社会信用代码').fill(newCode);
      assert.equal(await form.getByLabel('机构类型').inputValue(), 'consulting', 'the type is kept');
      status = await submit(fin, fin.locator('#agency-save'), pathIs(/^\/agencies\/\d+\?done=registered$/));
      assert.equal(status, 303, '登记 redirects');
      newAgencyId = new URL(fin.url()).pathname.split('/')[2];
      assert.match(await flash(fin), /第三方机构已登记/);
      assert.equal((await fin.locator('main h1').innerText()).trim(), NEW_AGENCY);
      const kv = await text(fin, 'dl.kv');
      assert.ok(kv.includes(`统一社会信用代码 ${newCode}`), kv);
      assert.ok(kv.includes('类型 咨询机构'), kv);
      assert.ok(kv.includes('从业人员 12 人'), kv);
      assert.equal(await badge(fin, '#agency-status'), '正常', 'a new agency is 正常');
      assert.match(await text(fin, 'main'), /还没有委托业务/);
      assert.equal(await fin.locator('#engagement-form').count(), 1, 'an active agency may be engaged');
    });

    await step('2. blacklisting it needs a reason; a blacklisted agency cannot be engaged', async () => {
      await fin.goto(`/agencies/${newAgencyId}`);
      let form = fin.locator('#agency-status-form');
      await form.getByLabel('状态').selectOption({ label: '黑名单' });
      let status = await submit(fin, form.getByRole('button', { name: '保存状态' }), pathIs(new RegExp(`^/agencies/${newAgencyId}/status$`)));
      assert.ok(status >= 400 && status < 500, `黑名单 without a reason is refused (${status})`);
      assert.match(await alerts(fin), /列为“黑名单”须写明原因/, 'the refusal asks for the reason');
      assert.equal(await badge(fin, '#agency-status'), '正常', 'still 正常');

      const reason = '出具虚假评价报告，列入黑名单三年';
      form = fin.locator('#agency-status-form');
      await form.getByLabel('状态').selectOption({ label: '黑名单' });
      await form.getByLabel('日期').fill('2024-05-20');
      await form.getByLabel(/原因/).fill(reason);
      status = await submit(fin, form.getByRole('button', { name: '保存状态' }), pathIs(new RegExp(`^/agencies/${newAgencyId}\\?done=status$`)));
      assert.equal(status, 303, '保存状态 redirects');
      assert.match(await flash(fin), /机构状态已保存/);
      assert.equal(await badge(fin, '#agency-status'), '黑名单', 'the page shows 黑名单');
      const kv = await text(fin, 'dl.kv');
      assert.ok(kv.includes(`黑名单（2024-05-20，${reason}）`), `the date and reason (${kv})`);
      assert.equal(await fin.locator('#engagement-form').count(), 0, 'no 委托财政重点评价 form for a blacklisted agency');
      assert.doesNotMatch(await text(fin, 'main'), /委托财政重点评价/);

      await fin.goto('/agencies');
      const row = (await tableRows(fin)).find((r) => r[0] === NEW_AGENCY);
      assert.ok(row, 'the list has the new agency');
      assert.deepEqual(row.slice(1, 5), [newCode, '咨询机构', '黑名单', '0'], `listed blacklisted (${row})`);
    });

    await step('3. finance engages 新疆天山 for the key evaluation of a 2023 project', async () => {
      // A 2023 project from the project list.
      await fin.goto(`/projects?year=${YEAR}`);
      const projects = (
        await fin.locator('table.data tbody tr').evaluateAll((trs) =>
          trs.map((tr) => ({
            year: tr.cells[0].innerText.trim(),
            code: tr.cells[1].innerText.trim(),
            name: tr.querySelector('a[href^="/projects/"]')?.textContent.trim() ?? '',
            unit: tr.cells[3].innerText.trim(),
          })),
        )
      ).filter((p) => p.year === YEAR && /^P\d+$/.test(p.code) && p.name);
      assert.ok(projects.length >= 3, `2023 projects listed (${projects.length})`);

      await fin.goto('/agencies');
      await follow(fin, fin.locator('main table.data a', { hasText: ENGAGED }), pathIs(/^\/agencies\/\d+$/));
      agencyId = new URL(fin.url()).pathname.split('/')[2];
      assert.equal((await fin.locator('main h1').innerText()).trim(), ENGAGED);
      const earlier = await tableRows(fin, '#agency-engagements');

      // The first project not already under a finance key evaluation.
      for (const p of projects.slice(0, 3)) {
        const form = await fillEngagement(fin, { title, codes: p.code });
        const status = await submit(fin, form.getByRole('button', { name: '委托' }), pathIs(/^\/(engagements\/\d+\?done=created|agencies\/\d+\/engagements)$/));
        if (status === 303) {
          project = p;
          break;
        }
        const why = await alerts(fin);
        assert.match(why, /已有财政重点评价/, `委托 ${p.code} refused for another reason (${status}: ${why})`);
      }
      assert.ok(project, 'one of the first three 2023 projects could be engaged');
      engagementId = new URL(fin.url()).pathname.split('/')[2];
      assert.match(await flash(fin), /已委托/);
      assert.equal((await fin.locator('main h1').innerText()).trim(), title);
      const kv = await text(fin, 'dl.kv');
      assert.ok(kv.includes(`受托机构 ${ENGAGED}`), kv);
      assert.ok(kv.includes(`评价年度 ${YEAR}`), kv);
      assert.ok(kv.includes('期限 2024-03-01 至 2024-06-30'), kv);
      assert.ok(kv.includes('委托费用 8.50 万元'), kv);
      assert.equal(await text(fin, '#coi'), '尚未签署', '回避声明 尚未签署');
      assert.equal(await fin.locator('#declaration-form').count(), 0, 'finance does not sign the declaration');

      const evals = await tableRows(fin, '#engagement-evaluations');
      assert.equal(evals.length, 1, `one evaluation (${JSON.stringify(evals)})`);
      assert.deepEqual(evals[0].slice(0, 3), [project.name, project.unit, '草稿'], `the project's evaluation, a draft (${evals[0]})`);
      const link = fin.locator('#engagement-evaluations a[href^="/evaluations/"]');
      evalId = (await link.getAttribute('href')).split('/').pop();
      assert.match(evalId, /^\d+$/);

      // The agency page lists the new engagement, 未签署.
      await fin.goto(`/agencies/${agencyId}`);
      const now = await tableRows(fin, '#agency-engagements');
      assert.equal(now.length, earlier.length + 1, 'one more engagement on the agency page');
      const row = now.find((r) => r[1] === title);
      assert.deepEqual(row, [YEAR, title, '8.50', '未签署', '', ''], `listed (${row})`);
    });

    await step('4. the evaluator signs the 回避声明, fills the framework (live score 98.50 / 优秀), saves and submits', async () => {
      await login(pj, 'pj_tianshan');

      // Before the declaration the evaluation is read only.
      await pj.goto(`/evaluations/${evalId}`);
      assert.match(await text(pj, 'dl.kv'), /尚未签署回避声明/, 'the evaluation says the declaration is missing');
      assert.equal(await pj.locator('#evaluation-save').count(), 0, 'not editable before the declaration');
      assert.equal(await pj.locator('#evaluation-submit').count(), 0, 'nor submittable');

      await pj.goto(`/engagements/${engagementId}`);
      assert.equal(await text(pj, '#coi'), '尚未签署');
      const form = pj.locator('#declaration-form');
      const statement = await form.getByLabel('回避声明').inputValue();
      assert.match(statement, /不存在利害关系/, `the declaration is pre-filled (${statement})`);
      let status = await submit(pj, pj.locator('#declaration-sign'), pathIs(new RegExp(`^/engagements/${engagementId}\\?done=declared$`)));
      assert.equal(status, 303, '签署 redirects');
      assert.match(await flash(pj), /回避声明已签署/);
      const coi = await text(pj, '#coi');
      assert.match(coi, new RegExp(`^已签署（[^，）]*${EVALUATOR_NAME}，\\d{4}-\\d{2}-\\d{2}）：`), `已签署 by ${EVALUATOR_NAME}, dated (${coi})`);
      assert.ok(coi.includes(statement.replace(/\s+/g, ' ').trim()), 'with the statement');
      assert.equal(await pj.locator('#declaration-form').count(), 0, 'signed once');
      assert.equal(await pj.locator('#rating-form').count(), 0, 'the evaluator does not rate');

      // Opens the evaluation from the engagement page.
      await follow(pj, pj.locator(`#engagement-evaluations a[href="/evaluations/${evalId}"]`), pathIs(new RegExp(`^/evaluations/${evalId}$`)));
      assert.match((await pj.locator('main h1').innerText()).trim(), new RegExp(`财政重点评价$`));
      assert.doesNotMatch(await text(pj, 'dl.kv'), /尚未签署回避声明/);
      assert.equal(await badge(pj, '#evaluation-state'), '草稿');
      assert.equal(await pj.locator('#evaluation-save').count(), 1, 'editable once declared');
      const rows = await frameworkRows(pj);
      assert.equal(rows.length, 18, `the framework's 18 items (${rows.length})`);
      assert.deepEqual([...new Set(rows.map((r) => r.level1))], LEVEL1, 'grouped 决策/过程/产出/效益');
      assert.ok(rows.every((r) => !r.disabled), 'every item editable');
      assert.equal(rows.reduce((n, r) => n + Number(r.weight), 0), 100, 'weights add up to 100');
      const rates = rows.filter((r) => r.kind === 'rate');
      assert.deepEqual(rates.map((r) => r.name), ['资金到位率', '预算执行率', '实际完成率', '质量达标率'], 'the rate items');
      const short = rates.find((r) => r.name === '实际完成率');
      assert.equal(short.weight, '10');

      const note = '部分子项目受天气影响延期，实际完成率 85%';
      assert.deepEqual([(await scorePanel(pj)).total, (await scorePanel(pj)).grade], ['—', '—'], 'nothing scored yet');
      await fillFramework(pj, rows, short, note);
      await pj.locator('[name="report_basics"]').fill('项目概况、资金投入和使用情况。');

      await textUntil(pj, '#score', (v) => /总分\S* 98\.50/.test(v) && !v.includes('须补正'), 'showed 总分 98.50 with nothing to correct');
      const live = await scorePanel(pj);
      assert.deepEqual(live.problems, [], 'no field problems');
      assert.deepEqual(live.errors, [], 'nothing to correct');
      assert.equal(live.total, '98.50', '总分');
      assert.equal(live.grade, '优秀', '等级');
      assert.deepEqual(live.groups, { 决策: '20.00', 过程: '20.00', 产出: '28.50', 效益: '30.00' }, 'the groups');
      const liveShort = live.rows[Number(short.n) - 1];
      assert.equal(liveShort.points, '8.50', `实际完成率: 0.85 × 10 (${liveShort.text})`);

      status = await submit(pj, pj.locator('#evaluation-save'), pathIs(new RegExp(`^/evaluations/${evalId}\\?done=saved$`)));
      assert.equal(status, 303, '保存 redirects');
      assert.match(await flash(pj), /评价已保存/);
      const saved = await scorePanel(pj);
      assert.deepEqual([saved.total, saved.grade], ['98.50', '优秀'], 'the saved score');
      const back = (await frameworkRows(pj)).find((r) => r.name === '实际完成率');
      assert.deepEqual([back.rate, back.note, back.points], ['85', note, '8.50'], 'the 85% row, its note and points saved');
      assert.ok((await frameworkRows(pj)).filter((r) => r.kind === 'judged').every((r) => r.tier === '0'), 'every tier saved 达成');

      const submitForm = pj.locator('form#evaluation-submit');
      status = await submit(pj, submitForm.getByRole('button', { name: '提交评价' }), pathIs(new RegExp(`^/evaluations/${evalId}\\?done=`)));
      assert.equal(status, 303, '提交评价 redirects');
      assert.equal(await badge(pj, '#evaluation-state'), '单位已提交', 'submitted');
      assert.equal(await pj.locator('#evaluation-save').count(), 0, 'a submitted evaluation is no longer editable');
      assert.equal(await pj.locator('form#evaluation-submit').count(), 0, 'nor submittable again');
      assert.equal(await pj.locator('#evaluation-review-form').count(), 0, 'the evaluator does not review');
    });

    await step('5. finance approves the evaluation and rates the agency’s work: 90.50 / 优秀 on the engagement and agency pages', async () => {
      await fin.goto(`/evaluations/${evalId}`);
      assert.equal(await badge(fin, '#evaluation-state'), '单位已提交');
      assert.equal(await fin.locator('#evaluation-save').count(), 0, 'finance does not edit the agency’s scores');
      assert.deepEqual(
        [(await scorePanel(fin)).total, (await scorePanel(fin)).grade],
        ['98.50', '优秀'],
        'finance sees the submitted score',
      );
      const review = fin.locator('#evaluation-review-form');
      await review.getByLabel(/审核意见/).fill('评价依据充分，结论客观。');
      let status = await submit(fin, review.getByRole('button', { name: '审核通过' }), pathIs(new RegExp(`^/evaluations/${evalId}\\?done=`)));
      assert.equal(status, 303, '审核通过 redirects');
      assert.equal(await badge(fin, '#evaluation-state'), '已通过', 'state 已通过');
      assert.equal(await fin.locator('#evaluation-review-form').count(), 0, 'nothing left to review');
      assert.match(await text(fin, '#evaluation-opinion'), /评价依据充分/, '审核意见');
      const rec = await text(fin, '#evaluation-recommendation');
      assert.match(rec, /^\d{4} 年预算安排建议：\S+/, `结果应用 (${rec})`);

      // The engagement page: the evaluation approved with its score; the rating.
      await follow(fin, fin.locator('dl.kv a[href^="/engagements/"]'), pathIs(new RegExp(`^/engagements/${engagementId}$`)));
      const evals = await tableRows(fin, '#engagement-evaluations');
      assert.deepEqual(evals[0].slice(2), ['已通过', '98.50'], `the evaluation approved, 98.50 (${evals[0]})`);
      assert.equal(await text(fin, '#quality'), '尚未评价。');

      let form = fin.locator('#rating-form');
      const labels = ['方案质量（20 分）', '工作底稿（20 分）', '报告质量（40 分）', '时效（10 分）', '廉洁与保密（10 分）'];
      for (const [i, l] of labels.entries()) await form.getByLabel(l).fill(i === 3 ? '11' : QUALITY[i]);
      status = await submit(fin, fin.locator('#rating-save'), pathIs(new RegExp(`^/engagements/${engagementId}/rating$`)));
      assert.ok(status >= 400 && status < 500, `时效 11 of 10 is refused (${status})`);
      assert.match(await alerts(fin), /“时效”的得分须在 0 到 10 分之间/, 'the refusal names the item');
      assert.equal(await text(fin, '#quality'), '尚未评价。', 'nothing recorded');

      form = fin.locator('#rating-form');
      for (const [i, l] of labels.entries()) await form.getByLabel(l).fill(QUALITY[i]);
      await form.getByLabel('评价意见').fill('方案完整，底稿较规范，报告结论有据。');
      status = await submit(fin, fin.locator('#rating-save'), pathIs(new RegExp(`^/engagements/${engagementId}\\?done=rated$`)));
      assert.equal(status, 303, '保存评价 redirects');
      assert.match(await flash(fin), /执业质量评价已保存/);
      const quality = await text(fin, '#quality');
      assert.ok(quality.startsWith('得分 90.50，等级 优秀'), `the rating (${quality})`);
      assert.ok(quality.includes('报告结论有据'), `with the findings (${quality})`);
      form = fin.locator('#rating-form');
      assert.deepEqual(
        await Promise.all(labels.map((l) => form.getByLabel(l).inputValue())),
        QUALITY,
        'the form shows the given scores',
      );

      // The agency page's history lists it, rated.
      await follow(fin, fin.locator('dl.kv a', { hasText: ENGAGED }), pathIs(new RegExp(`^/agencies/${agencyId}$`)));
      const row = (await tableRows(fin, '#agency-engagements')).find((r) => r[1] === title);
      assert.deepEqual(row, [YEAR, title, '8.50', '已签署', '90.50', '优秀'], `the history lists the rated engagement (${row})`);
    });

    await step('6. a unit user gets 403 on the engagement', async () => {
      await login(tb, 'jyj_tb');
      const res = await tb.goto(`/engagements/${engagementId}`);
      assert.equal(res.status(), 403, 'jyj_tb: 403 on /engagements/{id}');
      assert.ok(!(await text(tb, 'main')).includes(title), 'the engagement is not shown');
      const agency = await tb.goto(`/agencies/${agencyId}`);
      assert.equal(agency.status(), 403, 'jyj_tb: 403 on the agency page');
    });

    const title2 = `${YEAR}年度财政重点评价（e2e，第二批）`;
    let engagement2 = null;
    let eval2 = null;

    await step('7. a second engagement for the same unit: an unknown code refused, then the 回避提示 names the first; signed, filled, submitted', async () => {
      await fin.goto(`/agencies/${agencyId}`);
      let form = await fillEngagement(fin, { title: title2, codes: 'P1999001', fee: '3' });
      let status = await submit(fin, form.getByRole('button', { name: '委托' }), pathIs(new RegExp(`^/agencies/${agencyId}/engagements$`)));
      assert.ok(status >= 400 && status < 500, `an unknown project code is refused (${status})`);
      assert.match(await alerts(fin), new RegExp(`${YEAR} 年度没有这些项目：P1999001`), 'the refusal names the code');

      // Another project of the same unit.
      await fin.goto(`/projects?year=${YEAR}&q=${encodeURIComponent(project.unit)}`);
      const codes = await fin.locator('table.data tbody tr').evaluateAll((trs, unit) =>
        trs.filter((tr) => tr.cells[3]?.innerText.trim() === unit).map((tr) => tr.cells[1].innerText.trim()), project.unit);
      const other = codes.find((c) => c !== project.code);
      assert.ok(other, `another ${YEAR} project of ${project.unit} (${codes})`);

      await fin.goto(`/agencies/${agencyId}`);
      form = await fillEngagement(fin, { title: title2, codes: other, fee: '3' });
      status = await submit(fin, form.getByRole('button', { name: '委托' }), pathIs(/^\/engagements\/\d+\?done=created$/));
      assert.equal(status, 303, '委托 redirects');
      engagement2 = new URL(fin.url()).pathname.split('/')[2];
      const warning = await text(fin, '#conflict-warning');
      assert.match(warning, /^回避提示：该机构本年度已承接同一单位的其他业务（.*），请核实是否需要回避$/, warning);
      assert.ok(warning.includes(title), `the warning names the first engagement (${warning})`);
      eval2 = (await fin.locator('#engagement-evaluations a[href^="/evaluations/"]').getAttribute('href')).split('/').pop();

      await pj.goto(`/engagements/${engagement2}`);
      assert.equal(await pj.locator('#conflict-warning').count(), 1, 'the evaluator sees the 回避提示 too');
      status = await submit(pj, pj.locator('#declaration-sign'), pathIs(new RegExp(`^/engagements/${engagement2}\\?done=declared$`)));
      assert.equal(status, 303, '签署 redirects');
      await pj.goto(`/evaluations/${eval2}`);
      const rows = await frameworkRows(pj);
      await fillFramework(pj, rows, rows.find((r) => r.name === '实际完成率'), '部分工程延期');
      await textUntil(pj, '#score', (v) => /总分\S* 98\.50/.test(v), 'showed 总分 98.50');
      status = await submit(pj, pj.locator('#evaluation-save'), pathIs(new RegExp(`^/evaluations/${eval2}\\?done=saved$`)));
      assert.equal(status, 303, '保存 redirects');
      status = await submit(pj, pj.locator('form#evaluation-submit').getByRole('button', { name: '提交评价' }), pathIs(new RegExp(`^/evaluations/${eval2}\\?done=`)));
      assert.equal(status, 303, '提交评价 redirects');
      assert.equal(await badge(pj, '#evaluation-state'), '单位已提交', 'submitted');
    });

    await step(
      '8. finance’s 退回修改 without a reason is refused on the key evaluation’s own page',
      async () => {
        await fin.goto(`/evaluations/${eval2}`);
        const review = fin.locator('#evaluation-review-form');
        const status = await submit(fin, review.getByRole('button', { name: '退回修改' }), pathIs(new RegExp(`^/evaluations/${eval2}/action$`)));
        assert.ok(status >= 400 && status < 500, `退回 without a reason is refused (${status})`);
        assert.match(await alerts(fin), /必须填写退回原因/, 'the refusal asks for the reason');
        const h1 = (await fin.locator('main h1').innerText()).trim();
        assert.ok(
          h1.endsWith('· 财政重点评价') && (await fin.locator('#evaluation-rows tbody tr.ind-row [name$=".level1"]').count()) > 0,
          `the refusal should show the 财政重点评价 page (its framework rows); it shows “${h1}”`,
        );
        assert.equal(await badge(fin, '#evaluation-state'), '单位已提交', 'not returned');
      },
    );

    await step('9. returned with a reason, the evaluator may revise and 重新提交', async () => {
      await fin.goto(`/evaluations/${eval2}`);
      const review = fin.locator('#evaluation-review-form');
      await review.getByLabel(/审核意见/).fill('请补充实际完成率的佐证材料。');
      let status = await submit(fin, review.getByRole('button', { name: '退回修改' }), pathIs(new RegExp(`^/evaluations/${eval2}\\?done=`)));
      assert.equal(status, 303, '退回 redirects');
      assert.equal(await badge(fin, '#evaluation-state'), '已退回', 'state 已退回');
      assert.match(await text(fin, '#evaluation-opinion'), /佐证材料/);

      await pj.goto(`/evaluations/${eval2}`);
      assert.equal(await pj.locator('#evaluation-save').count(), 1, 'a returned evaluation is editable again');
      const form = pj.locator('form#evaluation-submit');
      assert.equal(await form.getByRole('button', { name: '重新提交' }).count(), 1, '重新提交 offered');
      status = await submit(pj, form.getByRole('button', { name: '重新提交' }), pathIs(new RegExp(`^/evaluations/${eval2}\\?done=`)));
      assert.equal(status, 303, '重新提交 redirects');
      assert.equal(await badge(pj, '#evaluation-state'), '单位已提交', 'submitted again');
    });

    if (failed) throw new Error(`step “${failed}” failed (see its subtest)`);
  }),
);
