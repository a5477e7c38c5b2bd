import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createToken, type RunningApi, revokeToken, startApi } from '@commune-pulse/api';
import { formatDay, parseDay } from '@commune-pulse/reference-data';
import { createLogger } from '@commune-pulse/runtime';
import { openWarehouse, type Warehouse } from '@commune-pulse/warehouse';
import { pressureLevel } from '@commune-pulse/workload';

/** Two provinces: Hà Nội (01) with three communes, Thành phố Hồ Chí Minh (79) with two. */
export const HANOI = { province: '01', communes: ['00004', '00008', '00025'] };
export const HCMC = { province: '79', communes: ['25747', '25750'] };
/** The three weeks of the fixture, the last one 2026-W47. */
export const WEEKS = ['2026-11-02', '2026-11-09', '2026-11-16'];
export const LAST_WEEK = '2026-W47';
export const HCMC_ONLY_WEEK = '2026-10-26';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Rows as the pipeline writes them, for a few communes and weeks: indicators (one commune without staffing),
 * the province roll-up, weekly lifecycle figures, an alert firing in each province, a few dossiers, the reports of
 * the last week with their files, and an estimation run.
 */
export async function fillFixture(warehouse: Warehouse, reportsDir: string): Promise<void> {
  const all = [
    ...HANOI.communes.map((code) => ({ code, province: HANOI.province })),
    ...HCMC.communes.map((code) => ({ code, province: HCMC.province })),
  ];
  const indicators: object[] = [];
  const weekly: object[] = [];
  all.forEach(({ code, province }, c) => {
    // HCMC has a week more, estimated before Hà Nội's first: a week only its token may see.
    (province === HCMC.province ? [HCMC_ONLY_WEEK, ...WEEKS] : WEEKS).forEach((week, w) => {
      const missingStaffing = code === '00025';
      const required = 2 + c * 0.7 + w * 0.3;
      const actual = missingStaffing ? null : 2 + (c % 2);
      const index = actual === null ? null : required / actual;
      const received = 100 + 10 * c + 5 * w;
      indicators.push({
        period_kind: 'week',
        period_start: week,
        window_end: `${formatDay(parseDay(week) + 7)} 00:00:00`,
        commune_code: code,
        province_code: province,
        received,
        workload_minutes: required * 1_500,
        required_fte: required,
        actual_fte: actual,
        pressure_index: index,
        level: index === null ? null : pressureLevel(index),
        missing_staffing: missingStaffing ? 1 : 0,
        open_end: 20 + c,
        overdue_open: c,
        on_time_rate: 0.9 - 0.02 * c,
        backlog_weeks: 1 + c / 10,
        forecast_method: 'fixture',
        params_version: 'fixture',
        run_id: `run-${week}`,
        computed_at: `${formatDay(parseDay(week) + 7)} 06:00:00`,
      });
      weekly.push({
        week_start: week,
        commune_code: code,
        province_code: province,
        received,
        received_online: Math.floor(received / 3),
        received_counter: received - Math.floor(received / 3),
        resolved: received - 8,
        resolved_on_time: received - 12,
        open_end: 20 + c,
        overdue_open: c,
        on_time_rate: (received - 12) / (received - 8),
        derived_version: 1,
      });
    });
  });
  await warehouse.insert('pressure_indicators_rows', indicators);
  await warehouse.insert('commune_weekly_rows', weekly);
  const provinceRows = [HANOI, HCMC].flatMap(({ province, communes }) =>
    WEEKS.map((week, w) => ({
      period_kind: 'week',
      period_start: week,
      province_code: province,
      communes: communes.length,
      communes_with_index: communes.filter((code) => code !== '00025').length,
      communes_without_staffing: communes.filter((code) => code === '00025').length,
      received: 300 + w,
      required_fte: 7 + w,
      actual_fte: 6,
      pressure_index: (7 + w) / 6,
      communes_low: 0,
      communes_normal: 1,
      communes_elevated: 1,
      communes_high: w,
      communes_critical: 0,
      proposed_staff: 8,
      params_version: 'fixture',
      run_id: `run-${week}`,
      computed_at: `${formatDay(parseDay(week) + 7)} 06:00:00`,
    })),
  );
  await warehouse.insert('province_pressure_rows', provinceRows);
  const transition = (alertId: string, rule: string, code: string, province: string, to: string, at: string) => ({
    transition_id: `${alertId}-${to}`,
    alert_id: alertId,
    rule,
    level: 'high',
    commune_code: code,
    province_code: province,
    episode: 1,
    episode_start: '2026-11-02',
    from_state: to === 'firing' ? 'pending' : 'firing',
    to_state: to,
    period_kind: 'week',
    period_start: '2026-11-16',
    window_end: at,
    value: 1.3,
    threshold: 1.2,
    figures: '{}',
    run_id: 'run-2026-11-16',
    at,
    recorded_at: at,
  });
  await warehouse.insert('alert_transitions', [
    transition('a-hanoi', 'overloaded', '00008', '01', 'firing', '2026-11-23 03:00:00'),
    transition('a-hcmc', 'overloaded', '25750', '79', 'firing', '2026-11-23 03:00:00'),
    transition('a-hcmc-old', 'deadline_slippage', '25747', '79', 'firing', '2026-11-09 03:00:00'),
    transition('a-hcmc-old', 'deadline_slippage', '25747', '79', 'resolved', '2026-11-16 03:00:00'),
  ]);
  // A few dossiers, so that an explanation has receipts to show.
  await warehouse.insert(
    'dossiers_rows',
    all.flatMap(({ code, province }) =>
      [0, 1, 2].map((i) => ({
        dossier_id: `${code}-${i}`,
        commune_code: code,
        province_code: province,
        procedure_code: '1.001193',
        channel: i === 0 ? 'online' : 'counter',
        received_at: `2026-11-1${7 + i} 02:00:00`,
        due_at: `2026-11-2${i} 10:00:00`,
        resolved_at: i === 2 ? null : `2026-11-1${8 + i} 02:00:00`,
        last_event_type: i === 2 ? 'received' : 'resolved',
        last_event_at: '2026-11-19 02:00:00',
        is_open: i === 2 ? 1 : 0,
        on_time: i === 2 ? null : 1,
        event_count: 2,
        derived_version: 1,
      })),
    ),
  );
  await warehouse.insert('estimation_runs', [
    {
      run_id: 'run-2026-11-16',
      period_kind: 'week',
      period_start: '2026-11-16',
      window_end: '2026-11-23 00:00:00',
      trigger: 'fixture',
      communes: 5,
      communes_with_index: 4,
      communes_without_staffing: 1,
      params_version: 'fixture',
      params: '{}',
      computed_at: '2026-11-23 06:00:00',
    },
  ]);
  mkdirSync(join(reportsDir, LAST_WEEK), { recursive: true });
  const editions = [
    { scope: 'national', province: '' },
    { scope: 'province', province: '01' },
    { scope: 'province', province: '79' },
  ];
  await warehouse.insert(
    'reports',
    editions.map(({ scope, province }) => {
      const stem = join(reportsDir, LAST_WEEK, `weekly-pressure-${LAST_WEEK}-${province || 'national'}-vi`);
      const files = {
        html: `<html><body>${scope} ${province}</body></html>`,
        pdf: `%PDF-1.4 fixture ${province}`,
        csv: `\uFEFFcommune,level\r\n${province},high\r\n`,
      };
      writeFileSync(`${stem}.html`, files.html);
      writeFileSync(`${stem}.pdf`, files.pdf);
      writeFileSync(`${stem}-communes.csv`, files.csv);
      return {
        report_id: `r-${province || 'national'}`,
        week: LAST_WEEK,
        week_start: '2026-11-16',
        scope,
        province_code: province,
        lang: 'vi',
        trigger: 'fixture',
        html_path: `${stem}.html`,
        html_sha256: sha256(files.html),
        pdf_path: `${stem}.pdf`,
        pdf_sha256: sha256(files.pdf),
        pdf_bytes: files.pdf.length,
        csv_paths: [`${stem}-communes.csv`],
        csv_sha256: [sha256(files.csv)],
        generated_at: '2026-11-23 07:00:00',
      };
    }),
  );
}

