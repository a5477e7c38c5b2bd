// The dashboard: three pages (the nation, a province, a commune) drawn from the API with the user's token.
// No framework and no network beyond the API; charts with ECharts, as the weekly report draws them. ECharts (0.7 MB
// of script to parse) loads beside a page's data, not before it: the page asks the API first, draws its tables when
// the answer is here and its charts once ECharts is too.

// The report's level colours (services/reporter/src/charts.ts).
const LEVEL_COLORS = { low: '#2e7d32', normal: '#1e88e5', elevated: '#f9a825', high: '#ef6c00', critical: '#c62828' };
const LEVELS = Object.keys(LEVEL_COLORS);

const TEXT = {
  vi: {
    subtitle: 'Áp lực nhân sự tại trung tâm phục vụ hành chính công cấp xã',
    week: 'Tuần',
    logout: 'Đăng xuất',
    loginTitle: 'Đăng nhập',
    loginHelp: 'Nhập mã truy cập (token) do Bộ Nội vụ cấp.',
    login: 'Đăng nhập',
    badToken: 'Mã truy cập không hợp lệ hoặc đã bị thu hồi.',
    national: 'Toàn quốc',
    communes: 'Số xã',
    required: 'Nhân sự cần',
    actual: 'Nhân sự hiện có',
    index: 'Chỉ số áp lực',
    received: 'Hồ sơ tiếp nhận',
    perLevel: 'Số xã theo mức áp lực',
    staff: 'Nhân sự cần so với hiện có',
    mostPressured: 'Các xã chịu áp lực cao nhất',
    provinces: 'Các tỉnh, thành phố',
    province: 'Tỉnh, thành phố',
    commune: 'Xã, phường',
    level: 'Mức',
    histogram: 'Phân bố chỉ số áp lực',
    trend: 'Xu hướng 12 tuần',
    provinceCommunes: 'Các xã của tỉnh',
    trends: 'Xu hướng 52 tuần',
    onTime: 'Tỷ lệ đúng hạn',
    backlog: 'Hồ sơ tồn cuối kỳ',
    explain: 'Cách tính mức áp lực',
    step: 'Bước',
    how: 'Cách tính',
    result: 'Kết quả',
    alerts: 'Cảnh báo',
    rule: 'Quy tắc',
    state: 'Trạng thái',
    since: 'Từ',
    noData: 'Không có dữ liệu trong phạm vi của bạn.',
    noAlerts: 'Không có cảnh báo.',
    levels: { low: 'thấp', normal: 'bình thường', elevated: 'tăng', high: 'cao', critical: 'nghiêm trọng' },
    locale: 'vi-VN',
  },
  en: {
    subtitle: 'Staffing pressure at commune public service centers',
    week: 'Week',
    logout: 'Sign out',
    loginTitle: 'Sign in',
    loginHelp: 'Enter the access token issued by the Ministry of Home Affairs.',
    login: 'Sign in',
    badToken: 'The token is unknown or was revoked.',
    national: 'Nationwide',
    communes: 'Communes',
    required: 'Staff required',
    actual: 'Staff in post',
    index: 'Pressure index',
    received: 'Dossiers received',
    perLevel: 'Communes per pressure level',
    staff: 'Staff required against staff in post',
    mostPressured: 'Most pressured communes',
    provinces: 'Provinces',
    province: 'Province',
    commune: 'Commune',
    level: 'Level',
    histogram: 'Distribution of the pressure index',
    trend: '12-week trend',
    provinceCommunes: 'Communes of the province',
    trends: '52-week trends',
    onTime: 'On-time rate',
    backlog: 'Open at week end',
    explain: 'How the level was computed',
    step: 'Step',
    how: 'How',
    result: 'Result',
    alerts: 'Alerts',
    rule: 'Rule',
    state: 'State',
    since: 'Since',
    noData: 'No data within your access.',
    noAlerts: 'No alerts.',
    levels: { low: 'low', normal: 'normal', elevated: 'elevated', high: 'high', critical: 'critical' },
    locale: 'en-GB',
  },
};

