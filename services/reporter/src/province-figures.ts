import type { Warehouse } from '@commune-pulse/warehouse';
import { aggregatePressureIndex, PRESSURE_LEVELS } from '@commune-pulse/workload';

/** One province's figures for the week (or the scope's total: province_code null). */
export interface WeekTotals {
  province_code: string | null;
  communes: number;
  communes_with_index: number;
  communes_without_staffing: number;
  low: number;
  normal: number;
  elevated: number;
  high: number;
  critical: number;
  received: number;
  required_fte: number;
  required_fte_staffed: number;
  actual_fte: number;
  pressure_index: number | null;
  proposed_staff: number;
  staff_today: number;
  open_end: number;
  overdue_open: number;
  unknown_procedure_received: number;
  received_online: number;
  resolved: number;
  resolved_on_time: number;
  online_share: number | null;
  on_time_rate: number | null;
}

/** One week of a trend: a province's, or the sum of the scope's provinces. */
export interface TrendPoint {
  week_start: string;
  /** communes whose pressure index that week is not null */
  communes_with_index: number;
  required_fte_staffed: number;
  actual_fte: number;
  pressure_index: number | null;
  high_or_critical: number;
}

/** The query parameters: the week's Monday, the trend's first Monday, the province ('' for all), today. */
export type FigureParams = { week: string; first: string; province: string; asOfDay: string };

// The estimator stores each province's figures beside the commune rows of a run (province_pressure): the
// report reads them rather than adding the commune rows up again. What that table does not hold (Σ required of
// the communes with staffing data, the staff in force today, open and overdue dossiers) is summed here.
/** The rows of the edition's province, or all of them (`{province:String}` empty). */
export const SCOPE_FILTER = "({province:String} = '' OR province_code = {province:String})";

const STORED_SELECT = `province_code, communes, communes_with_index, communes_without_staffing,
  ${PRESSURE_LEVELS.map((level) => `communes_${level} AS ${level}`).join(', ')},
  received, required_fte, actual_fte, pressure_index, proposed_staff`;

// The roster row in force on a day (a row applies from valid_from until the commune's next row).
const STAFF_TODAY = `
  SELECT commune_code, argMax(civil_servants + contract_staff + support_fte, valid_from) AS staff_today
  FROM commune_staffing WHERE valid_from <= {asOfDay:Date} GROUP BY commune_code`;

// The aggregates are named after the columns they sum; without prefer_column_name_to_alias a later expression
// over the column would read the aggregate instead.
const UNSTORED_SELECT = `
  sumIf(required_fte, actual_fte IS NOT NULL) AS required_fte_staffed,
  sum(staff_today) AS staff_today,
  sum(open_end) AS open_end,
  sum(overdue_open) AS overdue_open,
  sum(unknown_procedure_received) AS unknown_procedure_received`;

const RATES_SELECT = `
  sum(received_online) AS received_online,
  sum(resolved) AS resolved,
  sum(resolved_on_time) AS resolved_on_time,
  if(sum(received) > 0, sum(received_online) / sum(received), NULL) AS online_share,
  if(sum(resolved) > 0, sum(resolved_on_time) / sum(resolved), NULL) AS on_time_rate`;

type StoredRow = Pick<
  WeekTotals,
  | 'communes'
  | 'communes_with_index'
  | 'communes_without_staffing'
  | (typeof PRESSURE_LEVELS)[number]
  | 'received'
  | 'required_fte'
  | 'actual_fte'
  | 'pressure_index'
  | 'proposed_staff'
> & { province_code: string };
type UnstoredRow = Pick<
  WeekTotals,
  'required_fte_staffed' | 'staff_today' | 'open_end' | 'overdue_open' | 'unknown_procedure_received'
>;
type RatesRow = Pick<WeekTotals, 'received_online' | 'resolved' | 'resolved_on_time' | 'online_share' | 'on_time_rate'>;

const NO_UNSTORED: UnstoredRow = {
  required_fte_staffed: 0,
  staff_today: 0,
  open_end: 0,
  overdue_open: 0,
  unknown_procedure_received: 0,
};
const NO_RATES: RatesRow = {
  received_online: 0,
  resolved: 0,
  resolved_on_time: 0,
  online_share: null,
  on_time_rate: null,
};

/** The fields of a total that are the sum of its provinces'. */
const SUMMED: readonly (keyof Omit<WeekTotals, 'province_code' | 'pressure_index' | keyof RatesRow>)[] = [
  'communes',
  'communes_with_index',
  'communes_without_staffing',
  ...PRESSURE_LEVELS,
  'received',
  'required_fte',
  'required_fte_staffed',
  'actual_fte',
  'proposed_staff',
  'staff_today',
  'open_end',
  'overdue_open',
  'unknown_procedure_received',
];

