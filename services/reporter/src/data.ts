import { addDays, isoWeekLabel, type Period, weekPeriod } from '@commune-pulse/reference-data';
import type { Warehouse } from '@commune-pulse/warehouse';
import {
  DEFAULT_LEVEL_THRESHOLDS,
  type LevelThresholds,
  PRESSURE_LEVELS,
  type PressureLevel,
  resolveParams,
} from '@commune-pulse/workload';
import { loadTrends, loadWeekTotals, SCOPE_FILTER, type TrendPoint, type WeekTotals } from './province-figures.ts';

export type { TrendPoint, WeekTotals } from './province-figures.ts';

/** The whole country, or one province's edition. */
export type ReportScope = { kind: 'national' } | { kind: 'province'; provinceCode: string };

export const TREND_WEEKS = 12;
export const TOP_COMMUNES = 10;
export const PROVINCE_TOP_COMMUNES = 5;
/** Histogram bins of the pressure index: [0, 0.1), [0.1, 0.2), …, [1.9, 2.0), and ≥ 2.0. */
export const HISTOGRAM_BIN_WIDTH = 0.1;
export const HISTOGRAM_BINS = 21;
/** How far after the week's start the data-quality window may reach (the report runs the Monday after). */
const QUALITY_MAX_DAYS = 14;

export interface CommuneWeek {
  commune_code: string;
  province_code: string;
  level: PressureLevel | null;
  pressure_index: number | null;
  no_staff: number;
  required_fte: number;
  actual_fte: number | null;
  received: number;
  overdue_open: number;
  on_time_rate: number | null;
}

export interface LevelChange {
  commune_code: string;
  province_code: string;
  previous_level: PressureLevel;
  level: PressureLevel;
  previous_index: number | null;
  pressure_index: number | null;
}

export interface AlertRow {
  alert_id: string;
  rule: string;
  commune_code: string;
  province_code: string;
  state: string;
  fired_ms: number;
  resolved_ms: number | null;
  value: number | null;
  threshold: number | null;
}

export interface QualityData {
  from: string;
  to: string;
  deliveries: number;
  events_accepted: number;
  duplicates: number;
  rejected: number;
  late_events: number;
  unknown_procedure_events: number;
  rejectedByReason: { reason: string; events: number }[];
}

export interface ReportData {
  period: Period;
  previous: Period;
  scope: ReportScope;
  /** The Vietnam day the report describes "today" by: the staff in force, the end of the quality window. */
  asOfDay: string;
  /** Mondays of the trend's weeks, oldest first, ending with the report's week. */
  trendWeeks: string[];
  provinces: WeekTotals[];
  total: WeekTotals;
  trend: TrendPoint[];
  provinceTrends: Map<string, TrendPoint[]>;
  top: CommuneWeek[];
  provinceTop: Map<string, CommuneWeek[]>;
  /** pressure index of every week of the trend (null: no row or no index), for the communes listed above */
  communeTrends: Map<string, (number | null)[]>;
  histogram: number[];
  provinceHistograms: Map<string, number[]>;
  changes: {
    previousAvailable: boolean;
    compared: number;
    transitions: { from: PressureLevel; to: PressureLevel; communes: number }[];
    rose: LevelChange[];
    recovered: LevelChange[];
  };
  /** the alerts active at any time in the week */
  alerts: AlertRow[];
  quality: QualityData;
  withoutStaffing: CommuneWeek[];
  /** the level thresholds of the estimation run the week's rows come from */
  thresholds: LevelThresholds;
}

const COMMUNE_SELECT = `commune_code, province_code, level, pressure_index, no_staff, required_fte, actual_fte, received,
  overdue_open, on_time_rate`;

// Zero-staff communes facing work have no finite index but are the most pressured of all (level critical).
const PRESSURE_ORDER = 'no_staff DESC, pressure_index DESC, required_fte DESC, commune_code';

const levelRank = (level: PressureLevel) => PRESSURE_LEVELS.indexOf(level);
const HIGH = levelRank('high');

export interface LoadOptions {
  week: string;
  scope: ReportScope;
  asOfDay: string;
}

/** Every figure of one edition of the weekly report, read from the warehouse in a few grouped queries. */
export async function loadReportData(warehouse: Warehouse, options: LoadOptions): Promise<ReportData> {
  const period = weekPeriod(options.week);
  const previous = weekPeriod(isoWeekLabel(addDays(period.startDay, -7)));
  const trendWeeks = Array.from({ length: TREND_WEEKS }, (_, i) =>
    addDays(period.startDay, -7 * (TREND_WEEKS - 1 - i)),
  );
  const province = options.scope.kind === 'province' ? options.scope.provinceCode : '';
  const params = {
    week: period.startDay,
    previous: previous.startDay,
    first: trendWeeks[0] as string,
    province,
    asOfDay: options.asOfDay,
  };

  const [totals, trends, communes, histograms, changes, alerts, quality, thresholds] = await Promise.all([
    loadWeekTotals(warehouse, params),
    loadTrends(warehouse, params, trendWeeks),
    loadCommunes(warehouse, params, trendWeeks),
    loadHistograms(warehouse, params),
    loadChanges(warehouse, params),
    loadAlerts(warehouse, period, province),
    loadQuality(warehouse, period.startDay, options.asOfDay),
    loadThresholds(warehouse, period.startDay),
  ]);
  return {
    period,
    previous,
    scope: options.scope,
    asOfDay: options.asOfDay,
    trendWeeks,
    ...totals,
    ...trends,
    ...communes,
    ...histograms,
    changes,
    alerts,
    quality,
    thresholds,
  };
}