const state = {
  lang: localStorage.getItem('cp-lang') === 'en' ? 'en' : 'vi',
  token: sessionStorage.getItem('cp-token'),
  week: undefined,
  weeks: [],
  weeksLoaded: undefined,
  charts: [],
};
const t = (key) => TEXT[state.lang][key];
const $ = (selector) => document.querySelector(selector);

function escapeHtml(text) {
  return String(text).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );
}
const formats = new Map();
/** The number format of the language shown, made once: a page formats a few hundred numbers. */
function numberFormat(digits) {
  const key = `${t('locale')} ${digits}`;
  if (!formats.has(key)) {
    formats.set(
      key,
      new Intl.NumberFormat(t('locale'), { maximumFractionDigits: digits, minimumFractionDigits: digits }),
    );
  }
  return formats.get(key);
}
function number(value, digits = 0) {
  if (value === null || value === undefined) return '—';
  return numberFormat(digits).format(value);
}
function levelBadge(level) {
  if (!level) return '—';
  return `<span class="level" style="background:${LEVEL_COLORS[level]}" data-level="${level}">${escapeHtml(t('levels')[level])}</span>`;
}

class Unauthorized extends Error {}

async function api(path) {
  const response = await fetch(path, { headers: { authorization: `Bearer ${state.token}` } });
  if (response.status === 401) throw new Unauthorized();
  if (response.status === 404) return null;
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    throw new Error(problem.detail ?? `HTTP ${response.status}`);
  }
  return response.json();
}

let echartsLoaded;
/** ECharts, loaded once (the page preloads it); resolves when it can draw. */
function echartsReady() {
  echartsLoaded ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = '/vendor/echarts.min.js';
    script.onload = resolve;
    script.onerror = () => reject(new Error('ECharts could not be loaded'));
    document.head.append(script);
  });
  return echartsLoaded;
}

function chart(element, option) {
  const instance = echarts.init(element, null, { renderer: 'svg' });
  instance.setOption({ animation: false, textStyle: { fontFamily: 'Noto Sans, DejaVu Sans, sans-serif' }, ...option });
  state.charts.push(instance);
  return instance;
}

function levelBars(element, counts) {
  chart(element, {
    grid: { left: 40, right: 10, top: 20, bottom: 30 },
    xAxis: { type: 'category', data: LEVELS.map((level) => t('levels')[level]) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      {
        type: 'bar',
        label: { show: true, position: 'top' },
        data: LEVELS.map((level) => ({ value: counts[level] ?? 0, itemStyle: { color: LEVEL_COLORS[level] } })),
      },
    ],
  });
}

function lines(element, labels, series) {
  chart(element, {
    legend: { bottom: 0 },
    grid: { left: 50, right: 50, top: 20, bottom: 50 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: labels },
    yAxis: [{ type: 'value' }, { type: 'value', splitLine: { show: false } }],
    series: series.map((s) => ({
      type: 'line',
      connectNulls: false,
      symbolSize: 4,
      yAxisIndex: s.right ? 1 : 0,
      ...s,
    })),
  });
}

function communeLink(row) {
  return `<a href="#/commune/${row.commune_code}" data-testid="commune-link">${escapeHtml(row.commune_name)}</a>`;
}

function communeTable(rows, testid) {
  if (rows.length === 0) return `<p class="empty">${t('noData')}</p>`;
  return `<table data-testid="${testid}"><thead><tr><th>${t('commune')}</th><th>${t('province')}</th><th class="num">${t('index')}</th><th>${t('level')}</th><th class="num">${t('required')}</th><th class="num">${t('actual')}</th><th class="num">${t('received')}</th></tr></thead><tbody>${rows
    .map(
      (row) =>
        `<tr data-commune="${row.commune_code}"><td>${communeLink(row)}</td><td><a href="#/province/${row.province_code}">${escapeHtml(row.province_name)}</a></td><td class="num" data-field="pressure_index">${number(row.pressure_index, 2)}</td><td>${levelBadge(row.level)}</td><td class="num">${number(row.required_fte, 1)}</td><td class="num">${number(row.actual_fte, 1)}</td><td class="num">${number(row.received)}</td></tr>`,
    )
    .join('')}</tbody></table>`;
}

function card(label, value, field) {
  return `<div class="card"><div class="label">${label}</div><div class="value" data-field="${field}">${value}</div></div>`;
}

