import { isoWeekLabel, provinceByCode, weekStartOfLabel } from '@commune-pulse/reference-data';
import type { Warehouse } from '@commune-pulse/warehouse';
import { aggregatePressureIndex, PRESSURE_LEVELS, pressureLevel } from '@commune-pulse/workload';
import { z } from 'zod';
import {
  type Endpoint,
  format,
  IN_SCOPE,
  level,
  named,
  noParams,
  notFound,
  provinceCode,
  resolveWeek,
  scopeParams,
  weekLabel,
} from '../endpoint.ts';
import type { Scope } from '../tokens.ts';

/** The pressure of a week: national totals, communes ranked, provinces with their levels, the weeks estimated. */
const levelCounts = z.object(Object.fromEntries(PRESSURE_LEVELS.map((l) => [l, z.number().int()])));
export const communeRow = z.object({
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

export const national: Endpoint = {
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
    return nationalOf(warehouse, scope, await resolveWeek(warehouse, scope, week), top);
  },
};

/** The national endpoint's answer for a week: the totals, then the most pressured communes. */
async function nationalOf(warehouse: Warehouse, scope: Scope, weekStart: string, top: number) {
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
    pressure_index: aggregatePressureIndex({ requiredFte: Number(totals.required_with_index), actualFte: actual }),
    received: Number(totals.total_received),
    most_pressured: (await rankedCommunes(warehouse, scope, weekStart, { limit: top, offset: 0 })).items,
  };
}

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

export const communes: Endpoint = {
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

export const provincesEndpoint: Endpoint = {
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
    return provincesOf(warehouse, scope, await resolveWeek(warehouse, scope, (query as { week?: string }).week));
  },
};

/** The provinces endpoint's answer for a week. */
async function provincesOf(warehouse: Warehouse, scope: Scope, weekStart: string) {
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
}

export const weeks: Endpoint = {
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
  handler: ({ warehouse, scope }) => weeksOf(warehouse, scope),
};

/** The weeks endpoint's answer: the weeks estimated in the caller's provinces, newest first. */
async function weeksOf(warehouse: Warehouse, scope: Scope) {
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
}

export const overview: Endpoint = {
  id: 'overview',
  method: 'GET',
  path: '/api/v1/overview',
  summary: 'The national page in one answer',
  description:
    "What /api/v1/national, /api/v1/provinces and /api/v1/weeks answer, in one request: the dashboard's first page. For one ISO week (the latest estimated when none is given); a province token gets its province.",
  query: national.query,
  params: noParams,
  response: z.object({ national: national.response, provinces: provincesEndpoint.response, weeks: weeks.response }),
  scope: 'province',
  weekly: true,
  async handler({ warehouse, scope, query }) {
    const { week, top } = query as { week?: string; top: number };
    // The weeks estimated, newest first, name the latest one too: no query of their maximum.
    const estimated = await weeksOf(warehouse, scope);
    const weekStart = week === undefined ? estimated.items[0]?.week_start : weekStartOfLabel(week);
    if (weekStart === undefined) throw notFound('no week has been estimated yet');
    return {
      national: await nationalOf(warehouse, scope, weekStart, top),
      provinces: await provincesOf(warehouse, scope, weekStart),
      weeks: estimated,
    };
  },
};
