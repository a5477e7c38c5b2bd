import type { Warehouse } from '@commune-pulse/warehouse';
import type { AlertState, EpisodeRecord, Figures, Observation, Transition } from './core.ts';
import { episodeKey } from './core.ts';
import { iso, tokenOf } from './records.ts';
import type { AlertLevel, PeriodKind } from './rules.ts';

// What the evaluation reads from and writes to the warehouse (migration 0004_alerts.sql): the estimation runs and
// their evaluations, the indicator series, the episodes and their transitions. The outbox, silences and listings
// have their own modules (outbox.ts, silences.ts, listing.ts).

export interface EstimationRun {
  run_id: string;
  period_kind: PeriodKind;
  period_start: string;
  window_end_ms: number;
  computed_at_ms: number;
}

const RUN_COLUMNS = `run_id, period_kind, toString(period_start) AS period_start,
  toUnixTimestamp64Milli(window_end) AS window_end_ms, toUnixTimestamp64Milli(computed_at) AS computed_at_ms`;

function toRun(row: EstimationRun): EstimationRun {
  return { ...row, window_end_ms: Number(row.window_end_ms), computed_at_ms: Number(row.computed_at_ms) };
}

export async function loadRun(warehouse: Warehouse, runId: string): Promise<EstimationRun | null> {
  const rows = await warehouse.query<EstimationRun>(
    `SELECT ${RUN_COLUMNS} FROM estimation_runs WHERE run_id = {run:String} LIMIT 1`,
    { run: runId },
  );
  return rows[0] ? toRun(rows[0]) : null;
}

/** Estimation runs not evaluated yet, oldest first. */
export async function unevaluatedRuns(warehouse: Warehouse): Promise<EstimationRun[]> {
  const rows = await warehouse.query<EstimationRun>(
    `SELECT ${RUN_COLUMNS} FROM estimation_runs
     WHERE run_id NOT IN (SELECT run_id FROM alert_evaluations)
     ORDER BY computed_at, run_id`,
  );
  return rows.map(toRun);
}

export async function isEvaluated(warehouse: Warehouse, runId: string): Promise<boolean> {
  const rows = await warehouse.query<{ n: number }>(
    'SELECT count() AS n FROM alert_evaluations WHERE run_id = {run:String}',
    { run: runId },
  );
  return Number(rows[0]?.n ?? 0) > 0;
}

/** The latest period of a kind that moved the alerts: an older one is a recomputation of the past. */
export async function latestEvaluatedPeriod(warehouse: Warehouse, kind: PeriodKind): Promise<string | null> {
  const rows = await warehouse.query<{ latest: string | null }>(
    `SELECT toString(max(period_start)) AS latest, count() AS n FROM alert_evaluations
     WHERE period_kind = {kind:String} AND outcome = 'evaluated' HAVING n > 0`,
    { kind },
  );
  return rows[0]?.latest ?? null;
}

export type EvaluationOutcome = 'evaluated' | 'stale' | 'superseded';

export async function recordEvaluation(
  warehouse: Warehouse,
  run: EstimationRun,
  outcome: EvaluationOutcome,
  transitions: number,
  nowMs: number,
): Promise<void> {
  await warehouse.insert('alert_evaluations', [
    {
      run_id: run.run_id,
      period_kind: run.period_kind,
      period_start: run.period_start,
      outcome,
      transitions,
      evaluated_at: iso(nowMs),
    },
  ]);
}

interface ObservationRow {
  period_kind: PeriodKind;
  period_day: string;
  window_end_ms: number | string;
  commune_code: string;
  province_code: string;
  pressure_index: number | null;
  level: string | null;
  required_fte: number;
  actual_fte: number | null;
  received: number;
  on_time_rate: number | null;
  open_end: number;
  overdue_open: number;
  backlog_weeks: number | null;
  run_id: string;
}

/**
 * Every commune's indicator rows of a kind between two period starts (inclusive), the latest run of each
 * period. With `withResolved`, the dossiers resolved in each row's window, counted as the estimator counts
 * them (resolved_at in [window_end − 7 days, window_end)).
 */