/** `week=…&` for the week picked, or nothing: the API then answers for the latest week. */
const weekParam = () => (state.week ? `week=${state.week}&` : '');

async function nationalPage(page) {
  // The national picture, its provinces and the weeks for the picker: one request.
  const overview = await api(`/api/v1/overview?${weekParam()}top=10`);
  if (state.weeksLoaded === undefined) {
    state.weeksLoaded = overview === null ? loadWeeks() : Promise.resolve(showWeeks(overview.weeks.items));
  }
  if (overview === null) {
    page.innerHTML = `<h1>${t('national')}</h1><p class="empty">${t('noData')}</p>`;
    return;
  }
  const { national: summary, provinces } = overview;
  page.innerHTML = `<h1 data-testid="title">${t('national')} · ${escapeHtml(summary.week)}</h1>
<div class="cards">${card(t('communes'), number(summary.communes), 'communes')}${card(t('required'), number(summary.required_fte, 1), 'required_fte')}${card(t('actual'), number(summary.actual_fte, 1), 'actual_fte')}${card(t('index'), number(summary.pressure_index, 2), 'pressure_index')}${card(t('received'), number(summary.received), 'received')}</div>
<div class="grid"><div class="panel"><h2>${t('perLevel')}</h2><div class="chart" id="chart-levels" data-testid="chart-levels"></div></div>
<div class="panel"><h2>${t('staff')}</h2><div class="chart" id="chart-staff" data-testid="chart-staff"></div></div></div>
<h2>${t('mostPressured')}</h2>${communeTable(summary.most_pressured, 'most-pressured')}
<h2>${t('provinces')}</h2><table data-testid="provinces"><thead><tr><th>${t('province')}</th><th class="num">${t('communes')}</th><th class="num">${t('index')}</th><th>${t('level')}</th><th class="num">${t('required')}</th><th class="num">${t('actual')}</th></tr></thead><tbody>${provinces.items
    .map(
      (row) =>
        `<tr data-province="${row.province_code}"><td><a href="#/province/${row.province_code}" data-testid="province-link">${escapeHtml(row.province_name)}</a></td><td class="num">${number(row.communes)}</td><td class="num" data-field="pressure_index">${number(row.pressure_index, 2)}</td><td>${levelBadge(row.level)}</td><td class="num">${number(row.required_fte, 1)}</td><td class="num">${number(row.actual_fte, 1)}</td></tr>`,
    )
    .join('')}</tbody></table>`;
  await echartsReady();
  levelBars($('#chart-levels'), summary.levels);
  const top = provinces.items.slice().sort((a, b) => (b.required_fte ?? 0) - (a.required_fte ?? 0));
  chart($('#chart-staff'), {
    legend: { bottom: 0 },
    grid: { left: 50, right: 10, top: 20, bottom: 60 },
    xAxis: { type: 'category', data: top.map((row) => row.province_name), axisLabel: { rotate: 40, fontSize: 9 } },
    yAxis: { type: 'value' },
    series: [
      { name: t('required'), type: 'bar', data: top.map((row) => row.required_fte), itemStyle: { color: '#c62828' } },
      { name: t('actual'), type: 'bar', data: top.map((row) => row.actual_fte), itemStyle: { color: '#1565c0' } },
    ],
  });
}

