import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  communes,
  formatDay,
  isoWeekLabel,
  provinceByCode,
  provinces,
  vnDayNumber,
  weekPeriod,
} from '@commune-pulse/reference-data';
import {
  type Browser,
  formatter,
  type GeneratedReport,
  generateReport,
  launchChromium,
  type PdfRenderer,
  pdfRenderer,
  reportFiles,
} from '@commune-pulse/reporter';
import { createLogger } from '@commune-pulse/runtime';
import { openWarehouse, type Warehouse } from '@commune-pulse/warehouse';
import { PRESSURE_LEVELS } from '@commune-pulse/workload';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  distinctColours,
  pdfPages,
  pdfText,
  readReportCsv,
  type SimulatedWeeks,
  simulateWarehouse,
} from './support.ts';

// Every 20th commune of the registry: communes in nearly every province, at a third of their usual volume,
// with a few invalid lines and late deliveries so that data quality has something to count.
const SAMPLE = communes()
  .filter((_, i) => i % 20 === 0)
  .map((commune) => commune.code);
const vi = formatter('vi');
const en = formatter('en');

let root: string;
let warehouse: Warehouse;
let pdf: PdfRenderer;
let browser: Browser;
let simulated: SimulatedWeeks;
let national: GeneratedReport;
let province: GeneratedReport;
let provinceCode: string;
let alertCommune: string;

const csvOf = (report: GeneratedReport, table: string) => {
  const file = report.csv.find((entry) => entry.table === table);
  if (!file) throw new Error(`no CSV for table ${table}`);
  return readReportCsv(file.path);
};
const num = (text: string | undefined) => (text === undefined || text === '' ? null : Number(text));

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'cp-report-'));
  const dataDir = join(root, 'warehouse');
  simulated = await simulateWarehouse(dataDir, {
    communeCodes: SAMPLE,
    scale: 0.3,
    weeksBefore: 2,
    faults: { invalid: 0.004, late: 0.01 },
  });
  warehouse = await openWarehouse({ dataDir });
  const period = weekPeriod(simulated.week);
  // One alert fired in the week, through the alerting service's own history table.
  const [top] = await warehouse.query<{ commune_code: string; province_code: string; pressure_index: number }>(
    `SELECT commune_code, province_code, pressure_index FROM pressure_indicators
     WHERE period_kind = 'week' AND period_start = {week:Date} AND pressure_index IS NOT NULL
     ORDER BY pressure_index DESC LIMIT 1`,
    { week: period.startDay },
  );
  if (!top) throw new Error('the simulation produced no pressure index');
  alertCommune = top.commune_code;
  provinceCode = top.province_code;
  const firedAt = new Date(period.startMs + 3 * 86_400_000).toISOString();
  await warehouse.insert('alert_transitions', [
    {
      transition_id: 't1',
      alert_id: 'a1',
      rule: 'critical_overload',
      level: 'critical',
      commune_code: top.commune_code,
      province_code: top.province_code,
      episode: 1,
      episode_start: period.startDay,
      from_state: 'pending',
      to_state: 'firing',
      period_kind: 'rolling7d',
      period_start: period.startDay,
      window_end: firedAt,
      value: top.pressure_index,
      threshold: 1.5,
      figures: '{}',
      run_id: 'test',
      at: firedAt,
      recorded_at: firedAt,
    },
  ]);
  pdf = pdfRenderer();
  const dependencies = { warehouse, pdf, logger: createLogger('test', 'silent') };
  national = await generateReport(dependencies, {
    week: simulated.week,
    lang: 'vi',
    outDir: join(root, 'reports'),
    trigger: 'test',
  });
  province = await generateReport(dependencies, {
    week: simulated.week,
    provinceCode,
    lang: 'en',
    outDir: join(root, 'reports'),
    trigger: 'test',
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await pdf?.close();
  await warehouse?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('the weekly report in headless Chromium', () => {
  it('draws a page full of charts and tables, with the Vietnamese text intact and no request made', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const requests: string[] = [];
    page.on('request', (request: { url(): string }) => {
      if (!request.url().startsWith('file:')) requests.push(request.url());
    });
    await page.goto(pathToFileURL(national.html.path).href);
    const screenshot = await page.screenshot({ fullPage: false });
    expect(await distinctColours(browser, screenshot)).toBeGreaterThan(60);

    const dom = {
      text: (await page.locator('body').textContent()) ?? '',
      svgs: await page.locator('figure.chart svg').count(),
      sparklines: await page.locator('td.spark svg').count(),
      sections: await page.locator('section.page').count(),
      paths: await page.locator('figure.chart svg path').count(),
    };
    // Every province has indicator rows (communes without staffing data included), so every one has its page:
    // summary (levels, 12-week trend, provinces ranked), the top communes' trend, then a histogram and a trend each.
    expect(dom.svgs).toBe(4 + 2 * provinces().length);
    expect(dom.paths).toBeGreaterThan(100);
    expect(dom.sparklines).toBeGreaterThanOrEqual(10);
    expect(dom.sections).toBe(provinces().length);
    const text = dom.text.normalize('NFC');
    expect(text).toContain(vi.week(simulated.week));
    expect(vi.week(simulated.week)).toMatch(/^Tuần \d{1,2}\/\d{4}$/);
    for (const phrase of ['Báo cáo áp lực nhân sự hằng tuần', 'Chỉ số áp lực', 'Tóm tắt toàn quốc', 'Nghiêm trọng']) {
      expect(text).toContain(phrase);
    }
    for (const province of provinces()) expect(text).toContain(province.name);
    const [total] = await warehouse.query<{ received: number }>(
      `SELECT sum(received) AS received FROM pressure_indicators WHERE period_kind = 'week' AND period_start = {week:Date}`,
      { week: weekPeriod(simulated.week).startDay },
    );
    // Vietnamese thousands: 12.345, and dates as dd/mm/yyyy
    expect(total?.received).toBeGreaterThan(1000);
    expect(text).toContain(new Intl.NumberFormat('vi-VN').format(total?.received as number));
    expect(text).toMatch(/\d{1,3}\.\d{3}/);
    const monday = weekPeriod(simulated.week).startDay;
    expect(text).toContain(`${monday.slice(8, 10)}/${monday.slice(5, 7)}/${monday.slice(0, 4)}`);
    expect(requests).toEqual([]);
    await page.close();
  });

  it('has an English edition for one province', async () => {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(province.html.path).href);
    const text = ((await page.locator('body').textContent()) ?? '').normalize('NFC');
    expect(text).toContain(en.week(simulated.week));
    expect(text).toContain('Weekly staffing pressure report');
    expect(text).toContain(provinceByCode(provinceCode)?.name);
    expect(text).not.toContain('Tuần');
    expect(await page.locator('figure.chart svg').count()).toBe(5);
    await page.close();
  });
});

