import { DAY_MS, formatDay, parseDay, vnDayNumber, vnDayNumberStartMs } from '@commune-pulse/reference-data';
import type { Logger } from '@commune-pulse/runtime';
import type { Warehouse } from '@commune-pulse/warehouse';
import { deliveryId, evaluatePeriod, lookbackPeriods, type Transition } from './core.ts';
import { alertMessage, webhookBody } from './messages.ts';
import { insertOutbox, type OutboxRow } from './outbox.ts';
import { type RouteTarget, type Routing, routeTargets } from './routing.ts';
import type { AlertRule, PeriodKind } from './rules.ts';
import {
  type EstimationRun,
  type EvaluationOutcome,
  insertTransitions,
  isEvaluated,
  latestEvaluatedPeriod,
  loadLatestEpisodes,
  loadRun,
  loadSeries,
  recordEvaluation,
  type StoredTransition,
  transitionsOfRun,
  unevaluatedRuns,
} from './store.ts';

/** What evaluation needs besides the warehouse: the rules, who hears about what, and the digest hour. */
export interface AlertingSetup {
  rules: readonly AlertRule[];
  routing: Routing;
  /** commune-alerts.v1 when Kafka is configured: each change gets a delivery to the topic */
  kafkaTopic?: string | undefined;
  /** hour of the daily e-mail digest, Vietnam time */
  digestHour: number;
  /**
   * Changes whose indicator window ended longer ago than this are recorded (and published on the topic) but
   * not sent to people: catching up on a backlog of runs must not mail last month's news.
   */
  notifyMaxAgeMs: number;
}

export interface EvaluationContext extends AlertingSetup {
  warehouse: Warehouse;
  logger: Logger;
  now?: () => number;
}

export interface RunEvaluation {
  runId: string;
  periodKind: PeriodKind;
  periodStart: string;
  outcome: EvaluationOutcome | 'already evaluated';
  transitions: Transition[];
  deliveries: number;
}

/** The first digest time (hour:00 Vietnam time) strictly after an instant. */
export function nextDigestMs(afterMs: number, hour: number): number {
  const today = vnDayNumberStartMs(vnDayNumber(afterMs)) + hour * 3_600_000;
  return today > afterMs ? today : today + DAY_MS;
}

/** The rule of an id; a rule removed from the configuration since still names its alerts. */
export function ruleById(rules: readonly AlertRule[], id: string): AlertRule {
  return (
    rules.find((rule) => rule.id === id) ?? {
      id,
      title: id,
      level: 'warning',
      period_kind: 'rolling7d',
      metric: 'pressure_index',
      fire: { op: '>=', value: 0, for_days: 0 },
      resolve: { op: '<', value: 0, for_days: 0 },
      email: 'digest',
      enabled: false,
    }
  );
}

/** The outbox rows of firing and resolved changes: one per matching recipient (pending and cancelled notify no one). */
export function deliveriesFor(
  setup: AlertingSetup,
  transitions: readonly (Transition & { recorded_at_ms: number })[],
  nowMs: number,
): OutboxRow[] {
  const rows: OutboxRow[] = [];
  for (const transition of transitions) {
    if (transition.to_state !== 'firing' && transition.to_state !== 'resolved') continue;
    const rule = ruleById(setup.rules, transition.rule);
    const message = alertMessage(transition, rule);
    const targets: RouteTarget[] = routeTargets(transition, setup.routing, setup.kafkaTopic);
    for (const target of targets) {
      const id = deliveryId(transition.transition_id, target.recipient);
      const digest = target.channel === 'email' && rule.email === 'digest';
      const stale = target.channel !== 'kafka' && nowMs - transition.window_end_ms > setup.notifyMaxAgeMs;
      rows.push({
        delivery_id: id,
        transition_id: transition.transition_id,
        alert_id: transition.alert_id,
        rule: transition.rule,
        commune_code: transition.commune_code,
        channel: target.channel,
        recipient: target.recipient,
        mode: digest ? 'digest' : 'immediate',
        due_at_ms: digest ? nextDigestMs(transition.recorded_at_ms, setup.digestHour) : transition.recorded_at_ms,
        transition_at_ms: transition.recorded_at_ms,
        payload: target.channel === 'webhook' ? webhookBody(message, id) : JSON.stringify(message),
        status: stale ? 'dropped' : 'pending',
        detail: stale ? 'older than the notification age limit: recorded, not sent' : '',
        created_at_ms: nowMs,
      });
    }
  }
  return rows;
}

/**
 * Evaluates the rules of a run's period kind at the run's period and stores what changed, in an order that
 * survives a crash at any point: the transitions (deterministic ids), then the deliveries of every transition
 * this run produced (also those a crashed earlier attempt stored), and only then the run as evaluated. A
 * repeated evaluation writes the same rows under the same ids, which the warehouse collapses.
 */