async function provincePage(page, code) {
  const recent = (await state.weeksLoaded).slice(0, 12).reverse();
  const [communes, ...trend] = await Promise.all([
    api(`/api/v1/communes?${weekParam()}province=${code}&page_size=500`),
    ...recent.map((week) => api(`/api/v1/provinces?week=${week.week}`)),
  ]);
  const rows = communes?.items ?? [];
  const mine = trend.map((answer) => answer?.items.find((row) => row.province_code === code));
  const current = mine.at(-1);
  if (rows.length === 0 || current === undefined) {
    page.innerHTML = `<div class="crumbs"><a href="#/">${t('national')}</a></div><p class="empty" data-testid="no-data">${t('noData')}</p>`;
    return;
  }
  page.innerHTML = `<div class="crumbs"><a href="#/">${t('national')}</a></div>
<h1 data-testid="title">${escapeHtml(current.province_name)} · ${escapeHtml(communes.week)}</h1>
<div class="cards">${card(t('communes'), number(current.communes), 'communes')}${card(t('index'), number(current.pressure_index, 2), 'pressure_index')}${card(t('required'), number(current.required_fte, 1), 'required_fte')}${card(t('actual'), number(current.actual_fte, 1), 'actual_fte')}</div>
<div class="grid"><div class="panel"><h2>${t('perLevel')}</h2><div class="chart" id="chart-levels" data-testid="chart-levels"></div></div>
<div class="panel"><h2>${t('histogram')}</h2><div class="chart" id="chart-histogram" data-testid="chart-histogram"></div></div>
<div class="panel"><h2>${t('trend')}</h2><div class="chart" id="chart-trend" data-testid="chart-trend"></div></div></div>
<h2>${t('provinceCommunes')}</h2>${communeTable(rows, 'province-communes')}`;
  await echartsReady();
  levelBars($('#chart-levels'), current.levels);
  const bins = Array.from({ length: 25 }, (_, i) => i / 10);
  const counts = bins.map(
    (low) =>
      rows.filter((row) => row.pressure_index !== null && row.pressure_index >= low && row.pressure_index < low + 0.1)
        .length,
  );
  chart($('#chart-histogram'), {
    grid: { left: 40, right: 10, top: 20, bottom: 30 },
    xAxis: { type: 'category', data: bins.map((low) => number(low, 1)) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'bar', data: counts, itemStyle: { color: '#1565c0' } }],
  });
  lines(
    $('#chart-trend'),
    recent.map((week) => week.week),
    [
      { name: t('index'), data: mine.map((row) => row?.pressure_index ?? null) },
      { name: t('received'), data: mine.map((row) => row?.received ?? null), right: true },
    ],
  );
}

async function communePage(page, code) {
  const [history, explanation, alerts] = await Promise.all([
    api(`/api/v1/communes/${code}/history?${weekParam()}weeks=52`),
    api(`/api/v1/communes/${code}/explain?${weekParam()}`),
    api(`/api/v1/alerts?commune=${code}&state=all`),
  ]);
  if (history === null) {
    page.innerHTML = `<div class="crumbs"><a href="#/">${t('national')}</a></div><p class="empty" data-testid="no-data">${t('noData')}</p>`;
    return;
  }
  const last = history.weeks.at(-1);
  page.innerHTML = `<div class="crumbs"><a href="#/">${t('national')}</a> › <a href="#/province/${history.province_code}" data-testid="province-crumb">${escapeHtml(history.province_name)}</a></div>
<h1 data-testid="title">${escapeHtml(history.commune_name)} (${history.commune_code}) · ${escapeHtml(last.week)}</h1>
<div class="cards">${card(t('index'), number(last.pressure_index, 2), 'pressure_index')}${card(t('level'), levelBadge(last.level), 'level')}${card(t('received'), number(last.received), 'received')}${card(t('onTime'), last.on_time_rate === null ? '—' : `${number(last.on_time_rate * 100, 1)} %`, 'on_time_rate')}${card(t('backlog'), number(last.open_end), 'open_end')}</div>
<div class="grid"><div class="panel"><h2>${t('received')} · ${t('backlog')}</h2><div class="chart" id="chart-volume" data-testid="chart-volume"></div></div>
<div class="panel"><h2>${t('index')} · ${t('onTime')}</h2><div class="chart" id="chart-pressure" data-testid="chart-pressure"></div></div></div>
<h2>${t('explain')}</h2>${
    explanation === null
      ? `<p class="empty">${t('noData')}</p>`
      : `<table data-testid="explain"><thead><tr><th>${t('step')}</th><th>${t('how')}</th><th class="num">${t('result')}</th></tr></thead><tbody>${explanation.steps
          .map(
            (step) =>
              `<tr><td>${escapeHtml(step.step)}</td><td>${escapeHtml(step.formula)}</td><td class="num">${typeof step.value === 'number' ? number(step.value, 3) : escapeHtml(typeof step.value === 'string' ? step.value : JSON.stringify(step.value))}</td></tr>`,
          )
          .join('')}</tbody></table>`
  }
<h2>${t('alerts')}</h2>${
    alerts.items.length === 0
      ? `<p class="empty">${t('noAlerts')}</p>`
      : `<table data-testid="alerts"><thead><tr><th>${t('rule')}</th><th>${t('level')}</th><th>${t('state')}</th><th>${t('since')}</th></tr></thead><tbody>${alerts.items
          .map(
            (alert) =>
              `<tr><td>${escapeHtml(alert.rule)}</td><td>${escapeHtml(alert.level)}</td><td>${escapeHtml(alert.state)}</td><td>${escapeHtml((alert.fired_at ?? '').slice(0, 10))}</td></tr>`,
          )
          .join('')}</tbody></table>`
  }`;
  await echartsReady();
  const labels = history.weeks.map((week) => week.week);
  lines($('#chart-volume'), labels, [
    { name: t('received'), data: history.weeks.map((week) => week.received) },
    { name: t('backlog'), data: history.weeks.map((week) => week.open_end) },
  ]);
  lines($('#chart-pressure'), labels, [
    { name: t('index'), data: history.weeks.map((week) => week.pressure_index) },
    {
      name: t('onTime'),
      data: history.weeks.map((week) => (week.on_time_rate === null ? null : week.on_time_rate * 100)),
      right: true,
    },
  ]);
}

