import { existsSync, realpathSync } from 'node:fs';
import { basename, resolve, sep } from 'node:path';
import { explainCommune } from '@commune-pulse/estimator';
import {
  communeByCode,
  formatDay,
  isoWeekLabel,
  parseDay,
  provinceByCode,
  weekPeriod,
  weekStartOfLabel,
} from '@commune-pulse/reference-data';
import type { GuardedReader, Warehouse } from '@commune-pulse/warehouse';
import { PRESSURE_LEVELS, pressureLevel } from '@commune-pulse/workload';
import { z } from 'zod';
import type { Scope } from './tokens.ts';

/**
 * Every endpoint of the API, declared once: its path, parameters and answer (zod: validation and OpenAPI come
 * from the same schemas), who may call it, and the handler. Every query of every handler is limited to the
 * caller's provinces in its own WHERE clause (`province_code IN {provinces:Array(String)}`): the scope is part of
 * the SQL, not a check beside it.
 */
export interface EndpointContext<Q, P, B> {
  warehouse: Warehouse;
  reader: GuardedReader;
  reportsDir: string;
  scope: Scope;
  query: Q;
  params: P;
  body: B;
}

/** What the answer is when it is not JSON data: a file to send. */
export interface FileAnswer {
  file: { path: string; contentType: string; downloadName: string };
}

export interface Endpoint<
  Q extends z.ZodType = z.ZodType,
  P extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
> {
  id: string;
  method: 'GET' | 'POST';
  /** Fastify form: `/api/v1/communes/:code/history`. */
  path: string;
  summary: string;
  description: string;
  query: Q;
  params: P;
  body?: B;
  response: z.ZodType;
  /**
   * `province`: limited to the caller's provinces in its queries. `national`: national figures only, refused to a
   * province's token. `sql`: the analyst's SQL, refused to every other role.
   */
  scope: 'province' | 'national' | 'sql';
  /** Rows a CSV answer holds (`?format=csv`), when the endpoint offers one. */
  csvRows?: (result: never) => Record<string, unknown>[];
  /** Weekly figures: answered with an ETag and cache headers. */
  weekly?: boolean;
  handler(context: EndpointContext<z.infer<Q>, z.infer<P>, z.infer<B>>): Promise<unknown>;
}

/** A request the caller can fix, or data that is not there for them. */
export class ApiProblem extends Error {
  readonly status: number;
  readonly title: string;
  constructor(status: number, title: string, detail: string) {
    super(detail);
    this.status = status;
    this.title = title;
  }
}

const notFound = (detail: string) => new ApiProblem(404, 'Not found', detail);

const weekLabel = z
  .string()
  .regex(/^\d{4}-W\d{2}$/, 'an ISO week such as 2026-W47')
  .refine((label) => {
    try {
      weekStartOfLabel(label);
      return true;
    } catch {
      return false;
    }
  }, 'not a week of that year');
const communeCode = z.string().regex(/^[0-9]{5}$/, 'a 5-digit commune code');
const provinceCode = z.string().regex(/^[0-9]{2}$/, 'a 2-digit province code');
const format = z.enum(['json', 'csv']).default('json');
const level = z.enum(PRESSURE_LEVELS);
const noParams = z.object({});

function scopeParams(scope: Scope) {
  return { provinces: [...scope.provinces] };
}
const IN_SCOPE = 'province_code IN {provinces:Array(String)}';

// The latest week changes when the estimator stores a new one (weekly): a few seconds' delay is harmless, and
// the first page of the dashboard then needs one query less.
const LATEST_WEEK_MS = 5_000;
const latestWeeks = new Map<string, { weekStart: string; until: number }>();

