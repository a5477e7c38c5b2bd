import { createHash, randomUUID } from 'node:crypto';
import type { Warehouse } from '@commune-pulse/warehouse';
import type { AlertState, EpisodeRecord, Figures, Observation, Transition } from './core.ts';
import { episodeKey } from './core.ts';
import type { Channel } from './routing.ts';
import type { AlertLevel, PeriodKind } from './rules.ts';

// Everything the alerter reads from and writes to the warehouse (migration 0004_alerts.sql).

const iso = (ms: number) => new Date(ms).toISOString();
const tokenOf = (parts: readonly string[]) =>
  createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 40);

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

// The outbox.

export type DeliveryStatus = 'pending' | 'sent' | 'silenced' | 'dropped';
const STATUS_RANK: Record<DeliveryStatus, number> = { pending: 0, sent: 2, silenced: 2, dropped: 2 };

export interface OutboxRow {
  delivery_id: string;
  transition_id: string;
  alert_id: string;
  rule: string;
  commune_code: string;
  channel: Channel;
  recipient: string;
  mode: 'immediate' | 'digest';
  due_at_ms: number;
  transition_at_ms: number;
  payload: string;
  status: DeliveryStatus;
  detail: string;
  created_at_ms: number;
}

function outboxRecord(row: OutboxRow, updatedAtMs: number) {
  return {
    delivery_id: row.delivery_id,
    transition_id: row.transition_id,
    alert_id: row.alert_id,
    rule: row.rule,
    commune_code: row.commune_code,
    channel: row.channel,
    recipient: row.recipient,
    mode: row.mode,
    due_at: iso(row.due_at_ms),
    transition_at: iso(row.transition_at_ms),
    payload: row.payload,
    status: row.status,
    status_rank: STATUS_RANK[row.status],
    detail: row.detail,
    created_at: iso(row.created_at_ms),
    updated_at: iso(updatedAtMs),
  };
}

/** New deliveries: a delivery already in the outbox keeps its status (a pending row never outranks it). */
export async function insertOutbox(warehouse: Warehouse, rows: readonly OutboxRow[], nowMs: number): Promise<void> {
  if (rows.length === 0) return;
  await warehouse.insert(
    'alert_outbox',
    rows.map((row) => outboxRecord(row, nowMs)),
    { dedupToken: tokenOf(['alert_outbox', ...rows.map((row) => row.delivery_id)]) },
  );
}

export async function setDeliveryStatus(
  warehouse: Warehouse,
  rows: readonly OutboxRow[],
  status: Exclude<DeliveryStatus, 'pending'>,
  detail: string,
  nowMs: number,
): Promise<void> {
  if (rows.length === 0) return;
  await warehouse.insert(
    'alert_outbox',
    rows.map((row) => outboxRecord({ ...row, status, detail }, nowMs)),
  );
}

const OUTBOX_COLUMNS = `delivery_id, transition_id, alert_id, rule, commune_code, channel, recipient, mode,
  toUnixTimestamp64Milli(due_at) AS due_at_ms, toUnixTimestamp64Milli(transition_at) AS transition_at_ms, payload,
  status, detail, toUnixTimestamp64Milli(created_at) AS created_at_ms`;

function toOutbox(row: OutboxRow): OutboxRow {
  return {
    ...row,
    due_at_ms: Number(row.due_at_ms),
    transition_at_ms: Number(row.transition_at_ms),
    created_at_ms: Number(row.created_at_ms),
  };
}

export async function dueDeliveries(warehouse: Warehouse, nowMs: number, limit = 500): Promise<OutboxRow[]> {
  const rows = await warehouse.query<OutboxRow>(
    `SELECT ${OUTBOX_COLUMNS} FROM alert_outbox FINAL
     WHERE status = 'pending' AND due_at <= fromUnixTimestamp64Milli({now:Int64})
     ORDER BY due_at, delivery_id LIMIT {limit:UInt32}`,
    { now: nowMs, limit },
  );
  return rows.map(toOutbox);
}

export async function loadDelivery(warehouse: Warehouse, id: string): Promise<OutboxRow | null> {
  const rows = await warehouse.query<OutboxRow>(
    `SELECT ${OUTBOX_COLUMNS} FROM alert_outbox FINAL WHERE delivery_id = {id:String}`,
    { id },
  );
  return rows[0] ? toOutbox(rows[0]) : null;
}

export async function recordAttempts(
  warehouse: Warehouse,
  attempts: readonly { delivery_id: string; ok: boolean; error: string; duration_ms: number }[],
  nowMs: number,
): Promise<void> {
  if (attempts.length === 0) return;
  await warehouse.insert(
    'alert_delivery_attempts',
    attempts.map((attempt) => ({
      delivery_id: attempt.delivery_id,
      attempted_at: iso(nowMs),
      ok: attempt.ok ? 1 : 0,
      error: attempt.error.slice(0, 1_000),
      duration_ms: Math.max(0, Math.round(attempt.duration_ms)),
    })),
  );
}