export async function loadSeries(
  warehouse: Warehouse,
  kind: PeriodKind,
  fromDay: string,
  toDay: string,
  withResolved: boolean,
): Promise<Map<string, Map<string, Observation>>> {
  const rows = await warehouse.query<ObservationRow>(
    `SELECT period_kind, toString(period_start) AS period_day, toUnixTimestamp64Milli(window_end) AS window_end_ms,
            commune_code, province_code, pressure_index, level, required_fte, actual_fte, received, on_time_rate,
            open_end, overdue_open, backlog_weeks, run_id
     FROM pressure_indicators
     WHERE period_kind = {kind:String} AND period_start >= {from:Date} AND period_start <= {to:Date}`,
    { kind, from: fromDay, to: toDay },
  );
  const resolved = new Map<string, number>();
  if (withResolved && rows.length > 0) {
    const ends = [...new Set(rows.map((row) => Number(row.window_end_ms)))];
    const week = 7 * 86_400_000;
    const counts = await warehouse.query<{ commune_code: string; window_end_ms: number; resolved: number }>(
      `SELECT commune_code, window_end_ms, count() AS resolved
       FROM dossiers
       ARRAY JOIN {ends:Array(Int64)} AS window_end_ms
       WHERE resolved_at >= fromUnixTimestamp64Milli({from:Int64}) AND resolved_at < fromUnixTimestamp64Milli({to:Int64})
         AND toUnixTimestamp64Milli(resolved_at) >= window_end_ms - {week:Int64}
         AND toUnixTimestamp64Milli(resolved_at) < window_end_ms
       GROUP BY commune_code, window_end_ms`,
      { ends, from: Math.min(...ends) - week, to: Math.max(...ends), week },
    );
    for (const row of counts) resolved.set(`${row.commune_code}@${Number(row.window_end_ms)}`, Number(row.resolved));
  }
  const byCommune = new Map<string, Map<string, Observation>>();
  for (const row of rows) {
    const windowEnd = Number(row.window_end_ms);
    const series = byCommune.get(row.commune_code) ?? new Map<string, Observation>();
    series.set(row.period_day, {
      period_kind: row.period_kind,
      period_start: row.period_day,
      window_end_ms: windowEnd,
      commune_code: row.commune_code,
      province_code: row.province_code,
      pressure_index: row.pressure_index === null ? null : Number(row.pressure_index),
      level: row.level,
      required_fte: Number(row.required_fte),
      actual_fte: row.actual_fte === null ? null : Number(row.actual_fte),
      received: Number(row.received),
      resolved: withResolved ? (resolved.get(`${row.commune_code}@${windowEnd}`) ?? 0) : null,
      on_time_rate: row.on_time_rate === null ? null : Number(row.on_time_rate),
      open_end: Number(row.open_end),
      overdue_open: Number(row.overdue_open),
      backlog_weeks: row.backlog_weeks === null ? null : Number(row.backlog_weeks),
      run_id: row.run_id,
    });
    byCommune.set(row.commune_code, series);
  }
  return byCommune;
}

/** The latest episode of every (rule, commune) key of these rules. */
export async function loadLatestEpisodes(
  warehouse: Warehouse,
  rules: readonly string[],
): Promise<Map<string, EpisodeRecord>> {
  const rows = await warehouse.query<{
    rule: string;
    commune_code: string;
    latest_alert: string;
    latest_episode: number;
    start_day: string;
    latest_state: AlertState;
    last_day: string;
  }>(
    `SELECT rule, commune_code, argMax(alert_id, episode) AS latest_alert, max(episode) AS latest_episode,
            toString(argMax(episode_start, episode)) AS start_day, argMax(state, episode) AS latest_state,
            toString(argMax(last_period_start, episode)) AS last_day
     FROM alerts WHERE rule IN {rules:Array(String)}
     GROUP BY rule, commune_code`,
    { rules: [...rules] },
  );
  const latest = new Map<string, EpisodeRecord>();
  for (const row of rows) {
    latest.set(episodeKey(row.rule, row.commune_code), {
      alert_id: row.latest_alert,
      rule: row.rule,
      commune_code: row.commune_code,
      episode: Number(row.latest_episode),
      episode_start: row.start_day,
      state: row.latest_state,
      last_period_start: row.last_day,
    });
  }
  return latest;
}

export async function insertTransitions(
  warehouse: Warehouse,
  transitions: readonly Transition[],
  nowMs: number,
): Promise<void> {
  if (transitions.length === 0) return;
  await warehouse.insert(
    'alert_transitions',
    transitions.map((t) => ({
      transition_id: t.transition_id,
      alert_id: t.alert_id,
      rule: t.rule,
      level: t.level,
      commune_code: t.commune_code,
      province_code: t.province_code,
      episode: t.episode,
      episode_start: t.episode_start,
      from_state: t.from_state,
      to_state: t.to_state,
      period_kind: t.period_kind,
      period_start: t.period_start,
      window_end: iso(t.window_end_ms),
      value: t.value,
      threshold: t.threshold,
      figures: JSON.stringify(t.figures),
      run_id: t.run_id,
      at: iso(t.window_end_ms),
      recorded_at: iso(nowMs),
    })),
    // The same transitions retried (a crash before the run was marked evaluated) are dropped by the engine.
    { dedupToken: tokenOf(['alert_transitions', ...transitions.map((t) => t.transition_id)]) },
  );
}

export interface StoredTransition extends Transition {
  recorded_at_ms: number;
}

/** Transitions of one run, including those a crashed earlier evaluation of it stored. */
export async function transitionsOfRun(warehouse: Warehouse, runId: string): Promise<StoredTransition[]> {
  const rows = await warehouse.query<
    Omit<StoredTransition, 'figures' | 'window_end_ms' | 'recorded_at_ms'> & {
      figures: string;
      window_end_ms: number;
      recorded_at_ms: number;
    }
  >(
    `SELECT transition_id, alert_id, rule, level, commune_code, province_code, episode,
            toString(episode_start) AS episode_start, from_state, to_state, period_kind,
            toString(period_start) AS period_start, toUnixTimestamp64Milli(window_end) AS window_end_ms, value,
            threshold, figures, run_id, toUnixTimestamp64Milli(recorded_at) AS recorded_at_ms
     FROM alert_transitions FINAL WHERE run_id = {run:String}`,
    { run: runId },
  );
  return rows.map((row) => ({
    ...row,
    level: row.level as AlertLevel,
    episode: Number(row.episode),
    window_end_ms: Number(row.window_end_ms),
    recorded_at_ms: Number(row.recorded_at_ms),
    value: row.value === null ? null : Number(row.value),
    threshold: Number(row.threshold),
    figures: JSON.parse(row.figures) as Figures,
  }));
}
