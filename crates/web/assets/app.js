/*
 * Jixiao 积效 — page behaviour. The CSP allows no inline script, so every bit of JavaScript
 * lives in this file. Load order (all `defer`, which keeps the order):
 *   /assets/vendor/htmx.min.js, /assets/vendor/echarts.common.min.js (pages with charts only),
 *   /assets/app.js
 *
 * 1. htmx: the CSRF token of <meta name="csrf-token" content="…"> goes out as the
 *    X-CSRF-Token header of every htmx request; settings that a strict CSP needs; a notice
 *    when a request fails.
 * 2. Charts: <div data-chart="/dashboard/charts/grades.json"> (same-origin URL of an ECharts
 *    option as JSON) or <div data-chart-json='{"series":…}'> (the option inline, escaped by the
 *    template) is drawn with ECharts, also inside content that htmx swaps in; charts follow the
 *    window size and are disposed when htmx removes them.
 * 3. [data-confirm="确定退回？"] on a button, link or form asks window.confirm() first.
 * 4. <input data-indicator-search="/indicators/search" data-results="…"> lists matching
 *    indicator library entries while typing (the proposal form shows similar entries so that
 *    units do not propose duplicates).
 * 5. Target forms: [data-add-row] adds an indicator row; an indicator name field with
 *    [data-indicator-search] and a `list` (datalist) looks names up in the library and fills
 *    the row from the chosen entry.
 *
 * No external URL anywhere; plain ES2017 for the browsers of 信创 desktops.
 */