/** The week's figures of each province of the scope, and of the scope as a whole. */
export async function loadWeekTotals(
  warehouse: Warehouse,
  params: FigureParams,
): Promise<{ provinces: WeekTotals[]; total: WeekTotals }> {
  const ratesSql = (grouped: boolean) => `
    SELECT ${grouped ? 'province_code,' : ''} ${RATES_SELECT}
    FROM commune_weekly WHERE week_start = {week:Date} AND ${SCOPE_FILTER}
    ${grouped ? 'GROUP BY province_code' : ''}
    SETTINGS prefer_column_name_to_alias = 1`;
  const [stored, unstored, provinceRates, [totalRates]] = await Promise.all([
    warehouse.query<StoredRow>(
      `SELECT ${STORED_SELECT} FROM province_pressure
       WHERE period_kind = 'week' AND period_start = {week:Date} AND ${SCOPE_FILTER} ORDER BY province_code`,
      params,
    ),
    warehouse.query<UnstoredRow & { province_code: string }>(
      `WITH staff AS (${STAFF_TODAY})
       SELECT province_code, ${UNSTORED_SELECT}
       FROM (SELECT p.*, s.staff_today AS staff_today FROM pressure_indicators AS p
             LEFT JOIN staff AS s ON s.commune_code = p.commune_code
             WHERE p.period_kind = 'week' AND p.period_start = {week:Date}
               AND ({province:String} = '' OR p.province_code = {province:String}))
       GROUP BY province_code
       SETTINGS prefer_column_name_to_alias = 1`,
      params,
    ),
    warehouse.query<RatesRow & { province_code: string }>(ratesSql(true), params),
    warehouse.query<RatesRow>(ratesSql(false), params),
  ]);
  const unstoredOf = byProvince(unstored);
  const ratesOf = byProvince(provinceRates);
  const provinces = stored.map(
    (row): WeekTotals => ({
      ...row,
      ...(unstoredOf.get(row.province_code) ?? NO_UNSTORED),
      ...(ratesOf.get(row.province_code) ?? NO_RATES),
      province_code: row.province_code,
    }),
  );
  return { provinces, total: sumProvinces(provinces, totalRates ?? NO_RATES) };
}

/**
 * The scope's total: the provinces' figures added up; its pressure index the province's stored one in a province's
 * edition, else the core's aggregate of the sums (Σ required of the staffed communes ÷ Σ actual).
 */
export function sumProvinces(provinces: readonly WeekTotals[], rates: RatesRow): WeekTotals {
  const sums = Object.fromEntries(
    SUMMED.map((key) => [key, provinces.reduce((total, row) => total + row[key], 0)]),
  ) as Record<(typeof SUMMED)[number], number>;
  // a province's edition: its total is the province's own stored figure
  const [only] = provinces;
  const pressureIndex =
    provinces.length === 1 && only
      ? only.pressure_index
      : aggregatePressureIndex({ requiredFte: sums.required_fte_staffed, actualFte: sums.actual_fte });
  return { province_code: null, ...sums, pressure_index: pressureIndex, ...rates };
}

/** Each province's trend over the weeks from `first` to `week`, and the scope's (its provinces added up). */
export async function loadTrends(
  warehouse: Warehouse,
  params: FigureParams,
  weeks: readonly string[],
): Promise<{ trend: TrendPoint[]; provinceTrends: Map<string, TrendPoint[]> }> {
  const weeksFilter = `period_kind = 'week' AND period_start BETWEEN {first:Date} AND {week:Date} AND ${SCOPE_FILTER}`;
  const [stored, staffed] = await Promise.all([
    warehouse.query<Omit<TrendPoint, 'required_fte_staffed'> & { province_code: string }>(
      `SELECT province_code, toString(period_start) AS week_start, communes_with_index, actual_fte, pressure_index,
              communes_high + communes_critical AS high_or_critical
       FROM province_pressure WHERE ${weeksFilter} ORDER BY province_code, period_start`,
      params,
    ),
    warehouse.query<{ province_code: string; week_start: string; required_fte_staffed: number }>(
      `SELECT province_code, toString(period_start) AS week_start,
              sumIf(required_fte, actual_fte IS NOT NULL) AS required_fte_staffed
       FROM pressure_indicators WHERE ${weeksFilter} GROUP BY province_code, period_start`,
      params,
    ),
  ]);
  const staffedOf = new Map(staffed.map((row) => [`${row.province_code} ${row.week_start}`, row.required_fte_staffed]));
  const provinceTrends = new Map<string, TrendPoint[]>();
  const byWeek = new Map<string, TrendPoint[]>();
  for (const { province_code, ...row } of stored) {
    const point: TrendPoint = {
      ...row,
      required_fte_staffed: staffedOf.get(`${province_code} ${row.week_start}`) ?? 0,
    };
    provinceTrends.set(province_code, [...(provinceTrends.get(province_code) ?? []), point]);
    byWeek.set(row.week_start, [...(byWeek.get(row.week_start) ?? []), point]);
  }
  const trend = weeks.flatMap((week) => {
    const points = byWeek.get(week);
    return points ? [sumPoints(week, points)] : [];
  });
  return { trend, provinceTrends };
}

function sumPoints(week: string, points: readonly TrendPoint[]): TrendPoint {
  const [only] = points;
  if (points.length === 1 && only) return { ...only };
  const sum = (key: 'communes_with_index' | 'required_fte_staffed' | 'actual_fte' | 'high_or_critical') =>
    points.reduce((total, point) => total + point[key], 0);
  const requiredFte = sum('required_fte_staffed');
  const actualFte = sum('actual_fte');
  return {
    week_start: week,
    communes_with_index: sum('communes_with_index'),
    required_fte_staffed: requiredFte,
    actual_fte: actualFte,
    pressure_index: aggregatePressureIndex({ requiredFte, actualFte }),
    high_or_critical: sum('high_or_critical'),
  };
}

function byProvince<T extends { province_code: string }>(rows: readonly T[]): Map<string, Omit<T, 'province_code'>> {
  return new Map(rows.map(({ province_code, ...row }) => [province_code, row]));
}