function showWeeks(weeks) {
  state.weeks = weeks;
  const picker = $('#week-picker');
  picker.innerHTML = weeks.map((week) => `<option value="${week.week}">${week.week}</option>`).join('');
  picker.value = state.week ?? weeks[0]?.week ?? '';
  return weeks;
}
const loadWeeks = () => api('/api/v1/weeks').then((answer) => showWeeks(answer.items));

function translateStatic() {
  document.documentElement.lang = state.lang;
  for (const element of document.querySelectorAll('[data-i18n]')) element.textContent = t(element.dataset.i18n);
  $('#lang').textContent = state.lang === 'vi' ? 'EN' : 'VI';
}

async function render() {
  document.body.dataset.ready = 'false';
  for (const instance of state.charts.splice(0)) instance.dispose();
  translateStatic();
  const page = $('#page');
  if (!state.token) {
    $('#login').hidden = false;
    $('#logout').hidden = true;
    page.innerHTML = '';
    document.body.dataset.ready = 'true';
    return;
  }
  $('#login').hidden = true;
  $('#logout').hidden = false;
  try {
    const [, kind, code] = /^#\/(province|commune)\/(\d+)$/.exec(location.hash) ?? [];
    // The weeks for the picker load beside the page, which asks for the latest week until one is picked (the
    // national page's answer holds them).
    if (state.weeksLoaded === undefined && kind !== undefined) state.weeksLoaded = loadWeeks();
    if (kind === 'province') await provincePage(page, code);
    else if (kind === 'commune') await communePage(page, code);
    else await nationalPage(page);
    await state.weeksLoaded;
  } catch (error) {
    if (error instanceof Unauthorized) {
      sessionStorage.removeItem('cp-token');
      state.token = null;
      state.weeksLoaded = undefined;
      $('#login-error').textContent = t('badToken');
      return render();
    }
    page.innerHTML = `<p class="error">${escapeHtml(error.message)}</p>`;
  }
  document.body.dataset.ready = 'true';
}

$('#login').addEventListener('submit', (event) => {
  event.preventDefault();
  state.token = $('#token').value.trim();
  sessionStorage.setItem('cp-token', state.token);
  $('#login-error').textContent = '';
  render();
});
$('#logout').addEventListener('click', () => {
  sessionStorage.removeItem('cp-token');
  state.token = null;
  state.weeksLoaded = undefined;
  render();
});
$('#lang').addEventListener('click', () => {
  state.lang = state.lang === 'vi' ? 'en' : 'vi';
  localStorage.setItem('cp-lang', state.lang);
  render();
});
$('#week-picker').addEventListener('change', (event) => {
  state.week = event.target.value;
  render();
});
window.addEventListener('hashchange', render);
window.addEventListener('resize', () => {
  for (const instance of state.charts) instance.resize();
});
render();
// While the first page's answer is on its way: ECharts, and the number formats (a fresh page's first one costs the
// browser tens of milliseconds).
echartsReady();
for (const digits of [0, 1, 2]) numberFormat(digits);
