import {
  communeByCode,
  formatDay,
  isoWeekLabel,
  parseDay,
  provinceByCode,
  weekPeriod,
} from '@commune-pulse/reference-data';
import { explainCommune } from '@commune-pulse/warehouse';
import { z } from 'zod';
import {
  communeCode,
  type Endpoint,
  format,
  IN_SCOPE,
  level,
  notFound,
  resolveWeek,
  scopeParams,
  weekLabel,
} from '../endpoint.ts';

/** One commune: its weeks, and how its level was reached. */
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

export const history: Endpoint = {
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

export const explain: Endpoint = {
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