type Params = { week: string; first: string; province: string };
const WEEK = `period_kind = 'week' AND period_start = {week:Date} AND ${SCOPE_FILTER}`;

/** The most pressured communes of the scope and of each province, their trends, those without staffing data. */
async function loadCommunes(
  warehouse: Warehouse,
  params: Params,
  trendWeeks: readonly string[],
): Promise<Pick<ReportData, 'top' | 'provinceTop' | 'communeTrends' | 'withoutStaffing'>> {
  const [top, provinceTopRows, withoutStaffing] = await Promise.all([
    warehouse.query<CommuneWeek>(
      `SELECT ${COMMUNE_SELECT} FROM pressure_indicators WHERE ${WEEK} AND level IS NOT NULL
       ORDER BY ${PRESSURE_ORDER} LIMIT ${TOP_COMMUNES}`,
      params,
    ),
    warehouse.query<CommuneWeek>(
      `SELECT ${COMMUNE_SELECT} FROM pressure_indicators WHERE ${WEEK} AND level IS NOT NULL
       ORDER BY province_code, ${PRESSURE_ORDER} LIMIT ${PROVINCE_TOP_COMMUNES} BY province_code`,
      params,
    ),
    warehouse.query<CommuneWeek>(
      `SELECT ${COMMUNE_SELECT} FROM pressure_indicators WHERE ${WEEK} AND missing_staffing = 1 AND received > 0
       ORDER BY received DESC, commune_code`,
      params,
    ),
  ]);

  const listed = [...new Set([...top, ...provinceTopRows].map((row) => row.commune_code))];
  const trendIndexRows = await warehouse.query<{
    commune_code: string;
    week_start: string;
    pressure_index: number | null;
  }>(
    `SELECT commune_code, toString(period_start) AS week_start, pressure_index FROM pressure_indicators
     WHERE period_kind = 'week' AND period_start BETWEEN {first:Date} AND {week:Date}
       AND commune_code IN {communes:Array(String)}`,
    { ...params, communes: listed },
  );
  const communeTrends = new Map<string, (number | null)[]>(
    listed.map((code) => [code, trendWeeks.map(() => null as number | null)]),
  );
  for (const row of trendIndexRows) {
    const series = communeTrends.get(row.commune_code);
    const at = trendWeeks.indexOf(row.week_start);
    if (series && at >= 0) series[at] = row.pressure_index;
  }
  return {
    top,
    provinceTop: groupBy(provinceTopRows, (row) => row.province_code),
    communeTrends,
    withoutStaffing,
  };
}

async function loadHistograms(
  warehouse: Warehouse,
  params: Params,
): Promise<Pick<ReportData, 'histogram' | 'provinceHistograms'>> {
  const histogramRows = await warehouse.query<{ province_code: string; bin: number; communes: number }>(
    `SELECT province_code, least(toUInt32(floor(pressure_index / ${HISTOGRAM_BIN_WIDTH})), ${HISTOGRAM_BINS - 1}) AS bin,
            count() AS communes
     FROM pressure_indicators WHERE ${WEEK} AND pressure_index IS NOT NULL
     GROUP BY province_code, bin`,
    params,
  );
  const histogram = new Array<number>(HISTOGRAM_BINS).fill(0);
  const provinceHistograms = new Map<string, number[]>();
  for (const row of histogramRows) {
    const bins = provinceHistograms.get(row.province_code) ?? new Array<number>(HISTOGRAM_BINS).fill(0);
    bins[row.bin] = (bins[row.bin] ?? 0) + row.communes;
    histogram[row.bin] = (histogram[row.bin] ?? 0) + row.communes;
    provinceHistograms.set(row.province_code, bins);
  }
  return { histogram, provinceHistograms };
}

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const group = groups.get(key(row));
    if (group) group.push(row);
    else groups.set(key(row), [row]);
  }
  return groups;
}

