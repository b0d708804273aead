// One self-evaluation round (绩效自评, SPEC §8) through the browser, clicking like a person:
// finance opens the 2023 round (a deadline inside 2023 refused first) → the round page counts
// the drafts per unit → 教育局's preparer opens a project draft from the to-dos: the form is
// pre-filled with the target's indicators and the budget → fills 全年执行数 and every 实际完成值,
// one row unmet and one more than 20% above its target, with no 偏差原因: the live score (htmx)
// shows each row's rule (B/A×W …, 达成 → 满分 …), the total and grade, and asks for the two
// 偏差原因 → saves; 提交自评 is refused by name → 偏差原因 filled, saved, submitted → finance
// reduces the over-achieved row (refused without a reason, then with one) and approves: 已通过,
// the reduced total and grade, the reduction and its reason → the form downloads as .xlsx →
// the form's 得分 panel shows the approved total and grade (the reduction counted) → 信息公开:
// finance, from the navigation, filters 2023 · 评价结果 · 未公开, ticks the approved form and
// publishes it with the pre-filled 公开日期 (today): 已公开 1 项, the row shows the date → the
// public portal (no login) lists it with its 得分 and 等级 and opens its page → finance withdraws
// it: refused without a reason (empty, then only spaces), then 已撤回公开 with one; the portal no
// longer lists it → a unit user gets 403 on /disclosures and on publishing.
//
// Run: cargo build -p jixiao && cd e2e && npm ci && node --test tests/self_evaluation.test.mjs
// A screenshot of the filled form goes to e2e/test-results/screenshots/web-self-evaluation.png;
// SCREENSHOTS=1 writes it to docs/screenshots/ instead (E2E_SCREENSHOT_DIR overrides both).
// A failing step leaves a screenshot of every page (one per user) in e2e/test-results/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { startDemoServer, E2E_DIR } from '../lib/server.mjs';
import { launchBrowser, withBrowser, login, tableRows, RESULTS_DIR } from '../lib/browser.mjs';

const SHOTS = process.env.SCREENSHOTS === '1' || process.env.SCREENSHOTS === 'true';
const SHOT_DIR = process.env.E2E_SCREENSHOT_DIR
  ? path.resolve(E2E_DIR, process.env.E2E_SCREENSHOT_DIR)
  : SHOTS
    ? path.resolve(E2E_DIR, '../docs/screenshots')
    : path.join(RESULTS_DIR, 'screenshots');

const UNIT = '且末县教育局';
const YEAR = '2023';
const DEADLINE = '2024-04-30';
const GRADES = ['优秀', '良好', '一般', '较差'];
const REASON_REQUIRED = '未完成或超额完成的指标须填写偏差原因分析及改进措施';

let server;
let browser;