export async function evaluateAfterRun(context: EvaluationContext, runId: string): Promise<RunEvaluation> {
  const run = await loadRun(context.warehouse, runId);
  if (!run) throw new Error(`no estimation run ${runId} in estimation_runs`);
  if (await isEvaluated(context.warehouse, runId)) {
    return {
      runId,
      periodKind: run.period_kind,
      periodStart: run.period_start,
      outcome: 'already evaluated',
      transitions: [],
      deliveries: 0,
    };
  }
  return evaluateRun(context, run);
}

async function evaluateRun(context: EvaluationContext, run: EstimationRun): Promise<RunEvaluation> {
  const { warehouse, logger } = context;
  const now = context.now ?? Date.now;
  const base = { runId: run.run_id, periodKind: run.period_kind, periodStart: run.period_start };
  const latest = await latestEvaluatedPeriod(warehouse, run.period_kind);
  if (latest !== null && run.period_start < latest) {
    // A recomputed past period: alerts move forward in time only, so it changes nothing.
    await recordEvaluation(warehouse, run, 'stale', 0, now());
    logger.info({ ...base, latest }, 'estimation run of a past period: no alert moves');
    return { ...base, outcome: 'stale', transitions: [], deliveries: 0 };
  }
  const rules = context.rules.filter((rule) => rule.enabled && rule.period_kind === run.period_kind);
  let transitions: Transition[] = [];
  if (rules.length > 0) {
    const stride = run.period_kind === 'week' ? 7 : 1;
    const lookback = Math.max(...rules.map(lookbackPeriods));
    // One period more than the rules need, so that a streak first seen when already long enough to fire
    // shows where it began.
    const from = formatDay(parseDay(run.period_start) - (lookback + 1) * stride);
    const withResolved = rules.some(
      (rule) => rule.fire.min_resolved !== undefined || rule.resolve.min_resolved !== undefined,
    );
    const series = await loadSeries(warehouse, run.period_kind, from, run.period_start, withResolved);
    const episodes = await loadLatestEpisodes(
      warehouse,
      rules.map((rule) => rule.id),
    );
    // Named after the run evaluated (not the run of each row) so that a repeated evaluation finds them again.
    transitions = evaluatePeriod(rules, run.period_kind, run.period_start, series, episodes).map((t) => ({
      ...t,
      run_id: run.run_id,
    }));
    await insertTransitions(warehouse, transitions, now());
  }
  const stored: StoredTransition[] = await transitionsOfRun(warehouse, run.run_id);
  const nowMs = now();
  const computedIds = new Set(stored.map((t) => t.transition_id));
  const toRoute = [
    ...stored,
    // A racing evaluator may have stored the same transition under its own run: route ours all the same.
    ...transitions.filter((t) => !computedIds.has(t.transition_id)).map((t) => ({ ...t, recorded_at_ms: nowMs })),
  ];
  const deliveries = deliveriesFor(context, toRoute, nowMs);
  await insertOutbox(warehouse, deliveries, nowMs);
  await recordEvaluation(warehouse, run, 'evaluated', transitions.length, now());
  if (transitions.length > 0) {
    logger.info(
      {
        ...base,
        transitions: transitions.map((t) => `${t.rule}:${t.commune_code} ${t.from_state}→${t.to_state}`),
        deliveries: deliveries.length,
      },
      'alerts changed',
    );
  }
  return { ...base, outcome: 'evaluated', transitions, deliveries: deliveries.length };
}

/**
 * Every estimation run not evaluated yet, oldest first. Of several waiting runs of the same period (the
 * hourly rolling runs of a day) only the latest is evaluated: the indicator view holds its rows anyway.
 */
export async function evaluatePendingRuns(context: EvaluationContext): Promise<RunEvaluation[]> {
  const runs = await unevaluatedRuns(context.warehouse);
  const lastOfPeriod = new Map<string, string>();
  for (const run of runs) lastOfPeriod.set(`${run.period_kind}:${run.period_start}`, run.run_id);
  const now = context.now ?? Date.now;
  const results: RunEvaluation[] = [];
  for (const run of runs) {
    if (lastOfPeriod.get(`${run.period_kind}:${run.period_start}`) !== run.run_id) {
      await recordEvaluation(context.warehouse, run, 'superseded', 0, now());
      results.push({
        runId: run.run_id,
        periodKind: run.period_kind,
        periodStart: run.period_start,
        outcome: 'superseded',
        transitions: [],
        deliveries: 0,
      });
      continue;
    }
    results.push(await evaluateRun(context, run));
  }
  return results;
}