/** The latest week with weekly indicators in the caller's provinces, when none is asked for. */
async function resolveWeek(warehouse: Warehouse, scope: Scope, week: string | undefined): Promise<string> {
  if (week !== undefined) return weekStartOfLabel(week);
  const key = scope.provinces.join(',');
  const cached = latestWeeks.get(key);
  if (cached !== undefined && cached.until > Date.now()) return cached.weekStart;
  const [row] = await warehouse.query<{ week_start: string }>(
    `SELECT toString(max(period_start)) AS week_start FROM pressure_indicators
     WHERE period_kind = 'week' AND ${IN_SCOPE}`,
    scopeParams(scope),
  );
  if (row === undefined || row.week_start === '1970-01-01') throw notFound('no week has been estimated yet');
  latestWeeks.set(key, { weekStart: row.week_start, until: Date.now() + LATEST_WEEK_MS });
  return row.week_start;
}

const levelCounts = z.object(Object.fromEntries(PRESSURE_LEVELS.map((l) => [l, z.number().int()])));
const communeRow = z.object({
  commune_code: z.string(),
  commune_name: z.string(),
  province_code: z.string(),
  province_name: z.string(),
  pressure_index: z.number().nullable(),
  level: level.nullable(),
  required_fte: z.number(),
  actual_fte: z.number().nullable(),
  received: z.number().int(),
  open_end: z.number().int(),
  overdue_open: z.number().int(),
  on_time_rate: z.number().nullable(),
  backlog_weeks: z.number().nullable(),
});

const INDICATOR_COLUMNS = `commune_code, province_code, pressure_index, level, required_fte, actual_fte, received,
  open_end, overdue_open, on_time_rate, backlog_weeks`;

function named<T extends { commune_code: string; province_code: string }>(row: T) {
  return {
    ...row,
    commune_name: communeByCode(row.commune_code)?.name ?? row.commune_code,
    province_name: provinceByCode(row.province_code)?.name ?? row.province_code,
  };
}

const national: Endpoint = {
  id: 'national',
  method: 'GET',
  path: '/api/v1/national',
  summary: 'The picture of a week',
  description:
    'Communes per pressure level, staff required against staff in post, dossiers received and the most pressured communes, for one ISO week (the latest estimated when none is given). A province token gets its province.',
  query: z.object({ week: weekLabel.optional(), top: z.coerce.number().int().min(1).max(100).default(10) }),
  params: noParams,
  response: z.object({
    week: z.string(),
    week_start: z.string(),
    communes: z.number().int(),
    communes_with_index: z.number().int(),
    communes_without_staffing: z.number().int(),
    levels: levelCounts,
    required_fte: z.number(),
    actual_fte: z.number(),
    pressure_index: z.number().nullable(),
    received: z.number().int(),
    most_pressured: z.array(communeRow),
  }),
  scope: 'province',
  weekly: true,
  async handler({ warehouse, scope, query }) {
    const { week, top } = query as { week?: string; top: number };
    const weekStart = await resolveWeek(warehouse, scope, week);
    const params = { ...scopeParams(scope), week: weekStart, top };
    const [totals] = await warehouse.query<Record<string, number>>(
      `SELECT count() AS communes, countIf(pressure_index IS NOT NULL) AS communes_with_index,
              countIf(missing_staffing = 1) AS communes_without_staffing,
              ${PRESSURE_LEVELS.map((l) => `countIf(level = '${l}') AS ${l}`).join(', ')},
              sum(required_fte) AS total_required, sumIf(actual_fte, pressure_index IS NOT NULL) AS total_actual,
              sumIf(required_fte, pressure_index IS NOT NULL) AS required_with_index, sum(received) AS total_received
       FROM pressure_indicators
       WHERE period_kind = 'week' AND period_start = {week:Date} AND ${IN_SCOPE}`,
      params,
    );
    if (totals === undefined || Number(totals.communes) === 0) {
      throw notFound(`no estimated week ${isoWeekLabel(weekStart)} in your provinces`);
    }
    const actual = Number(totals.total_actual);
    return {
      week: isoWeekLabel(weekStart),
      week_start: weekStart,
      communes: Number(totals.communes),
      communes_with_index: Number(totals.communes_with_index),
      communes_without_staffing: Number(totals.communes_without_staffing),
      levels: Object.fromEntries(PRESSURE_LEVELS.map((l) => [l, Number(totals[l])])),
      required_fte: Number(totals.total_required),
      actual_fte: actual,
      pressure_index: actual > 0 ? Number(totals.required_with_index) / actual : null,
      received: Number(totals.total_received),
      most_pressured: (await rankedCommunes(warehouse, scope, weekStart, { limit: top, offset: 0 })).items,
    };
  },
};

