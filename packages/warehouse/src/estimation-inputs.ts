import {
  communes,
  formatDay,
  isoWeekStartDayNumber,
  type Period,
  type ProcedureCatalog,
  parseDay,
  vnDayNumber,
  type WorkingCalendar,
} from '@commune-pulse/reference-data';
import type { CommunePeriodInputs, ProcedureReceipts } from '@commune-pulse/workload';
import { loadStaffingAt } from './reference-inputs.ts';
import type { Warehouse } from './warehouse.ts';

const HISTORY_WEEKS = 51;
const FORECAST_DAYS = 56;

function inputsFor(code: string, provinceCode: string): CommunePeriodInputs {
  return {
    communeCode: code,
    provinceCode,
    receipts: [],
    receivedOnline: 0,
    resolved: 0,
    resolvedOnTime: 0,
    openEnd: 0,
    overdueOpen: 0,
    staffing: null,
    counterPeakHourArrivals: [],
    previousWeeklyWorkloadByProcedure: [],
    resolvedByWeek: [],
    dailyReceived: [],
  };
}

/** One gathering: the communes' inputs being filled, and what every query of it is limited to. */
interface Gathering {
  warehouse: Warehouse;
  period: Period;
  catalog: ProcedureCatalog;
  calendar: WorkingCalendar;
  selected: ReadonlySet<string> | null;
  byCommune: Map<string, CommunePeriodInputs>;
  /** `AND commune_code IN …` when communes are selected */
  communeFilter: string;
  /** the period's bounds (epoch ms) and the selected communes, as query parameters */
  window: { start: number; end: number; communes: string[] };
  /** the period's last day (a VN day number) */
  lastDay: number;
}

/**
 * Everything the indicator of every commune needs for one period, in a handful of queries over the
 * lifecycle tables (never per commune): receipts by procedure and channel, the period's rates, the busiest
 * counter hour of each working day, the open and overdue dossiers at the end, the weekly workload of the
 * year before (for the proposal), recent resolutions (backlog) and daily receipts (forecast).
 */
export async function gatherInputs(
  warehouse: Warehouse,
  period: Period,
  catalog: ProcedureCatalog,
  calendar: WorkingCalendar,
  communeCodes?: readonly string[],
): Promise<CommunePeriodInputs[]> {
  const selected = communeCodes ? new Set(communeCodes) : null;
  const byCommune = new Map<string, CommunePeriodInputs>();
  for (const commune of communes()) {
    if (selected && !selected.has(commune.code)) continue;
    byCommune.set(commune.code, inputsFor(commune.code, commune.provinceCode));
  }
  const g: Gathering = {
    warehouse,
    period,
    catalog,
    calendar,
    selected,
    byCommune,
    communeFilter: selected ? 'AND commune_code IN {communes:Array(String)}' : '',
    window: { start: period.startMs, end: period.endMs, communes: [...(selected ?? [])] },
    lastDay: vnDayNumber(period.endMs - 1),
  };
  await addReceipts(g);
  await addResolutions(g);
  await addCounterPeaks(g);
  await addEndState(g);
  const firstDayByCommune = await firstDaysOfData(g);
  await addPreviousYear(g, firstDayByCommune);
  await addRecentDays(g, firstDayByCommune);
  await addStaffing(g);
  return [...byCommune.values()];
}

/** Receipts by procedure and channel in the period. */
async function addReceipts(g: Gathering): Promise<void> {
  const receipts = await g.warehouse.query<{
    commune_code: string;
    procedure_code: string;
    received: number;
    at_counter: number;
    online: number;
  }>(
    `SELECT commune_code, procedure_code, count() AS received, countIf(channel = 'counter') AS at_counter,
            countIf(channel = 'online') AS online
     FROM dossiers
     WHERE received_at >= fromUnixTimestamp64Milli({start:Int64}) AND received_at < fromUnixTimestamp64Milli({end:Int64}) ${g.communeFilter}
     GROUP BY commune_code, procedure_code`,
    g.window,
  );
  for (const row of receipts) {
    const inputs = g.byCommune.get(row.commune_code);
    if (!inputs) continue;
    const standard = g.catalog.lookup(row.procedure_code);
    (inputs.receipts as ProcedureReceipts[]).push({
      procedureCode: row.procedure_code,
      received: Number(row.received),
      receivedAtCounter: Number(row.at_counter),
      standardMinutes: standard.standardMinutes,
      counterMinutes: standard.counterMinutes,
      known: standard.known,
    });
    inputs.receivedOnline += Number(row.online);
  }
}