describe('the PDF', () => {
  it('has the summary, a page per province and the Vietnamese text', () => {
    const pages = pdfPages(national.pdf.path);
    expect(pages).toBeGreaterThan(provinces().length + 2);
    const text = pdfText(national.pdf.path);
    expect(text.split('\f').filter((page) => page.trim() !== '')).toHaveLength(pages);
    expect(text).toContain('Báo cáo áp lực nhân sự hằng tuần');
    expect(text).toContain(vi.week(simulated.week));
    expect(text).toContain(`Trang ${pages}/${pages}`);
    for (const province of provinces()) expect(text).toContain(province.name);
    expect(text).toContain('Chất lượng dữ liệu');
  });

  it('of a province edition is shorter and in English', () => {
    const pages = pdfPages(province.pdf.path);
    expect(pages).toBeLessThan(pdfPages(national.pdf.path));
    const text = pdfText(province.pdf.path);
    expect(text).toContain('Weekly staffing pressure report');
    expect(text).toContain(`Page ${pages}/${pages}`);
  });
});

describe('the CSV files', () => {
  it('are recorded in the reports table with the SHA-256 of what is on disk', async () => {
    const rows = await warehouse.query<{
      report_id: string;
      scope: string;
      province_code: string;
      lang: string;
      pdf_sha256: string;
      html_sha256: string;
      csv_paths: string[];
      csv_sha256: string[];
    }>('SELECT * FROM reports ORDER BY generated_at');
    expect(rows.map((row) => [row.scope, row.province_code, row.lang])).toEqual([
      ['national', '', 'vi'],
      ['province', provinceCode, 'en'],
    ]);
    for (const [row, report] of [
      [rows[0], national],
      [rows[1], province],
    ] as const) {
      expect(row?.report_id).toBe(report.reportId);
      const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
      expect(row?.pdf_sha256).toBe(sha(report.pdf.path));
      expect(row?.html_sha256).toBe(sha(report.html.path));
      expect(row?.csv_paths.map(sha)).toEqual(row?.csv_sha256);
      expect(reportFiles(report).every((file) => file.sha256 === sha(file.path))).toBe(true);
    }
  });

  it('hold the warehouse figures of every province, and each table adds up to its totals', async () => {
    const week = weekPeriod(simulated.week).startDay;
    const expected = await warehouse.query<Record<string, number | string>>(
      `SELECT province_code, count() AS communes, ${PRESSURE_LEVELS.map((l) => `countIf(level = '${l}') AS ${l}`).join(', ')},
              countIf(missing_staffing = 1) AS without, sum(received) AS received,
              sum(required_fte) AS required_fte, sum(coalesce(actual_fte, 0)) AS actual_fte,
              sum(coalesce(proposed_staff, 0)) AS proposed_staff
       FROM pressure_indicators WHERE period_kind = 'week' AND period_start = {week:Date}
       GROUP BY province_code ORDER BY province_code`,
      { week },
    );
    const rates = await warehouse.query<{ province_code: string; online: number; on_time: number }>(
      `SELECT province_code, sum(received_online) / sum(received) AS online, sum(resolved_on_time) / sum(resolved) AS on_time
       FROM commune_weekly WHERE week_start = {week:Date} GROUP BY province_code`,
      { week },
    );
    const { rows } = csvOf(national, 'provinces');
    const totalRow = rows.at(-1) as Record<string, string>;
    const byProvince = rows.slice(0, -1);
    expect(byProvince.map((row) => row[vi.t('provinceCode')])).toEqual(expected.map((row) => row.province_code));
    expect(totalRow[vi.t('province')]).toBe(vi.t('total'));
    const columns: [string, string][] = [
      [vi.t('communes'), 'communes'],
      ...PRESSURE_LEVELS.map((level): [string, string] => [vi.level(level), level]),
      [vi.t('withoutStaffing'), 'without'],
      [vi.t('received'), 'received'],
      [vi.t('requiredFte'), 'required_fte'],
      [vi.t('actualFte'), 'actual_fte'],
      [vi.t('proposedStaff'), 'proposed_staff'],
    ];
    for (const [i, row] of byProvince.entries()) {
      const want = expected[i] as Record<string, number | string>;
      for (const [label, key] of columns)
        expect(num(row[label]), `${row[vi.t('provinceCode')]} ${key}`).toBeCloseTo(Number(want[key]), 9);
      const rate = rates.find((r) => r.province_code === want.province_code);
      expect(num(row[vi.t('onlineShare')])).toBeCloseTo(rate?.online as number, 12);
      expect(num(row[vi.t('onTimeRate')])).toBeCloseTo(rate?.on_time as number, 12);
    }
    for (const [label] of columns) {
      const sum = byProvince.reduce((total, row) => total + (num(row[label]) ?? 0), 0);
      expect(num(totalRow[label]), label).toBeCloseTo(sum, 6);
    }
    expect(num(totalRow[vi.t('communes')])).toBe(3321);
    const levelSum = [...PRESSURE_LEVELS.map((l) => vi.level(l)), vi.t('withoutStaffing')].reduce(
      (total, label) => total + (num(totalRow[label]) ?? 0),
      0,
    );
    expect(levelSum).toBe(3321);

    const levels = csvOf(national, 'levels').rows;
    expect(levels.slice(0, -1).reduce((t, row) => t + (num(row[vi.t('communes')]) ?? 0), 0)).toBe(3321);
    expect(levels.at(-1)?.[vi.t('communes')]).toBe('3321');
    expect(levels.map((row) => row[vi.t('level')])).toEqual([
      ...PRESSURE_LEVELS.map((l) => vi.level(l)),
      vi.t('withoutStaffing'),
      vi.t('total'),
    ]);

    // the histogram of each province counts its communes with an index
    const histogram = csvOf(national, 'province-histograms').rows;
    const withIndex = await warehouse.query<{ province_code: string; n: number }>(
      `SELECT province_code, count() AS n FROM pressure_indicators
       WHERE period_kind = 'week' AND period_start = {week:Date} AND pressure_index IS NOT NULL GROUP BY province_code`,
      { week },
    );
    for (const { province_code, n } of withIndex) {
      const bins = histogram.filter((row) => row[vi.t('provinceCode')] === province_code);
      expect(bins).toHaveLength(21);
      expect(
        bins.reduce((t, row) => t + (num(row[vi.t('communes')]) ?? 0), 0),
        province_code,
      ).toBe(n);
    }
    expect(num(histogram.at(-1)?.[vi.t('communes')])).toBe(withIndex.reduce((t, r) => t + r.n, 0));
  });

  it('count as "with an index" the communes whose week has an index, in every trend and in the key figures', async () => {
    // Counted here from the commune rows themselves, not through the reporter's queries or the stored totals.
    const rows = await warehouse.query<{ province_code: string; week_start: string; pressure_index: number | null }>(
      `SELECT province_code, toString(period_start) AS week_start, pressure_index FROM pressure_indicators
       WHERE period_kind = 'week'`,
    );
    const withIndex = new Map<string, number>();
    for (const row of rows) {
      if (row.pressure_index === null) continue;
      const week = isoWeekLabel(row.week_start);
      for (const key of [`all ${week}`, `${row.province_code} ${week}`]) {
        withIndex.set(key, (withIndex.get(key) ?? 0) + 1);
      }
    }
    const communesOfWeek = rows.filter((row) => isoWeekLabel(row.week_start) === simulated.week).length;
    const reported = withIndex.get(`all ${simulated.week}`) ?? 0;
    // the sample has staffing data for a few communes only: most have no index
    expect(reported).toBeGreaterThan(0);
    expect(reported).toBeLessThan(communesOfWeek);

    const trend = csvOf(national, 'trend').rows;
    expect(trend.map((row) => row[vi.t('week')])).toEqual(simulated.weeks);
    for (const row of trend) {
      expect(num(row[vi.t('withIndex')]), row[vi.t('week')]).toBe(withIndex.get(`all ${row[vi.t('week')]}`));
    }
    const keyFigures = csvOf(national, 'key-figures').rows;
    expect(num(keyFigures.find((row) => row[vi.t('metric')] === vi.t('withIndex'))?.[vi.t('value')])).toBe(reported);

    const provinceTrends = csvOf(national, 'province-trends').rows;
    expect(provinceTrends.length).toBeGreaterThan(simulated.weeks.length);
    for (const row of provinceTrends) {
      const key = `${row[vi.t('provinceCode')]} ${row[vi.t('week')]}`;
      expect(num(row[vi.t('withIndex')]), key).toBe(withIndex.get(key) ?? 0);
    }
    const ofProvince = csvOf(province, 'trend').rows;
    expect(ofProvince).toHaveLength(simulated.weeks.length);
    for (const row of ofProvince) {
      const key = `${provinceCode} ${row[en.t('week')]}`;
      expect(num(row[en.t('withIndex')]), key).toBe(withIndex.get(key) ?? 0);
    }
  });

  it('list the most pressured communes, the changes and the alerts as the warehouse has them', async () => {
    const period = weekPeriod(simulated.week);
    const top = await warehouse.query<{ commune_code: string; pressure_index: number; level: string }>(
      `SELECT commune_code, pressure_index, level FROM pressure_indicators
       WHERE period_kind = 'week' AND period_start = {week:Date} AND pressure_index IS NOT NULL
       ORDER BY pressure_index DESC LIMIT 10`,
      { week: period.startDay },
    );
    const topCsv = csvOf(national, 'top-communes').rows;
    expect(topCsv.map((row) => row[vi.t('communeCode')])).toEqual(top.map((row) => row.commune_code));
    expect(topCsv.map((row) => num(row[vi.t('pressureIndex')]))).toEqual(top.map((row) => row.pressure_index));
    expect(topCsv.map((row) => row[vi.t('level')])).toEqual(top.map((row) => vi.level(row.level as 'high')));

    const moved = await warehouse.query<{ commune_code: string; before: string; now: string }>(
      `SELECT c.commune_code AS commune_code, p.level AS before, c.level AS now
       FROM pressure_indicators AS c INNER JOIN pressure_indicators AS p ON p.commune_code = c.commune_code
       WHERE c.period_kind = 'week' AND c.period_start = {week:Date} AND p.period_kind = 'week'
         AND p.period_start = {previous:Date} AND c.level IS NOT NULL AND p.level IS NOT NULL AND c.level != p.level`,
      { week: period.startDay, previous: formatDay(vnDayNumber(period.startMs) - 7) },
    );
    const transitions = csvOf(national, 'level-changes').rows;
    expect(num(transitions.at(-1)?.[vi.t('communes')])).toBe(moved.length);
    expect(transitions.slice(0, -1).reduce((t, row) => t + (num(row[vi.t('communes')]) ?? 0), 0)).toBe(moved.length);
    const rank = (level: string) => PRESSURE_LEVELS.indexOf(level as 'low');
    const rose = moved.filter((m) => rank(m.now) >= 3 && rank(m.now) > rank(m.before)).map((m) => m.commune_code);
    const recovered = moved.filter((m) => rank(m.before) >= 3 && rank(m.now) < 3).map((m) => m.commune_code);
    expect(
      csvOf(national, 'became-high-or-critical')
        .rows.map((row) => row[vi.t('communeCode')])
        .sort(),
    ).toEqual(rose.sort());
    expect(
      csvOf(national, 'recovered')
        .rows.map((row) => row[vi.t('communeCode')])
        .sort(),
    ).toEqual(recovered.sort());
    // the simulator reinforces a third of its overloaded communes from the reported week's Monday
    expect(recovered.length).toBeGreaterThan(0);

    const alerts = csvOf(national, 'alerts').rows;
    expect(alerts.map((row) => [row[vi.t('rule')], row[vi.t('communeCode')], row[vi.t('state')]])).toEqual([
      ['critical_overload', alertCommune, vi.alertState('firing')],
    ]);
    expect(csvOf(national, 'alerts-by-rule').rows.at(-1)?.[vi.t('alertCount')]).toBe('1');
    expect(csvOf(province, 'alerts').rows).toHaveLength(1);
  });

  it('count the rejected and late events of the data-quality view, by reason', async () => {
    const period = weekPeriod(simulated.week);
    const today = formatDay(vnDayNumber(Date.now()));
    const [quality] = await warehouse.query<{ rejected: number; late: number; unknown: number }>(
      `SELECT sum(rejected) AS rejected, sum(late_events) AS late, sum(unknown_procedure_events) AS unknown
       FROM data_quality WHERE day BETWEEN {from:Date} AND {to:Date}`,
      { from: period.startDay, to: today },
    );
    const byReason = await warehouse.query<{ reason: string; n: number }>(
      `SELECT reason, count() AS n FROM rejected_events
       WHERE toDate(rejected_at, 'Asia/Ho_Chi_Minh') BETWEEN {from:Date} AND {to:Date} GROUP BY reason ORDER BY n DESC, reason`,
      { from: period.startDay, to: today },
    );
    expect(quality?.rejected).toBeGreaterThan(0);
    expect(quality?.late).toBeGreaterThan(0);
    const metrics = Object.fromEntries(
      csvOf(national, 'data-quality').rows.map((row) => [row[vi.t('metric')], num(row[vi.t('value')])]),
    );
    expect(metrics[vi.t('rejected')]).toBe(quality?.rejected);
    expect(metrics[vi.t('lateEvents')]).toBe(quality?.late);
    expect(metrics[vi.t('unknownProcedureEvents')]).toBe(quality?.unknown);
    const reasons = csvOf(national, 'rejected-by-reason').rows;
    expect(reasons.slice(0, -1).map((row) => [row[vi.t('reason')], num(row[vi.t('events')])])).toEqual(
      byReason.map((row) => [row.reason, row.n]),
    );
    expect(num(reasons.at(-1)?.[vi.t('events')])).toBe(quality?.rejected);
  });
});