export interface ApiFixture {
  warehouse: Warehouse;
  api: RunningApi;
  tokens: { ministry: string; analyst: string; hanoi: string; hcmc: string; revoked: string };
  revokedId: string;
  /** fetch against the API with a token (or none). */
  get(path: string, token?: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export async function startApiFixture(root: string): Promise<ApiFixture> {
  const reportsDir = join(root, 'reports');
  const warehouse = await openWarehouse({ dataDir: join(root, 'warehouse') });
  await fillFixture(warehouse, reportsDir);
  const make = (name: string, role: Parameters<typeof createToken>[2]) => createToken(warehouse, name, role);
  const ministry = await make('Bộ Nội vụ', 'ministry');
  const analyst = await make('Nhóm phân tích', 'analyst');
  const hanoi = await make('Sở Nội vụ Hà Nội', 'province:01');
  const hcmc = await make('Sở Nội vụ TP HCM', 'province:79');
  const revoked = await make('Cũ', 'ministry');
  await revokeToken(warehouse, revoked.record.tokenId);
  const api = await startApi({
    warehouse,
    logger: createLogger('api-test', process.env.API_TEST_LOG_LEVEL ?? 'silent'),
    queryLimits: { maxExecutionSeconds: 2, maxMemoryBytes: 2 * 1024 ** 3, maxResultRows: 10_000 },
    reportsDir,
    port: 0,
    tokenCacheMs: 200,
  });
  return {
    warehouse,
    api,
    tokens: {
      ministry: ministry.token,
      analyst: analyst.token,
      hanoi: hanoi.token,
      hcmc: hcmc.token,
      revoked: revoked.token,
    },
    revokedId: revoked.record.tokenId,
    get(path, token, init = {}) {
      const headers = new Headers(init.headers);
      if (token !== undefined) headers.set('authorization', `Bearer ${token}`);
      return fetch(`${api.url}${path}`, { ...init, headers });
    },
    async close() {
      await api.close();
      await warehouse.close();
    },
  };
}