/** Dossiers resolved in the period, and how many on time. */
async function addResolutions(g: Gathering): Promise<void> {
  const resolved = await g.warehouse.query<{ commune_code: string; resolved: number; on_time: number }>(
    `SELECT commune_code, count() AS resolved, countIf(on_time = 1) AS on_time
     FROM dossiers
     WHERE resolved_at >= fromUnixTimestamp64Milli({start:Int64}) AND resolved_at < fromUnixTimestamp64Milli({end:Int64}) ${g.communeFilter}
     GROUP BY commune_code`,
    g.window,
  );
  for (const row of resolved) {
    const inputs = g.byCommune.get(row.commune_code);
    if (!inputs) continue;
    inputs.resolved = Number(row.resolved);
    inputs.resolvedOnTime = Number(row.on_time);
  }
}

/**
 * λ: the busiest clock hour of each working day, averaged over the period's working days (a day without counter
 * receipts counts as 0).
 */
async function addCounterPeaks(g: Gathering): Promise<void> {
  const workingDays: string[] = [];
  for (let day = vnDayNumber(g.period.startMs); day <= g.lastDay; day++) {
    const iso = formatDay(day);
    if (g.calendar.isWorkingDay(iso)) workingDays.push(iso);
  }
  const peaks = await g.warehouse.query<{ commune_code: string; day: string; peak: number }>(
    `SELECT commune_code, toString(day) AS day, max(n) AS peak FROM (
       SELECT commune_code, toDate(received_at, 'Asia/Ho_Chi_Minh') AS day, toHour(received_at, 'Asia/Ho_Chi_Minh') AS hour,
              count() AS n
       FROM dossiers
       WHERE channel = 'counter' AND received_at >= fromUnixTimestamp64Milli({start:Int64})
         AND received_at < fromUnixTimestamp64Milli({end:Int64}) ${g.communeFilter}
       GROUP BY commune_code, day, hour)
     GROUP BY commune_code, day`,
    g.window,
  );
  const peaksByCommune = new Map<string, Map<string, number>>();
  for (const row of peaks) {
    const days = peaksByCommune.get(row.commune_code) ?? new Map<string, number>();
    days.set(row.day, Number(row.peak));
    peaksByCommune.set(row.commune_code, days);
  }
  for (const [code, inputs] of g.byCommune) {
    const days = peaksByCommune.get(code);
    inputs.counterPeakHourArrivals = workingDays.map((day) => days?.get(day) ?? 0);
  }
}

/** The open and overdue dossiers at the period's end: the latest daily row on or before its last day. */
async function addEndState(g: Gathering): Promise<void> {
  const ends = await g.warehouse.query<{ commune_code: string; open_end: number; overdue_open: number }>(
    `SELECT commune_code, argMax(open_end, day) AS open_end, argMax(overdue_open, day) AS overdue_open
     FROM commune_daily
     WHERE day <= {last:Date} ${g.communeFilter}
     GROUP BY commune_code`,
    { ...g.window, last: formatDay(g.lastDay) },
  );
  for (const row of ends) {
    const inputs = g.byCommune.get(row.commune_code);
    if (!inputs) continue;
    inputs.openEnd = Number(row.open_end);
    inputs.overdueOpen = Number(row.overdue_open);
  }
}

/**
 * The first day of each commune's data. Days and weeks before a commune's data began are unknown, not zero: they
 * stay out of its proposal and forecast.
 */
async function firstDaysOfData(g: Gathering): Promise<Map<string, number>> {
  const firstDays = await g.warehouse.query<{ commune_code: string; first_day: string }>(
    `SELECT commune_code, toString(min(day)) AS first_day FROM commune_daily WHERE 1 ${g.communeFilter} GROUP BY commune_code`,
    g.window,
  );
  return new Map(firstDays.map((row) => [row.commune_code, parseDay(row.first_day)]));
}