async function loadChanges(
  warehouse: Warehouse,
  params: { week: string; previous: string; province: string },
): Promise<ReportData['changes']> {
  const [previousRows] = await warehouse.query<{ n: number }>(
    `SELECT count() AS n FROM pressure_indicators WHERE period_kind = 'week' AND period_start = {previous:Date}
     AND ${SCOPE_FILTER}`,
    params,
  );
  const rows = await warehouse.query<LevelChange>(
    `SELECT c.commune_code AS commune_code, c.province_code AS province_code, p.level AS previous_level,
            c.level AS level, p.pressure_index AS previous_index, c.pressure_index AS pressure_index
     FROM (SELECT commune_code, province_code, level, pressure_index FROM pressure_indicators
           WHERE period_kind = 'week' AND period_start = {week:Date} AND level IS NOT NULL AND ${SCOPE_FILTER}) AS c
     INNER JOIN (SELECT commune_code, level, pressure_index FROM pressure_indicators
           WHERE period_kind = 'week' AND period_start = {previous:Date} AND level IS NOT NULL) AS p
     ON p.commune_code = c.commune_code
     ORDER BY c.pressure_index DESC, c.commune_code`,
    params,
  );
  const counts = new Map<string, number>();
  const rose: LevelChange[] = [];
  const recovered: LevelChange[] = [];
  for (const row of rows) {
    if (row.level === row.previous_level) continue;
    const key = `${row.previous_level} ${row.level}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    const from = levelRank(row.previous_level);
    const to = levelRank(row.level);
    if (to >= HIGH && to > from) rose.push(row);
    else if (from >= HIGH && to < HIGH) recovered.push(row);
  }
  const transitions: ReportData['changes']['transitions'] = [];
  for (const from of PRESSURE_LEVELS) {
    for (const to of PRESSURE_LEVELS) {
      const communes = counts.get(`${from} ${to}`);
      if (communes !== undefined) transitions.push({ from, to, communes });
    }
  }
  return { previousAvailable: Number(previousRows?.n ?? 0) > 0, compared: rows.length, transitions, rose, recovered };
}

/** The alerts active at any time in the week (the `alerts` view of migration 0004). */
async function loadAlerts(warehouse: Warehouse, period: Period, province: string): Promise<AlertRow[]> {
  return warehouse.query<AlertRow>(
    `SELECT toString(alert_id) AS alert_id, toString(rule) AS rule, toString(commune_code) AS commune_code,
            toString(province_code) AS province_code, toString(state) AS state,
            toInt64(toUnixTimestamp(fired_at)) * 1000 AS fired_ms,
            if(resolved_at IS NULL, NULL, toInt64(toUnixTimestamp(assumeNotNull(resolved_at))) * 1000) AS resolved_ms,
            toFloat64OrNull(toString(value)) AS value, toFloat64OrNull(toString(threshold)) AS threshold
     FROM alerts
     WHERE fired_at < fromUnixTimestamp64Milli({end:Int64})
       AND (resolved_at IS NULL OR resolved_at >= fromUnixTimestamp64Milli({start:Int64}))
       AND ${SCOPE_FILTER}
     ORDER BY fired_at, rule, commune_code`,
    { start: period.startMs, end: period.endMs, province },
  );
}

/**
 * What the pipeline received from the week's Monday to the report's day: late events of the week arrive after
 * it, so the window reaches the day the report is made (at most two weeks after the Monday).
 */
async function loadQuality(warehouse: Warehouse, weekStart: string, asOfDay: string): Promise<QualityData> {
  const weekEnd = addDays(weekStart, 6);
  const latest = addDays(weekStart, QUALITY_MAX_DAYS - 1);
  const to = asOfDay < weekEnd ? weekEnd : asOfDay > latest ? latest : asOfDay;
  const [row] = await warehouse.query<
    Omit<QualityData, 'from' | 'to' | 'rejectedByReason'> & { by_reason: Record<string, number> }
  >(
    `SELECT coalesce(sum(deliveries), 0) AS deliveries, coalesce(sum(events_accepted), 0) AS events_accepted,
            coalesce(sum(duplicates), 0) AS duplicates, coalesce(sum(rejected), 0) AS rejected,
            coalesce(sum(late_events), 0) AS late_events,
            coalesce(sum(unknown_procedure_events), 0) AS unknown_procedure_events,
            sumMap(rejected_by_reason) AS by_reason
     FROM data_quality WHERE day BETWEEN {from:Date} AND {to:Date}`,
    { from: weekStart, to },
  );
  const { by_reason: byReason = {}, ...counts } = row ?? ({} as NonNullable<typeof row>);
  return {
    from: weekStart,
    to,
    deliveries: Number(counts.deliveries ?? 0),
    events_accepted: Number(counts.events_accepted ?? 0),
    duplicates: Number(counts.duplicates ?? 0),
    rejected: Number(counts.rejected ?? 0),
    late_events: Number(counts.late_events ?? 0),
    unknown_procedure_events: Number(counts.unknown_procedure_events ?? 0),
    rejectedByReason: Object.entries(byReason)
      .map(([reason, events]) => ({ reason, events: Number(events) }))
      .filter((entry) => entry.events > 0)
      .sort((a, b) => b.events - a.events || a.reason.localeCompare(b.reason)),
  };
}

async function loadThresholds(warehouse: Warehouse, weekStart: string): Promise<LevelThresholds> {
  const [run] = await warehouse.query<{ params: string }>(
    `SELECT params FROM estimation_runs WHERE period_kind = 'week' AND period_start = {week:Date}
     ORDER BY computed_at DESC LIMIT 1`,
    { week: weekStart },
  );
  if (!run) return DEFAULT_LEVEL_THRESHOLDS;
  const resolved = resolveParams(JSON.parse(run.params));
  return resolved.ok ? resolved.params.level_thresholds : DEFAULT_LEVEL_THRESHOLDS;
}