(function () {
  'use strict';

  // ------------------------------------------------------------------ helpers

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute('content') || '' : '';
  }

  /** The URL resolved against the page, or null when it points to another origin. */
  function sameOriginUrl(raw) {
    var url;
    try {
      url = new URL(raw, window.location.href);
    } catch (e) {
      return null;
    }
    return url.origin === window.location.origin ? url : null;
  }

  function onReady(fn) {
    if (document.readyState === 'loading') {
      document.addEventListener('DOMContentLoaded', fn);
    } else {
      fn();
    }
  }

  // ------------------------------------------------------------------ notice

  var noticeTimer = null;

  /** A dismissable message in the lower right corner; text only, never HTML. */
  function showNotice(text) {
    var box = document.getElementById('jx-notice');
    if (!box) {
      box = document.createElement('div');
      box.id = 'jx-notice';
      box.setAttribute('role', 'alert');
      var msg = document.createElement('span');
      msg.className = 'msg';
      var close = document.createElement('button');
      close.type = 'button';
      close.setAttribute('aria-label', '关闭');
      close.textContent = '×';
      close.addEventListener('click', function () { box.hidden = true; });
      box.appendChild(msg);
      box.appendChild(close);
      document.body.appendChild(box);
    }
    box.querySelector('.msg').textContent = text;
    box.hidden = false;
    if (noticeTimer) { clearTimeout(noticeTimer); }
    noticeTimer = setTimeout(function () { box.hidden = true; }, 10000);
  }

  var STATUS_TEXT = {
    400: '提交的内容有误，请检查后重试',
    401: '登录已超时，请重新登录',
    403: '没有权限执行此操作',
    404: '未找到要访问的内容',
    409: '数据已被他人修改，请刷新页面后重试',
    413: '上传的文件过大',
    422: '提交的内容未通过校验',
    429: '操作过于频繁，请稍后再试'
  };

  function failureText(xhr) {
    var status = xhr ? xhr.status : 0;
    var type = xhr ? (xhr.getResponseHeader('Content-Type') || '') : '';
    var body = xhr && typeof xhr.responseText === 'string' ? xhr.responseText.trim() : '';
    // A short plain-text answer from our server is already a message for the user.
    if (type.indexOf('text/plain') === 0 && body && body.length <= 300) {
      return body;
    }
    if (STATUS_TEXT[status]) { return STATUS_TEXT[status]; }
    if (status >= 500) { return '服务器内部错误，请稍后重试或联系系统管理员'; }
    return '请求失败（' + status + '），请稍后重试';
  }

  // -------------------------------------------------------------------- htmx

  // Set at once, not on DOMContentLoaded: htmx (loaded just before this file) reads its config
  // in its own DOMContentLoaded handler, which would run before ours. Listeners go on the
  // document (htmx events bubble), so this file may also sit in <head> without `defer`.
  if (typeof window.htmx !== 'undefined') {
    var cfg = window.htmx.config;
    // htmx would add its indicator styles as an inline <style>; app.css has them instead.
    cfg.includeIndicatorStyles = false;
    // No eval: hx-on, `js:` values and event filters need 'unsafe-eval', which the CSP refuses.
    cfg.allowEval = false;
    // Scripts in swapped content never run (the CSP would block inline ones anyway).
    cfg.allowScriptTags = false;
    // Only our own server, whatever an attribute says.
    cfg.selfRequestsOnly = true;
    // Back/forward reloads the page from the server: lists show current states, and no copy
    // of finance pages is kept in the browser's storage.
    cfg.historyCacheSize = 0;
    cfg.refreshOnHistoryMiss = true;
  }

  document.addEventListener('htmx:configRequest', function (evt) {
    var detail = evt.detail;
    // Never hand the token to another origin (selfRequestsOnly already refuses those).
    if (!sameOriginUrl(detail.path)) { return; }
    var token = csrfToken();
    if (token) {
      detail.headers['X-CSRF-Token'] = token;
    }
  });

  document.addEventListener('htmx:responseError', function (evt) {
    showNotice(failureText(evt.detail.xhr));
  });
  document.addEventListener('htmx:sendError', function () {
    showNotice('无法连接服务器，请检查网络后重试');
  });
  document.addEventListener('htmx:timeout', function () {
    showNotice('服务器响应超时，请稍后重试');
  });

  // Charts inside content that htmx swaps in; htmx also fires this once for <body> at start.
  document.addEventListener('htmx:load', function (evt) { drawCharts(evt.target); });
  // Free the chart of an element that htmx removes.
  document.addEventListener('htmx:beforeCleanupElement', function (evt) {
    disposeChart(evt.target);
  });

  // ------------------------------------------------------------------ charts

  var CHART_SELECTOR = '[data-chart], [data-chart-json]';
  var charted = [];

  function chartFailed(el, text) {
    el.removeAttribute('aria-busy');
    el.classList.add('chart-error');
    el.textContent = text;
  }

  function render(el, option) {
    if (typeof window.echarts === 'undefined') {
      chartFailed(el, '图表组件未加载');
      return;
    }
    var existing = window.echarts.getInstanceByDom(el);
    if (existing) { existing.dispose(); }
    el.removeAttribute('aria-busy');
    el.classList.remove('chart-error');
    var chart = window.echarts.init(el, null, { renderer: 'canvas', locale: 'ZH' });
    chart.setOption(option);
    if (charted.indexOf(el) < 0) { charted.push(el); }
  }

  function drawChart(el) {
    if (el.getAttribute('data-chart-state') === 'done') { return; }
    el.setAttribute('data-chart-state', 'done');

    var inline = el.getAttribute('data-chart-json');
    if (inline !== null) {
      var option;
      try {
        option = JSON.parse(inline);
      } catch (e) {
        chartFailed(el, '图表数据格式错误');
        return;
      }
      render(el, option);
      return;
    }

    var url = sameOriginUrl(el.getAttribute('data-chart') || '');
    if (!url) {
      chartFailed(el, '图表地址无效');
      return;
    }
    el.setAttribute('aria-busy', 'true');
    fetch(url.href, {
      method: 'GET',
      credentials: 'same-origin', // the session cookie goes along; the URL is same-origin
      headers: { 'Accept': 'application/json' },
      cache: 'no-cache'
    }).then(function (res) {
      if (!res.ok) { throw new Error(String(res.status)); }
      return res.json();
    }).then(function (option) {
      render(el, option);
    }).catch(function () {
      chartFailed(el, '图表加载失败，请刷新页面重试');
    });
  }

  function drawCharts(root) {
    var scope = root || document;
    if (scope.matches && scope.matches(CHART_SELECTOR)) { drawChart(scope); }
    if (!scope.querySelectorAll) { return; }
    var els = scope.querySelectorAll(CHART_SELECTOR);
    for (var i = 0; i < els.length; i++) { drawChart(els[i]); }
  }

  function disposeChart(el) {
    if (!el || typeof window.echarts === 'undefined') { return; }
    var chart = window.echarts.getInstanceByDom(el);
    if (chart) { chart.dispose(); }
    var i = charted.indexOf(el);
    if (i >= 0) { charted.splice(i, 1); }
  }

  function resizeCharts() {
    if (typeof window.echarts === 'undefined') { return; }
    charted = charted.filter(function (el) {
      if (!document.documentElement.contains(el)) {
        disposeChart(el);
        return false;
      }
      var chart = window.echarts.getInstanceByDom(el);
      if (chart) { chart.resize(); }
      return true;
    });
  }

  var resizeTimer = null;
  window.addEventListener('resize', function () {
    if (resizeTimer) { clearTimeout(resizeTimer); }
    resizeTimer = setTimeout(resizeCharts, 150);
  });
  // Redraw at paper width before printing and back afterwards.
  window.addEventListener('beforeprint', resizeCharts);
  window.addEventListener('afterprint', resizeCharts);

  // ----------------------------------------------------------------- confirm

  var DEFAULT_CONFIRM = '确定要执行此操作吗？';

  function confirmText(el) {
    var text = el.getAttribute('data-confirm');
    return text && text.trim() ? text : DEFAULT_CONFIRM;
  }

  // Capture phase on the document: runs before htmx's own listeners on the element, so a
  // "取消" also stops hx-post buttons and htmx-boosted forms.
  document.addEventListener('click', function (evt) {
    var el = evt.target && evt.target.closest ? evt.target.closest('[data-confirm]') : null;
    if (!el || el.tagName === 'FORM') { return; }
    if (el.disabled || el.getAttribute('aria-disabled') === 'true') { return; }
    if (!window.confirm(confirmText(el))) {
      evt.preventDefault();
      evt.stopImmediatePropagation();
    }
  }, true);

  // A form with data-confirm asks on submit (covers Enter in a field, too). A form submitted
  // from a button that already asked is not asked twice.
  document.addEventListener('submit', function (evt) {
    var form = evt.target;
    if (!form || form.tagName !== 'FORM' || !form.hasAttribute('data-confirm')) { return; }
    var submitter = evt.submitter;
    if (submitter && submitter.hasAttribute('data-confirm')) { return; }
    if (!window.confirm(confirmText(form))) {
      evt.preventDefault();
      evt.stopImmediatePropagation();
    }
  }, true);

  // --------------------------------------------------------- indicator picker

  // <input data-indicator-search="/indicators/search" data-results="id-of-a-ul"> lists, as the
  // user types, the library entries matching the text (name or pinyin initials); each item is
  // text only. Choosing one dispatches `jx:indicator` with the entry on the input, for forms
  // that fill their fields from it.
  var pickerTimer = null;

  function showEntries(input, list, entries) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    entries.forEach(function (e) {
      var li = document.createElement('li');
      var unit = e.unit_of_measure ? '（' + e.unit_of_measure + '）' : '';
      li.textContent = e.level1 + ' / ' + e.level2 + ' / ' + e.name + ' ' + e.sign + unit +
        (e.status === 'proposed' ? ' · 待审核' : '');
      li.title = e.definition || '';
      li.tabIndex = 0;
      li.addEventListener('click', function () {
        input.dispatchEvent(new CustomEvent('jx:indicator', { detail: e, bubbles: true }));
      });
      list.appendChild(li);
    });
    list.hidden = entries.length === 0;
  }

  document.addEventListener('input', function (evt) {
    var input = evt.target;
    if (!input || !input.hasAttribute || !input.hasAttribute('data-indicator-search')) { return; }
    var list = document.getElementById(input.getAttribute('data-results') || '');
    var url = sameOriginUrl(input.getAttribute('data-indicator-search'));
    if (!list || !url) { return; }
    clearTimeout(pickerTimer);
    var text = input.value.trim();
    if (text.length < 2) { showEntries(input, list, []); return; }
    pickerTimer = setTimeout(function () {
      url.searchParams.set('q', text);
      fetch(url.toString(), { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then(function (res) { return res.ok ? res.json() : []; })
        .then(function (entries) { showEntries(input, list, entries); })
        .catch(function () { showEntries(input, list, []); });
    }, 250);
  });

  // ------------------------------------------------------- target indicator rows

  // [data-add-row="#table"]: appends a blank indicator row, a copy of the table's last row with
  // the next index in every `ind.N.` name.
  document.addEventListener('click', function (evt) {
    var btn = evt.target && evt.target.closest ? evt.target.closest('[data-add-row]') : null;
    if (!btn) { return; }
    var table = document.querySelector(btn.getAttribute('data-add-row'));
    if (!table || !table.tBodies.length) { return; }
    var body = table.tBodies[0];
    var last = body.rows[body.rows.length - 1];
    if (!last) { return; }
    var max = -1;
    Array.prototype.forEach.call(body.querySelectorAll('[name^="ind."]'), function (el) {
      var n = parseInt(el.name.split('.')[1], 10);
      if (n > max) { max = n; }
    });
    var row = last.cloneNode(true);
    Array.prototype.forEach.call(row.querySelectorAll('[name^="ind."]'), function (el) {
      var parts = el.name.split('.');
      el.name = 'ind.' + (max + 1) + '.' + parts.slice(2).join('.');
      if (el.type === 'checkbox') { el.checked = false; } else { el.value = ''; }
    });
    body.appendChild(row);
    var first = row.querySelector('select, input');
    if (first) { first.focus(); }
  });

  // [data-indicator-search]: the level-3 name field looks the library up as the user types
  // (name or pinyin initials) and, when a library entry is chosen, fills the row from it.
  var libraryHits = {};
  var searchTimer = null;

  function rowField(input, name) {
    var row = input.closest('tr');
    if (!row) { return null; }
    var prefix = input.name.split('.').slice(0, 2).join('.');
    return row.querySelector('[name="' + prefix + '.' + name + '"]');
  }

  function fillFromLibrary(input) {
    var hit = libraryHits[input.value];
    var id = rowField(input, 'library_id');
    if (!hit) {
      if (id) { id.value = ''; }
      return;
    }
    var set = function (name, value) {
      var el = rowField(input, name);
      if (el && value !== undefined && value !== null) { el.value = value; }
    };
    set('library_id', hit.id);
    set('level1', hit.level1);
    set('level2', hit.level2);
    set('sign', hit.sign);
    set('unit_of_measure', hit.unit_of_measure);
    var basis = rowField(input, 'basis');
    if (basis && !basis.value) { basis.value = hit.basis || ''; }
  }

  document.addEventListener('input', function (evt) {
    var input = evt.target;
    if (!input || !input.hasAttribute || !input.hasAttribute('data-indicator-search') ||
        !input.hasAttribute('list')) { return; }
    fillFromLibrary(input);
    var q = input.value.trim();
    if (searchTimer) { clearTimeout(searchTimer); }
    if (!q) { return; }
    searchTimer = setTimeout(function () {
      var list = document.getElementById(input.getAttribute('list'));
      if (!list || !window.fetch) { return; }
      fetch('/indicators/search?q=' + encodeURIComponent(q), {
        credentials: 'same-origin', headers: { 'Accept': 'application/json' }
      }).then(function (res) {
        return res.ok ? res.json() : [];
      }).then(function (hits) {
        while (list.firstChild) { list.removeChild(list.firstChild); }
        (hits || []).forEach(function (h) {
          libraryHits[h.name] = h;
          var opt = document.createElement('option');
          opt.value = h.name;
          opt.label = h.level1 + ' / ' + h.level2 + (h.unit_of_measure ? ' · ' + h.unit_of_measure : '');
          list.appendChild(opt);
        });
        fillFromLibrary(input);
      }).catch(function () { /* the picker is a convenience; typing still works */ });
    }, 250);
  });

  // -------------------------------------------------------------------- start

  // Without htmx, draw the page's charts here; with it, its htmx:load for <body> does.
  if (typeof window.htmx === 'undefined') {
    onReady(function () { drawCharts(document); });
  }
})();