async function rankedCommunes(
  warehouse: Warehouse,
  scope: Scope,
  weekStart: string,
  options: { limit: number; offset: number; province?: string; level?: string; rule?: string },
) {
  const filters = [
    "period_kind = 'week'",
    'period_start = {week:Date}',
    IN_SCOPE,
    options.province === undefined ? '' : 'province_code = {province:String}',
    options.level === undefined ? '' : 'level = {level:String}',
    options.rule === undefined
      ? ''
      : `commune_code IN (SELECT commune_code FROM alerts WHERE state = 'firing' AND rule = {rule:String} AND ${IN_SCOPE})`,
  ].filter(Boolean);
  const rows = await warehouse.query<
    Omit<z.infer<typeof communeRow>, 'commune_name' | 'province_name'> & { total_rows: number }
  >(
    // The alerts of these communes are the alerts endpoint's: the ranking reads the indicators alone, and the
    // alerts only when it is filtered by a firing rule.
    `SELECT ${INDICATOR_COLUMNS}, count() OVER () AS total_rows
     FROM pressure_indicators
     WHERE ${filters.join(' AND ')}
     ORDER BY pressure_index IS NULL, pressure_index DESC, commune_code
     LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
    { ...scopeParams(scope), week: weekStart, ...options },
  );
  // The window counts the rows before LIMIT: the total of every page, in the same query.
  return { total: Number(rows[0]?.total_rows ?? 0), items: rows.map(({ total_rows: _total, ...row }) => named(row)) };
}

const communes: Endpoint = {
  id: 'communes',
  method: 'GET',
  path: '/api/v1/communes',
  summary: 'Communes ranked by pressure',
  description:
    'The communes of a week, most pressured first, filtered by province, level or an alert rule that is firing; paginated. CSV with ?format=csv.',
  query: z.object({
    week: weekLabel.optional(),
    province: provinceCode.optional(),
    level: level.optional(),
    rule: z
      .string()
      .regex(/^[a-z_]{1,64}$/)
      .optional(),
    page: z.coerce.number().int().min(1).default(1),
    page_size: z.coerce.number().int().min(1).max(500).default(50),
    format,
  }),
  params: noParams,
  response: z.object({
    week: z.string(),
    page: z.number().int(),
    page_size: z.number().int(),
    total: z.number().int(),
    items: z.array(communeRow),
  }),
  scope: 'province',
  weekly: true,
  csvRows: (result: { items: Record<string, unknown>[] }) => result.items,
  async handler({ warehouse, scope, query }) {
    const q = query as {
      week?: string;
      province?: string;
      level?: string;
      rule?: string;
      page: number;
      page_size: number;
    };
    const weekStart = await resolveWeek(warehouse, scope, q.week);
    const filters = { province: q.province, level: q.level, rule: q.rule };
    const ranked = await rankedCommunes(warehouse, scope, weekStart, {
      ...Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined)),
      limit: q.page_size,
      offset: (q.page - 1) * q.page_size,
    });
    // A page past the end has no row to carry the total: counted apart then only.
    const total =
      ranked.items.length > 0 || q.page === 1
        ? ranked.total
        : (await rankedCommunes(warehouse, scope, weekStart, { ...filters, limit: 1, offset: 0 })).total;
    return { week: isoWeekLabel(weekStart), page: q.page, page_size: q.page_size, total, items: ranked.items };
  },
};

const provinceRow = z.object({
  province_code: z.string(),
  province_name: z.string(),
  communes: z.number().int(),
  communes_with_index: z.number().int(),
  communes_without_staffing: z.number().int(),
  received: z.number().int(),
  required_fte: z.number(),
  actual_fte: z.number(),
  pressure_index: z.number().nullable(),
  level: level.nullable(),
  levels: levelCounts,
});

const provincesEndpoint: Endpoint = {
  id: 'provinces',
  method: 'GET',
  path: '/api/v1/provinces',
  summary: 'Provinces with their levels',
  description:
    'Each province of the caller, for one week: its pressure index and level, and its communes per level. CSV with ?format=csv.',
  query: z.object({ week: weekLabel.optional(), format }),
  params: noParams,
  response: z.object({ week: z.string(), items: z.array(provinceRow) }),
  scope: 'province',
  weekly: true,
  csvRows: (result: { items: Record<string, unknown>[] }) =>
    result.items.map(({ levels, ...row }) => ({ ...row, ...(levels as object) })),
  async handler({ warehouse, scope, query }) {
    const weekStart = await resolveWeek(warehouse, scope, (query as { week?: string }).week);
    const rows = await warehouse.query<Record<string, number | string | null>>(
      `SELECT province_code, communes, communes_with_index, communes_without_staffing, received, required_fte,
              actual_fte, pressure_index, communes_low, communes_normal, communes_elevated, communes_high, communes_critical
       FROM province_pressure
       WHERE period_kind = 'week' AND period_start = {week:Date} AND ${IN_SCOPE}
       ORDER BY province_code`,
      { ...scopeParams(scope), week: weekStart },
    );
    return {
      week: isoWeekLabel(weekStart),
      items: rows.map((row) => {
        const index = row.pressure_index === null ? null : Number(row.pressure_index);
        return {
          province_code: String(row.province_code),
          province_name: provinceByCode(String(row.province_code))?.name ?? String(row.province_code),
          communes: Number(row.communes),
          communes_with_index: Number(row.communes_with_index),
          communes_without_staffing: Number(row.communes_without_staffing),
          received: Number(row.received),
          required_fte: Number(row.required_fte),
          actual_fte: Number(row.actual_fte),
          pressure_index: index,
          level: index === null ? null : pressureLevel(index),
          levels: Object.fromEntries(PRESSURE_LEVELS.map((l) => [l, Number(row[`communes_${l}`])])),
        };
      }),
    };
  },
};

const historyWeek = z.object({
  week: z.string(),
  week_start: z.string(),
  received: z.number().int().nullable(),
  resolved: z.number().int().nullable(),
  resolved_on_time: z.number().int().nullable(),
  on_time_rate: z.number().nullable(),
  open_end: z.number().int().nullable(),
  overdue_open: z.number().int().nullable(),
  pressure_index: z.number().nullable(),
  level: level.nullable(),
  required_fte: z.number().nullable(),
  actual_fte: z.number().nullable(),
  backlog_weeks: z.number().nullable(),
});

const history: Endpoint = {
  id: 'commune-history',
  method: 'GET',
  path: '/api/v1/communes/:code/history',
  summary: "One commune's weeks",
  description:
    'The 52 weeks (or ?weeks=) up to a week (the latest estimated by default) of one commune: lifecycle figures (received, resolved, on time, open, overdue) and indicators (pressure index, level, staff). 404 for a commune outside your provinces. CSV with ?format=csv.',
  query: z.object({ week: weekLabel.optional(), weeks: z.coerce.number().int().min(1).max(156).default(52), format }),
  params: z.object({ code: communeCode }),
  response: z.object({
    commune_code: z.string(),
    commune_name: z.string(),
    province_code: z.string(),
    province_name: z.string(),
    weeks: z.array(historyWeek),
  }),
  scope: 'province',
  weekly: true,
  csvRows: (result: { weeks: Record<string, unknown>[] }) => result.weeks,
  async handler({ warehouse, scope, query, params }) {
    const { code } = params as { code: string };
    const q = query as { week?: string; weeks: number };
    const last = await resolveWeek(warehouse, scope, q.week);
    const first = formatDay(parseDay(last) - 7 * (q.weeks - 1));
    const bind = { ...scopeParams(scope), code, first, last };
    // One query: the lifecycle weeks beside the indicator weeks, either side possibly missing.
    const rows = await warehouse.query<Record<string, number | string | null>>(
      `SELECT toString(if(l.week_start = toDate(0), p.period_start, l.week_start)) AS week_day,
              if(l.province_code = '', p.province_code, l.province_code) AS province_code,
              l.received AS received, l.resolved AS resolved, l.resolved_on_time AS resolved_on_time,
              l.on_time_rate AS on_time_rate, l.open_end AS open_end, l.overdue_open AS overdue_open,
              p.pressure_index AS pressure_index, p.level AS level, p.required_fte AS required_fte,
              p.actual_fte AS actual_fte, p.backlog_weeks AS backlog_weeks, l.week_start != toDate(0) AS has_lifecycle,
              p.period_start != toDate(0) AS has_indicator
       FROM (SELECT week_start, province_code, received, resolved, resolved_on_time, on_time_rate, open_end, overdue_open
             FROM commune_weekly
             WHERE commune_code = {code:String} AND ${IN_SCOPE} AND week_start BETWEEN {first:Date} AND {last:Date}) AS l
       FULL OUTER JOIN
            (SELECT period_start, province_code, pressure_index, level, required_fte, actual_fte, backlog_weeks
             FROM pressure_indicators
             WHERE period_kind = 'week' AND commune_code = {code:String} AND ${IN_SCOPE}
               AND period_start BETWEEN {first:Date} AND {last:Date}) AS p
       ON l.week_start = p.period_start`,
      bind,
    );
    if (rows.length === 0) throw notFound(`no weeks of commune ${code} in your provinces from ${first} to ${last}`);
    const byWeek = new Map(rows.map((row) => [String(row.week_day), row]));
    const num = (value: unknown) => (value === null || value === undefined ? null : Number(value));
    const weeks = Array.from({ length: q.weeks }, (_, i) => formatDay(parseDay(first) + 7 * i)).map((weekStart) => {
      const row = byWeek.get(weekStart);
      const l = row?.has_lifecycle ? row : undefined;
      const p = row?.has_indicator ? row : undefined;
      return {
        week: isoWeekLabel(weekStart),
        week_start: weekStart,
        received: num(l?.received),
        resolved: num(l?.resolved),
        resolved_on_time: num(l?.resolved_on_time),
        on_time_rate: num(l?.on_time_rate),
        open_end: num(l?.open_end),
        overdue_open: num(l?.overdue_open),
        pressure_index: num(p?.pressure_index),
        level: (p?.level ?? null) as string | null,
        required_fte: num(p?.required_fte),
        actual_fte: num(p?.actual_fte),
        backlog_weeks: num(p?.backlog_weeks),
      };
    });
    const provinceCodeOfRows = String(rows[0]?.province_code);
    return {
      commune_code: code,
      commune_name: communeByCode(code)?.name ?? code,
      province_code: provinceCodeOfRows,
      province_name: provinceByCode(provinceCodeOfRows)?.name ?? provinceCodeOfRows,
      weeks,
    };
  },
};

const explain: Endpoint = {
  id: 'commune-explain',
  method: 'GET',
  path: '/api/v1/communes/:code/explain',
  summary: "How one commune's level was reached",
  description:
    'The stored indicator of one commune for a week, and every input and step from its dossier counts to its level (the same as pnpm cli explain). 404 for a commune outside your provinces or a week without its indicator.',
  query: z.object({ week: weekLabel.optional() }),
  params: z.object({ code: communeCode }),
  response: z.object({
    commune_code: z.string(),
    week: z.string(),
    stored: z.record(z.string(), z.unknown()),
    catalog_version: z.string(),
    inputs: z.record(z.string(), z.unknown()),
    steps: z.array(z.object({ step: z.string(), formula: z.string(), value: z.unknown() }).loose()),
    indicator: z.record(z.string(), z.unknown()),
  }),
  scope: 'province',
  weekly: true,
  async handler({ warehouse, scope, query, params }) {
    const { code } = params as { code: string };
    const weekStart = await resolveWeek(warehouse, scope, (query as { week?: string }).week);
    const [stored] = await warehouse.query<Record<string, unknown>>(
      `SELECT * EXCEPT (run_id) FROM pressure_indicators
       WHERE period_kind = 'week' AND period_start = {week:Date} AND commune_code = {code:String} AND ${IN_SCOPE}`,
      { ...scopeParams(scope), week: weekStart, code },
    );
    if (stored === undefined)
      throw notFound(`no indicator of commune ${code} for ${isoWeekLabel(weekStart)} in your provinces`);
    const explained = await explainCommune(warehouse, code, weekPeriod(isoWeekLabel(weekStart)));
    return {
      commune_code: code,
      week: isoWeekLabel(weekStart),
      stored,
      catalog_version: explained.catalog_version,
      inputs: explained.inputs,
      steps: explained.steps,
      indicator: explained.indicator,
    };
  },
};

const alertRow = z.object({
  alert_id: z.string(),
  rule: z.string(),
  level: z.string(),
  commune_code: z.string(),
  commune_name: z.string(),
  province_code: z.string(),
  province_name: z.string(),
  state: z.string(),
  fired_at: z.string().nullable(),
  resolved_at: z.string().nullable(),
  value: z.number().nullable(),
  threshold: z.number().nullable(),
});

const alerts: Endpoint = {
  id: 'alerts',
  method: 'GET',
  path: '/api/v1/alerts',
  summary: 'Alerts',
  description:
    'Alerts on communes of your provinces, newest first: firing, resolved (or pending, cancelled, all), for a province or a commune. CSV with ?format=csv.',
  query: z.object({
    state: z.enum(['firing', 'resolved', 'pending', 'cancelled', 'all']).default('firing'),
    province: provinceCode.optional(),
    commune: communeCode.optional(),
    limit: z.coerce.number().int().min(1).max(5_000).default(500),
    format,
  }),
  params: noParams,
  response: z.object({ items: z.array(alertRow) }),
  scope: 'province',
  csvRows: (result: { items: Record<string, unknown>[] }) => result.items,
  async handler({ warehouse, scope, query }) {
    const q = query as { state: string; province?: string; commune?: string; limit: number };
    const rows = await warehouse.query<z.infer<typeof alertRow>>(
      `SELECT alert_id, rule, level, commune_code, province_code, state,
              if(isNull(fired_at), NULL, toString(fired_at)) AS fired_at,
              if(isNull(resolved_at), NULL, toString(resolved_at)) AS resolved_at, value, threshold
       FROM alerts
       WHERE ${IN_SCOPE} ${q.state === 'all' ? '' : 'AND state = {state:String}'}
         ${q.province === undefined ? '' : 'AND province_code = {province:String}'}
         ${q.commune === undefined ? '' : 'AND commune_code = {commune:String}'}
       ORDER BY updated_at DESC, alert_id
       LIMIT {limit:UInt32}`,
      { ...scopeParams(scope), ...q },
    );
    return { items: rows.map(named) };
  },
};

const dataQuality: Endpoint = {
  id: 'data-quality',
  method: 'GET',
  path: '/api/v1/data-quality',
  summary: 'Data quality per ingest day',
  description:
    'What arrived each day and what became of it: deliveries, events accepted, duplicates, rejected by reason, unknown procedures, late events, communes without staffing. National figures: not for a province token. CSV with ?format=csv.',
  query: z.object({ from: z.iso.date().optional(), to: z.iso.date().optional(), format }),
  params: noParams,
  response: z.object({ items: z.array(z.record(z.string(), z.unknown())) }),
  scope: 'national',
  csvRows: (result: { items: Record<string, unknown>[] }) =>
    result.items.map((row) => ({ ...row, rejected_by_reason: JSON.stringify(row.rejected_by_reason ?? {}) })),
  async handler({ warehouse, query }) {
    const q = query as { from?: string; to?: string };
    const rows = await warehouse.query<Record<string, unknown>>(
      `SELECT toString(day) AS day, deliveries, events_accepted, duplicates, rejected, rejected_by_reason,
              unknown_procedure_events, late_events, communes_without_staffing
       FROM (SELECT * FROM data_quality WHERE day >= {from:Date} AND day <= {to:Date})
       ORDER BY day`,
      { from: q.from ?? '1970-01-01', to: q.to ?? '2149-06-06' },
    );
    return { items: rows };
  },
};

const reportRow = z.object({
  report_id: z.string(),
  week: z.string(),
  scope: z.string(),
  province_code: z.string(),
  lang: z.string(),
  generated_at: z.string(),
  files: z.array(z.object({ kind: z.string(), name: z.string(), url: z.string(), sha256: z.string() })),
});

interface StoredReport {
  report_id: string;
  week: string;
  scope: string;
  province_code: string;
  lang: string;
  generated_at: string;
  html_path: string;
  html_sha256: string;
  pdf_path: string;
  pdf_sha256: string;
  csv_paths: string[];
  csv_sha256: string[];
}

const REPORT_COLUMNS = `report_id, week, scope, province_code, lang, toString(generated_at) AS generated_at, html_path,
  html_sha256, pdf_path, pdf_sha256, csv_paths, csv_sha256`;
const REPORT_SCOPE = `(${IN_SCOPE} OR (province_code = '' AND {national:Bool}))`;
const reportScope = (scope: Scope) => ({ ...scopeParams(scope), national: scope.provinceCode === undefined });

function reportFiles(report: StoredReport) {
  const files = [
    { kind: 'html', path: report.html_path, sha256: report.html_sha256 },
    { kind: 'pdf', path: report.pdf_path, sha256: report.pdf_sha256 },
    ...report.csv_paths.map((path, i) => ({ kind: 'csv', path, sha256: report.csv_sha256[i] ?? '' })),
  ];
  return files.map((file) => ({
    ...file,
    name: basename(file.path),
    url: `/api/v1/reports/${report.report_id}/files/${encodeURIComponent(basename(file.path))}`,
  }));
}

const reports: Endpoint = {
  id: 'reports',
  method: 'GET',
  path: '/api/v1/reports',
  summary: 'Weekly reports produced',
  description:
    "The editions of the weekly report already generated (national ones for national tokens, your province's for a province token), with their files.",
  query: z.object({ week: weekLabel.optional() }),
  params: noParams,
  response: z.object({ items: z.array(reportRow) }),
  scope: 'province',
  async handler({ warehouse, scope, query }) {
    const week = (query as { week?: string }).week;
    const rows = await warehouse.query<StoredReport>(
      `SELECT ${REPORT_COLUMNS} FROM reports WHERE ${REPORT_SCOPE} ${week === undefined ? '' : 'AND week = {week:String}'}
       ORDER BY week_start DESC, generated_at DESC`,
      { ...reportScope(scope), week },
    );
    return {
      items: rows.map((row) => ({
        report_id: row.report_id,
        week: row.week,
        scope: row.scope,
        province_code: row.province_code,
        lang: row.lang,
        generated_at: row.generated_at,
        files: reportFiles(row).map(({ path: _path, ...file }) => file),
      })),
    };
  },
};

const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  pdf: 'application/pdf',
  csv: 'text/csv; charset=utf-8',
};

const reportFile: Endpoint = {
  id: 'report-file',
  method: 'GET',
  path: '/api/v1/reports/:report_id/files/:name',
  summary: 'Download a report file',
  description:
    'One file of an edition (HTML, PDF or a CSV), as it was generated; 404 for an edition outside your provinces.',
  query: noParams,
  params: z.object({ report_id: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/), name: z.string().min(1).max(255) }),
  response: z.string().meta({ description: 'the file' }),
  scope: 'province',
  async handler({ warehouse, scope, params, reportsDir }): Promise<FileAnswer> {
    const p = params as { report_id: string; name: string };
    const [row] = await warehouse.query<StoredReport>(
      `SELECT ${REPORT_COLUMNS} FROM reports WHERE report_id = {id:String} AND ${REPORT_SCOPE}
       ORDER BY generated_at DESC LIMIT 1`,
      { ...reportScope(scope), id: p.report_id },
    );
    const file = row === undefined ? undefined : reportFiles(row).find((candidate) => candidate.name === p.name);
    if (file === undefined) throw notFound(`no file ${p.name} of report ${p.report_id} in your provinces`);
    // The path comes from the warehouse: it is served only from inside the reports folder.
    const root = existsSync(reportsDir) ? realpathSync(reportsDir) : resolve(reportsDir);
    const real = existsSync(file.path) ? realpathSync(file.path) : undefined;
    if (real === undefined || !real.startsWith(root + sep)) {
      throw notFound(`the file ${p.name} is no longer in the reports folder`);
    }
    return {
      file: {
        path: real,
        contentType: CONTENT_TYPES[file.kind] ?? 'application/octet-stream',
        downloadName: file.name,
      },
    };
  },
};

const sql: Endpoint = {
  id: 'sql',
  method: 'POST',
  path: '/api/v1/sql',
  summary: 'Read-only SQL (analysts)',
  description:
    'One SELECT, WITH … SELECT or DESCRIBE over the tables and views of the warehouse, parsed by the engine and refused if it writes or reaches outside; limited in time, memory and rows (SQL_MAX_*). Analyst tokens only. JSON rows, or CSV with "format": "csv".',
  query: noParams,
  params: noParams,
  body: z.object({
    sql: z
      .string()
      .min(1)
      .max(256 * 1024),
    format,
  }),
  response: z.object({ rows: z.array(z.record(z.string(), z.unknown())), statement: z.string() }),
  scope: 'sql',
  csvRows: (result: { rows: Record<string, unknown>[] }) => result.rows,
  async handler({ reader, body }) {
    const { sql: text } = body as { sql: string };
    const { text: output, checked } = await reader.query(text, 'JSONEachRow');
    const rows = output
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    return { rows, statement: checked.sql };
  },
};

const weeks: Endpoint = {
  id: 'weeks',
  method: 'GET',
  path: '/api/v1/weeks',
  summary: 'Weeks estimated',
  description: 'The ISO weeks with weekly indicators in your provinces, newest first: the week picker.',
  query: noParams,
  params: noParams,
  response: z.object({
    items: z.array(z.object({ week: z.string(), week_start: z.string(), communes: z.number().int() })),
  }),
  scope: 'province',
  async handler({ warehouse, scope }) {
    const rows = await warehouse.query<{ week_start: string; communes: number }>(
      `SELECT toString(period_start) AS week_start, count() AS communes FROM pressure_indicators
       WHERE period_kind = 'week' AND ${IN_SCOPE}
       GROUP BY period_start ORDER BY period_start DESC`,
      scopeParams(scope),
    );
    return {
      items: rows.map((row) => ({
        week: isoWeekLabel(row.week_start),
        week_start: row.week_start,
        communes: Number(row.communes),
      })),
    };
  },
};

/** Every endpoint of the API. A new one must be added to the scope test's table (test/api/scope.test.ts). */
export const ENDPOINTS: readonly Endpoint[] = [
  weeks,
  national,
  provincesEndpoint,
  communes,
  history,
  explain,
  alerts,
  dataQuality,
  reports,
  reportFile,
  sql,
];