/** The year before, week by week (for the proposal): workload minutes with today's catalog. */
async function addPreviousYear(g: Gathering, firstDayByCommune: ReadonlyMap<string, number>): Promise<void> {
  const periodWeek = isoWeekStartDayNumber(vnDayNumber(g.period.startMs));
  const firstWeek = periodWeek - HISTORY_WEEKS * 7;
  const weeklyProcedures = await g.warehouse.query<{
    commune_code: string;
    week: string;
    procedure_code: string;
    received: number;
  }>(
    `SELECT commune_code, toString(week_start) AS week, procedure_code, received
     FROM procedure_weekly
     WHERE week_start >= {first:Date} AND week_start < {current:Date} AND received > 0 ${g.communeFilter}`,
    { ...g.window, first: formatDay(firstWeek), current: formatDay(periodWeek) },
  );
  const weekIndex = (week: string) => (parseDay(week) - firstWeek) / 7;
  const emptyWeeks = () => Array.from({ length: HISTORY_WEEKS }, () => ({}) as Record<string, number>);
  const minutesByCommune = new Map<string, Record<string, number>[]>();
  for (const row of weeklyProcedures) {
    const weeks = minutesByCommune.get(row.commune_code) ?? emptyWeeks();
    const week = weeks[weekIndex(row.week)];
    if (week) week[row.procedure_code] = Number(row.received) * g.catalog.lookup(row.procedure_code).standardMinutes;
    minutesByCommune.set(row.commune_code, weeks);
  }
  for (const [code, inputs] of g.byCommune) {
    const firstDay = firstDayByCommune.get(code);
    const from =
      firstDay === undefined ? HISTORY_WEEKS : Math.max(0, (isoWeekStartDayNumber(firstDay) - firstWeek) / 7);
    inputs.previousWeeklyWorkloadByProcedure = (minutesByCommune.get(code) ?? emptyWeeks()).slice(from);
  }
}

/** Recent resolutions by week (backlog) and daily receipts (forecast). */
async function addRecentDays(g: Gathering, firstDayByCommune: ReadonlyMap<string, number>): Promise<void> {
  const recentResolved = await g.warehouse.query<{
    commune_code: string;
    day_text: string;
    resolved: number;
    received: number;
  }>(
    `SELECT commune_code, toString(day) AS day_text, resolved, received FROM commune_daily
     WHERE day > {from:Date} AND day <= {last:Date} ${g.communeFilter}`,
    { ...g.window, from: formatDay(g.lastDay - FORECAST_DAYS), last: formatDay(g.lastDay) },
  );
  const daily = new Map<string, { resolved: number[]; received: number[] }>();
  for (const row of recentResolved) {
    const series = daily.get(row.commune_code) ?? {
      resolved: new Array<number>(FORECAST_DAYS).fill(0),
      received: new Array<number>(FORECAST_DAYS).fill(0),
    };
    const index = parseDay(row.day_text) - (g.lastDay - FORECAST_DAYS + 1);
    if (index >= 0 && index < FORECAST_DAYS) {
      series.resolved[index] = Number(row.resolved);
      series.received[index] = Number(row.received);
    }
    daily.set(row.commune_code, series);
  }
  const seriesStart = g.lastDay - FORECAST_DAYS + 1;
  for (const [code, inputs] of g.byCommune) {
    const series = daily.get(code);
    const received = series?.received ?? new Array<number>(FORECAST_DAYS).fill(0);
    const resolvedDaily = series?.resolved ?? new Array<number>(FORECAST_DAYS).fill(0);
    const firstDay = firstDayByCommune.get(code);
    // Resolutions of the (up to) 4 windows of 7 days ending at the period's end, oldest first; windows that
    // ended before the commune's data began are unknown, not zero.
    const knownFrom = firstDay === undefined ? FORECAST_DAYS : Math.max(0, firstDay - seriesStart);
    inputs.resolvedByWeek = [3, 2, 1, 0]
      .filter((back) => FORECAST_DAYS - 7 * back > knownFrom)
      .map((back) =>
        resolvedDaily.slice(FORECAST_DAYS - 7 * (back + 1), FORECAST_DAYS - 7 * back).reduce((sum, n) => sum + n, 0),
      );
    inputs.dailyReceived = received.slice(knownFrom);
  }
}

/** The staffing in force on the period's first day. */
async function addStaffing(g: Gathering): Promise<void> {
  const staffing = await loadStaffingAt(g.warehouse, g.period.startDay, g.selected ? [...g.selected] : undefined);
  for (const [code, row] of staffing) {
    const inputs = g.byCommune.get(code);
    if (inputs) inputs.staffing = row;
  }
}