before(async () => {
  server = await startDemoServer();
  browser = await launchBrowser();
  await mkdir(SHOT_DIR, { recursive: true });
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

/** The first number of a 年度指标值 such as "≥5211人", "≤190.23万元", "≥100%"; null if none. */
function targetNumber(s) {
  const m = /^[≥≤=＝<>]?\s*(\d+(?:\.\d+)?)/.exec(s.trim());
  return m ? Number(m[1]) : null;
}

/** A score such as "18.00" as hundredths (integers add up exactly); NaN for "—". */
const hundredths = (s) => Math.round(Number(String(s).trim()) * 100);

/** The grade of a total (SPEC §8.5 defaults: 90 / 80 / 60). */
function gradeOf(total) {
  if (total >= 90) return '优秀';
  if (total >= 80) return '良好';
  if (total >= 60) return '一般';
  return '较差';
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

/** The live score panel: figures, the rule of each row (by position) and the findings. */
async function scorePanel(page) {
  return page.locator('#score').evaluate((el) => {
    const t = (sel) => el.querySelector(sel)?.textContent.replace(/\s+/g, ' ').trim() ?? '';
    return {
      rate: t('#fig-rate'),
      exec: t('#fig-exec'),
      total: t('#fig-total'),
      grade: t('#fig-grade'),
      rows: Array.from(el.querySelectorAll('#fig-rows li'), (li) => ({
        over: li.classList.contains('over'),
        text: li.textContent.replace(/\s+/g, ' ').trim(),
        points: li.querySelector('strong')?.textContent.trim() ?? '',
      })),
      errors: Array.from(el.querySelectorAll('#fig-findings li.finding-error'), (li) =>
        li.textContent.replace(/\s+/g, ' ').trim(),
      ),
      problems: Array.from(el.querySelectorAll('[role="alert"]'), (p) => p.textContent.trim()),
    };
  });
}

/** The indicator rows of the form: [{ seq, name, target, weight, qualitative, points }]. */
async function formRows(page) {
  return page.locator('#evaluation-rows tbody tr.ind-row').evaluateAll((trs) =>
    trs.map((tr) => ({
      seq: tr.querySelector('input[name$=".actual"]').name.split('.')[1],
      name: tr.cells[3].innerText.trim().replace(/^其中：/, ''),
      target: tr.cells[4].innerText.trim(),
      weight: tr.cells[5].innerText.trim(),
      qualitative: !!tr.querySelector('select[name$=".tier"]'),
      points: tr.cells[8].innerText.trim(),
    })),
  );
}

/** A full-page screenshot for people to look at. */
async function shoot(page, file) {
  await page.waitForLoadState('load');
  await page.evaluate(() => document.fonts.ready);
  await page.evaluate(() => window.scrollTo(0, 0));
  // The side navigation is sticky and as tall as the viewport: make the viewport as tall as
  // the page so it reaches the bottom of the picture, then put the viewport back.
  const size = page.viewportSize();
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: size.width, height: Math.max(size.height, height) });
  await page.screenshot({ path: path.join(SHOT_DIR, file), fullPage: true });
  await page.setViewportSize(size);
}

/** Today in the county (UTC+8), as the server's 公开日期 default. */
const countyToday = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

/**
 * Clicks something that loads a new document by GET (a filter form, a link) and waits for it;
 * `url` is what the address must turn into.
 */
async function follow(page, target, url) {
  await page.evaluate(() => {
    window.__e2eOld = true;
  });
  await target.click();
  await page.waitForFunction(() => !window.__e2eOld && document.readyState === 'complete');
  await page.waitForURL(url);
  await page.waitForLoadState('load');
}

/** Sets the 信息公开 filter (state: '' 全部, 'unpublished', 'published') and applies it. */
async function filterDisclosures(page, { year, kind, state }) {
  const form = page.locator('form#disclosure-filter');
  await form.locator('input[name="year"]').fill(year);
  await form.locator('select[name="kind"]').selectOption(kind);
  await form.locator('select[name="state"]').selectOption(state);
  await follow(
    page,
    form.getByRole('button', { name: '筛选' }),
    (u) => u.pathname === '/disclosures' && u.searchParams.get('year') === year
      && u.searchParams.get('kind') === kind && (u.searchParams.get('state') ?? '') === state,
  );
}

/** The 信息公开 row of an evaluation: { checkbox, cells } or null when not listed. */
async function disclosureRow(page, id) {
  return page.locator('#disclosure-rows tbody tr').evaluateAll(
    (trs, id) => {
      const tr = trs.find((r) => r.querySelector(`a[href="/evaluations/${id}"]`));
      return tr
        ? {
            checkbox: !!tr.querySelector(`input[type="checkbox"][name="id"][value="${id}"]`),
            cells: Array.from(tr.cells, (td) => td.innerText.replace(/\s+/g, ' ').trim()),
          }
        : null;
    },
    String(id),
  );
}

/** The portal's 项目绩效评价结果 rows: [{ href, cells: [年度, 单位, 项目, 执行金额, 得分, 等级] }]. */
async function portalEvaluations(page) {
  const table = page.locator('main table.data').first();
  const head = (await table.locator('thead').innerText()).replace(/\s+/g, ' ');
  assert.match(head, /项目.*得分.*等级/, `the first portal table is the evaluation results (${head})`);
  return table.locator('tbody tr').evaluateAll((trs) =>
    trs.map((tr) => ({
      href: tr.querySelector('a')?.getAttribute('href') ?? '',
      cells: Array.from(tr.cells, (td) => td.innerText.replace(/\s+/g, ' ').trim()),
    })),
  );
}

// --------------------------------------------------------------------------------- test

const NAME = 'self-evaluation: a 2023 round from opening to a reduced, approved score';

test(NAME, { timeout: 120_000 }, async (t) =>
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

    let roundId = null;
    let roundName = '';
    let unitDrafts = 0;
    let evalId = null;
    let title = '';
    let rows = []; // the form's indicator rows
    let unmet = null; // { row, index, actual }
    let over = null;
    let submitter = null; // the page that offers 提交自评
    let savedTotal = null; // hundredths, before the review
    let overPoints = null; // hundredths, the over-achieved row's points before the review
    let approved = null; // { total, grade, reduced, why } as finance approved it
    let publishedOn = ''; // the 公开日期 finance chose
    let pub = null; // the public portal, without a login

    await step('1. finance opens the 2023 round (a deadline inside 2023 refused); progress per unit', async () => {
      await login(fin, 'jxg');
      await fin.goto('/evaluations/rounds');
      const listed = await tableRows(fin, '#round-list');
      assert.ok(
        !listed.some((r) => r[1] === YEAR),
        `no ${YEAR} round yet (${JSON.stringify(listed)})`,
      );
      const form = fin.locator('#round-form');
      await form.getByLabel('评价年度').fill(YEAR);
      await form.getByLabel('报送截止日期').fill('2023-12-31');
      let status = await submit(fin, form.getByRole('button', { name: '部署自评' }), pathIs(/^\/evaluations\/rounds$/));
      assert.ok(status >= 400 && status < 500, `a deadline inside the year is refused (${status})`);
      assert.match(await alerts(fin), /截止日期应晚于 2023-12-31/, 'the refusal names the rule');

      const again = fin.locator('#round-form');
      assert.equal(await again.getByLabel('评价年度').inputValue(), YEAR, 'the typed year is kept');
      await again.getByLabel('报送截止日期').fill(DEADLINE);
      await again.getByLabel('包括只有上年结转资金的结转项目').check();
      status = await submit(fin, again.getByRole('button', { name: '部署自评' }), pathIs(/^\/evaluations\/rounds\/\d+\?done=/));
      assert.equal(status, 303, '部署自评 redirects');
      roundId = new URL(fin.url()).pathname.split('/')[3];
      roundName = (await fin.locator('main h1').innerText()).trim();
      assert.equal(roundName, `${YEAR}年度绩效自评`, 'the default round name');

      const message = await flash(fin);
      const m = /自评已部署：项目自评 (\d+) 份、部门整体自评 (\d+) 份/.exec(message);
      assert.ok(m, `the flash counts the drafts (“${message}”)`);
      const [projects, units] = [Number(m[1]), Number(m[2])];
      assert.ok(projects > 0 && units > 0, `project and unit drafts (${projects}, ${units})`);
      assert.match(message, /已列入各单位待办/, message);

      const kv = await text(fin, 'dl.kv');
      assert.match(kv, new RegExp(`评价年度 ${YEAR}`), kv);
      assert.ok(kv.includes(`报送截止 ${DEADLINE}`), `报送截止 ${DEADLINE} (${kv})`);
      assert.match(kv, /含结转项目/, `the carried-over choice is shown (${kv})`);

      // 报送进度: a row per unit, nothing submitted yet; the total is every draft.
      const progress = await tableRows(fin, '#progress');
      const total = progress.find((r) => r[0] === '合计');
      assert.ok(total, `报送进度 has a 合计 row (${JSON.stringify(progress)})`);
      assert.equal(Number(total[1]), projects + units, '应报 in all = the drafts');
      assert.equal(Number(total[2]), 0, 'nothing submitted');
      assert.equal(Number(total[5]), projects + units, 'all missing');
      const unitRows = progress.filter((r) => r[0] !== '合计');
      assert.ok(unitRows.length > 1, 'several units');
      assert.equal(
        unitRows.reduce((n, r) => n + Number(r[1]), 0),
        projects + units,
        'the units’ 应报 add up to the total',
      );
      const own = unitRows.find((r) => r[0] === UNIT);
      assert.ok(own, `${UNIT} has drafts`);
      unitDrafts = Number(own[1]);
      assert.ok(unitDrafts > 1, `${UNIT}: a unit form and project forms (${unitDrafts})`);
      assert.equal(Number(own[5]), unitDrafts, `${UNIT}: all missing`);

      const forms = await tableRows(fin, '#round-rows');
      assert.ok(forms.length > 0, '自评表 lists the drafts');
      assert.ok(forms.every((r) => r[4] === '草稿' && r[5] === '—'), 'all drafts, not scored');

      await fin.goto('/evaluations/rounds');
      const round = (await tableRows(fin, '#round-list')).find((r) => r[1] === YEAR);
      assert.ok(round, 'the round list shows the new round');
      assert.ok(round[0].startsWith(roundName), round[0]);
      assert.equal(Number(round[3]), projects + units, '自评份数');
    });

    await step('2. the preparer opens a project draft from the to-dos: indicators and budget pre-filled', async () => {
      await login(tb, 'jyj_tb');
      assert.equal(new URL(tb.url()).pathname, '/', 'the preparer lands on the to-do page');
      const todos = tb
        .locator('main table.data a[href^="/evaluations/"]')
        .filter({ hasText: /^填报并提交绩效自评：.*（2023 年度）$/ });
      assert.equal(await todos.count(), unitDrafts, `one to-do per draft of ${UNIT}`);
      // A project's form (the unit's own overall form is named after the unit).
      const todo = todos.filter({ hasNotText: `：${UNIT}（` }).first();
      const todoText = (await todo.innerText()).trim();
      await Promise.all([tb.waitForURL(pathIs(/^\/evaluations\/\d+$/)), todo.click()]);
      await tb.waitForLoadState('load');
      evalId = new URL(tb.url()).pathname.split('/')[2];
      const h1 = (await tb.locator('main h1').innerText()).trim();
      assert.match(h1, / · 项目支出绩效自评表$/, h1);
      title = h1.replace(/ · 项目支出绩效自评表$/, '');
      assert.ok(todoText.includes(title.replace(/…$/, '').slice(0, 20)), `the to-do’s form (${todoText} / ${h1})`);
      assert.equal(await badge(tb, '#evaluation-state'), '草稿', 'a draft');
      const kv = await text(tb, 'dl.kv');
      assert.ok(kv.includes(`自评任务 ${roundName}（报送截止 ${DEADLINE}）`), `the round and its deadline (${kv})`);
      assert.ok(kv.includes(`单位 ${UNIT}`), kv);

      // 资金情况: the approved budget, 全年预算数 pre-filled with it, 全年执行数 empty.
      const budget = await tableRows(tb, '#evaluation-form table.data:not(#evaluation-rows)');
      const initial = budget.find((r) => r[0].startsWith('年度资金总额'));
      assert.ok(initial && Number(initial[1].replace(/,/g, '')) > 0, `年度资金总额 (${JSON.stringify(budget)})`);
      const budgetWan = await tb.locator('#budget_wan').inputValue();
      assert.equal(Number(budgetWan), Number(initial[1].replace(/,/g, '')), '全年预算数 pre-filled with the budget');
      assert.equal(await tb.locator('#executed_wan').inputValue(), '', '全年执行数 starts empty');

      // 绩效指标: the target's rows with 年度指标值 and 分值; nothing scored yet.
      rows = await formRows(tb);
      assert.ok(rows.length >= 3, `pre-filled indicators (${JSON.stringify(rows)})`);
      assert.ok(rows.every((r) => r.name && r.target), 'each row has a name and a 年度指标值');
      assert.ok(rows.some((r) => Number(r.weight) > 0), 'rows carry 分值');
      assert.ok(rows.every((r) => r.points === '—'), 'no points yet');
      assert.equal(await text(tb, '#fig-total'), '—', 'no total yet');

      // Only a ≥ row with a positive number can be unmet / over-achieved by a plain ratio.
      const candidates = rows
        .map((row, index) => ({ row, index, n: targetNumber(row.target) }))
        .filter((c) => !c.row.qualitative && c.row.target.startsWith('≥') && c.n > 0 && Number(c.row.weight) > 0);
      assert.ok(candidates.length >= 2, `two ≥ rows to work with (${JSON.stringify(rows)})`);
      unmet = { ...candidates[0], actual: String(Math.round(candidates[0].n * 80) / 100) }; // 80% of A
      over = { ...candidates[1], actual: String(Math.round(candidates[1].n * 150) / 100) }; // 150% of A

      // The unit's view of the round: its own unit only.
      await tb.goto(`/evaluations/rounds/${roundId}`);
      const progress = (await tableRows(tb, '#progress')).filter((r) => r[0] !== '合计');
      assert.deepEqual(progress.map((r) => r[0]), [UNIT], `the unit sees only its progress (${JSON.stringify(progress)})`);
      const forms = await tableRows(tb, '#round-rows');
      assert.equal(forms.length, unitDrafts, 'and only its forms');
      assert.ok(forms.every((r) => r[3] === UNIT), JSON.stringify(forms));
      await tb.goto(`/evaluations/${evalId}`);
    });

    await step('3. filling it: the live score shows each row’s rule, total and grade, and asks for 偏差原因; saved', async () => {
      const budgetWan = Number(await tb.locator('#budget_wan').inputValue());
      const executed = (Math.round(budgetWan * 95) / 100).toFixed(2); // 95% spent

      const checked = tb.waitForResponse(
        (r) => r.url().endsWith(`/evaluations/${evalId}/check`) && r.request().method() === 'POST',
      );
      await tb.getByLabel('全年执行数（万元）').fill(executed);
      assert.equal((await checked).status(), 200, 'the live check answers 200');
      await tb.getByLabel('实际完成情况').fill('项目按计划实施，办学条件得到改善。');
      for (const [index, row] of rows.entries()) {
        const f = (name) => tb.locator(`[name="ind.${row.seq}.${name}"]`);
        if (row.qualitative) {
          await f('actual').fill(row.target);
          await f('tier').selectOption({ label: '达成年度指标' });
        } else if (index === unmet.index) {
          await f('actual').fill(unmet.actual);
        } else if (index === over.index) {
          await f('actual').fill(over.actual);
        } else {
          const n = targetNumber(row.target);
          await f('actual').fill(n === null ? row.target : String(n)); // met exactly
        }
      }

      // The panel, as typed (the last check answers after the last keystroke).
      const label = (r) => `第 ${r.row.seq} 行“${r.row.name}”：${REASON_REQUIRED}`;
      await textUntil(
        tb,
        '#score',
        (v) => v.includes(label(unmet)) && v.includes(label(over)) && !v.includes('未填写实际完成值') && /总分 \d/.test(v),
        'asked for both 偏差原因 with every row scored',
      );
      const live = await scorePanel(tb);
      assert.deepEqual(live.problems, [], 'no field problems');
      assert.equal(live.rate, '95.00%', `预算执行率 (${live.rate})`);
      assert.equal(live.rows.length, rows.length, 'a rule per row');
      const u = live.rows[unmet.index];
      assert.match(u.text, /B\/A×W = 0\.8×\d+(\.\d+)? = \d+\.\d{2}/, `the unmet row’s rule (${u.text})`);
      assert.equal(hundredths(u.points), Math.round(Number(unmet.row.weight) * 80), `0.8 × W (${u.text})`);
      const o = live.rows[over.index];
      assert.ok(o.over, 'the over-achieved row is marked');
      assert.match(o.text, /达成 → 满分/, `the over-achieved row is met (${o.text})`);
      assert.match(o.text, /超过目标 20% 以上，须说明/, `and must be explained (${o.text})`);
      assert.equal(hundredths(o.points), hundredths(over.row.weight), 'full points');
      assert.equal(live.errors.length, 2, `exactly the two 偏差原因 are missing (${JSON.stringify(live.errors)})`);
      const sum = live.rows.reduce((n, r) => n + (hundredths(r.points) || 0), 0) + hundredths(live.exec);
      assert.equal(hundredths(live.total), sum, `总分 = the rows + 执行率得分 (${JSON.stringify(live)})`);
      assert.equal(live.grade, gradeOf(Number(live.total)), `等级 of ${live.total}`);
      overPoints = hundredths(o.points);

      await shoot(tb, 'web-self-evaluation.png');

      const status = await submit(tb, tb.locator('#evaluation-save'), pathIs(/^\/evaluations\/\d+\?done=saved$/));
      assert.equal(status, 303, '保存 redirects (the missing 偏差原因 block submission only)');
      assert.match(await flash(tb), /绩效自评已保存/, '绩效自评已保存');
      assert.equal(await tb.getByLabel('全年执行数（万元）').inputValue(), String(Number(executed)), '全年执行数 saved');
      assert.equal(
        await tb.locator(`[name="ind.${unmet.row.seq}.actual"]`).inputValue(),
        unmet.actual,
        'the unmet row’s 实际完成值 saved',
      );
      const saved = await scorePanel(tb);
      assert.equal(saved.total, live.total, 'the saved total is the live one');
      assert.equal(saved.errors.length, 2, 'the saved form still lacks two 偏差原因');
      const points = (await formRows(tb)).map((r) => r.points);
      assert.deepEqual(points, live.rows.map((r) => r.points), 'the 得分 column shows the saved points');
      savedTotal = hundredths(saved.total);
    });

    await step('4. 提交自评 is refused while 偏差原因 are missing', async () => {
      // Whoever the page offers 提交自评 to: the unit’s approver when the preparer only saves.
      if (await tb.locator('form#evaluation-submit').count()) {
        submitter = tb;
      } else {
        await login(sh, 'jyj_sh');
        await sh.goto(`/evaluations/${evalId}`);
        assert.equal(await sh.locator('form#evaluation-submit').count(), 1, 'the unit approver is offered 提交自评');
        submitter = sh;
      }
      const form = submitter.locator('form#evaluation-submit');
      const status = await submit(submitter, form.getByRole('button', { name: '提交自评' }), pathIs(/^\/evaluations\/\d+\/action$/));
      assert.ok(status >= 400 && status < 500, `提交 is refused (${status})`);
      const refused = await alerts(submitter);
      assert.match(refused, /绩效自评不完整，不能提交/, `the refusal (${refused})`);
      for (const r of [unmet, over]) {
        assert.ok(
          refused.includes(`第 ${r.index + 1} 行“${r.row.name}”：${REASON_REQUIRED}`),
          `the refusal names row ${r.index + 1} (${refused})`,
        );
      }
      assert.equal(await badge(submitter, '#evaluation-state'), '草稿', 'still a draft');
    });

    await step('5. 偏差原因 filled and saved; the unit submits', async () => {
      await tb.goto(`/evaluations/${evalId}`);
      await tb.getByLabel(`第${unmet.row.seq}行 偏差原因分析及改进措施`).fill('部分学校开学延后，受益人数未达预期；下年度加强摸底。');
      await tb.getByLabel(`第${over.row.seq}行 偏差原因分析及改进措施`).fill('年初目标设定偏保守，下年度据实调整目标值。');
      await textUntil(tb, '#score', (v) => !v.includes('须补正'), 'cleared the missing 偏差原因');
      let status = await submit(tb, tb.locator('#evaluation-save'), pathIs(/^\/evaluations\/\d+\?done=saved$/));
      assert.equal(status, 303, '保存 redirects');
      assert.equal((await scorePanel(tb)).errors.length, 0, 'nothing left to correct');
      assert.match(
        await tb.getByLabel(`第${over.row.seq}行 偏差原因分析及改进措施`).inputValue(),
        /目标设定偏保守/,
        'the 偏差原因 was saved',
      );

      await submitter.goto(`/evaluations/${evalId}`);
      const form = submitter.locator('form#evaluation-submit');
      status = await submit(submitter, form.getByRole('button', { name: '提交自评' }), pathIs(/^\/evaluations\/\d+\?done=/));
      assert.equal(status, 303, '提交 redirects');
      assert.equal(await badge(submitter, '#evaluation-state'), '单位已提交', 'state 单位已提交');
      assert.equal(await submitter.locator('#evaluation-save').count(), 0, 'a submitted form is no longer editable');
      assert.equal(await submitter.locator('form#evaluation-submit').count(), 0, 'nor submittable again');

      await fin.goto(`/evaluations/rounds/${roundId}`);
      const own = (await tableRows(fin, '#progress')).find((r) => r[0] === UNIT);
      assert.equal(Number(own[2]), 1, `${UNIT}: 已提交 1 (${own})`);
      assert.equal(Number(own[3]) + Number(own[4]), 1, `${UNIT}: on time or late, once (${own})`);
      assert.equal(Number(own[5]), unitDrafts - 1, `${UNIT}: one fewer missing (${own})`);
    });

    await step('6. finance reduces the over-achieved row (a reason required) and approves', async () => {
      await fin.goto('/');
      const todo = fin.locator(`main table.data a[href="/evaluations/${evalId}"]`);
      assert.equal(await todo.count(), 1, 'finance has the submitted form in its to-dos');
      assert.match((await todo.innerText()).trim(), /^审核绩效自评：/, 'to-do 审核绩效自评');
      await Promise.all([fin.waitForURL(pathIs(new RegExp(`^/evaluations/${evalId}$`))), todo.click()]);
      await fin.waitForLoadState('load');

      let form = fin.locator('form#evaluation-review-form');
      assert.equal(await form.locator('fieldset.cut').count(), 1, 'only the over-achieved row can be reduced');
      assert.match(await text(fin, 'form#evaluation-review-form fieldset.cut legend'), new RegExp(`第 ${over.row.seq} 行“`));
      const reduced = ((overPoints - Math.round(overPoints / 3)) / 100).toFixed(2); // a third off
      await form.getByLabel(`第${over.row.seq}行 调减后得分`).fill(reduced);
      let status = await submit(fin, form.getByRole('button', { name: '审核通过' }), pathIs(/^\/evaluations\/\d+\/action$/));
      assert.ok(status >= 400 && status < 500, `a reduction without a reason is refused (${status})`);
      assert.match(await alerts(fin), /调减得分须说明理由/, 'the refusal asks for the reason');
      assert.equal(await badge(fin, '#evaluation-state'), '单位已提交', 'not approved');

      form = fin.locator('form#evaluation-review-form');
      const why = '目标值明显偏低，超额部分不予全额计分';
      await form.getByLabel(`第${over.row.seq}行 调减后得分`).fill(reduced);
      await form.getByLabel(`第${over.row.seq}行 调减理由`).fill(why);
      await form.getByLabel(/审核意见/).fill('自评依据充分。');
      status = await submit(fin, form.getByRole('button', { name: '审核通过' }), pathIs(/^\/evaluations\/\d+\?done=/));
      assert.equal(status, 303, '审核通过 redirects');
      assert.equal(await badge(fin, '#evaluation-state'), '已通过', 'state 已通过');
      assert.equal(await fin.locator('form#evaluation-review-form').count(), 0, 'nothing left to review');

      const expected = savedTotal - (overPoints - hundredths(reduced));
      const expectedText = (expected / 100).toFixed(2);
      const expectedGrade = gradeOf(expected / 100);
      // The reduction, with its reason, on the reduced row.
      const cell = (await formRows(fin))[over.index].points;
      assert.ok(cell.includes(`审核调减为 ${reduced}（${why}）`), `the row shows the reduction (${cell})`);
      assert.match(await text(fin, '#evaluation-opinion'), /自评依据充分/, '审核意见');
      const timeline = await text(fin, 'ol.timeline');
      assert.ok(
        timeline.includes(`调减 1 项超额完成指标得分，核定总分 ${expectedText}（${expectedGrade}）`),
        `the timeline records the reduction (${timeline})`,
      );
      assert.match(await text(fin, '#evaluation-recommendation'), /2025 年预算安排建议：\S+/, '结果应用 for 2025');

      // The round counts it approved; its list (the unit's view: one page) shows the total.
      await fin.goto(`/evaluations/rounds/${roundId}`);
      const own = (await tableRows(fin, '#progress')).find((r) => r[0] === UNIT);
      assert.equal(Number(own[6]), 1, `${UNIT}: 已审核 1 (${own})`);
      await tb.goto(`/evaluations/rounds/${roundId}`);
      const row = (await tableRows(tb, '#round-rows')).find((r) => r[2] === title);
      assert.ok(row, `the round lists ${title}`);
      assert.deepEqual(row.slice(4), ['已通过', expectedText, expectedGrade], `the round lists it approved (${row})`);
      approved = { total: expectedText, grade: expectedGrade, reduced, why };
      await fin.goto(`/evaluations/${evalId}`);
    });

    await step('7. 下载自评表: the approved form as .xlsx', async () => {
      const link = fin.locator('#download-form');
      assert.equal(await link.count(), 1, 'the page links its form');
      const href = await link.getAttribute('href');
      assert.equal(href, `/evaluations/${evalId}/form.xlsx`);
      const res = await fin.request.get(href);
      assert.equal(res.status(), 200, 'the form downloads');
      assert.match(res.headers()['content-type'] ?? '', /spreadsheetml\.sheet/, 'an xlsx content type');
      const body = await res.body();
      assert.equal(body.subarray(0, 2).toString(), 'PK', 'a zip (xlsx) body');
      assert.match(res.headers()['content-disposition'] ?? '', /\.xlsx/, 'named .xlsx');
    });

    await step('8. the approved form’s 总分 and 等级 are the approved ones, the reduction included', async () => {
      // The unit sees the outcome too: the reduction and its reason on the row.
      await tb.goto(`/evaluations/${evalId}`);
      assert.equal(await badge(tb, '#evaluation-state'), '已通过', 'the unit sees 已通过');
      const cell = (await formRows(tb))[over.index].points;
      assert.ok(cell.includes(`审核调减为 ${approved.reduced}（${approved.why}）`), `the unit sees the reduction (${cell})`);
      for (const [who, page] of [['finance', fin], ['the unit', tb]]) {
        const panel = await scorePanel(page);
        assert.deepEqual(
          [panel.total, panel.grade],
          [approved.total, approved.grade],
          `${who}: the approved form’s 总分/等级 should count the reduction: ${(savedTotal / 100).toFixed(2)} − (${(overPoints / 100).toFixed(2)} − ${approved.reduced}) = ${approved.total} (${approved.grade}), as the round list and the 流程记录 say; the 得分 panel shows ${panel.total} (${panel.grade})`,
        );
      }
    });

    await step('9. 信息公开: finance publishes the approved form (2023 · 评价结果 · 未公开) with today’s date', async () => {
      await fin.goto('/');
      const nav = fin.locator('nav.sidenav a', { hasText: /^信息公开$/ });
      assert.equal(await nav.count(), 1, 'finance has 信息公开 in the navigation');
      await follow(fin, nav, pathIs(/^\/disclosures$/));
      assert.equal((await fin.locator('main h1').innerText()).trim(), '信息公开');

      await filterDisclosures(fin, { year: YEAR, kind: 'evaluation', state: 'unpublished' });
      let row = await disclosureRow(fin, evalId);
      assert.ok(row, `the approved form is listed as publishable (${JSON.stringify(await tableRows(fin, '#disclosure-rows'))})`);
      // [选择, 单位, 评价, 类型, 得分, 等级, 公开日期]
      assert.deepEqual(
        row.cells.slice(1),
        [UNIT, title, '单位自评', approved.total, approved.grade, '未公开'],
        `the row before publishing (${JSON.stringify(row)})`,
      );
      assert.ok(row.checkbox, 'it can be ticked');
      const listed = await tableRows(fin, '#disclosure-rows');
      assert.ok(listed.every((r) => r[6] === '未公开'), `only unpublished rows under 未公开 (${JSON.stringify(listed)})`);

      const before = countyToday();
      const date = fin.locator('form#publish-form input[name="date"]');
      const prefilled = await date.inputValue();
      assert.ok([before, countyToday()].includes(prefilled), `公开日期 is pre-filled with today (${prefilled}, today ${before})`);
      publishedOn = prefilled;
      await fin.locator(`form#publish-form input[type="checkbox"][name="id"][value="${evalId}"]`).check();
      await date.fill(publishedOn);
      const status = await submit(fin, fin.locator('button#publish-selected'), (u) => u.pathname === '/disclosures' && u.searchParams.has('done'));
      assert.equal(status, 303, '公开所选 redirects');
      assert.equal(await flash(fin), '已公开 1 项。', 'the flash counts one');
      const url = new URL(fin.url());
      assert.deepEqual(
        [url.searchParams.get('year'), url.searchParams.get('kind')],
        [YEAR, 'evaluation'],
        `the filter is kept (${fin.url()})`,
      );
      // Still under the same filter: if listed, it must now carry its date.
      row = await disclosureRow(fin, evalId);
      if (row) assert.equal(row.cells[6], publishedOn, `the row shows the 公开日期 (${JSON.stringify(row)})`);

      for (const state of ['published', '']) {
        await filterDisclosures(fin, { year: YEAR, kind: 'evaluation', state });
        row = await disclosureRow(fin, evalId);
        assert.ok(row, `listed under state “${state || '全部'}”`);
        assert.equal(row.cells[6], publishedOn, `state “${state || '全部'}”: the date instead of 未公开 (${JSON.stringify(row)})`);
        assert.ok(!row.checkbox, 'a published row cannot be ticked again');
      }
      const option = fin.locator(`form#unpublish-form select[name="object_id"] option[value="${evalId}"]`);
      assert.equal(await option.count(), 1, 'it can be withdrawn');
      assert.ok((await option.innerText()).includes(title), 'the withdrawal choice names it');
    });

    await step('10. the public portal (no login) lists it with its 得分 and 等级', async () => {
      pub = await s.page();
      const res = await pub.goto('/public');
      assert.equal(res.status(), 200, '/public needs no login');
      assert.equal(new URL(pub.url()).pathname, '/public', 'no redirect to the login');
      const rows = await portalEvaluations(pub);
      const row = rows.find((r) => r.href === `/public/evaluations/${evalId}`);
      assert.ok(row, `the portal lists ${title} (${JSON.stringify(rows)})`);
      assert.deepEqual(
        [row.cells[0], row.cells[1], row.cells[2], row.cells[4], row.cells[5]],
        [YEAR, UNIT, title, approved.total, approved.grade],
        `年度, 单位, 项目, 得分, 等级 (${JSON.stringify(row)})`,
      );
      await follow(pub, pub.locator(`main a[href="/public/evaluations/${evalId}"]`), pathIs(new RegExp(`^/public/evaluations/${evalId}$`)));
      const body = await text(pub);
      assert.ok(body.includes(title), 'its page names it');
      assert.ok(body.includes(approved.grade), `its page shows the grade ${approved.grade}`);
    });

    await step('11. finance withdraws it: refused without a reason, then 已撤回公开; the portal drops it', async () => {
      await fin.goto('/disclosures');
      await filterDisclosures(fin, { year: YEAR, kind: 'evaluation', state: 'published' });
      let form = fin.locator('form#unpublish-form');
      await form.locator('select[name="object_id"]').selectOption(String(evalId));
      const reason = form.locator('input[name="reason"]');
      assert.equal(await reason.inputValue(), '', 'no reason yet');
      // The browser asks for a reason first (required) …
      assert.equal(await reason.evaluate((el) => el.required && el.validity.valueMissing), true, 'the reason is required in the browser');
      // … the server too: without the attribute, an empty reason is refused.
      await reason.evaluate((el) => el.removeAttribute('required'));
      let status = await submit(fin, form.locator('button#unpublish-button'), pathIs(/^\/disclosures\/unpublish$/));
      assert.ok(status >= 400 && status < 500, `an empty reason is refused (${status})`);
      assert.match(await alerts(fin), /撤回公开须写明原因/, 'the refusal asks for the reason');

      // Spaces only pass the browser but not the server.
      form = fin.locator('form#unpublish-form');
      await form.locator('select[name="object_id"]').selectOption(String(evalId));
      await form.locator('input[name="reason"]').fill('   ');
      status = await submit(fin, form.locator('button#unpublish-button'), pathIs(/^\/disclosures\/unpublish$/));
      assert.ok(status >= 400 && status < 500, `a reason of spaces is refused (${status})`);
      assert.match(await alerts(fin), /撤回公开须写明原因/, 'the refusal asks for the reason');
      let row = await disclosureRow(fin, evalId);
      assert.ok(row && row.cells[6] === publishedOn, `still published after the refusals (${JSON.stringify(row)})`);
      await pub.goto('/public');
      assert.ok(
        (await portalEvaluations(pub)).some((r) => r.href === `/public/evaluations/${evalId}`),
        'the portal still lists it after the refusals',
      );

      form = fin.locator('form#unpublish-form');
      await form.locator('select[name="object_id"]').selectOption(String(evalId));
      await form.locator('input[name="reason"]').fill('评价报告待补充佐证材料，暂缓公开');
      status = await submit(fin, form.locator('button#unpublish-button'), (u) => u.pathname === '/disclosures' && u.searchParams.get('done') === 'withdrawn');
      assert.equal(status, 303, '撤回公开 redirects');
      assert.equal(await flash(fin), '已撤回公开。', 'the flash says withdrawn');
      await filterDisclosures(fin, { year: YEAR, kind: 'evaluation', state: '' });
      row = await disclosureRow(fin, evalId);
      assert.ok(row, 'still listed under 全部');
      assert.equal(row.cells[6], '未公开', `未公开 again (${JSON.stringify(row)})`);
      assert.ok(row.checkbox, 'and can be ticked again');
      assert.equal(
        await fin.locator(`form#unpublish-form select[name="object_id"] option[value="${evalId}"]`).count(),
        0,
        'nothing to withdraw any more',
      );

      await pub.goto('/public');
      const rows = await portalEvaluations(pub);
      assert.ok(
        !rows.some((r) => r.href === `/public/evaluations/${evalId}`),
        `the portal no longer links it (${JSON.stringify(rows)})`,
      );
      assert.ok(
        !rows.some((r) => r.cells[0] === YEAR && r.cells[1] === UNIT && r.cells[2] === title && r.cells[5] === approved.grade),
        `the portal no longer lists ${title} (${approved.grade})`,
      );
      const gone = await pub.goto(`/public/evaluations/${evalId}`);
      assert.equal(gone.status(), 404, 'its public page is gone');
    });

    await step('12. a unit user gets 403 on 信息公开 and cannot publish', async () => {
      await tb.goto('/');
      assert.equal(await tb.locator('nav.sidenav a[href="/disclosures"]').count(), 0, 'no 信息公开 in the unit’s navigation');
      const res = await tb.goto('/disclosures');
      assert.equal(res.status(), 403, 'jyj_tb: 403 on /disclosures');
      await tb.goto('/');
      const csrf = await tb.locator('meta[name="csrf-token"]').getAttribute('content');
      const post = await tb.request.post('/disclosures/publish', {
        form: { csrf, fiscal_year: YEAR, kind: 'evaluation', unit_id: '', state: '', id: String(evalId), date: publishedOn },
        maxRedirects: 0,
      });
      assert.equal(post.status(), 403, 'jyj_tb: 403 on 公开');
      // The same kind of request passes the CSRF check for finance (refused for its empty reason
      // only), so the unit's 403 is its role's.
      await fin.goto('/disclosures');
      const finCsrf = await fin.locator('meta[name="csrf-token"]').getAttribute('content');
      const control = await fin.request.post('/disclosures/unpublish', {
        form: { csrf: finCsrf, kind: 'evaluation', fiscal_year: YEAR, object_id: String(evalId), reason: '' },
        maxRedirects: 0,
      });
      assert.ok(control.status() >= 400 && control.status() < 500 && control.status() !== 403, `finance’s request is answered, not forbidden (${control.status()})`);
      assert.match(await control.text(), /撤回公开须写明原因/, 'finance’s request reaches the handler');
      await pub.goto('/public');
      assert.ok(
        !(await portalEvaluations(pub)).some((r) => r.href === `/public/evaluations/${evalId}`),
        'still not on the portal',
      );
    });

    if (failed) throw new Error(`step “${failed}” failed (see its subtest)`);
  }),
);