export async function failedAttempts(
  warehouse: Warehouse,
  ids: readonly string[],
): Promise<Map<string, { attempts: number; last_ms: number }>> {
  if (ids.length === 0) return new Map();
  const rows = await warehouse.query<{ delivery_id: string; attempts: number; last_ms: number }>(
    `SELECT delivery_id, countIf(ok = 0) AS attempts, toUnixTimestamp64Milli(max(attempted_at)) AS last_ms
     FROM alert_delivery_attempts WHERE delivery_id IN {ids:Array(String)} GROUP BY delivery_id`,
    { ids: [...ids] },
  );
  return new Map(
    rows.map((row) => [row.delivery_id, { attempts: Number(row.attempts), last_ms: Number(row.last_ms) }]),
  );
}

// Silences and acknowledgements.

export interface Silence {
  silence_id: string;
  commune_code: string;
  /** '' for every rule */
  rule: string;
  until_ms: number;
  reason: string;
  created_by: string;
  created_at_ms: number;
}

export async function addSilence(
  warehouse: Warehouse,
  silence: Omit<Silence, 'silence_id' | 'created_at_ms'>,
  nowMs: number,
): Promise<Silence> {
  const stored: Silence = { ...silence, silence_id: randomUUID(), created_at_ms: nowMs };
  await warehouse.insert('alert_silences', [
    {
      silence_id: stored.silence_id,
      commune_code: stored.commune_code,
      rule: stored.rule,
      until: iso(stored.until_ms),
      reason: stored.reason,
      created_by: stored.created_by,
      created_at: iso(stored.created_at_ms),
    },
  ]);
  return stored;
}

/** Silences that end after an instant (the candidates for deliveries of changes since then). */
export async function silencesEndingAfter(warehouse: Warehouse, afterMs: number): Promise<Silence[]> {
  const rows = await warehouse.query<Silence>(
    `SELECT silence_id, commune_code, rule, toUnixTimestamp64Milli(until) AS until_ms, reason, created_by,
            toUnixTimestamp64Milli(created_at) AS created_at_ms
     FROM alert_silences FINAL WHERE until > fromUnixTimestamp64Milli({after:Int64}) ORDER BY created_at`,
    { after: afterMs },
  );
  return rows.map((row) => ({ ...row, until_ms: Number(row.until_ms), created_at_ms: Number(row.created_at_ms) }));
}

/**
 * Whether a silence holds back a delivery: same commune, its rule or all rules, and the silence was in
 * force at some time between the change and now (created before now, ending after the change).
 */
export function silenceFor(
  silences: readonly Silence[],
  delivery: Pick<OutboxRow, 'commune_code' | 'rule' | 'transition_at_ms'>,
  nowMs: number,
): Silence | undefined {
  return silences.find(
    (silence) =>
      silence.commune_code === delivery.commune_code &&
      (silence.rule === '' || silence.rule === delivery.rule) &&
      silence.created_at_ms <= nowMs &&
      silence.until_ms > delivery.transition_at_ms,
  );
}

export async function acknowledge(
  warehouse: Warehouse,
  alert: string,
  by: string,
  note: string,
  nowMs: number,
): Promise<void> {
  await warehouse.insert('alert_acks', [{ alert_id: alert, acked_at: iso(nowMs), acked_by: by, note }]);
}

export interface AlertListing {
  alert_id: string;
  rule: string;
  level: string;
  commune_code: string;
  province_code: string;
  episode: number;
  episode_start: string;
  state: AlertState;
  pending_at: string | null;
  fired_at: string | null;
  resolved_at: string | null;
  value: number | null;
  threshold: number | null;
  resolved_value: number | null;
  last_period_kind: string;
  last_period_start: string;
  acked_at: string | null;
  acked_by: string | null;
  ack_note: string | null;
}

export async function listAlerts(
  warehouse: Warehouse,
  filter: { states?: readonly AlertState[]; province?: string; commune?: string; rule?: string; limit?: number },
): Promise<AlertListing[]> {
  const where: string[] = [];
  if (filter.states) where.push('state IN {states:Array(String)}');
  if (filter.province) where.push('province_code = {province:String}');
  if (filter.commune) where.push('commune_code = {commune:String}');
  if (filter.rule) where.push('rule = {rule:String}');
  const rows = await warehouse.query<AlertListing>(
    `SELECT alert_id, rule, level, commune_code, province_code, episode, toString(episode_start) AS episode_start,
            state, pending_at, fired_at, resolved_at, value, threshold, resolved_value, last_period_kind,
            toString(last_period_start) AS last_period_start, acked_at, acked_by, ack_note
     FROM alerts ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY coalesce(fired_at, pending_at) DESC, alert_id
     LIMIT {limit:UInt32}`,
    {
      states: filter.states ? [...filter.states] : [],
      province: filter.province ?? '',
      commune: filter.commune ?? '',
      rule: filter.rule ?? '',
      limit: filter.limit ?? 1_000,
    },
  );
  return rows.map((row) => ({ ...row, episode: Number(row.episode) }));
}

/** The alerts whose id starts with a prefix (ids are shown in full; 6+ characters are enough to name one). */
export async function findAlertIds(warehouse: Warehouse, prefix: string): Promise<string[]> {
  const rows = await warehouse.query<{ alert_id: string }>(
    'SELECT DISTINCT alert_id FROM alert_transitions WHERE startsWith(alert_id, {prefix:String}) LIMIT 5',
    { prefix },
  );
  return rows.map((row) => row.alert_id);
}
